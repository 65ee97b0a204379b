"""Documents a site's CMS writes one at a time (the write API), durable once acknowledged.

A write is acknowledged only after the index commit that holds it, so an answered
write survives the server being killed a moment later. Commits are shared: one
thread writes everything requests handed it since its last commit, in one commit
(group commit), so twenty writers cost about one commit per turn, not twenty.
A turn's commit merges no segment, so it is quick and the writes are searchable
as soon as they are answered; the small segments the turns leave are merged
after the answers (:func:`indexer.build.tidy`).
It writes through the indexer's one writing path (:func:`indexer.build.writing`),
under the one-writer lock, held only while a turn is written: a running
``vnsearch index`` or ``crawl`` and the API take turns. A write that cannot get
the lock within ``LOCK_WAIT_SECONDS`` fails with :class:`WriterBusy`.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from indexer.article import Article
from indexer.build import IndexBusy, load_analyzers, tidy, writing
from indexer.parse import Unusable, record_article
from indexer.schema import make_schema

MAX_BATCH_DOCUMENTS = 1000
LOCK_WAIT_SECONDS = 3.0
RETRY_AFTER_SECONDS = 5
SOURCE_PREFIX = "api:"  # a written document's source: it comes from no file and no page

# Outcomes of one write.
ADDED, UPDATED, UNCHANGED, DELETED, NOT_FOUND, CONFLICT = "added", "updated", "unchanged", "deleted", "not found", "conflict"


class InvalidDocument(ValueError):
    """A document that cannot be written; the message names the field (or line) at fault."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(f"dòng {line}: {message}" if line else message)
        self.line = line


class WriterBusy(TimeoutError):
    """Another writer held the index for longer than a write may wait; try again in ``retry_after`` seconds."""

    retry_after = RETRY_AFTER_SECONDS


@dataclass(frozen=True)
class Outcome:
    id: str
    status: str  # ADDED, UPDATED, UNCHANGED, DELETED, NOT_FOUND or CONFLICT
    owner: str | None = None  # for a CONFLICT: the file or page the id belongs to


@dataclass
class _Job:
    """One request's writes: ``(id, article, digest)``, article None to delete; done when committed."""

    writes: list[tuple[str, Article | None, str]]
    done: threading.Event = field(default_factory=threading.Event)
    outcomes: list[Outcome] = field(default_factory=list)
    error: BaseException | None = None


def source_of(doc_id: str) -> str:
    return SOURCE_PREFIX + doc_id


def document(doc_id: str, record: object) -> tuple[Article, str]:
    """The article a PUT body describes, and its digest; :class:`InvalidDocument` naming the field at fault."""
    if isinstance(record, dict) and "id" in record and str(record["id"]) != doc_id:
        raise InvalidDocument("id: the body's id differs from the one in the address")
    if isinstance(record, dict):
        record = {**record, "id": doc_id}
    try:
        article = record_article(record)
    except Unusable as error:
        raise InvalidDocument(str(error)) from None
    return article, _digest(record)


def documents(lines: Iterable[str]) -> list[tuple[Article, str]]:
    """The articles of an NDJSON batch, one JSON object per non-empty line, each with ``id``."""
    found: list[tuple[Article, str]] = []
    first_line: dict[str, int] = {}
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            article = record_article(record)
        except json.JSONDecodeError as error:
            raise InvalidDocument(f"not valid JSON ({error.msg})", number) from None
        except Unusable as error:
            raise InvalidDocument(str(error), number) from None
        if article.id in first_line:
            raise InvalidDocument(f"mã {article.id!r} đã có ở dòng {first_line[article.id]}", number)
        first_line[article.id] = number
        found.append((article, _digest(record)))
        if len(found) > MAX_BATCH_DOCUMENTS:
            raise InvalidDocument(f"more than {MAX_BATCH_DOCUMENTS} documents in one request", number)
    return found


def _digest(record: dict) -> str:
    return hashlib.sha256(json.dumps(record, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


class DocumentWriter:
    """Writes documents into the index in ``index_dir``, one commit per turn of its writing thread."""

    def __init__(self, index_dir: Path):
        self.index_dir = index_dir
        # The analysers' models load now, with the server, not during the first write a CMS waits for.
        load_analyzers(make_schema())
        self._jobs: list[_Job] = []
        self._wake = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="vnsearch-writer", daemon=True)
        self._thread.start()

    def write(self, doc_id: str, record: object) -> Outcome:
        """Add or replace the document ``doc_id`` (a JSON object's fields); returns once committed."""
        (outcome,) = self._submit([(doc_id, *document(doc_id, record))])
        return outcome

    def write_many(self, lines: Iterable[str]) -> list[Outcome]:
        """Add or replace the documents of an NDJSON batch, all in one commit, or none if one is invalid."""
        return self._submit([(article.id, article, digest) for article, digest in documents(lines)])

    def delete(self, doc_id: str) -> Outcome:
        (outcome,) = self._submit([(doc_id, None, "")])
        return outcome

    def _submit(self, writes: list[tuple[str, Article | None, str]]) -> list[Outcome]:
        job = _Job(writes)
        with self._wake:
            self._jobs.append(job)
            self._wake.notify()
        job.done.wait()
        if job.error is not None:
            raise job.error
        return job.outcomes

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._jobs:
                    self._wake.wait()
                turn = self._take()
            try:
                self._write(turn)
            except IndexBusy:
                for job in turn:
                    job.error = WriterBusy("Chỉ mục đang được cập nhật bởi tiến trình khác; hãy thử lại sau.")
            except BaseException as error:  # reported to every waiting request, never lost in this thread
                for job in turn:
                    job.outcomes, job.error = [], error
            for job in turn:
                job.done.set()
            try:
                tidy(self.index_dir)
            except OSError:  # a full disk, say: the segments stay as they are, searchable, until a later turn
                pass

    def _take(self) -> list[_Job]:
        """The waiting jobs that can share a commit: up to the first that writes an id written before it."""
        turn, ids = [], set()
        while self._jobs:
            written = {doc_id for doc_id, _, _ in self._jobs[0].writes}
            if turn and written & ids:
                break
            turn.append(self._jobs.pop(0))
            ids |= written
        return turn

    def _write(self, turn: list[_Job]) -> None:
        with writing(self.index_dir, wait=LOCK_WAIT_SECONDS, parallel=False, merge=False) as session:
            for job in turn:
                job.outcomes = [self._apply(session, doc_id, article, digest) for doc_id, article, digest in job.writes]

    @staticmethod
    def _apply(session, doc_id: str, article: Article | None, digest: str) -> Outcome:
        source = source_of(doc_id)
        owner = session.owner(doc_id)
        if owner not in (None, source):
            return Outcome(doc_id, CONFLICT, owner)
        if article is None:
            return Outcome(doc_id, DELETED if session.remove(source) else NOT_FOUND)
        if session.unchanged(source, digest):
            return Outcome(doc_id, UNCHANGED)
        session.replace(source, digest, [article], [])
        return Outcome(doc_id, UPDATED if owner else ADDED)
