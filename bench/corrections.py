"""Corrections nobody asked for: how often a query of right words is read as other words.

The other side of the one-typo rows of bench/precision.py and bench/relevance.py. Queries are
collocations (:func:`bench.precision.collocations`) of the titles of every other article,
searched in an index of the rest, and kept when the index has each of their words: right words,
often in an order the index never holds, as a person searches for what the archive does not say
word for word. Windows of 5–7 consecutive words of the same titles (the queries of the known-item
rows of bench/relevance.py, held out) test the doubts that a long query's context allows. Each is
typed as written and without diacritics; the share the engine reads as something else
(``SearchResults.readings``) is the share of corrections nobody asked for.

    .venv/bin/python -m bench.corrections --sample 1000 --write
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from whoosh.index import open_dir

from bench import spellings
from bench.precision import collocations
from bench.relevance import DEFAULT_CORPORA, KEPT, RESULTS, WINDOW_SIZES, load_corpus, write_section
from indexer.build import build_index
from indexer.schema import INDEX_NAME
from search.engine import SearchEngine
from search.model import SearchRequest
from vietnamese.text import fold_word, words

SECTION = "## Corrections nobody asked for"
SHOWN = 12  # corrected queries listed per spelling


def held_out(paths: tuple[Path, ...], into: Path) -> tuple[list[Path], list[Path]]:
    """Every other file of the corpus copied into ``into`` (to index), and the rest (to ask about)."""
    files = sorted(p for path in paths for p in path.rglob("*") if p.is_file())
    indexed, asked = files[0::2], files[1::2]
    for n, source in enumerate(indexed):
        shutil.copy(source, into / f"{n:06d}-{source.name}")
    return indexed, asked


def windows(title: str) -> Iterator[str]:
    """Every run of 5–7 consecutive words of a title, longest first."""
    title_words = words(title)
    for size in sorted(WINDOW_SIZES, reverse=True):
        for start in range(len(title_words) - size + 1):
            yield " ".join(title_words[start : start + size])


# What each kind of query takes from a title, in order of preference.
KINDS: dict[str, Callable[[str], Iterator[str]]] = {"collocations": collocations, "title windows": windows}


def queries(
    asked: list[Path], known: set[str], sample: int, seed: int, taken: Callable[[str], Iterator[str]] = collocations
) -> list[str]:
    """At most one query per title (what ``taken`` takes from it), in random title order, every word of
    it in ``known``."""
    articles = list(load_corpus(tuple(sorted({p.parent for p in asked}))).articles)
    names = {p.stem for p in asked}
    order = sorted((a for a in articles if a.id.rsplit("/", 1)[-1] in names), key=lambda a: a.id)
    random.Random(seed).shuffle(order)
    found: list[str] = []
    for article in order:
        for phrase in dict.fromkeys(taken(article.title)):
            if all(fold_word(w.lower()) in known for w in words(phrase)):
                found.append(phrase)
                break
        if len(found) >= sample:
            break
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.corrections", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", type=int, default=1000, help="queries (default 1000)")
    parser.add_argument("--seed", type=int, default=7, help="random seed of the sample (default 7)")
    parser.add_argument("--write", action="store_true", help=f"replace the '{SECTION}' section of bench/RESULTS.md")
    parser.add_argument("corpus", nargs="*", type=Path, default=[DEFAULT_CORPORA[1]], help="corpus directories (default: ../shared/corpora/dantri-unc)")
    args = parser.parse_args(argv)
    if args.sample < 1:
        parser.error("--sample must be at least 1")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="vnsearch-corrections-") as work:
        corpus, index = Path(work) / "corpus", Path(work) / "index"
        corpus.mkdir()
        indexed, asked = held_out(tuple(args.corpus), corpus)
        build_index([corpus], index, progress=False)
        engine = SearchEngine(index)
        with open_dir(str(index), indexname=INDEX_NAME).reader() as reader:
            known = {t.decode("utf-8") for field in ("title", "body") for t in reader.lexicon(field)}
        rows = []
        for kind, taken in KINDS.items():
            phrases = queries(asked, known, args.sample, args.seed, taken)
            for spelled, spell in (("as written", str), ("without diacritics", spellings.unaccented)):
                corrected = []
                for phrase in phrases:
                    results = engine.search(SearchRequest(q=spell(phrase), size=10))
                    if results.readings:
                        corrected.append((spell(phrase), ", ".join(f"{r.typed} → {r.read}" for r in results.readings)))
                rows.append((f"{kind}, {spelled}", len(phrases), corrected))
    wall = time.perf_counter() - started
    command = " ".join(["python -m bench.corrections", *(sys.argv[1:] if argv is None else argv)])
    lines = [
        SECTION, "",
        "The other side of the one-typo rows: queries of right words, read as other words all the same.",
        "Collocations of the titles of every other article (as in the Precision section), and windows of",
        "5–7 consecutive words of them (as in the known-item rows), searched in an index of the rest and",
        "kept when that index has each of their words. A share read otherwise is a share of right",
        "queries whose results the engine replaced with a correction nobody asked for.", "",
        f"    .venv/bin/{command}", "",
        f"Run on {dt.date.today().isoformat()}: {len(indexed)} articles indexed, queries from the titles of the "
        f"other {len(asked)}; {wall:.0f} s.", "",
        "| query | typed | queries | read as other words | share |", "|---|---|--:|--:|--:|",
        *(f"| {label.replace(', ', ' | ')} | {n} | {len(c)} | {len(c) / max(n, 1):.1%} |" for label, n, c in rows), "",
    ]
    for label, _, corrected in rows:
        lines += [f"Read otherwise, {label}: " + ("; ".join(f"`{q}` ({r})" for q, r in corrected[:SHOWN]) or "none") + ".", ""]
    text = "\n".join(lines) + KEPT + "\n"
    print(text)
    if args.write:
        write_section(RESULTS, text)
        print(f"wrote the '{SECTION}' section of {RESULTS}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
