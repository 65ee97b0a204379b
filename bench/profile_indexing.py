"""Where one indexing process spends its CPU: each field's analysis, then Whoosh writing the postings.

Indexes the first N articles of dantri-unc (and the seeds) in one process, as each
worker of ``vnsearch index`` does, and prints a table: per field, the CPU seconds
its analyzer takes, the tokens it makes and the postings and distinct terms it
adds; then the CPU seconds of ``add_document`` (analysis included) and of the
commit, where the terms are sorted and their postings written.

    .venv/bin/python -m bench.profile_indexing --articles 400
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path

from whoosh import index
from whoosh.fields import TEXT

from indexer.article import Problem
from indexer.build import WRITER_OPTIONS, document_fields, load_analyzers
from indexer.parse import parse
from indexer.pool import TermPoolWriter
from indexer.read import SourceFile, iter_sources
from indexer.schema import make_schema

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPORA = (REPO / "corpus", REPO.parent / "shared" / "corpora" / "dantri-unc")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile_indexing", description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=400)
    parser.add_argument("corpus", nargs="*", type=Path, default=[p for p in DEFAULT_CORPORA if p.is_dir()])
    args = parser.parse_args(argv)

    pairs: list[tuple[object, SourceFile]] = []
    for item in islice((i for i in iter_sources(args.corpus) if not isinstance(i, Problem)), args.articles):
        pairs.extend((article, item) for article in parse(item)[0])
    documents = [document_fields(article, str(source.path), source.digest, flawed=False) for article, source in pairs]
    megabytes = sum(len(d["title"].encode()) + len(d["body"].encode()) for d in documents) / 1e6
    schema = make_schema()
    load_analyzers(schema)  # models load once, outside the measurements

    print(f"{len(documents)} articles, {megabytes:.1f} MB of title and body text, one process\n")
    print("| field | analysis CPU s | tokens | postings | distinct terms |")
    print("|---|--:|--:|--:|--:|")
    total = 0.0
    for name, field in schema.items():
        if not isinstance(field, TEXT):
            continue
        started = time.process_time()
        tokens, postings, terms = 0, 0, set()
        for document in documents:
            seen = set()
            for token in field.analyzer(document[name], positions=True, mode="index"):
                tokens += 1
                seen.add(token.text)
            postings += len(seen)
            terms |= seen
        spent = time.process_time() - started
        total += spent
        print(f"| {name} | {spent:.2f} | {tokens:,} | {postings:,} | {len(terms):,} |")
    print(f"| all fields | {total:.2f} | | | |\n")

    with tempfile.TemporaryDirectory(prefix="vnsearch-profile-") as directory:
        ix = index.create_in(directory, schema)
        writer = TermPoolWriter(ix, **WRITER_OPTIONS)
        started = time.process_time()
        for document in documents:
            writer.add_document(**document)
        added = time.process_time()
        writer.commit()
        committed = time.process_time()
    print("| step | CPU s |")
    print("|---|--:|")
    print(f"| add_document (analysis, postings into memory) | {added - started:.2f} |")
    print(f"| commit (sort and write postings, lengths, stored fields) | {committed - added:.2f} |")
    print(f"| in all | {committed - started:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
