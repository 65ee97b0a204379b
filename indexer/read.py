"""Find corpus files under the paths a user gives and read them, or say why not.

Everything that can go wrong with a file as a whole (missing, unreadable, empty,
too big, binary, not a regular file, a link going astray) is reported here as a
:class:`Problem`, so parsing only ever sees plausible text. Walks are sorted so
every run sees files in the same order.

Only regular files are read: opening a FIFO blocks until someone writes to it, and
a device (``/dev/zero``) has no end. Symbolic links are followed only while their
target stays inside the folder given, unless the caller says otherwise: a link to
``/etc/passwd`` in a corpus folder must not put that file in a public index.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
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
_KINDS = {stat.S_IFIFO: "một FIFO", stat.S_IFCHR: "một thiết bị", stat.S_IFBLK: "một thiết bị", stat.S_IFSOCK: "một socket"}


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

    ``path`` is where the walk found it (a link's own path, not its target), so a
    document leaves the index when its link does. ``doc_id`` is the path relative to
    ``root`` without extension, ``/``-separated: stable across machines, so it can serve
    as the document id of a .txt article. ``digest`` (SHA-256 of ``data``) tells an
    incremental run whether the file changed.
    """

    path: Path
    root: Path
    doc_id: str
    data: bytes
    digest: str


class _Walk:
    """One root's walk: which links may be followed, and which folders it has entered."""

    def __init__(self, root: Path, follow_links: bool):
        self.root = root
        self.follow_links = follow_links
        self.entered: set[Path] = set()

    def target(self, path: Path) -> Path | Problem:
        """Where a symbolic link leads, or why it is not followed."""
        try:
            target = Path(os.path.realpath(path, strict=True))
        except OSError as error:
            if error.errno == errno.ELOOP:
                return Problem(str(path), "liên kết tượng trưng vòng; không theo")
            return Problem(str(path), "liên kết tượng trưng hỏng (đích của nó không tồn tại)")
        if not self.follow_links and not target.is_relative_to(self.root):
            return Problem(str(path), f"liên kết tượng trưng tới {target}, ngoài {self.root}; không theo (xem --follow-links)")
        return target

    def files(self, directory: Path) -> Iterator[Path | Problem]:
        """Candidate files under ``directory``, in sorted order; a linked folder is entered once per walk,
        so a link to a folder above it cannot trap the walk."""
        self.entered.add(directory.resolve())
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
            wanted = path.suffix.lower() in MAX_FILE_BYTES
            if entry.is_symlink():
                target = self.target(path)
                if isinstance(target, Problem):
                    if wanted or entry.is_dir():
                        yield target
                    continue
                if target.is_dir():
                    if target in self.entered:
                        yield Problem(str(path), "liên kết tượng trưng vòng (một thư mục đã duyệt); không theo")
                    else:
                        yield from self.files(path)
                    continue
            elif entry.is_dir(follow_symlinks=False):
                yield from self.files(path)
                continue
            if wanted:
                yield path


def iter_sources(paths: Iterable[str | Path], follow_links: bool = False) -> Iterator[SourceFile | Problem]:
    """Every .txt, .jsonl and .html/.htm file named by or found under ``paths``, each once, read."""
    return read_sources(find_sources(paths, follow_links))


def find_sources(paths: Iterable[str | Path], follow_links: bool = False) -> list[tuple[Path, Path] | Problem]:
    """Every .txt, .jsonl and .html/.htm file named by or found under ``paths``, each once, with the root its
    id is relative to: all of them found before any is read, so the indexer knows how many there are.

    Inside directories, hidden files and directories and other extensions are
    skipped silently; a file named explicitly with another extension is a problem,
    since the user evidently expected it to be indexed. A file named explicitly is
    read wherever a link to it leads: the user chose it.
    """
    seen: set[Path] = set()
    found: list[tuple[Path, Path] | Problem] = []
    for given in map(Path, paths):
        try:
            if given.is_dir():
                root = given.resolve()
                candidates = _Walk(root, follow_links).files(root)
            elif given.exists():
                root = given.absolute().parent.resolve()
                candidates = iter([root / given.name])
            elif given.is_symlink():
                candidates = iter([Problem(str(given), "liên kết tượng trưng hỏng hoặc vòng")])
            else:
                found.append(Problem(str(given), "không có tệp hay thư mục này"))
                continue
        except OSError as error:
            found.append(Problem(str(given), f"không đọc được ({os_reason(error)})"))
            continue
        for item in candidates:
            if isinstance(item, Problem):
                found.append(item)
            elif (resolved := Path(os.path.realpath(item))) not in seen:
                seen.add(resolved)
                found.append((item, root))
    return found


def read_sources(found: Iterable[tuple[Path, Path] | Problem]) -> Iterator[SourceFile | Problem]:
    for item in found:
        yield item if isinstance(item, Problem) else _read(*item)


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
        data = _read_regular(path, limit)
    except _NotRegular as kind:
        return Problem(str(path), f"không phải tệp thường ({kind})")
    except OSError as error:
        return Problem(str(path), f"không đọc được ({os_reason(error)})")
    if data is None:
        return Problem(str(path), f"lớn hơn giới hạn {limit // MiB} MiB cho tệp {suffix}")
    if not data.strip():
        return Problem(str(path), "tệp rỗng")
    if looks_binary(data):
        return Problem(str(path), "tệp nhị phân, không phải văn bản")
    doc_id = path.relative_to(root).with_suffix("").as_posix()
    return SourceFile(path, root, doc_id, data, hashlib.sha256(data).hexdigest())


class _NotRegular(Exception):
    """A FIFO, a device or a socket: the message names which."""


def _read_regular(path: Path, limit: int) -> bytes | None:
    """The bytes of a regular file, or None when it holds more than ``limit``.

    The kind of file is checked before opening (opening a FIFO for reading waits for a
    writer) and again on what was opened, non-blocking, in case it was swapped meanwhile;
    and no more than ``limit + 1`` bytes are ever read, whatever the size claims.
    """
    _check_regular(os.stat(path).st_mode)
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    with open(fd, "rb") as file:
        _check_regular(os.fstat(fd).st_mode)
        data = file.read(limit + 1)
    return None if len(data) > limit else data


def _check_regular(mode: int) -> None:
    if not stat.S_ISREG(mode):
        raise _NotRegular(_KINDS.get(stat.S_IFMT(mode), "không phải tệp"))
