"""What a crawl remembers between runs, in SQLite next to the index.

``pages`` holds, for each page the index has from a crawl, the validators (ETag,
Last-Modified) and content hash of the version indexed: a re-crawl asks only for
changes and re-analyses only pages whose content changed. ``queue`` holds the run
in progress: every address found and whether its outcome is committed. A row
becomes done only after the index commit that holds its page, so a crawl killed
at any moment resumes with exactly the pages whose outcome was not yet committed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from whoosh.filedb.filestore import FileStorage

from indexer.schema import INDEX_NAME

STATE_FILE = "crawl.sqlite3"
LOCK_NAME = "CRAWLLOCK"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS pages (url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT, digest TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS queue (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    url TEXT UNIQUE NOT NULL,
    kind TEXT NOT NULL,
    depth INTEGER NOT NULL,
    rank INTEGER NOT NULL,
    done INTEGER NOT NULL DEFAULT 0
);
"""


class CrawlBusy(RuntimeError):
    """Another crawl is running on the same index."""


@dataclass(frozen=True)
class PageState:
    """The version of a page the index holds."""

    etag: str | None
    last_modified: str | None
    digest: str


@dataclass(frozen=True, order=True)
class Queued:
    """An address to visit; ordered as visited: seeds, then likely articles, shallow before deep."""

    rank: int
    depth: int
    seq: int
    url: str
    kind: str


class CrawlState:
    """The crawl state of the index in ``index_dir``, held by one crawl at a time."""

    def __init__(self, index_dir: Path):
        index_dir.mkdir(parents=True, exist_ok=True)
        self._lock = FileStorage(str(index_dir)).lock(LOCK_NAME)
        if not self._lock.acquire(blocking=False):
            raise CrawlBusy(f"Một lần thu thập khác đang chạy trên {index_dir}; hãy thử lại khi nó xong.")
        self._db = sqlite3.connect(index_dir / STATE_FILE)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)
        found = self._db.execute("SELECT value FROM meta WHERE key = 'index'").fetchone()
        if found is None or found[0] != INDEX_NAME:
            # A new index (another schema version): what the old one held says nothing about it.
            with self._db:
                self._db.execute("DELETE FROM pages")
                self._db.execute("INSERT OR REPLACE INTO meta VALUES ('index', ?)", (INDEX_NAME,))

    def close(self) -> None:
        self._db.close()
        self._lock.release()

    def page(self, url: str) -> PageState | None:
        row = self._db.execute("SELECT etag, last_modified, digest FROM pages WHERE url = ?", (url,)).fetchone()
        return PageState(*row) if row else None

    def queued(self) -> list[Queued]:
        """The addresses of the run in progress whose outcome is not committed yet."""
        rows = self._db.execute("SELECT rank, depth, seq, url, kind FROM queue WHERE done = 0")
        return [Queued(*row) for row in rows]

    def enqueue(self, found: Iterable[tuple[str, str, int, int]]) -> list[Queued]:
        """Add ``(url, kind, depth, rank)`` entries not seen in this run; the ones added."""
        added = []
        with self._db:
            for url, kind, depth, rank in found:
                cursor = self._db.execute(
                    "INSERT OR IGNORE INTO queue (url, kind, depth, rank) VALUES (?, ?, ?, ?)", (url, kind, depth, rank)
                )
                if cursor.rowcount:
                    added.append(Queued(rank, depth, cursor.lastrowid, url, kind))
        return added

    def record(self, pages: dict[str, PageState | None], done: Iterable[str]) -> None:
        """After an index commit: the page versions it holds now (None: none), and the addresses it completes."""
        with self._db:
            for url, state in pages.items():
                if state is None:
                    self._db.execute("DELETE FROM pages WHERE url = ?", (url,))
                else:
                    self._db.execute(
                        "INSERT OR REPLACE INTO pages VALUES (?, ?, ?, ?)",
                        (url, state.etag, state.last_modified, state.digest),
                    )
            self._db.executemany("UPDATE queue SET done = 1 WHERE url = ?", ((url,) for url in done))

    def finish(self) -> None:
        """The run is complete: the next one starts afresh from its start addresses."""
        with self._db:
            self._db.execute("DELETE FROM queue")
