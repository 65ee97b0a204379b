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
from pathlib import Path

from indexer.article import Problem
from indexer.decode import looks_binary

MiB = 1024 * 1024
HTML_SUFFIXES = (".html", ".htm")
# A .jsonl file holds many articles; a .txt file one, and no article is anywhere near 2 MiB.
# A saved web page carries its markup, scripts and styles too (a VnExpress article: 250 KB).
MAX_FILE_BYTES = {".jsonl": 20 * MiB, ".txt": 2 * MiB, **dict.fromkeys(HTML_SUFFIXES, 5 * MiB)}
_KINDS = {stat.S_IFIFO: "a FIFO", stat.S_IFCHR: "a device", stat.S_IFBLK: "a device", stat.S_IFSOCK: "a socket"}


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
                return Problem(str(path), "symbolic link loop; not followed")
            return Problem(str(path), "broken symbolic link (its target does not exist)")
        if not self.follow_links and not target.is_relative_to(self.root):
            return Problem(str(path), f"symbolic link to {target}, outside {self.root}; not followed (see --follow-links)")
        return target

    def files(self, directory: Path) -> Iterator[Path | Problem]:
        """Candidate files under ``directory``, in sorted order; a linked folder is entered once per walk,
        so a link to a folder above it cannot trap the walk."""
        self.entered.add(directory.resolve())
        try:
            with os.scandir(directory) as entries:
                ordered = sorted(entries, key=lambda entry: entry.name)
        except OSError as error:
            yield Problem(str(directory), f"cannot be read ({error.strerror or error})")
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
                        yield Problem(str(path), "symbolic link loop (a folder already walked); not followed")
                    else:
                        yield from self.files(path)
                    continue
            elif entry.is_dir(follow_symlinks=False):
                yield from self.files(path)
                continue
            if wanted:
                yield path


def iter_sources(paths: Iterable[str | Path], follow_links: bool = False) -> Iterator[SourceFile | Problem]:
    """Every .txt, .jsonl and .html/.htm file named by or found under ``paths``, each once.

    Inside directories, hidden files and directories and other extensions are
    skipped silently; a file named explicitly with another extension is a problem,
    since the user evidently expected it to be indexed. A file named explicitly is
    read wherever a link to it leads: the user chose it.
    """
    seen: set[Path] = set()
    for given in map(Path, paths):
        try:
            if given.is_dir():
                root = given.resolve()
                found = _Walk(root, follow_links).files(root)
            elif given.exists():
                root = given.absolute().parent.resolve()
                found = iter([root / given.name])
            elif given.is_symlink():
                found = iter([Problem(str(given), "broken symbolic link or symbolic link loop")])
            else:
                yield Problem(str(given), "no such file or directory")
                continue
        except OSError as error:
            yield Problem(str(given), f"cannot be read ({error.strerror or error})")
            continue
        for item in found:
            if isinstance(item, Problem):
                yield item
            elif (resolved := Path(os.path.realpath(item))) not in seen:
                seen.add(resolved)
                yield _read(item, root)


def _read(path: Path, root: Path) -> SourceFile | Problem:
    suffix = path.suffix.lower()
    if suffix not in MAX_FILE_BYTES:
        return Problem(str(path), "not a .txt, .jsonl or .html file")
    # The path becomes the document's id and source, which the index stores as UTF-8. Bytes
    # that are not UTF-8 are shown escaped ("\\xff"), so printing the problem cannot fail either.
    shown = os.fsencode(path).decode("utf-8", "backslashreplace")
    if shown != str(path):
        return Problem(shown, "the file name is not valid UTF-8; rename the file")
    limit = MAX_FILE_BYTES[suffix]
    try:
        data = _read_regular(path, limit)
    except _NotRegular as kind:
        return Problem(str(path), f"not a regular file ({kind})")
    except OSError as error:
        return Problem(str(path), f"cannot be read ({error.strerror or error})")
    if data is None:
        return Problem(str(path), f"larger than the {limit // MiB} MiB limit for {suffix} files")
    if not data.strip():
        return Problem(str(path), "empty file")
    if looks_binary(data):
        return Problem(str(path), "binary file")
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
        raise _NotRegular(_KINDS.get(stat.S_IFMT(mode), "not a file"))
