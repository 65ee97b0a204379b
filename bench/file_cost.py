"""How long one hostile corpus file can keep the indexer busy: reading, parsing and analysing it.

Writes files an attacker or a broken scraper could leave in a corpus, each just under the
2 MiB limit for a ``.txt`` file, and the same shapes cut to just under the per-article
budget of words and signs (``indexer.parse.MAX_ARTICLE_TOKENS``), where an article is still
indexed; then times, in CPU seconds, what ``vnsearch index`` does with each before writing:
decode and parse, and every field's analysis (pyvi included). Target (issue 13): no file
under the size limit takes more than 10 s.

    .venv/bin/python -m bench.file_cost
"""

from __future__ import annotations

import argparse
import hashlib
import random
import time
from pathlib import Path

from indexer.build import document_fields, load_analyzers
from indexer.parse import MAX_ARTICLE_TOKENS, parse
from indexer.read import MAX_FILE_BYTES, SourceFile
from indexer.schema import make_schema

TITLE = "Tiêu đề bài báo\n"


def _words(rng: random.Random, count: int) -> str:
    return " ".join("".join(rng.choices("abcdeghiklmnopqrstuvxyđàáảãạ", k=rng.randint(1, 7))) for _ in range(count))


def shapes(rng: random.Random) -> dict[str, callable]:
    """Each shape: the body text for a wanted number of pyvi tokens (words and signs)."""
    return {
        "a.a.a. (no space)": lambda n: "a." * (n // 2),
        "combining marks": lambda n: "a" + "\u0301\u0323" * (n * 4),
        "one long word": lambda n: "a" * (n * 4),
        "1/1/1/ (no space)": lambda n: "1/" * (n // 2),
        "(((…)))": lambda n: "(" * (n // 2) + ")" * (n // 2),
        "a@a@ (no space)": lambda n: "a@" * (n // 2),
        "http://a/a/a/": lambda n: "http://" + "a/" * (n // 2),
        "Hà Nội Hà Nội": lambda n: "Hà Nội " * (n // 2),
        "random syllables": lambda n: _words(rng, n),
        "one syllable a line": lambda n: "Hà\n" * n,
        "Nguồn: Nguồn:": lambda n: "Nguồn: " * (n // 2),
    }


def _at_most(text: str, limit: int) -> bytes:
    """``text`` as UTF-8, cut to ``limit`` bytes at a character boundary."""
    return text.encode()[:limit].decode("utf-8", "ignore").encode()


def cost(data: bytes, schema) -> tuple[float, float, str]:
    """CPU seconds of parsing and of analysing ``data`` as a .txt file, and what became of it."""
    source = SourceFile(Path("/corpus/hostile.txt"), Path("/corpus"), "hostile", data, hashlib.sha256(data).hexdigest())
    started = time.process_time()
    articles, problems = parse(source)
    parsed = time.process_time()
    for article in articles:
        for name, value in document_fields(article, str(source.path), source.digest, flawed=False).items():
            if schema[name].analyzer is not None:
                list(schema[name].index(value))
    analysed = time.process_time()
    outcome = "indexed" if articles else f"skipped: {problems[0].reason}"
    return parsed - started, analysed - parsed, outcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.file_cost", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args(argv)
    schema = make_schema()
    load_analyzers(schema)
    limit = MAX_FILE_BYTES[".txt"]
    print("| file | bytes | parse CPU s | analysis CPU s | total | outcome |")
    print("|---|--:|--:|--:|--:|---|")
    worst = 0.0
    for name, body in shapes(random.Random(args.seed)).items():
        full = _at_most(TITLE + body(limit), limit)
        under = _at_most(TITLE + body(MAX_ARTICLE_TOKENS - 1000), limit)
        for label, data in ((f"{name}, 2 MiB", full), (f"{name}, under the budget", under)):
            parse_s, analysis_s, outcome = cost(data, schema)
            worst = max(worst, parse_s + analysis_s)
            print(f"| {label} | {len(data):,} | {parse_s:.2f} | {analysis_s:.2f} | {parse_s + analysis_s:.2f} | {outcome} |", flush=True)
    print(f"\nworst file: {worst:.2f} CPU s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
