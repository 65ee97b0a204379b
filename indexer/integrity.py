"""Checksums of an index generation's files, so that damage is found, said plainly and repaired.

Whoosh trusts its files: a truncated posting file or a flipped byte surfaces as a traceback
in the middle of a search, or as wrong answers. Each commit here also writes a manifest,
``_<index>_<generation>.sums``: the index's id, and the size and CRC-32 of every file of the
generation, the table of contents (TOC) included. It is written before the TOC is renamed into
place, so a generation never exists without it. Opening a generation checks sizes and the TOC's
checksum (cheap: one stat per file and one small file read); a full check reads every file.

The index id is random, chosen when the index is created and carried from manifest to manifest:
an index folder deleted and built again starts at generation 1 again, but not with the same id.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC, clean_files

from indexer.read import os_reason
from indexer.schema import INDEX_NAME, INDEX_PREFIX

_CHUNK = 1 << 20
_TOC = re.compile(rf"_{re.escape(INDEX_NAME)}_(\d+)\.toc")
_MANIFEST = re.compile(rf"_{re.escape(INDEX_NAME)}_(\d+)\.sums")
# A segment's files: "<index>_<segment id>.<ext>", as Whoosh names them.
_SEGMENT_FILE = re.compile(rf"({re.escape(INDEX_NAME)}_[0-9a-z]+)\.[A-Za-z0-9_.]+")
# What a write in progress leaves behind: Whoosh's temporary TOC and pool folder, a manifest's temporary file.
_TEMPORARY = re.compile(rf"(_{re.escape(INDEX_NAME)}_\d+\.(toc|sums)\..+|{re.escape(INDEX_NAME)}\.tmp)")
# Any schema version's files ("_vnsearch-v8_1.toc", "vnsearch-v8_<segment>.pst", "vnsearch-v8_BUILDLOCK").
_VERSIONED = re.compile(rf"_?({re.escape(INDEX_PREFIX)}\d+)[_.].*")


def toc_name(generation: int) -> str:
    return f"_{INDEX_NAME}_{generation}.toc"


def manifest_name(generation: int) -> str:
    return f"_{INDEX_NAME}_{generation}.sums"


@dataclass(frozen=True)
class Manifest:
    index_id: str
    generation: int
    files: dict[str, tuple[int, int]]  # file name → (size in bytes, CRC-32)


@dataclass(frozen=True)
class Verdict:
    """What a check of the latest generation found: its manifest (None when there is no usable one)
    and a plain-words line per damaged file; no problems means the generation is whole."""

    generation: int
    manifest: Manifest | None
    problems: tuple[str, ...]

    @property
    def damaged_segments(self) -> set[str] | None:
        """The segments the damage is confined to, or None when it reaches the TOC or the manifest."""
        segments = set()
        for problem in self.problems:
            found = _SEGMENT_FILE.match(problem.split(":", 1)[0])
            if found is None:
                return None
            segments.add(found.group(1))
        return segments


def latest_generation(index_dir: Path) -> int:
    """The newest generation whose TOC is in ``index_dir`` (-1: none)."""
    try:
        names = os.listdir(index_dir)
    except FileNotFoundError:
        return -1
    return max((int(m.group(1)) for m in map(_TOC.fullmatch, names) if m), default=-1)


def read_manifest(index_dir: Path, generation: int) -> Manifest:
    """The manifest of ``generation``; ValueError or OSError when it is missing or unreadable."""
    with open(index_dir / manifest_name(generation), "rb") as file:
        data = json.loads(file.read())
    files = {str(name): (int(size), int(crc)) for name, (size, crc) in data["files"].items()}
    if data["generation"] != generation or not isinstance(data["index"], str):
        raise ValueError("manifest of another generation")
    return Manifest(data["index"], generation, files)


def check(index_dir: Path, full: bool) -> Verdict:
    """Whether the latest generation's files are as its manifest says: sizes and the TOC's checksum,
    and with ``full`` every file's checksum."""
    generation = latest_generation(index_dir)
    try:
        manifest = read_manifest(index_dir, generation)
    except FileNotFoundError:
        return Verdict(generation, None, (f"{manifest_name(generation)}: bị mất",))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return Verdict(generation, None, (f"{manifest_name(generation)}: không đọc được",))
    problems = [] if toc_name(generation) in manifest.files else [f"{manifest_name(generation)}: không ghi mục lục (TOC)"]
    for name, (size, crc) in sorted(manifest.files.items()):
        path = index_dir / name
        try:
            actual = path.stat().st_size
            if actual != size:
                problems.append(f"{name}: {actual:,} byte thay vì {size:,}".replace(",", "."))
            elif (full or name == toc_name(generation)) and _crc(path) != crc:
                problems.append(f"{name}: nội dung hỏng (mã kiểm tra khác)")
        except FileNotFoundError:
            problems.append(f"{name}: bị mất")
        except OSError as error:
            problems.append(f"{name}: không đọc được ({os_reason(error)})")
    return Verdict(generation, manifest, tuple(problems))


