"""The index's files memory-mapped for reading.

Whoosh reads a file by seeking and reading through one shared file object, two system
calls and a buffer copy for every term looked up and every posting list, column or
stored document read: a search of two words does some 1,600 of them. A memory map
answers the same reads as slices of the page cache, without the calls, and reads from
several threads cannot move each other's file position. Index files are never changed
once written (a commit writes new ones), so a map is never read while its file changes.
"""

from __future__ import annotations

import mmap
import os

from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile
from whoosh.index import FileIndex


class MappedFile(StructFile):
    """A :class:`StructFile` whose positioned reads (``get`` and the ``get_*`` built on it) are
    slices of a memory map; sequential reads still go through the file."""

    def __init__(self, fileobj, name=None, onclose=None):
        super().__init__(fileobj, name=name, onclose=onclose)
        self._map = mmap.mmap(fileobj.fileno(), 0, access=mmap.ACCESS_READ)

    def get(self, position, length):
        return self._map[position : position + length]

    def close(self):
        if not self.is_closed:
            self._map.close()
        super().close()


class MappedStorage(FileStorage):
    """A read-only :class:`FileStorage` that opens every non-empty file as a :class:`MappedFile`
    (an empty one cannot be mapped, and has nothing to read)."""

    def __init__(self, path: str):
        super().__init__(path, readonly=True)

    def open_file(self, name, **kwargs):
        fileobj = open(os.path.join(self.folder, name), "rb")
        try:
            if fileobj.seek(0, 2) == 0:
                fileobj.seek(0)
                return StructFile(fileobj, name=name, **kwargs)
            fileobj.seek(0)
            return MappedFile(fileobj, name=name, **kwargs)
        except BaseException:
            fileobj.close()
            raise


def open_index(index_dir: str, indexname: str) -> FileIndex:
    """The index in ``index_dir`` opened for reading through memory maps."""
    return FileIndex(MappedStorage(index_dir), indexname=indexname)
