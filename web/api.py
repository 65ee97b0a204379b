"""The JSON API: a contract other programs build on, so field names and shapes must not drift."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, Response, make_response, request

from search.model import (
    MAX_COMPLETIONS,
    IndexDamaged,
    IndexUnavailable,
    completions_to_json,
    document_to_json,
    parse_int,
    results_to_json,
)
from web.common import engine, find_document, search_request, single
from web.errors import UNAVAILABLE, error_response

bp = Blueprint("api", __name__)

JSON = dict[str, Any]
# Set when no article has every word and the hits are the closest partial matches.
PARTIAL_HEADER = "X-Partial-Match"
# Set when the search stopped at its cost budget (search/budget.py): some hits may be missing.
INCOMPLETE_HEADER = "X-Search-Incomplete"


def _etag() -> str:
    """Same index generation and same URL means the same answer."""
    key = b"\0".join((engine().generation().encode(), request.path.encode(), request.query_string))
    return hashlib.sha256(key).hexdigest()[:32]


def revalidated(view: Callable[..., Any]) -> Callable[..., Response]:
    """Answer 304 when the client's copy is still current, and make clients ask each time.

    The ETag is weak because ``took_ms`` differs between two otherwise equal answers.
    It is checked before the view runs, so a revalidation costs no search.
    """

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        tag = _etag()
        if request.if_none_match.contains_weak(tag):
            response = Response(status=304)
        else:
            response = make_response(view(*args, **kwargs))
        if response.status_code in (200, 304):
            response.set_etag(tag, weak=True)
            response.headers["Cache-Control"] = "no-cache"
        return response

    return wrapper


@bp.get("/api/search")
@revalidated
def search() -> Response:
    results = engine().search(search_request(request.args))
    response = make_response(results_to_json(results))
    if results.partial:  # outside the JSON, whose shape is a fixed contract
        response.headers[PARTIAL_HEADER] = "1"
    if results.incomplete:
        response.headers[INCOMPLETE_HEADER] = "1"
    return response


@bp.get("/api/complete")
@revalidated
def complete() -> JSON:
    q = single(request.args, "q") or ""
    size = parse_int(single(request.args, "size"), "size", MAX_COMPLETIONS)
    return completions_to_json(q, engine().complete(q, size))


@bp.get("/api/doc/<docid:doc_id>", merge_slashes=False)
@revalidated
def document(doc_id: str) -> JSON | Response:
    doc = find_document(doc_id, request.args)
    if doc is None:
        return error_response(404, f"Không có bài viết nào với mã '{doc_id}'.")
    return document_to_json(doc)


@bp.get("/health")
def health() -> Response:
    """``ok`` only once every file of the index in use has been checked against its checksums."""
    try:
        response = make_response({"status": "ok", "documents": engine().health()})
    except IndexDamaged as error:
        response = make_response({"status": "damaged", "error": UNAVAILABLE, "problems": list(error.problems)}, 503)
    except IndexUnavailable:
        response = make_response({"status": "missing", "error": UNAVAILABLE}, 503)
    response.headers["Cache-Control"] = "no-store"
    return response
