"""A Whoosh codec whose posting lists are arrays: written in one piece, read with numpy.

Whoosh's W3 codec cuts a term's postings into blocks of 128, each a pickle of tuples
of docnums, weights and values: finding which of 100,000 articles hold a common
word unpickles hundreds of blocks, their positions included, and writing goes
through five Python calls per posting. Here a term's posting list is one record::

    magic | count | flags | docnums (uint32) | weights (float32; absent when all are 1)
          | value ends (uint32 byte offsets; absent when values are of the format's fixed size
            or there are none) | values

so a term's docnums and weights are one ``numpy.frombuffer`` each, the values of a
few postings are slices, and the writer copies each term's arrays as
:class:`~indexer.pool.TermPool` packed them (so the codec writes only through
:class:`~indexer.pool.TermPoolWriter`). Term infos, stored fields, lengths and columns
stay Whoosh's W3 format, and :class:`PackedMatcher` answers Whoosh's own matcher
interface for every query Whoosh evaluates itself; the whole list counts as one block
for Whoosh's skipping.
"""

from __future__ import annotations

import bisect
import struct
from itertools import groupby
from operator import itemgetter

import numpy as np
from whoosh.codec.whoosh3 import W3Codec, W3FieldWriter, W3TermInfo
from whoosh.matching import LeafMatcher

from compat.internals import add_term, postings_file, set_length_bounds

_MAGIC = b"VnP1"
_HEADER = struct.Struct("<4sIB")
_HAS_WEIGHTS, _HAS_VALUES, _FIXED_SIZE_VALUES = 1, 2, 4
_ONE = struct.pack("<f", 1.0)
# Below this many wanted postings, their values are read one slice each, not the whole run.
_SLICE_READS_UPTO = 64


class PackedCodec(W3Codec):
    """Whoosh's W3 codec (uncompressed) with posting lists stored as arrays."""

    def __init__(self):
        super().__init__(compression=0)

    def field_writer(self, storage, segment):
        return PackedFieldWriter(self, storage, segment)

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        return PackedMatcher(dbfile, terminfo, format_, term=term, scorer=scorer)


class PackedFieldWriter(W3FieldWriter):
    """Writes each term's postings at once, as :class:`~indexer.pool.TermPool` gathered them."""

    def add_postings(self, schema, lengths, items):
        doccount = lengths.doc_count_all() if lengths else 0
        for fieldname, terms in groupby(items, key=itemgetter(0)):
            fieldobj = schema[fieldname]
            self.start_field(fieldname, fieldobj)
            field_lengths = None
            if lengths and fieldobj.scorable:
                field_lengths = [lengths.doc_field_length(d, fieldname) or 0 for d in range(doccount)]
            value_size = fieldobj.format.fixed_value_size()
            for _, btext, docnums, weights, values, ends in terms:
                self._write_term(btext, docnums, weights, values, ends, field_lengths, value_size)
            self.finish_field()

    def _write_term(self, btext, docnums, weights, values, ends, field_lengths, value_size) -> None:
        count = len(docnums) // 4
        flags, parts = 0, [docnums]
        if weights.count(_ONE) != count:  # count() finds only whole, aligned 1.0s when there are count of them
            flags |= _HAS_WEIGHTS
            parts.append(weights)
        if values:
            flags |= _HAS_VALUES
            if value_size and len(values) == value_size * count:  # the format's promise: each value that size
                flags |= _FIXED_SIZE_VALUES
            else:
                parts.append(ends)
            parts.append(values)
        record = _HEADER.pack(_MAGIC, count, flags) + b"".join(parts)
        postfile = postings_file(self)
        offset = postfile.tell()
        postfile.write(record)

        floats = struct.unpack(f"<{count}f", weights)
        first, last = struct.unpack_from("<I", docnums)[0], struct.unpack_from("<I", docnums, len(docnums) - 4)[0]
        terminfo = W3TermInfo(weight=sum(floats), df=count, maxweight=max(floats), minid=first, maxid=last)
        if field_lengths is not None:
            found = [field_lengths[d] for d in struct.unpack(f"<{count}I", docnums)]
            set_length_bounds(terminfo, min(found) or None, max(found))
        terminfo.set_extent(offset, len(record))
        add_term(self, btext, terminfo)


