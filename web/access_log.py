"""One log line per request, and one more for a slow search, written by the app whatever server runs it.

Fields: ``method``, ``path``, ``status``, ``took_ms``, ``pid`` (the worker process), and for a
search ``total``, ``partial`` (no article had every word) and ``corrected`` (a word was also
read as another spelling). What people searched for is personal: ``q`` is logged only when
the operator asks for it.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass

from flask import Flask, Response, g, request

from search.model import SearchResults

logger = logging.getLogger("vnsearch.access")
slow_logger = logging.getLogger("vnsearch.slow")


@dataclass(frozen=True)
class AccessLog:
    log_queries: bool = False
    slow_ms: float | None = None  # a search at least this slow gets a warning line too


def note_search(results: SearchResults) -> None:
    """Remember this request's search for its log line."""
    g.search_results = results


def install(app: Flask, options: AccessLog) -> None:
    @app.before_request
    def _start() -> None:
        g.started = time.perf_counter()

    @app.after_request
    def _log(response: Response) -> Response:
        if not logger.isEnabledFor(logging.INFO) and options.slow_ms is None:
            return response
        took_ms = round((time.perf_counter() - g.get("started", time.perf_counter())) * 1000, 1)
        fields = {
            "event": "request",
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "took_ms": took_ms,
            "pid": os.getpid(),  # per request: the workers are forked after the app is made
        }
        results: SearchResults | None = g.get("search_results")
        if results is not None:
            fields.update(total=results.total, partial=results.partial, corrected=bool(results.readings))
            if options.log_queries:
                fields["q"] = results.request.q
        logger.info("request", extra={"fields": fields})
        if options.slow_ms is not None and took_ms >= options.slow_ms:
            slow_logger.warning("slow", extra={"fields": {**fields, "event": "slow", "slow_ms": options.slow_ms}})
        return response
