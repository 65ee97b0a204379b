"""Index size and query time over many re-index runs of a corpus that changes completely each time.

Each run indexes a folder holding a different slice of dantri-unc's pages (their files
rotate through the corpus, and each carries the run's number, so every document of the run
before is deleted and every one is new), then measures the index folder's size and the
warm time of a few searches; at the end, a fresh build of the last run's folder gives the
size to compare with. Target (issue 13): after 20 runs, within 1.5× of the fresh build.

    .venv/bin/python -m bench.reindex_growth --runs 20 --articles 400
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from indexer.build import build_index
from search.engine import SearchEngine
from search.model import SearchRequest

REPO = Path(__file__).resolve().parents[1]
DANTRI = REPO.parent / "shared" / "corpora" / "dantri-unc"
QUERIES = ["hà nội", "giáo dục", "covid", "bóng đá việt nam", "giá xăng", "thủ tướng"]


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def query_ms(index_dir: Path) -> float:
    """Median warm search time (ms) over QUERIES, each run once to warm up first."""
    engine = SearchEngine(index_dir)
    for q in QUERIES:
        engine.search(SearchRequest(q=q))
    times = []
    for q in QUERIES * 3:
        started = time.perf_counter()
        engine.search(SearchRequest(q=q))
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def write_run(pages: list[Path], corpus: Path, run: int, count: int) -> None:
    shutil.rmtree(corpus, ignore_errors=True)
    corpus.mkdir(parents=True)
    start = run * count % len(pages)
    for n in range(count):
        page = pages[(start + n) % len(pages)]
        (corpus / page.name).write_text(page.read_text(encoding="utf-8") + f"\nLần cập nhật {run}.\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reindex_growth", description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--articles", type=int, default=400)
    args = parser.parse_args(argv)
    if not DANTRI.is_dir():
        raise SystemExit(f"{DANTRI} is missing")
    pages = sorted(DANTRI.glob("*.txt"))
    with tempfile.TemporaryDirectory(prefix="reindex-growth-") as tmp:
        corpus, index_dir = Path(tmp) / "corpus", Path(tmp) / "index"
        print("| run | documents | segments | index MB | warm query ms (median) | run s |")
        print("|--:|--:|--:|--:|--:|--:|")
        for run in range(1, args.runs + 1):
            write_run(pages, corpus, run, args.articles)
            started = time.perf_counter()
            build_index([corpus], index_dir, progress=False)
            took = time.perf_counter() - started
            with SearchEngine(index_dir)._current().ix.reader() as reader:
                documents, segments = reader.doc_count(), len(reader.leaf_readers())
            size = folder_bytes(index_dir)
            print(f"| {run} | {documents} | {segments} | {size / 1e6:.2f} | {query_ms(index_dir):.1f} | {took:.1f} |", flush=True)
        fresh = Path(tmp) / "fresh"
        build_index([corpus], fresh, progress=False)
        fresh_size = folder_bytes(fresh)
        print(f"\nfresh build of the last run's folder: {fresh_size / 1e6:.2f} MB, warm query {query_ms(fresh):.1f} ms")
        print(f"after {args.runs} runs: {size / fresh_size:.2f}× the fresh build's size")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
