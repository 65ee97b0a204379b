"""The postings of the documents being indexed, handed to the codec a term at a time.

Whoosh's posting pool appends one tuple per posting, sorts them at the end and, past its
memory limit, pickles sorted runs of single postings to disk, to merge them back one
posting at a time: at 10,000 articles and more that merge is a large share of the work.
This pool appends and sorts as Whoosh's does (the cheapest way to gather postings in
Python), but packs each sorted run into one record per term, in the byte layout of
:mod:`indexer.codec`, before spilling it: runs are smaller, and merge a term at a time.
:class:`~indexer.codec.PackedFieldWriter` writes what :meth:`TermPool.iter_postings`
gives.
"""

from __future__ import annotations

import heapq
import pickle
import random
import string
import struct
from collections.abc import Iterator
from itertools import accumulate, groupby
from operator import itemgetter

from whoosh.writing import SegmentWriter

from indexer import integrity
from indexer.codec import PackedCodec
from indexer.schema import INDEX_NAME

# Memory one gathered posting takes beyond its term's and its value's bytes (its tuple, docnum,
# weight, list slot), to decide when to spill: as Whoosh's pool estimates it.
_POSTING_BYTES = 150

# (fieldname, btext, docnums, weights, values end to end, value ends): docnums and value
# ends little-endian uint32, weights little-endian float32, one each per posting.
TermPostings = tuple[str, bytes, bytes, bytes, bytes, bytes]


class TermPoolWriter(SegmentWriter):
    """Whoosh's segment writer, its postings gathered in a :class:`TermPool` and written by PackedCodec."""

    def __init__(self, ix, limitmb: int = 128, **kwargs):
        super().__init__(ix, limitmb=limitmb, codec=PackedCodec(), **kwargs)
        self.pool = TermPool(self._tempstorage, limitmb)

    def _commit_toc(self, segments) -> None:
        """Whoosh's commit, with the generation's checksums written before its TOC (indexer/integrity.py),
        for vnsearch's index; an index of another name is Whoosh's alone."""
        if self.indexname != INDEX_NAME:
            super()._commit_toc(segments)
            return
        integrity.commit(self.storage, self.schema, segments, self.generation)


class TermPool:
    """Whoosh's posting pool interface as its writer uses it: ``add``, ``iter_postings``, ``cleanup``."""

    def __init__(self, tempstore, limitmb: int):
        self._tempstore = tempstore
        self._limit = limitmb * 1024 * 1024
        self._postings: list[tuple] = []
        self._bytes = 0
        self._runs: list[str] = []

    def add(self, item: tuple) -> None:
        """One posting: ``(fieldname, btext, docnum, weight, value)``."""
        self._postings.append(item)
        self._bytes += _POSTING_BYTES + len(item[1]) + len(item[4] or b"")
        if self._bytes > self._limit:
            self._spill()

    def _packed(self) -> Iterator[TermPostings]:
        """The postings gathered since the last run, sorted and packed a term at a time."""
        postings, self._postings, self._bytes = self._postings, [], 0
        postings.sort()
        for (fieldname, btext), group in groupby(postings, key=itemgetter(0, 1)):
            _, _, docnums, weights, values = zip(*group)
            count = len(docnums)
            values = [v or b"" for v in values]  # a merged segment's postings may carry None
            yield (
                fieldname,
                btext,
                struct.pack(f"<{count}I", *docnums),
                struct.pack(f"<{count}f", *weights),
                b"".join(values),
                struct.pack(f"<{count}I", *accumulate(map(len, values))),
            )

    def _spill(self) -> None:
        name = "".join(random.choices(string.ascii_lowercase + string.digits, k=24)) + ".terms"
        with self._tempstore.create_file(name).raw_file() as f:
            for entry in self._packed():
                pickle.dump(entry, f, pickle.HIGHEST_PROTOCOL)
        self._runs.append(name)

    def _read_run(self, name: str) -> Iterator[TermPostings]:
        with self._tempstore.open_file(name).raw_file() as f:
            while True:
                try:
                    yield pickle.load(f)
                except EOFError:
                    break
        self._tempstore.delete_file(name)

    def iter_postings(self) -> Iterator[TermPostings]:
        """Every term's postings, in (fieldname, btext) order; a term spilled in several runs comes joined."""
        if not self._runs:
            yield from self._packed()
            return
        # Runs hold ever later documents and merge stably: a term's parts join in docnum order.
        merged = heapq.merge(*map(self._read_run, self._runs), self._packed(), key=itemgetter(0, 1))
        current = None
        for entry in merged:
            if current is not None and entry[:2] == current[:2]:
                current = _joined(current, entry)
                continue
            if current is not None:
                yield current
            current = entry
        if current is not None:
            yield current
        self._runs = []

    def cleanup(self) -> None:
        for name in self._runs:
            self._tempstore.delete_file(name)
        self._runs = []


def _joined(first: TermPostings, later: TermPostings) -> TermPostings:
    """One term's postings from two runs, the later one's value ends moved past the first one's values."""
    fieldname, btext, docnums, weights, values, ends = first
    count = len(later[5]) // 4
    moved = struct.pack(f"<{count}I", *(end + len(values) for end in struct.unpack(f"<{count}I", later[5])))
    return fieldname, btext, docnums + later[2], weights + later[3], values + later[4], ends + moved
