"""Write corpus files into the index, incrementally.

Each document remembers the file it came from and that file's content hash,
so a second run re-analyses only files whose content changed and removes the
documents of files that are gone. One commit per run: an interrupted run
leaves the previous commit searchable as it was.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm
from whoosh import index
from whoosh.index import LockError
from whoosh.query import Term

from indexer.article import Article, Problem
from indexer.parse import parse
from indexer.read import SourceFile, iter_sources
from indexer.schema import INDEX_NAME, make_schema

WRITER_MEMORY_MB = 256


class IndexBusy(RuntimeError):
    """Another indexer is writing to the same index."""


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
            f"{self.added} added, {self.updated} updated, {self.removed} removed, "
            f"{self.unchanged} unchanged, {self.skipped} skipped"
        )


@dataclass(frozen=True)
class _Known:
    """What the index holds from one source file."""

    digest: str
    ids: tuple[str, ...]


def open_or_create(index_dir: Path) -> index.Index:
    index_dir.mkdir(parents=True, exist_ok=True)
    if index.exists_in(index_dir, indexname=INDEX_NAME):
        return index.open_dir(index_dir, indexname=INDEX_NAME)
    return index.create_in(index_dir, make_schema(), indexname=INDEX_NAME)


def _known_sources(ix: index.Index) -> dict[str, _Known]:
    ids: dict[str, list[str]] = {}
    digests: dict[str, str] = {}
    with ix.searcher() as searcher:
        for stored in searcher.all_stored_fields():
            source = stored["source"]
            ids.setdefault(source, []).append(stored["id"])
            digests[source] = stored["digest"]
    return {source: _Known(digests[source], tuple(doc_ids)) for source, doc_ids in ids.items()}


def _fields(article: Article, source: SourceFile) -> dict:
    fields = {
        "id": article.id,
        "title": article.title,
        "body": article.body,
        "words": f"{article.title}\n{article.body}",
        "districts": ",".join(article.districts),
        "url": article.url,
        "author": article.author,
        "source": str(source.path),
        "digest": source.digest,
    }
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
    """
    ix = open_or_create(index_dir)
    known = _known_sources(ix)
    id_owner = {doc_id: source for source, k in known.items() for doc_id in k.ids}
    report = IndexReport()
    roots = [Path(p).resolve() for p in paths]
    try:
        writer = ix.writer(limitmb=WRITER_MEMORY_MB)
    except LockError:
        raise IndexBusy(f"Another indexer is writing to {index_dir}; try again when it has finished.") from None

    seen: set[str] = set()
    changed = False
    try:
        for item in tqdm(iter_sources(paths), desc="Indexing", unit=" files", disable=None if progress is None else not progress):
            if isinstance(item, Problem):
                report.problems.append(item)
                continue
            source = str(item.path)
            seen.add(source)
            previous = known.get(source)
            if previous and previous.digest == item.digest:
                report.unchanged += len(previous.ids)
                continue
            articles, problems = parse(item)
            report.problems.extend(problems)
            fresh = []
            for article in articles:
                owner = id_owner.get(article.id)
                if owner not in (None, source):
                    report.problems.append(
                        Problem(source, f"document id '{article.id}' is already used by {owner}; skipped")
                    )
                    continue
                id_owner[article.id] = source
                fresh.append(article)
            if previous:
                writer.delete_by_term("source", source)
                for doc_id in set(previous.ids) - {a.id for a in fresh}:
                    id_owner.pop(doc_id, None)
                    report.removed += 1
            old_ids = set(previous.ids) if previous else set()
            for article in fresh:
                writer.add_document(**_fields(article, item))
                if article.id in old_ids:
                    report.updated += 1
                else:
                    report.added += 1
            changed = True

        for source, k in known.items():
            if source in seen:
                continue
            path = Path(source)
            if _is_under(path, roots) or not path.exists():
                writer.delete_by_term("source", source)
                report.removed += len(k.ids)
                changed = True
    except BaseException:
        writer.cancel()
        raise
    if changed:
        writer.commit()
    else:
        writer.cancel()
    return report
