"""Write corpus files into the index, incrementally.

Each document remembers the file it came from and that file's content hash,
so a second run re-analyses only files whose content changed and removes the
documents of files that are gone. One commit per run: an interrupted run
leaves the previous commit searchable as it was.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm
from whoosh import index
from whoosh.filedb.filestore import FileStorage
from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.writing import SegmentWriter

from indexer.article import Article, Problem
from indexer.parse import parse
from indexer.pool import TermPoolWriter
from indexer.read import SourceFile, find_sources, read_sources
from indexer.schema import INDEX_NAME, PAIR_FIELDS, make_schema

# Per writing process: postings beyond limitmb are spilled to disk in sorted runs of terms
# (indexer/pool.py) and merged at the end.
# Segments stay separate files: Whoosh copies a compound segment's postings into the
# memory of every reader, once per searching thread.
WRITER_OPTIONS = {"limitmb": 512, "compound": False}
# Analysis (pyvi above all) is the cost of indexing: from this many new documents on,
# worker processes on every core analyse and write them, each into a segment of its own.
PARALLEL_FROM = 200
WORKERS = len(os.sched_getaffinity(0))
WORKER_BATCH = 50  # documents handed to a worker at a time
PARENT_CHECK_SECONDS = 0.2
# How often the line of a step without countable progress (the commit) shows the time it has taken.
STEP_TICK_SECONDS = 0.5


class IndexBusy(RuntimeError):
    """Another indexer is writing to the same index."""


class IndexingFailed(RuntimeError):
    """A worker process died while indexing; nothing of the run was committed."""


@dataclass
class IndexReport:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        return len(self.problems)

    def summary(self) -> str:
        return (
            f"{self.added} thêm mới, {self.updated} cập nhật, {self.removed} đã xoá, "
            f"{self.unchanged} không đổi, {self.skipped} bỏ qua"
        )


@dataclass(frozen=True)
class _Known:
    """What the index holds from one source file."""

    digest: str
    ids: tuple[str, ...]
    flawed: bool


def open_or_create(index_dir: Path) -> index.Index:
    index_dir.mkdir(parents=True, exist_ok=True)
    if index.exists_in(index_dir, indexname=INDEX_NAME):
        return index.open_dir(index_dir, indexname=INDEX_NAME)
    return index.create_in(index_dir, make_schema(), indexname=INDEX_NAME)


def _known_sources(ix: index.Index) -> dict[str, _Known]:
    """Source, digest and id of every document, read from columns, segment by segment."""
    ids: dict[str, list[str]] = {}
    digests: dict[str, str] = {}
    flawed: set[str] = set()
    with ix.reader() as reader:
        for segment, _ in reader.leaf_readers():
            if not segment.doc_count_all():  # a new, empty index
                continue
            names = ("source", "digest", "id", "flawed")
            columns = [segment.column_reader(name, translate=True) for name in names]
            for docnum, (source, digest, doc_id, has_problems) in enumerate(zip(*columns)):
                if segment.is_deleted(docnum):
                    continue
                ids.setdefault(source, []).append(doc_id)
                digests[source] = digest.hex()
                if has_problems:
                    flawed.add(source)
    return {source: _Known(digests[source], tuple(doc_ids), source in flawed) for source, doc_ids in ids.items()}


def document_fields(article: Article, source: SourceFile, flawed: bool) -> dict:
    """The index fields of one article from one source file."""
    fields = {
        "id": article.id,
        "title": article.title,
        "body": article.body,
        "words": f"{article.title}\n{article.body}",
        "districts": ",".join(article.districts),
        "provinces": ",".join(article.provinces),
        "wards": ",".join(article.wards),
        "ward_links": ",".join(article.ward_links),
        "url": article.url,
        "author": article.author,
        "source": str(source.path),
        "digest": bytes.fromhex(source.digest),
        "flawed": flawed,
    }
    fields.update((pairs, fields[field]) for field, pairs in PAIR_FIELDS.items())
    if article.date is not None:
        fields["date"] = dt.datetime.combine(article.date, dt.time())
    return fields


def _is_under(path: Path, roots: Iterable[Path]) -> bool:
    return any(path.is_relative_to(root) for root in roots)


def build_index(paths: list[Path], index_dir: Path, progress: bool | None = None) -> IndexReport:
    """Bring the index in ``index_dir`` up to date with the files under ``paths``.

    Documents whose file is gone are removed when the file lay under one of
    ``paths`` or no longer exists at all; documents from other corpora that
    still exist are kept, so several corpora can share one index.
    ``progress=None`` shows a progress bar only on a terminal.

    One indexer per index at a time, from before the index is opened (two first
    runs would each create it, wiping the other's files). The lock is the
    operating system's (fcntl): it dies with its process, so a killed run leaves
    nothing for a person to clean up.
    """
    index_dir.mkdir(parents=True, exist_ok=True)
    lock = FileStorage(str(index_dir)).lock(f"{INDEX_NAME}_BUILDLOCK")
    if not lock.acquire(blocking=False):
        raise IndexBusy(f"Một tiến trình lập chỉ mục khác đang ghi vào {index_dir}; hãy thử lại khi nó xong.")
    try:
        return _update(paths, index_dir, progress)
    finally:
        lock.release()


def _update(paths: list[Path], index_dir: Path, progress: bool | None) -> IndexReport:
    ix = open_or_create(index_dir)
    known = _known_sources(ix)
    id_owner = {doc_id: source for source, k in known.items() for doc_id in k.ids}
    report = IndexReport()
    roots = [Path(p).resolve() for p in paths]
    writer = _Changes(ix)

    seen: set[str] = set()
    hidden = None if progress is None else not progress  # tqdm's None: shown only on a terminal
    found = find_sources(paths)
    try:
        for item in tqdm(read_sources(found), total=len(found), desc="Đọc và phân tích", unit=" tệp", disable=hidden):
            if isinstance(item, Problem):
                report.problems.append(item)
                continue
            source = str(item.path)
            seen.add(source)
            previous = known.get(source)
            unchanged = previous is not None and previous.digest == item.digest
            if unchanged and not previous.flawed:
                report.unchanged += len(previous.ids)
                continue
            articles, problems = parse(item)
            fresh = []
            for article in articles:
                owner = id_owner.get(article.id)
                if owner not in (None, source):
                    problems.append(Problem(source, f"mã bài '{article.id}' đã được dùng ở {owner}; bỏ qua"))
                    continue
                id_owner[article.id] = source
                fresh.append(article)
            report.problems.extend(problems)
            if unchanged and sorted(a.id for a in fresh) == sorted(previous.ids):
                # Read again only to report its problems again: what it gives is indexed already.
                report.unchanged += len(previous.ids)
                continue
            if previous:
                writer.delete(source)
                for doc_id in set(previous.ids) - {a.id for a in fresh}:
                    id_owner.pop(doc_id, None)
                    report.removed += 1
            old_ids = set(previous.ids) if previous else set()
            for article in fresh:
                writer.add(document_fields(article, item, flawed=bool(problems)))
                if article.id in old_ids:
                    report.updated += 1
                else:
                    report.added += 1

        for source, k in known.items():
            if source in seen:
                continue
            path = Path(source)
            if _is_under(path, roots) or not path.exists():
                writer.delete(source)
                report.removed += len(k.ids)
        with _timed_step("Phân tích nốt và ghi chỉ mục", hidden):
            writer.commit()
    except BaseException:
        writer.cancel()
        raise
    return report


@contextmanager
def _timed_step(description: str, hidden: bool | None) -> Iterator[None]:
    """A progress line for a step that has nothing to count, showing the seconds it has run so it is
    not mistaken for a hang: the commit, which waits for the workers' last documents and merges their
    segments (about 19 s for dantri-unc)."""
    line = tqdm(desc=description, bar_format="{desc}… {elapsed}", disable=hidden)
    done = threading.Event()

    def tick() -> None:
        while not done.wait(STEP_TICK_SECONDS):
            line.refresh()

    ticker = threading.Thread(target=tick, daemon=True)
    ticker.start()
    try:
        yield
    finally:
        done.set()
        ticker.join()
        line.close()


class _Changes:
    """A run's additions and deletions, written in one commit, in parallel when there are many.

    No writer is opened until there is something to write, and additions are held
    back until there are enough to be worth starting worker processes.
    """

    def __init__(self, ix: index.Index):
        self._ix = ix
        self._pending: list[dict] = []
        self._deleted: list[str] = []
        self._writer: SegmentWriter | None = None

    def add(self, fields: dict) -> None:
        if self._writer is not None:
            self._writer.add_document(**fields)
            return
        self._pending.append(fields)
        if len(self._pending) >= PARALLEL_FROM and WORKERS > 1:
            self._open(_ParallelWriter(self._ix))

    def delete(self, source: str) -> None:
        self._deleted.append(source)

    def _open(self, writer: SegmentWriter) -> None:
        self._writer = writer
        for fields in self._pending:
            writer.add_document(**fields)
        self._pending = []

    def commit(self) -> None:
        if self._writer is None:
            if not (self._pending or self._deleted):
                return
            self._open(TermPoolWriter(self._ix, **WRITER_OPTIONS))
        for source in self._deleted:
            self._writer.delete_by_term("source", source)
        self._writer.commit()

    def cancel(self) -> None:
        if self._writer is not None:
            self._writer.cancel()


class _ParallelWriter(TermPoolWriter, MpWriter):
    """Whoosh's multi-process writer: each worker analyses documents and writes a segment.

    Two guards Whoosh lacks: a worker that dies (an analyser error, the OOM killer)
    fails the commit instead of silently leaving its documents out, and cancelling
    stops the workers instead of leaving them waiting forever for more documents.
    """

    def __init__(self, ix: index.Index):
        load_analyzers(ix.schema)  # once, before the workers fork, so they share the models
        super().__init__(
            ix,
            procs=WORKERS,
            batchsize=WORKER_BATCH,
            multisegment=True,
            subargs=WRITER_OPTIONS,
            **WRITER_OPTIONS,
        )

    def _commit_toc(self, segments) -> None:
        failed = sorted({task.exitcode for task in self.tasks if task.exitcode != 0})
        if failed:
            raise IndexingFailed(
                f"Một tiến trình con lập chỉ mục đã hỏng (mã thoát {', '.join(map(str, failed))}); "
                "chỉ mục vẫn giữ nguyên như trước. Nếu máy hết bộ nhớ, hãy giải phóng bớt rồi chạy lại."
            )
        super()._commit_toc(segments)

    def cancel(self) -> None:
        for task in self.tasks:
            task.terminate()
            task.join()
        SegmentWriter.cancel(self)

    def _new_task(self) -> SubWriterTask:
        task = _Worker(self.storage, self.indexname, self.jobqueue, self.resultqueue, self.subargs, self.multisegment)
        self.tasks.append(task)
        task.start()
        return task


class _Worker(SubWriterTask):
    """Whoosh's worker process, writing with a :class:`TermPoolWriter`, which also exits when the
    indexer that started it is gone.

    A killed indexer (SIGKILL, the OOM killer) runs no cleanup: Whoosh's worker would wait
    for work forever, holding the index lock it inherited, and refuse every later run.
    """

    def __init__(self, *args):
        super().__init__(*args)
        self.parent = os.getpid()

    def run(self) -> None:
        """Whoosh's loop for a multi-segment writer: add the documents of each job file, then hand
        back the finished segment (the parent stops a cancelled run by terminating its workers)."""
        threading.Thread(target=self._exit_with_parent, daemon=True).start()
        writer = self.writer = TermPoolWriter(self.storage.open_index(self.indexname), _lk=False, **self.kwargs)
        for job in iter(self.jobqueue.get, None):
            self._process_file(*job)
        segment = writer._finalize_segment()
        self.resultqueue.put((None, (), segment), timeout=5)  # (run, field names): unused with segments

    def _exit_with_parent(self) -> None:
        while os.getppid() == self.parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(1)  # nothing of this run was committed: its half-written files are left for the next run


def load_analyzers(schema) -> None:
    """Run every field's analyzer once, so models they load lazily (pyvi's) are in memory."""
    for _, field_type in schema.items():
        if field_type.analyzer is not None:
            list(field_type.analyzer("Hà Nội", mode="index"))