class PackedMatcher(LeafMatcher):
    """One term's postings in one segment: arrays for vectorized readers, Whoosh's matcher for Whoosh."""

    def __init__(self, postfile, terminfo, format_, term=None, scorer=None, _start: int = 0):
        self._postfile = postfile
        self._terminfo = terminfo
        self.format = format_
        self._term = term
        self.scorer = scorer
        self._offset, _ = terminfo.extent()
        magic, self._count, self._flags = _HEADER.unpack(postfile.get(self._offset, _HEADER.size))
        if magic != _MAGIC:
            raise ValueError(f"not a packed posting list at {self._offset} (found {magic!r})")
        self._i = _start
        self._ids: list[int] | None = None
        self._weights: list[float] | None = None
        self._ends: np.ndarray | None = None

    # -- arrays ----------------------------------------------------------------------------

    def _array(self, index: int, dtype: str) -> np.ndarray:
        """The ``index``-th array of ``count`` numbers after the header (docnums, weights, value ends)."""
        start = self._offset + _HEADER.size + index * 4 * self._count
        return np.frombuffer(self._postfile.get(start, 4 * self._count), dtype=dtype)

    def docnums(self) -> np.ndarray:
        """Every docnum of the list (uint32, ascending), deleted documents included."""
        return self._array(0, "<u4")

    def weights(self) -> np.ndarray:
        """Every posting's weight (float32)."""
        if self._flags & _HAS_WEIGHTS:
            return self._array(1, "<f4")
        return np.ones(self._count, dtype=np.float32)

    def _value_ends(self) -> np.ndarray:
        if self._ends is None:
            if self._flags & _FIXED_SIZE_VALUES:
                self._ends = np.arange(1, self._count + 1, dtype=np.int64) * self.format.fixed_value_size()
            else:
                self._ends = self._array(1 + bool(self._flags & _HAS_WEIGHTS), "<u4").astype(np.int64)
        return self._ends

    def values_at(self, indices: np.ndarray) -> tuple[np.ndarray, bytes]:
        """The byte length of each wanted posting's value (by index in the list, ascending) and the values end to end."""
        if not self._flags & _HAS_VALUES or not len(indices):
            return np.zeros(len(indices), dtype=np.int64), b""
        ends = self._value_ends()
        starts = np.where(indices > 0, ends[indices - 1], 0)  # the end of the posting before, wanted or not
        sizes = ends[indices] - starts
        arrays = 1 + bool(self._flags & _HAS_WEIGHTS) + (not self._flags & _FIXED_SIZE_VALUES)
        base = self._offset + _HEADER.size + arrays * 4 * self._count
        if len(indices) <= _SLICE_READS_UPTO:
            get = self._postfile.get
            return sizes, b"".join(get(base + s, n) for s, n in zip(starts.tolist(), sizes.tolist()))
        run = np.frombuffer(self._postfile.get(base, int(ends[-1])), dtype=np.uint8)
        # Byte k of the output comes from its posting's start plus how far into that posting it is.
        first = np.cumsum(sizes) - sizes
        picks = np.repeat(starts - first, sizes) + np.arange(int(sizes.sum()))
        return sizes, run[picks].tobytes()

    # -- Whoosh's matcher interface --------------------------------------------------------

    def _python_ids(self) -> list[int]:
        if self._ids is None:
            self._ids = self.docnums().tolist()
        return self._ids

    def is_active(self):
        return self._i < self._count

    def reset(self):
        self._i = 0

    def copy(self):
        return PackedMatcher(self._postfile, self._terminfo, self.format, self._term, self.scorer, _start=self._i)

    def id(self):
        return self._python_ids()[self._i]

    def weight(self):
        if self._weights is None:
            self._weights = self.weights().tolist()
        return self._weights[self._i]

    def value(self):
        if not self._flags & _HAS_VALUES:
            return None  # as W3 answers for a format without values
        _, value = self.values_at(np.array([self._i]))
        return value

    def next(self):
        self._i += 1
        return False

    def skip_to(self, targetid):
        if self.is_active() and targetid > self.id():
            self._i = bisect.bisect_left(self._python_ids(), targetid, self._i)

    def skip_to_quality(self, minquality):
        if self.is_active() and self.block_quality() <= minquality:
            self._i = self._count
            return 1
        return 0

    def all_ids(self):
        return iter(self._python_ids()[self._i :])

    def block_min_id(self):
        return self._terminfo.min_id()

    def block_max_id(self):
        return self._terminfo.max_id()

    def block_min_length(self):
        return self._terminfo.min_length()

    def block_max_length(self):
        return self._terminfo.max_length()

    def block_max_weight(self):
        return self._terminfo.max_weight()
