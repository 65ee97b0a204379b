"""Write corpus files into the index, incrementally.

Each document remembers the source it came from (a file, a crawled page, the write
API) and that source's content hash, so a second run re-analyses only files whose
content changed and removes the documents of files that are gone. One commit per
``index`` run: an interrupted run leaves the previous commit searchable as it was.
Crawls and the write API commit in steps through the same :class:`IndexSession`.
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
from whoosh.reading import SegmentReader, TermNotFound
from whoosh.writing import MERGE_SMALL, SegmentWriter

from compat.cpus import usable_cpus
from compat.internals import finalize_segment, read_toc
from indexer import integrity
from indexer.article import Article, Problem
from indexer.parse import parse
from indexer.pool import TermPoolWriter
from indexer.read import find_sources, read_sources
from indexer.schema import INDEX_NAME, PAIR_FIELDS, make_schema

# Per writing process: postings beyond limitmb are spilled to disk in sorted runs of terms
# (indexer/pool.py) and merged at the end.
# Segments stay separate files: Whoosh copies a compound segment's postings into the
# memory of every reader, once per searching thread.
WRITER_OPTIONS = {"limitmb": 512, "compound": False}
# Analysis (pyvi above all) is the cost of indexing: from this many new documents on,
# worker processes on every core analyse and write them, each into a segment of its own.
PARALLEL_FROM = 200
WORKERS = usable_cpus()
WORKER_BATCH = 50  # documents handed to a worker at a time
PARENT_CHECK_SECONDS = 0.2
LOCK_POLL_SECONDS = 0.05
# How often the line of a step without countable progress (the commit) shows the time it has taken.
STEP_TICK_SECONDS = 0.5
# A segment with this share of its documents deleted is merged into the run's new segment (its
# live documents copied, the rest dropped), so deleted documents never take more than half
# the space of live ones; a segment with none left is dropped at no cost.
MERGE_DELETED_SHARE = 1 / 3
# The write API commits without merging, so that a write is searchable as soon as it is answered:
# merging is what makes a commit slow (Whoosh merges term by term, in Python: about a second per
# 500 KB of segment files). The small segments its commits leave (files under SMALL_SEGMENT_BYTES)
# are merged into one once TIDY_AFTER of them have piled up, right after a turn of writes has been
# answered (:func:`tidy`); a commit merges as any other once the index has MAX_SEGMENTS segments.
SMALL_SEGMENT_BYTES = 128 * 1024
TIDY_AFTER = 8
MAX_SEGMENTS = 48


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
    repaired: str | None = None  # what was damaged in the index, and what was done about it

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
    if integrity.latest_generation(index_dir) < 0:
        integrity.create(index_dir, make_schema())
    return index.open_dir(index_dir, indexname=INDEX_NAME)


def _repair(index_dir: Path) -> str | None:
    """Check every file of the index against its checksums; make what cannot be trusted go away.

    Damage confined to some segments drops those segments: their documents are missing from
    the index, so the run indexes their files again like new ones. Damage to the TOC or the
    manifest leaves nothing to trust: the index starts empty. Either way the corpus files are
    the source of truth; documents of folders this run was not given must be indexed again.
    """
    if integrity.latest_generation(index_dir) < 0:
        return None
    verdict = integrity.check(index_dir, full=True)
    if not verdict.problems:
        return None
    damaged = verdict.damaged_segments
    what = "; ".join(verdict.problems)
    if damaged is not None:
        try:
            ix = index.open_dir(index_dir, indexname=INDEX_NAME)
            toc = read_toc(ix)
            kept = [segment for segment in toc.segments if segment.segment_id() not in damaged]
            integrity.commit(ix.storage, toc.schema, kept, toc.generation + 1)
            lost = sum(s.doc_count() for s in toc.segments) - sum(s.doc_count() for s in kept)
            return (
                f"chỉ mục đã bị hỏng ({what}); {lost} bài của những phần hỏng được lập chỉ mục lại "
                "từ các tệp đã cho; nếu nó còn chứa thư mục khác, hãy chạy cả 'vnsearch index' cho chúng"
            )
        except Exception:  # the TOC read as whole but is not: nothing left to trust
            pass
    integrity.create(index_dir, make_schema())
    return (
        f"chỉ mục đã bị hỏng ({what}); nó đã được dựng lại từ các tệp đã cho; "
        "nếu nó còn chứa thư mục khác, hãy chạy cả 'vnsearch index' cho chúng"
    )


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


def document_fields(article: Article, source: str, digest: str, flawed: bool) -> dict:
    """The index fields of one article from ``source`` (a file's path, a page's URL, ``api:<id>``)."""
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
        "source": source,
        "digest": bytes.fromhex(digest),
        "flawed": flawed,
    }
    fields.update((pairs, fields[field]) for field, pairs in PAIR_FIELDS.items())
    if article.date is not None:
        fields["date"] = dt.datetime.combine(article.date, dt.time())
    return fields


def _is_under(path: Path, roots: Iterable[Path]) -> bool:
    return any(path.is_relative_to(root) for root in roots)


@contextmanager
def index_lock(index_dir: Path, wait: float = 0.0) -> Iterator[None]:
    """Hold the one-writer lock of the index in ``index_dir``, waiting up to ``wait`` seconds for it.

    Taken before the index is opened (two first runs would each create it, wiping the
    other's files). The lock is the operating system's (fcntl): it dies with its
    process, so a killed writer leaves nothing for a person to clean up.
    """
    index_dir.mkdir(parents=True, exist_ok=True)
    lock = FileStorage(str(index_dir)).lock(f"{INDEX_NAME}_BUILDLOCK")
    deadline = time.monotonic() + wait
    while not lock.acquire(blocking=False):
        if time.monotonic() >= deadline:
            raise IndexBusy(f"Một tiến trình lập chỉ mục khác đang ghi vào {index_dir}; hãy thử lại khi nó xong.")
        time.sleep(LOCK_POLL_SECONDS)
    try:
        yield
    finally:
        lock.release()


@contextmanager
def writing(index_dir: Path, wait: float = 0.0, parallel: bool = True, merge: bool = True) -> Iterator[IndexSession]:
    """An :class:`IndexSession` (sources looked up as needed) under the index's lock, committed on leaving;
    cancelled, leaving the index as it was, if the block raises. ``merge=False``: the commit merges no
    segment (only drops those with no live document), and is fast."""
    with index_lock(index_dir, wait):
        session = IndexSession(index_dir, preload=False, parallel=parallel, merge=merge)
        try:
            yield session
            session.commit()
        except BaseException:
            session.cancel()
            raise
        finally:
            session.close()


def build_index(
    paths: list[Path], index_dir: Path, progress: bool | None = None, follow_links: bool = False
) -> IndexReport:
    """Bring the index in ``index_dir`` up to date with the files under ``paths``.

    Documents whose file is gone are removed when the file lay under one of
    ``paths`` or no longer exists at all; documents from other corpora that
    still exist are kept, so several corpora can share one index, and so are
    documents that come from no file (crawled pages, the write API's).
    ``progress=None`` shows a progress bar only on a terminal. Symbolic links leading
    outside the folders given are followed only with ``follow_links``.
    One indexer per index at a time (:func:`index_lock`).
    """
    with index_lock(index_dir):
        return _update(paths, index_dir, progress, follow_links)


def _update(paths: list[Path], index_dir: Path, progress: bool | None, follow_links: bool) -> IndexReport:
    session = IndexSession(index_dir)
    roots = [Path(p).resolve() for p in paths]
    seen: set[str] = set()
    hidden = None if progress is None else not progress  # tqdm's None: shown only on a terminal
    found = find_sources(paths, follow_links)
    try:
        for item in tqdm(read_sources(found), total=len(found), desc="Đọc và phân tích", unit=" tệp", disable=hidden):
            if isinstance(item, Problem):
                session.report.problems.append(item)
                continue
            source = str(item.path)
            seen.add(source)
            if not session.unchanged(source, item.digest):
                session.replace(source, item.digest, *parse(item))
        for source in session.sources() - seen:
            path = Path(source)
            if path.is_absolute() and (_is_under(path, roots) or not path.exists()):
                session.remove(source)
        with _timed_step("Phân tích nốt và ghi chỉ mục", hidden):
            session.commit()
    except BaseException:
        session.cancel()
        raise
    return session.report


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


class IndexSession:
    """A writer's view of the index while it holds the lock: which source gave which documents,
    and the changes it makes, committed when it says so.

    Every writer (``index``, ``crawl``, the write API) goes through one, so a source's
    documents are replaced and ids are guarded the same way whoever writes.
    ``preload`` reads every document's source and digest at once, as a run over a
    whole corpus wants; without it each source is looked up when first needed, as a
    writer of a few documents wants. ``parallel=False`` keeps all analysis in this
    process: a threaded server must not fork worker processes. ``merge=False`` leaves
    segments unmerged (see :func:`writing`).
    """

    def __init__(self, index_dir: Path, preload: bool = True, parallel: bool = True, merge: bool = True):
        repaired = _repair(index_dir)
        self._ix = open_or_create(index_dir)
        toc = read_toc(self._ix)
        integrity.remove_leftovers(index_dir, {s.segment_id() for s in toc.segments}, toc.generation)
        integrity.remove_other_versions(index_dir)
        self.report = IndexReport(repaired=repaired)
        self._preloaded = preload
        self._known: dict[str, _Known | None] = _known_sources(self._ix) if preload else {}
        self._id_owner: dict[str, str | None] = (
            {doc_id: source for source, k in self._known.items() for doc_id in k.ids} if preload else {}
        )
        self._searcher = None if preload else self._ix.searcher()
        self._parallel = parallel
        self._policy = _merge_policy if merge or len(toc.segments) >= MAX_SEGMENTS else _live_segments
        self._changes = _Changes(self._ix, parallel, self._policy)

    def sources(self) -> set[str]:
        """Every source the index holds documents from (preloaded sessions only)."""
        return {source for source, known in self._known.items() if known is not None}

    def known(self, source: str) -> _Known | None:
        if source not in self._known and not self._preloaded:
            self._known[source] = _lookup_source(self._searcher, source)
        return self._known.get(source)

    def owner(self, doc_id: str) -> str | None:
        """The source the document ``doc_id`` comes from, if it is indexed."""
        if doc_id not in self._id_owner and not self._preloaded:
            stored = self._searcher.document(id=doc_id)
            self._id_owner[doc_id] = stored["source"] if stored else None
        return self._id_owner.get(doc_id)

    def unchanged(self, source: str, digest: str) -> bool:
        """Whether ``source`` is indexed as it is now, without problems to report again; counted if so."""
        previous = self.known(source)
        if previous is None or previous.digest != digest or previous.flawed:
            return False
        self.report.unchanged += len(previous.ids)
        return True

    def replace(self, source: str, digest: str, articles: list[Article], problems: list[Problem]) -> None:
        """Make ``articles`` the documents of ``source`` (the content ``digest``), reporting ``problems``."""
        previous = self.known(source)
        fresh = []
        for article in articles:
            owner = self.owner(article.id)
            if owner not in (None, source):
                problems.append(Problem(source, f"mã bài '{article.id}' đã được dùng ở {owner}; bỏ qua"))
                continue
            self._id_owner[article.id] = source
            fresh.append(article)
        self.report.problems.extend(problems)
        if previous and previous.digest == digest and sorted(a.id for a in fresh) == sorted(previous.ids):
            # Read again only to report its problems again: what it gives is indexed already.
            self.report.unchanged += len(previous.ids)
            return
        old_ids = set(previous.ids) if previous else set()
        if previous:
            self._changes.delete(source)
            for doc_id in old_ids - {a.id for a in fresh}:
                self._id_owner[doc_id] = None
                self.report.removed += 1
        for article in fresh:
            self._changes.add(document_fields(article, source, digest, flawed=bool(problems)))
            if article.id in old_ids:
                self.report.updated += 1
            else:
                self.report.added += 1
        self._known[source] = _Known(digest, tuple(a.id for a in fresh), bool(problems)) if fresh else None

    def remove(self, source: str) -> int:
        """Remove the documents of ``source``; how many there were."""
        previous = self.known(source)
        if previous is None:
            return 0
        self._changes.delete(source)
        for doc_id in previous.ids:
            self._id_owner[doc_id] = None
        self._known[source] = None
        self.report.removed += len(previous.ids)
        return len(previous.ids)

    def commit(self) -> None:
        """Make the changes so far durable and visible to searches; the session goes on."""
        self._changes.commit()
        self._changes = _Changes(self._ix, self._parallel, self._policy)

    def cancel(self) -> None:
        self._changes.cancel()
        self.close()

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None


def _lookup_source(searcher, source: str) -> _Known | None:
    """What the index holds from ``source``, looked up by term (for sessions that do not preload)."""
    docnums = list(searcher.document_numbers(source=source))
    if not docnums:
        return None
    reader = searcher.reader()
    ids = tuple(reader.stored_fields(n)["id"] for n in docnums)
    digest = reader.column_reader("digest")[docnums[0]].hex()
    flawed = any(reader.column_reader("flawed")[n] for n in docnums)
    return _Known(digest, ids, flawed)


class _Changes:
    """A run's additions and deletions, written in one commit, in parallel when there are many.

    No writer is opened until there is something to write, and additions are held
    back until there are enough to be worth starting worker processes.
    """

    def __init__(self, ix: index.Index, parallel: bool = True, policy=None):
        self._ix = ix
        self._parallel = parallel and WORKERS > 1
        self._policy = policy or _merge_policy
        self._pending: list[dict] = []
        self._deleted: list[str] = []
        self._writer: SegmentWriter | None = None

    def add(self, fields: dict) -> None:
        if self._writer is not None:
            self._writer.add_document(**fields)
            return
        self._pending.append(fields)
        if len(self._pending) >= PARALLEL_FROM and self._parallel:
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
            if not self._pending:
                if self._deleted:
                    _commit_deletions(self._ix, self._deleted)
                return
            self._open(TermPoolWriter(self._ix, **WRITER_OPTIONS))
        for source in self._deleted:
            self._writer.delete_by_term("source", source)
        self._writer.commit(mergetype=self._policy)

    def cancel(self) -> None:
        """Stop the run; what it wrote is removed by the next run (a full disk may refuse even closing files)."""
        if self._writer is not None:
            try:
                self._writer.cancel()
            except OSError:
                pass


def _live_segments(writer: SegmentWriter, segments: list) -> list:
    """A policy that merges nothing and drops the segments with no live document."""
    return [s for s in segments if not s.doc_count_all() or s.deleted_count() < s.doc_count_all()]


def _merge_policy(writer: SegmentWriter, segments: list) -> list:
    """Whoosh's policy of merging small segments, after dropping the segments with no live document
    and merging those with :data:`MERGE_DELETED_SHARE` deleted into the run's new segment."""
    kept = []
    for segment in _live_segments(writer, segments):
        total, deleted = segment.doc_count_all(), segment.deleted_count()
        if total and deleted >= total * MERGE_DELETED_SHARE:
            with SegmentReader(writer.storage, writer.schema, segment) as reader:
                writer.add_reader(reader)
            continue
        kept.append(segment)
    return MERGE_SMALL(writer, kept)


def _segment_bytes(index_dir: Path, segment) -> int:
    prefix = segment.segment_id() + "."
    return sum(entry.stat().st_size for entry in os.scandir(index_dir) if entry.name.startswith(prefix))


def _small_segments(ix: index.Index, index_dir: Path) -> set[str]:
    return {s.segment_id() for s in read_toc(ix).segments if _segment_bytes(index_dir, s) < SMALL_SEGMENT_BYTES}


def tidy(index_dir: Path) -> bool:
    """Merge the small segments that commits without merging left into one, once :data:`TIDY_AFTER`
    have piled up; False when there were fewer, or another writer holds the index (it merges as it commits)."""
    # Known without the lock, which `vnsearch index` would find taken; only read (never created) here.
    if len(_small_segments(index.open_dir(index_dir, indexname=INDEX_NAME), index_dir)) < TIDY_AFTER:
        return False
    try:
        with index_lock(index_dir):
            ix = open_or_create(index_dir)
            small = _small_segments(ix, index_dir)
            if len(small) < TIDY_AFTER:
                return False

            def merge_small(writer: SegmentWriter, segments: list) -> list:
                kept = []
                for segment in _live_segments(writer, segments):
                    if segment.segment_id() not in small:
                        kept.append(segment)
                        continue
                    with SegmentReader(writer.storage, writer.schema, segment) as reader:
                        writer.add_reader(reader)
                return kept

            TermPoolWriter(ix, **WRITER_OPTIONS).commit(mergetype=merge_small)
            return True
    except IndexBusy:
        return False


def _commit_deletions(ix: index.Index, sources: list[str]) -> None:
    """A run that only deletes writes a new TOC and no segment file: it needs no new space to speak of,
    so it succeeds on a full disk. Segments left with no live document are dropped."""
    toc = read_toc(ix)
    for segment in toc.segments:
        with SegmentReader(ix.storage, toc.schema, segment) as reader:
            for source in sources:
                try:
                    docnums = list(reader.postings("source", source).all_ids())
                except TermNotFound:
                    continue
                for docnum in docnums:
                    segment.delete_document(docnum)
    kept = [segment for segment in toc.segments if segment.doc_count()]
    integrity.commit(ix.storage, toc.schema, kept, toc.generation + 1)


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
        segment = finalize_segment(writer)
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