def _crc(path: Path) -> int:
    crc = 0
    with open(path, "rb") as file:
        while chunk := file.read(_CHUNK):
            crc = zlib.crc32(chunk, crc)
    return crc


def new_index_id() -> str:
    return secrets.token_hex(16)


def write_manifest(index_dir: Path, generation: int, segment_ids: Iterable[str], toc_path: Path, index_id: str) -> None:
    """The manifest of ``generation``: its segments' files and its TOC (found at ``toc_path``, maybe
    not yet renamed into place). Segment files never change once written, so the previous
    generation's checksum of a file of the same name and size is reused rather than read again."""
    try:
        previous = read_manifest(index_dir, generation - 1).files
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        previous = {}
    wanted = set(segment_ids)
    files = {}
    for name in os.listdir(index_dir):
        found = _SEGMENT_FILE.fullmatch(name)
        if found and found.group(1) in wanted:
            size = (index_dir / name).stat().st_size
            known = previous.get(name)
            files[name] = known if known and known[0] == size else (size, _crc(index_dir / name))
    files[toc_name(generation)] = (toc_path.stat().st_size, _crc(toc_path))
    temporary = index_dir / f"{manifest_name(generation)}.{secrets.token_hex(4)}"
    temporary.write_text(json.dumps({"index": index_id, "generation": generation, "files": files}), encoding="utf-8")
    os.replace(temporary, index_dir / manifest_name(generation))


class _Sealing:
    """The index's storage as Whoosh's TOC writer uses it, writing the manifest just before the TOC is renamed in."""

    def __init__(self, storage: FileStorage, seal: Callable[[Path], None]):
        self._storage = storage
        self._seal = seal

    def create_file(self, name, **kwargs):
        return self._storage.create_file(name, **kwargs)

    def rename_file(self, temporary: str, final: str, safe: bool = False) -> None:
        self._seal(Path(self._storage.folder) / temporary)
        self._storage.rename_file(temporary, final, safe=safe)


def commit(storage: FileStorage, schema, segments: list, generation: int) -> None:
    """Make ``segments`` generation ``generation``: manifest, then TOC, then old files deleted."""
    index_dir = Path(storage.folder)
    try:
        index_id = read_manifest(index_dir, generation - 1).index_id
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        index_id = new_index_id()
    ids = [segment.segment_id() for segment in segments]
    sealing = _Sealing(storage, lambda toc: write_manifest(index_dir, generation, ids, toc, index_id))
    TOC(schema, segments, generation).write(sealing, INDEX_NAME)
    clean_files(storage, INDEX_NAME, generation, segments)
    for name in os.listdir(index_dir):
        found = _MANIFEST.fullmatch(name)
        if found and int(found.group(1)) != generation:
            _remove(index_dir / name)


def create(index_dir: Path, schema) -> None:
    """A new, empty index with a new id, replacing whatever files of this index were there."""
    storage = FileStorage(str(index_dir))
    for name in os.listdir(index_dir):
        if _belongs(name) and not name.endswith("LOCK"):
            _remove(index_dir / name)
    commit(storage, schema, [], 0)


def remove_leftovers(index_dir: Path, segment_ids: set[str], generation: int) -> list[str]:
    """Delete what failed or interrupted writes left: files of segments the current generation does not
    use, temporary files, older TOCs and manifests. Only for the holder of the indexer's lock."""
    removed = []
    for name in sorted(os.listdir(index_dir)):
        segment = _SEGMENT_FILE.fullmatch(name)
        toc, manifest = _TOC.fullmatch(name), _MANIFEST.fullmatch(name)
        stale = (
            (segment is not None and segment.group(1) not in segment_ids)
            or _TEMPORARY.fullmatch(name) is not None
            or any(m is not None and int(m.group(1)) != generation for m in (toc, manifest))
        )
        if stale and not name.endswith("LOCK"):
            _remove(index_dir / name)
            removed.append(name)
    return removed


def remove_other_versions(index_dir: Path) -> None:
    """Delete the index of another schema version that ``index_dir`` holds: this version never reads
    it (it builds its own from the corpus), and it would take as much disk as the new one. Left as it
    is while an indexer of that version holds its lock; its empty lock files stay. Only for the
    holder of this version's lock."""
    others: dict[str, list[str]] = {}
    for name in sorted(os.listdir(index_dir)):
        found = _VERSIONED.fullmatch(name)
        if found and found.group(1) != INDEX_NAME and not name.endswith("LOCK"):
            others.setdefault(found.group(1), []).append(name)
    storage = FileStorage(str(index_dir))
    for other, names in others.items():
        lock = storage.lock(f"{other}_BUILDLOCK")
        if not lock.acquire(blocking=False):
            continue
        try:
            for name in names:
                _remove(index_dir / name)
        finally:
            lock.release()


def _belongs(name: str) -> bool:
    return name.startswith((f"_{INDEX_NAME}_", f"{INDEX_NAME}_", f"{INDEX_NAME}."))


def _remove(path: Path) -> None:
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    except FileNotFoundError:
        pass
