"""The performance benchmark's peers: SQLite FTS5 and plain Whoosh doing one search's work as vnsearch does it.

Each answers a :class:`~search.model.SearchRequest` with what a results page
shows: the ten best hits with a snippet each, the number of matches, and the
number of matches per district; a district filter and newest-first order when
asked. Each is set up as its documentation suggests for this, with its own
defaults (so plain Whoosh does not match a query typed without diacritics to
accented text, and counts fewer matches: the table says how many).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from whoosh import index, sorting
from whoosh.analysis import StandardAnalyzer
from whoosh.fields import DATETIME, ID, KEYWORD, TEXT, Schema
from whoosh.qparser import AndGroup, MultifieldParser
from whoosh.query import Term

from indexer.article import Article
from search.model import SearchRequest

SNIPPET_WORDS = 32


@dataclass(frozen=True)
class Answer:
    ids: list[str]
    snippets: list[str]
    total: int
    districts: dict[str, int]


def _day(article: Article) -> str:
    return article.date.isoformat() if article.date else ""


class Fts5:
    label = "SQLite FTS5 (unicode61 remove_diacritics 2)"
    setup = (
        "`fts5(title, body, tokenize='unicode61 remove_diacritics 2')`, a `districts(doc, name)` table; "
        "words quoted and ANDed, `ORDER BY rank` (BM25) or by date, `snippet()`, districts counted with `GROUP BY`."
    )

    @staticmethod
    def build(articles: Sequence[Article], directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / "fts5.sqlite"
        path.unlink(missing_ok=True)
        with sqlite3.connect(path) as db:
            db.execute(
                "CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, body, day UNINDEXED, "
                "tokenize = 'unicode61 remove_diacritics 2')"
            )
            db.execute("CREATE TABLE districts (doc INTEGER, name TEXT)")
            for n, a in enumerate(articles, 1):
                db.execute("INSERT INTO docs (rowid, id, title, body, day) VALUES (?, ?, ?, ?, ?)", (n, a.id, a.title, a.body, _day(a)))
                db.executemany("INSERT INTO districts VALUES (?, ?)", [(n, d) for d in a.districts])
            db.execute("CREATE INDEX districts_by_name ON districts (name, doc)")
            db.execute("CREATE INDEX districts_by_doc ON districts (doc, name)")
        db.close()

    def __init__(self, directory: Path):
        self._db = sqlite3.connect(directory / "fts5.sqlite", check_same_thread=False)

    def search(self, request: SearchRequest) -> Answer:
        match = _fts5_match(request.q)
        where, params = "docs MATCH ?", [match]
        if request.districts:
            where += " AND docs.rowid IN (SELECT doc FROM districts WHERE name = ?)"
            params.append(request.districts[0])
        order = "day DESC" if request.sort == "date" else "rank"
        rows = self._db.execute(
            f"SELECT id, snippet(docs, 2, '<mark>', '</mark>', '…', {SNIPPET_WORDS}) FROM docs "
            f"WHERE {where} ORDER BY {order} LIMIT ?",
            (*params, request.size),
        ).fetchall()
        (total,) = self._db.execute(f"SELECT count(*) FROM docs WHERE {where}", params).fetchone()
        counts = self._db.execute(
            "SELECT name, count(*) FROM districts WHERE doc IN (SELECT rowid FROM docs WHERE docs MATCH ?) GROUP BY name",
            (match,),
        ).fetchall()
        return Answer([r[0] for r in rows], [r[1] for r in rows], total, dict(counts))


def _fts5_match(q: str) -> str:
    """Each word quoted (so no word is read as FTS5 syntax); a quoted phrase stays one phrase."""
    if q.startswith('"') and q.endswith('"') and len(q) > 1:
        return '"' + q.strip('"').replace('"', '""') + '"'
    return " ".join('"' + w.replace('"', '""') + '"' for w in q.split())


class WhooshStandard:
    label = "Whoosh, StandardAnalyzer"
    setup = (
        "`StandardAnalyzer()` on title and body (body stored for highlights), districts as `KEYWORD(commas=True)`, "
        "date as `DATETIME(sortable=True)`; `MultifieldParser` (AND), BM25F, `hit.highlights('body')`, "
        "`groupedby=FieldFacet('districts', allow_overlap=True)`."
    )

    @staticmethod
    def schema() -> Schema:
        return Schema(
            id=ID(stored=True),
            title=TEXT(analyzer=StandardAnalyzer()),
            body=TEXT(analyzer=StandardAnalyzer(), stored=True),
            districts=KEYWORD(commas=True, stored=True),
            date=DATETIME(sortable=True),
        )

    @classmethod
    def build(cls, articles: Sequence[Article], directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        writer = index.create_in(directory, cls.schema()).writer(limitmb=256)
        for a in articles:
            fields = dict(id=a.id, title=a.title, body=a.body, districts=",".join(a.districts))
            if a.date:
                fields["date"] = dt.datetime.combine(a.date, dt.time())
            writer.add_document(**fields)
        writer.commit()

    def __init__(self, directory: Path):
        ix = index.open_dir(directory)
        self._searcher = ix.searcher()  # one, reused: the benchmark asks from one thread
        self._parser = MultifieldParser(["title", "body"], ix.schema, group=AndGroup)

    def search(self, request: SearchRequest) -> Answer:
        facet = sorting.FieldFacet("districts", allow_overlap=True, maptype=sorting.Count)
        results = self._searcher.search(
            self._parser.parse(request.q),
            limit=request.size,
            filter=Term("districts", request.districts[0]) if request.districts else None,
            sortedby=sorting.FieldFacet("date", reverse=True) if request.sort == "date" else None,
            groupedby={"districts": facet},
        )
        hits = list(results)
        counts = {k: v for k, v in results.groups("districts").items() if k}
        return Answer([h["id"] for h in hits], [h.highlights("body") for h in hits], len(results), counts)


PEERS = (Fts5, WhooshStandard)
