"""The engines the relevance benchmark compares: vnsearch and its peers.

Each peer is set up the way a user of that engine would set it up for
Vietnamese text, with that engine's documented tools and defaults, and indexes
the same title and body text vnsearch indexes. Every engine builds its index
into a directory once, then is opened (in each worker process) to answer
queries with its top ten document ids.
"""

from __future__ import annotations

import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from unidecode import unidecode
from whoosh import index
from whoosh.analysis import Filter, LowercaseFilter, StandardAnalyzer, Token, Tokenizer
from whoosh.fields import ID, TEXT, Schema
from whoosh.qparser import AndGroup, MultifieldParser, OrGroup

from indexer.article import Article
from indexer.build import build_index
from search.engine import SearchEngine
from search.model import SearchRequest, SearchResults

TOP = 10


@dataclass(frozen=True)
class Corpus:
    """The corpus directories and the articles parsed from them by the project's own reader."""

    paths: tuple[Path, ...]
    articles: tuple[Article, ...]


class Engine(ABC):
    """An engine under test: ``build`` writes its index into a directory once, then
    ``Engine(directory)`` opens it (in each worker process) to answer queries."""

    key: ClassVar[str]  # for --engine
    label: ClassVar[str]  # column heading
    setup: ClassVar[str]  # how it is set up, for bench/RESULTS.md

    @staticmethod
    @abstractmethod
    def build(corpus: Corpus, directory: Path) -> None: ...

    @abstractmethod
    def search(self, q: str) -> list[str]:
        """Ids of the top ten documents for ``q``; raises whatever the engine raises on a query it rejects."""


class VnSearch(Engine):
    key = "vnsearch"
    label = "vnsearch"
    setup = "`indexer.build.build_index` over the corpus directories; `SearchEngine.search(SearchRequest(q=…, size=10))`."

    @staticmethod
    def build(corpus: Corpus, directory: Path) -> None:
        build_index(list(corpus.paths), directory, progress=False)

    def __init__(self, directory: Path):
        self._engine = SearchEngine(directory)

    def results(self, q: str) -> SearchResults:
        """The whole answer (total, partial, suggestion…), for what only vnsearch offers."""
        return self._engine.search(SearchRequest(q=q, size=TOP))

    def search(self, q: str) -> list[str]:
        return [hit.id for hit in self.results(q).hits]


# -- SQLite FTS5 ----------------------------------------------------------------------------


