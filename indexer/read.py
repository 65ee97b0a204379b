"""Find corpus files under the paths a user gives and read them, or say why not.

Everything that can go wrong with a file as a whole (missing, unreadable, empty,
too big, binary) is reported here as a :class:`Problem`, so parsing only ever
sees plausible text. Walks are sorted so every run sees files in the same order.
"""

from __future__ import annotations

import errno
import hashlib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from indexer.article import Problem
from indexer.decode import looks_binary

MiB = 1024 * 1024
HTML_SUFFIXES = (".html", ".htm")
# A .jsonl file holds many articles; a .txt file one, and no article is anywhere near 2 MiB.
# A saved web page carries its markup, scripts and styles too (a VnExpress article: 250 KB).
MAX_FILE_BYTES = {".jsonl": 20 * MiB, ".txt": 2 * MiB, **dict.fromkeys(HTML_SUFFIXES, 5 * MiB)}


@cache
def _os_reasons() -> dict[int, str]:
    text = resources.files("indexer").joinpath("data", "os_errors.tsv").read_text(encoding="utf-8")
    rows = (line.split("\t") for line in text.splitlines() if line and not line.startswith("#"))
    return {getattr(errno, name): words for name, words in rows if hasattr(errno, name)}


def os_reason(error: OSError) -> str:
    """Why the system refused, in Vietnamese (indexer/data/os_errors.tsv), else in the system's own words."""
    return _os_reasons().get(error.errno) or error.strerror or str(error)


@dataclass(frozen=True)
class SourceFile:
    """One corpus file's bytes, and where it was found.

    ``doc_id`` is the path relative to ``root`` without extension, ``/``-separated:
    stable across machines, so it can serve as the document id of a .txt article.
    ``digest`` (SHA-256 of ``data``) tells an incremental run whether the file changed.
    """

    path: Path
    root: Path
    doc_id: str
    data: bytes
    digest: str


def iter_sources(paths: Iterable[str | Path]) -> Iterator[SourceFile | Problem]:
    """Every .txt, .jsonl and .html/.htm file named by or found under ``paths``, each once, read."""
    return read_sources(find_sources(paths))


def find_sources(paths: Iterable[str | Path]) -> list[tuple[Path, Path] | Problem]:
    """Every .txt, .jsonl and .html/.htm file named by or found under ``paths``, each once, with the root its
    id is relative to: all of them found before any is read, so the indexer knows how many there are.

    Inside directories, hidden files and directories and other extensions are
    skipped silently; a file named explicitly with another extension is a problem,
    since the user evidently expected it to be indexed.
    """
    seen: set[Path] = set()
    found: list[tuple[Path, Path] | Problem] = []
    for given in map(Path, paths):
        if given.is_dir():
            root = given.resolve()
            candidates = _walk(root)
        elif given.exists():
            root = given.resolve().parent
            candidates = iter([given.resolve()])
        else:
            found.append(Problem(str(given), "không có tệp hay thư mục này"))
            continue
        for item in candidates:
            if isinstance(item, Problem):
                found.append(item)
            elif (resolved := item.resolve()) not in seen:
                seen.add(resolved)
                found.append((item, root))
    return found


def read_sources(found: Iterable[tuple[Path, Path] | Problem]) -> Iterator[SourceFile | Problem]:
    for item in found:
        yield item if isinstance(item, Problem) else _read(*item)


def _walk(directory: Path) -> Iterator[Path | Problem]:
    """Candidate files under ``directory``, in sorted order; symlinked directories are
    not followed, so a link loop cannot trap the walk."""
    try:
        with os.scandir(directory) as entries:
            ordered = sorted(entries, key=lambda entry: entry.name)
    except OSError as error:
        yield Problem(str(directory), f"không đọc được ({os_reason(error)})")
        return
    for entry in ordered:
        if entry.name.startswith("."):
            continue
        path = Path(entry.path)
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(path)
        elif path.suffix.lower() in MAX_FILE_BYTES:
            yield path


def _read(path: Path, root: Path) -> SourceFile | Problem:
    suffix = path.suffix.lower()
    if suffix not in MAX_FILE_BYTES:
        return Problem(str(path), "không phải tệp .txt, .jsonl hay .html")
    # The path becomes the document's id and source, which the index stores as UTF-8. Bytes
    # that are not UTF-8 are shown escaped ("\\xff"), so printing the problem cannot fail either.
    shown = os.fsencode(path).decode("utf-8", "backslashreplace")
    if shown != str(path):
        return Problem(shown, "tên tệp không phải UTF-8 hợp lệ; hãy đổi tên tệp")
    limit = MAX_FILE_BYTES[suffix]
    try:
        if path.stat().st_size > limit:
            return Problem(str(path), f"lớn hơn giới hạn {limit // MiB} MiB cho tệp {suffix}")
        data = path.read_bytes()
    except OSError as error:
        return Problem(str(path), f"không đọc được ({os_reason(error)})")
    if not data.strip():
        return Problem(str(path), "tệp rỗng")
    if looks_binary(data):
        return Problem(str(path), "tệp nhị phân, không phải văn bản")
    doc_id = path.relative_to(root).with_suffix("").as_posix()
    return SourceFile(path.resolve(), root, doc_id, data, hashlib.sha256(data).hexdigest())
