"""What the request log lines cost: the same searches through the app with them on and off, CPU time.

In one process, through Flask's test client (no sockets, no server threads), so the figure is
the app's CPU time per request and not what the machine's other work left over: rounds
alternate between log level info (a JSON line per request, to a file) and warning (none). On a
busy machine the difference of two such medians is noisy, so the cost of one line is also
measured alone: the same request line written many times, CPU time per line.

    .venv/bin/python -m bench.log_cost --index /tmp/vnsearch-bench/index-10000 --corpus /tmp/vnsearch-bench/corpus-10000
"""

from __future__ import annotations

import argparse
import json
import logging
import logging.config
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.articles import read_articles
from bench.performance import api_path, sample_queries
from search.engine import SearchEngine
from vnsearch import logs
from web import create_app

LINES = 20_000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.log_cost", description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--queries", type=int, default=20, help="queries per kind (default 20)")
    parser.add_argument("--rounds", type=int, default=6)
    args = parser.parse_args(argv)
    paths = [api_path(r) for rs in sample_queries(read_articles([args.corpus]), args.queries, 1).values() for r in rs]
    client = create_app(SearchEngine(args.index)).test_client()
    for path in paths:  # warm every cache first
        client.get(path)
    cpu: dict[str, list[float]] = {"info": [], "warning": []}
    with tempfile.NamedTemporaryFile("w", suffix=".log") as sink:
        settings = logs.settings("info")
        settings["handlers"]["stderr"]["stream"] = sink
        for k in range(args.rounds):
            for level in list(cpu)[:: 1 if k % 2 == 0 else -1]:  # each level first in half the rounds
                settings["root"]["level"] = level.upper()
                logging.config.dictConfig(settings)
                started = time.process_time()
                for path in paths:
                    client.get(path)
                cpu[level].append(1000 * (time.process_time() - started) / len(paths))
        lines = sum(1 for _ in open(sink.name))
        settings["root"]["level"] = "INFO"
        logging.config.dictConfig(settings)
        logger = logging.getLogger("vnsearch.access")
        fields = {"event": "request", "method": "GET", "path": "/api/search", "status": 200, "took_ms": 12.3,
                  "pid": 1234, "total": 5374, "partial": False, "corrected": False}
        started = time.process_time()
        for _ in range(LINES):
            logger.info("request", extra={"fields": fields})
        per_line_ms = 1000 * (time.process_time() - started) / LINES
    info, warning = statistics.median(cpu["info"]), statistics.median(cpu["warning"])
    print(json.dumps({
        "requests_per_round": len(paths), "rounds": args.rounds, "log_lines_written": lines,
        "cpu_ms_per_request_info": round(info, 3), "cpu_ms_per_request_warning": round(warning, 3),
        "logging_cost_share_by_rounds": round(info / warning - 1, 4),
        "cpu_ms_per_line": round(per_line_ms, 4), "logging_cost_share_by_line": round(per_line_ms / warning, 4),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
