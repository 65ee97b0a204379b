"""The slow paths issue 16 named, measured: a date-range filter, and snippets of long articles.

A date range read from the date column against Whoosh's DateRange query (which tests one
document at a time), on an index of your choice; a snippet of articles with ever more
matches, whose time should grow in proportion (the window search is linear).

    .venv/bin/python -m bench.slow_paths --index /tmp/vnsearch-bench/index-10000
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import time
from pathlib import Path

from whoosh import query as wq

from search.engine import SearchEngine
from search.highlight import Marker, match_spans, snippet
from search.model import SearchRequest

SENTENCE = "Ủy ban MTTQ quận Hai Bà Trưng tổ chức hội nghị. "


def cpu_ms(run, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.process_time()
        run()
        times.append(time.process_time() - started)
    return 1000 * statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.slow_paths", description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, required=True)
    args = parser.parse_args(argv)
    engine = SearchEngine(args.index)
    searcher = engine._searcher()
    arrays = engine._index_arrays(searcher)
    request = SearchRequest(date_from=dt.date(2021, 1, 1), date_to=dt.date(2023, 6, 30))
    whoosh_range = wq.DateRange("date", dt.datetime(2021, 1, 1), dt.datetime.combine(dt.date(2023, 6, 30), dt.time.max))
    by_column = engine._dated(arrays, searcher, request)
    same = bool((arrays.matching(searcher, whoosh_range) == by_column).all())
    print(json.dumps({
        "date_range": {"documents": arrays.size, "matched": int(by_column.sum()), "same_documents": same,
                       "whoosh_daterange_ms": round(cpu_ms(lambda: arrays.matching(searcher, whoosh_range), 3), 2),
                       "date_column_ms": round(cpu_ms(lambda: engine._dated(arrays, searcher, request), 20), 3)},
    }))
    marker = Marker(frozenset(), frozenset({"hai", "ba", "trung", "hoi", "nghi"}))
    for repeat in (100, 400, 1600):
        text = SENTENCE * repeat
        print(json.dumps({"snippet": {"chars": len(text), "match_runs": len(match_spans(text, marker)),
                                      "ms": round(cpu_ms(lambda: snippet(text, marker), 3), 2)}}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