class Fts5(Engine):
    """FTS5's own query language joins terms with AND; each term is quoted so that
    no word of a query (NOT, a stray quote) is read as syntax."""

    key = "fts5"
    label = "FTS5, all words"
    setup = (
        "SQLite FTS5 from the standard library, `fts5(title, body, tokenize='unicode61 remove_diacritics 2')`; "
        'each word quoted, words joined as FTS5 joins them by default (all words: `"w1" "w2" …`), '
        "`ORDER BY rank` (BM25)."
    )
    JOIN = " "
    FILE = "fts5.sqlite"

    @classmethod
    def build(cls, corpus: Corpus, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(directory / cls.FILE) as db:
            db.execute(
                "CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, body, "
                "tokenize = 'unicode61 remove_diacritics 2')"
            )
            db.executemany("INSERT INTO docs VALUES (?, ?, ?)", [(a.id, a.title, a.body) for a in corpus.articles])
        db.close()

    def __init__(self, directory: Path):
        self._db = sqlite3.connect(directory / self.FILE)

    def search(self, q: str) -> list[str]:
        match = self.JOIN.join('"' + word.replace('"', '""') + '"' for word in q.split())
        rows = self._db.execute("SELECT id FROM docs WHERE docs MATCH ? ORDER BY rank LIMIT ?", (match, TOP))
        return [doc_id for (doc_id,) in rows]


class Fts5AnyWord(Fts5):
    key = "fts5-any"
    label = "FTS5, any word"
    setup = "the same table, words joined with `OR` (any word), `ORDER BY rank`."
    JOIN = " OR "


# -- Whoosh ----------------------------------------------------------------------------------


class UnidecodeFilter(Filter):
    """Every token transliterated to ASCII (Đường → Duong)."""

    def __call__(self, tokens):
        for token in tokens:
            token.text = unidecode(token.text)
            yield token


class PyviTokenizer(Tokenizer):
    """pyvi's word segmentation: one token per word, syllables of a compound joined by _ (Hà_Nội)."""

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        from pyvi import ViTokenizer  # loads a CRF model: only where it is used

        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        words = ViTokenizer.tokenize(value).split() if tokenize else [value]
        for pos, word in enumerate(w for w in words if any(c.isalnum() for c in w)):
            token.text, token.boost, token.stopped = word, 1.0, False
            if keeporiginal:
                token.original = word
            if positions:
                token.pos = start_pos + pos
            yield token


class _Whoosh(Engine):
    """Fields title and body with one analyzer, searched with Whoosh's MultifieldParser."""

    ANY_WORD: ClassVar[bool] = False

    @staticmethod
    @abstractmethod
    def analyzer(): ...

    @classmethod
    def build(cls, corpus: Corpus, directory: Path) -> None:
        analyzer = cls.analyzer()
        schema = Schema(id=ID(stored=True), title=TEXT(analyzer=analyzer), body=TEXT(analyzer=analyzer))
        directory.mkdir(parents=True, exist_ok=True)
        writer = index.create_in(directory, schema).writer(limitmb=256)
        for article in corpus.articles:
            writer.add_document(id=article.id, title=article.title, body=article.body)
        writer.commit()

    def __init__(self, directory: Path):
        ix = index.open_dir(directory)
        self._searcher = ix.searcher()
        self._parser = MultifieldParser(["title", "body"], ix.schema, group=OrGroup if self.ANY_WORD else AndGroup)

    def search(self, q: str) -> list[str]:
        return [hit["id"] for hit in self._searcher.search(self._parser.parse(q), limit=TOP)]


class WhooshStandard(_Whoosh):
    key = "whoosh"
    label = "Whoosh Standard"
    setup = "Whoosh's `StandardAnalyzer()` on title and body, `MultifieldParser(['title', 'body'])` with its default AND group, BM25F."

    @staticmethod
    def analyzer():
        return StandardAnalyzer()


class WhooshUnidecodeAnyWord(_Whoosh):
    key = "whoosh-unidecode"
    label = "Whoosh Standard + Unidecode, any word"
    setup = "`StandardAnalyzer() | UnidecodeFilter()` (a 5-line filter calling `unidecode`), `MultifieldParser` with `group=OrGroup`."
    ANY_WORD = True

    @staticmethod
    def analyzer():
        return StandardAnalyzer() | UnidecodeFilter()


class WhooshPyvi(_Whoosh):
    key = "whoosh-pyvi"
    label = "Whoosh + pyvi + Unidecode"
    setup = (
        "the straightforward build: a Whoosh tokenizer yielding `ViTokenizer.tokenize(text).split()`, "
        "`| LowercaseFilter() | UnidecodeFilter()`, default `MultifieldParser` (AND). The parser splits a query "
        "at spaces before analysing it, so pyvi sees one syllable at a time and compounds (`ha_noi`) never match."
    )

    @staticmethod
    def analyzer():
        return PyviTokenizer() | LowercaseFilter() | UnidecodeFilter()


# -- tantivy ---------------------------------------------------------------------------------


class Tantivy(Engine):
    key = "tantivy"
    label = "tantivy ascii_fold"
    setup = (
        "`tantivy` (Python package): a text analyzer `Tokenizer.simple()` + `Filter.lowercase()` + "
        "`Filter.ascii_fold()` on title and body, `Index.parse_query(q, ['title', 'body'])` (any word by default), BM25."
    )
    TOKENIZER = "vi_fold"

    @classmethod
    def _index(cls, directory: Path, create: bool):
        import tantivy

        schema = None
        if create:
            builder = tantivy.SchemaBuilder()
            builder.add_text_field("id", stored=True, tokenizer_name="raw")
            for name in ("title", "body"):
                builder.add_text_field(name, tokenizer_name=cls.TOKENIZER)
            schema = builder.build()
        ix = tantivy.Index(schema, path=str(directory)) if create else tantivy.Index.open(str(directory))
        analyzer = (
            tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.ascii_fold())
            .build()
        )
        ix.register_tokenizer(cls.TOKENIZER, analyzer)
        return ix

    @classmethod
    def build(cls, corpus: Corpus, directory: Path) -> None:
        import tantivy

        directory.mkdir(parents=True, exist_ok=True)
        ix = cls._index(directory, create=True)
        writer = ix.writer(heap_size=128_000_000, num_threads=1)
        for article in corpus.articles:
            writer.add_document(tantivy.Document(id=article.id, title=article.title, body=article.body))
        writer.commit()
        writer.wait_merging_threads()

    def __init__(self, directory: Path):
        self._index_ = self._index(directory, create=False)
        self._searcher = self._index_.searcher()

    def search(self, q: str) -> list[str]:
        query = self._index_.parse_query(q, ["title", "body"])
        return [self._searcher.doc(address)["id"][0] for _, address in self._searcher.search(query, TOP).hits]


ENGINES: dict[str, type[Engine]] = {
    engine.key: engine
    for engine in (VnSearch, Fts5, Fts5AnyWord, WhooshStandard, WhooshUnidecodeAnyWord, WhooshPyvi, Tantivy)
}


def engine_keys(text: str) -> Sequence[str]:
    """The engines named in a comma-separated list, checked against :data:`ENGINES`."""
    keys = [key.strip() for key in text.split(",") if key.strip()]
    unknown = [key for key in keys if key not in ENGINES]
    if unknown or not keys:
        raise ValueError(f"unknown engine {', '.join(unknown) or '(none)'}; choose from {', '.join(ENGINES)}")
    return keys
