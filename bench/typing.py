"""Typing into the search box: are the completions right, and are completions and prefix searches fast?

Accuracy: for titles drawn at random (``--sample``, ``--seed``), the first two words
and two letters of the third are typed as written and unaccented; a title counts when
a completion begins with its first three words as the title writes them (compared
word by word; with and without letter case). Speed: ``vnsearch serve`` is started on
127.0.0.1 over the index, warmed with every request once, then asked one request at a
time, as one person typing does: ``/api/complete`` for every keystroke of those
queries from the second letter on, and ``/api/search`` for each half-typed query
(its last word read as a prefix). Latency over HTTP, client included.

    .venv/bin/python -m bench.typing --index-dir /tmp/vnsearch-bench/10k-index /tmp/vnsearch-bench/10k
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from bench import spellings
from bench.articles import read_articles
from bench.load import get
from bench.server_load import percentile, start_server
from indexer.build import build_index
from search.engine import SearchEngine
from vietnamese.text import words

WORDS_TYPED = 2
LETTERS_OF_THE_NEXT = 2
DEFAULT_PORT = 5501


def typed_queries(titles: list[str], sample: int, seed: int) -> list[tuple[list[str], str, str]]:
    """(title words, typed as written, typed unaccented) for ``sample`` titles of three words or more."""
    usable = [words(t) for t in sorted(set(titles)) if len(words(t)) > WORDS_TYPED]
    drawn = random.Random(seed).sample(usable, min(sample, len(usable)))
    found = []
    for title in drawn:
        typed = " ".join(title[:WORDS_TYPED] + [title[WORDS_TYPED][:LETTERS_OF_THE_NEXT]])
        found.append((title, typed, spellings.unaccented(typed)))
    return found


def accuracy(engine: SearchEngine, queries: list[tuple[list[str], str, str]]) -> dict[str, tuple[float, float]]:
    """Per spelling, the share of titles a completion begins with: letter case kept, and ignored."""
    shares = {}
    for column, index in (("as written", 1), ("unaccented", 2)):
        kept = ignored = 0
        for title, *typed in queries:
            wanted = title[: WORDS_TYPED + 1]
            offered = [words(c.text)[: WORDS_TYPED + 1] for c in engine.complete(typed[index - 1])]
            kept += wanted in offered
            ignored += [w.lower() for w in wanted] in [[w.lower() for w in o] for o in offered]
        shares[column] = (kept / len(queries), ignored / len(queries))
    return shares


def latencies(port: int, paths: list[str]) -> list[float]:
    """Each path asked once to warm, then once more, timed."""
    for path in paths:
        get(port, path)
    timed = []
    for path in paths:
        started = time.perf_counter()
        status, _ = get(port, path)
        timed.append((time.perf_counter() - started) * 1000)
        if status != 200:
            raise SystemExit(f"{path} answered {status}")
    return timed


def keystrokes(typed: str) -> list[str]:
    return [typed[:n] for n in range(2, len(typed) + 1)]


def summary(name: str, timed: list[float]) -> str:
    ordered = sorted(timed)
    cells = " | ".join(f"{percentile(ordered, p):.1f}" for p in (50, 95, 99))
    return f"| {name} | {len(timed)} | {cells} |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.typing", description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="+", type=Path, help="corpus directories")
    parser.add_argument("--index-dir", type=Path, help="an index of exactly these corpora (default: built into a temporary directory)")
    parser.add_argument("--sample", type=int, default=300, help="titles to type (default 300)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="127.0.0.1 port for the timed server")
    parser.add_argument("--no-speed", action="store_true", help="accuracy only: no server")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="vnsearch-typing-") as tmp:
        index_dir = args.index_dir or Path(tmp) / "index"
        if args.index_dir is None:
            build_index(args.corpus, index_dir, progress=False)
        articles = read_articles(args.corpus)
        queries = typed_queries([a.title for a in articles], args.sample, args.seed)
        engine = SearchEngine(index_dir)
        shares = accuracy(engine, queries)
        print(f"{len(articles)} articles, {len(queries)} titles typed (seed {args.seed}):")
        print("| typed | a completion begins with the title's first 3 words | the same, letter case ignored |")
        print("|---|--:|--:|")
        for column, (kept, ignored) in shares.items():
            print(f"| {column} | {kept:.1%} | {ignored:.1%} |")
        if not args.no_speed:
            server = start_server(args.corpus[0], index_dir, args.port, 4, Path(tmp) / "server.log")
            try:
                typed = [q for _, *spelled in queries for q in spelled]
                complete = [f"/api/complete?{urlencode({'q': k})}" for q in typed for k in keystrokes(q)]
                search = [f"/api/search?{urlencode({'q': q})}" for q in typed]
                print(f"\nOne request at a time over HTTP, warm (load average {os.getloadavg()[0]:.1f}); ms:")
                print("| request | n | p50 | p95 | p99 |\n|---|--:|--:|--:|--:|")
                print(summary("/api/complete, every keystroke", latencies(args.port, complete)))
                print(summary("/api/search, last word half typed", latencies(args.port, search)))
                documents = json.loads(get(args.port, "/health")[1])["documents"]
                print(f"{documents} documents served")
            finally:
                server.terminate()
                server.wait(30)
    print(f"{time.perf_counter() - started:.0f} s in all", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
