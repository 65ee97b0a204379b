"""Whoosh queries evaluated a whole posting list at a time, with numpy.

Whoosh scores a query one document at a time in Python: fine for a few hundred
matches, a hundred milliseconds and more for the thousands of documents a common
word matches in a large archive. Here the same query tree is evaluated over arrays
as long as the index: each term's postings are read as arrays (indexer/codec.py), scored with
Whoosh's own BM25F function and statistics, and combined the way Whoosh's matchers
combine them (a sum over the parts of Or and And, the required side of AndMaybe, …).
Scores, order and totals are Whoosh's, up to the rounding of sums taken in another
order; tests/test_vectorized.py holds them to it. A phrase is checked position by position only in the documents that
have all its words and, where the field has a twin field of consecutive word pairs, all
its pairs: a phrase of two unaccented words is then that one pair term. A query type
without an array form here (a phrase with slop, a range, an Or with a coordination
``scale``) is answered by Whoosh's own
search and joined in.

:class:`IndexArrays` holds what one index generation's searches share: which
documents are live, field lengths, column values, district lists, recent postings.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple

import numpy as np
from whoosh import query as wq
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import IndexReader
from whoosh.scoring import BM25F, bm25
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length

from compat.internals import deleted_docnums, field_b, is_plain, length_column, numeric_column
from indexer.codec import PackedMatcher
from indexer.schema import unpack_positions
from search.budget import Clock
from vietnamese.analysis import compound

# Memory for postings kept between searches: the common words of a language are in
# most queries and most documents, and reading them is most of a search's cost.
# Kept compact (see _Kept), a posting takes one to two bytes.
POSTINGS_CACHE_BYTES = 64 * 1024 * 1024
_LENGTH_OF_BYTE = np.array([byte_to_length(b) or 0 for b in range(256)], dtype=np.int64)


class Matches(NamedTuple):
    """Which documents match (a mask over docnums) and their scores (0 where they don't).

    Scores are zeroed outside a mask by multiplying with it: over a mask without pattern,
    ``np.where`` branches per document and costs five times as much."""

    mask: np.ndarray
    scores: np.ndarray

    @property
    def total(self) -> int:
        return int(np.count_nonzero(self.mask))

    def filtered(self, allowed: np.ndarray | None) -> "Matches":
        if allowed is None:
            return self
        mask = self.mask & allowed
        return Matches(mask, self.scores * mask)

    def best(self, n: int) -> list[tuple[float, int]]:
        """The ``n`` best ``(score, docnum)``: highest score first, then lowest docnum, as Whoosh orders them."""
        docs = np.flatnonzero(self.mask)
        docs, scores = _contenders(docs, self.scores[docs], n)
        order = np.lexsort((docs, -scores))[:n]
        return [(float(scores[i]), int(docs[i])) for i in order]

    def ordered(self, keys: np.ndarray, n: int) -> list[tuple[int, int]]:
        """The first ``n`` ``(key, docnum)`` by ``keys`` descending, then docnum descending (Whoosh's reverse sort)."""
        docs = np.flatnonzero(self.mask)
        docs, values = _contenders(docs, keys[docs], n)
        order = np.lexsort((-docs, -values))[:n]
        return [(int(values[i]), int(docs[i])) for i in order]


def _contenders(docs: np.ndarray, values: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The documents whose value is among the ``n`` largest, and their values: every document tied
    with the n-th is kept, to compete on docnum (a partition, not a sort of all of them)."""
    if len(docs) > n:
        cut = values[np.argpartition(-values, n - 1)[:n]].min()
        docs, values = docs[values >= cut], values[values >= cut]
    return docs, values


class IndexArrays:
    """Arrays over all documents of one index generation, shared by every thread's searches.

    Built lazily, each once; postings are read through the calling thread's own
    searcher (Whoosh's file handles are not shared between threads).
    """

    def __init__(self, searcher: Searcher, pair_fields: Mapping[str, str] | None = None):
        self.generation = searcher.reader().generation()
        # Per phrase field, a field holding every two consecutive words of its text as one term
        # (analysed by its own analyzer): a phrase's pairs must all be there.
        self.pair_fields = {f: p for f, p in (pair_fields or {}).items() if p in searcher.schema}
        self.size = searcher.doc_count_all()
        self.live = np.zeros(self.size, dtype=bool)
        for segment, offset in _segments(searcher):
            count = segment.doc_count_all()
            self.live[offset : offset + count] = True
            if segment.has_deletions():
                self.live[[offset + d for d in deleted_docnums(segment)]] = False
        self._lock = threading.Lock()
        self._lengths: dict[str, np.ndarray] = {}
        self._columns: dict[str, np.ndarray] = {}
        self._keywords: dict[str, tuple[list[str], np.ndarray, np.ndarray]] = {}
        self._postings: OrderedDict[tuple[str, bytes], _Kept] = OrderedDict()
        self._cached_bytes = 0

    # -- per-document values ---------------------------------------------------------------

    def lengths(self, searcher: Searcher, fieldname: str) -> np.ndarray:
        """Each document's length in ``fieldname`` as Whoosh's scorers see it (1 where a segment has none)."""
        return self._once(self._lengths, fieldname, lambda: self._read_lengths(searcher, fieldname))

    def column(self, searcher: Searcher, fieldname: str) -> np.ndarray:
        """The raw (sortable) column values of ``fieldname``, the field's default where a document has none."""
        return self._once(self._columns, fieldname, lambda: self._read_column(searcher, fieldname))

    def _once(self, cache: dict, key, build):
        with self._lock:
            if key not in cache:
                cache[key] = build()
            return cache[key]

    def _read_lengths(self, searcher: Searcher, fieldname: str) -> np.ndarray:
        out = np.ones(self.size, dtype=np.int64)
        for segment, offset in _segments(searcher):
            creader = length_column(segment, fieldname)
            if creader is not None:
                raw = numeric_column(creader, segment.doc_count_all())
                out[offset : offset + len(raw)] = _LENGTH_OF_BYTE[raw]
        return out

    def _read_column(self, searcher: Searcher, fieldname: str) -> np.ndarray:
        parts = []
        for segment, _ in _segments(searcher):
            creader = segment.column_reader(fieldname, translate=False)
            parts.append(numeric_column(creader, segment.doc_count_all()))
        return _joined(parts, np.uint64)

    # -- keyword fields (districts) --------------------------------------------------------

    def keywords(self, searcher: Searcher, fieldname: str) -> list[str]:
        """Every term of ``fieldname``, in order."""
        return self._keyword_postings(searcher, fieldname)[0]

    def keyword_counts(self, searcher: Searcher, fieldname: str, mask: np.ndarray) -> np.ndarray:
        """For each term of ``fieldname`` (:meth:`keywords`' order), how many documents of ``mask``
        carry it (a document may carry several)."""
        names, docs, starts = self._keyword_postings(searcher, fieldname)
        if not len(docs):
            return np.zeros(len(names), dtype=np.int64)
        # The postings are term by term: one sum per term's run of them (np.bincount over the
        # matched postings' terms costs five times as much).
        counts = np.add.reduceat(mask[docs], np.minimum(starts, len(docs) - 1), dtype=np.int64)
        counts[starts == np.append(starts[1:], len(docs))] = 0  # a term without postings, summed its next one's first
        return counts

    def _keyword_postings(self, searcher: Searcher, fieldname: str) -> tuple[list[str], np.ndarray, np.ndarray]:
        """The field's terms, their postings' documents term after term, and where each term's begin."""
        return self._once(self._keywords, fieldname, lambda: self._read_keywords(searcher, fieldname))

    def _read_keywords(self, searcher: Searcher, fieldname: str) -> tuple[list[str], np.ndarray, np.ndarray]:
        field = searcher.schema[fieldname]
        names, docs = [], []
        for btext in searcher.lexicon(fieldname):
            docs.append(self._read_postings(searcher, fieldname, btext)[0])
            names.append(field.from_bytes(btext))
        sizes = np.array([len(d) for d in docs], dtype=np.int64)
        return names, _joined(docs), np.cumsum(sizes) - sizes

    # -- postings --------------------------------------------------------------------------

    def postings(self, searcher: Searcher, fieldname: str, btext: bytes) -> tuple[np.ndarray, np.ndarray]:
        """Docnums (live only, ascending) and weights (float64) of one term."""
        return self._kept(searcher, fieldname, btext).unpack()

    def _kept(self, searcher: Searcher, fieldname: str, btext: bytes) -> "_Kept":
        """One term's live postings, as kept between searches."""
        key = (fieldname, btext)
        with self._lock:
            kept = self._postings.get(key)
            if kept is not None:
                self._postings.move_to_end(key)
        if kept is not None:
            return kept
        kept = _Kept.pack(*self._read_postings(searcher, fieldname, btext), self.size)
        with self._lock:
            if key not in self._postings and kept.nbytes <= POSTINGS_CACHE_BYTES // 8:
                self._postings[key] = kept
                self._cached_bytes += kept.nbytes
                while self._cached_bytes > POSTINGS_CACHE_BYTES:
                    _, old = self._postings.popitem(last=False)
                    self._cached_bytes -= old.nbytes
        return kept

    def holds_any(self, searcher: Searcher, fieldname: str, btext: bytes, docs: np.ndarray) -> bool:
        """Whether any of ``docs`` (a few docnums) has the term; a common term's bitmap is looked
        into as it is kept, not unpacked into as many docnums as the index has articles."""
        with self._lock:
            kept = self._postings.get((fieldname, btext))
        if kept is not None and kept.size:
            docs = docs.astype(np.int64)
            return bool(((kept.docs[docs >> 3] >> (7 - (docs & 7))) & 1).any())
        return bool(len(located(self.postings(searcher, fieldname, btext)[0], docs)))

    def _read_postings(self, searcher: Searcher, fieldname: str, btext: bytes) -> tuple[np.ndarray, np.ndarray]:
        ids_parts, weight_parts = [], []
        for segment, offset in _segments(searcher):
            if (fieldname, btext) not in segment:
                continue
            ids, weights = _segment_postings(segment.postings(fieldname, btext))
            ids_parts.append(ids + offset)
            weight_parts.append(weights)
        ids, weights = _joined(ids_parts), _joined(weight_parts, np.float64)
        keep = self.live[ids]
        return ids[keep], weights[keep]

    # -- queries ---------------------------------------------------------------------------

    def evaluate(self, searcher: Searcher, query: wq.Query, clock: Clock | None = None) -> Matches:
        """Every live document ``query`` matches, with the score Whoosh would give it; raises
        :class:`search.budget.OverBudget` when ``clock`` runs out first."""
        return self.evaluation(searcher, clock).run(query)

    def evaluation(self, searcher: Searcher, clock: Clock | None = None) -> "Evaluation":
        """An evaluation whose parts can be asked for one by one (search/explain.py), each evaluated once."""
        return Evaluation(self, searcher, clock)

    def matching(self, searcher: Searcher, query: wq.Query | None, clock: Clock | None = None) -> np.ndarray | None:
        """The mask of documents ``query`` matches, unscored (None lets everything through): a
        filter, or which documents hold a phrase."""
        return None if query is None else Evaluation(self, searcher, clock, scored=False).run(query).mask


class _Kept(NamedTuple):
    """One term's postings in little memory: docnums as a bitmap when dense, weights in the
    smallest type that holds them exactly (term counts fit a byte)."""

    docs: np.ndarray  # packed bits over all documents, or int32 docnums
    size: int  # documents in the index (the bitmap's length), 0 for docnums
    weights: np.ndarray

    @classmethod
    def pack(cls, ids: np.ndarray, weights: np.ndarray, size: int) -> "_Kept":
        if len(ids) * 32 > size:
            bits = np.zeros(size, dtype=bool)
            bits[ids] = True
            docs, packed_size = np.packbits(bits), size
        else:
            docs, packed_size = ids.astype(np.int32), 0
        for dtype in (np.uint8, np.uint16, np.float32):
            small = weights.astype(dtype)
            if np.array_equal(small, weights):
                return cls(docs, packed_size, small)
        return cls(docs, packed_size, weights)

    @property
    def nbytes(self) -> int:
        return self.docs.nbytes + self.weights.nbytes

    def unpack(self, bits: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Docnums and weights; ``bits``: a bitmap's :meth:`mask`, when it is unpacked already."""
        ids = np.flatnonzero(self._bits() if bits is None else bits) if self.size else self.docs
        return ids, self.weights.astype(np.float64)

    def mask(self, size: int) -> np.ndarray:
        """Over all ``size`` documents, whether each has the term: a bitmap's bits as they are."""
        if self.size:
            return self._bits()
        mask = np.zeros(size, dtype=bool)
        mask[self.docs] = True
        return mask

    def _bits(self) -> np.ndarray:
        return np.unpackbits(self.docs, count=self.size).view(bool)


def _segment_postings(matcher) -> tuple[np.ndarray, np.ndarray]:
    """All (docnum, weight) of one segment's posting list, deleted documents included."""
    leaf = _packed(matcher)
    return leaf.docnums().astype(np.int64), leaf.weights().astype(np.float64)


def _packed(matcher) -> PackedMatcher:
    """The packed posting list under a segment's matcher (which wraps it to skip deleted documents)."""
    return matcher.child if isinstance(matcher, FilterMatcher) else matcher


def consecutive(searcher: Searcher, fieldname: str, btexts: Sequence[bytes], candidates: np.ndarray) -> np.ndarray:
    """The candidates (docnums) where the terms stand at consecutive positions, in order."""
    # (docnum, position) as one int64 key: term k of the phrase stands at the first one's key + k.
    keys = [position_keys(searcher, fieldname, b, candidates) for b in btexts]
    return np.unique(in_sequence(keys) >> 32)


def in_sequence(keys: list[np.ndarray], skip: int | None = None) -> np.ndarray:
    """The keys where the words (their ``docnum << 32 | position`` keys, ascending) stand one after
    the other, from the first word's (the second's when ``skip`` is 0); the word ``skip`` may be anything."""
    anchor = 1 if skip == 0 else 0
    starts = keys[anchor]
    for k, later in enumerate(keys):
        if k not in (anchor, skip):
            starts = starts[among(starts - anchor + k, later)]
    return starts


def among(values: np.ndarray, ordered: np.ndarray) -> np.ndarray:
    """Per value, whether ``ordered`` (ascending) holds it: ``np.isin`` without its sorting."""
    if not len(ordered):
        return np.zeros(len(values), dtype=bool)
    return _nearest(ordered, values)[1]


def located(ordered: np.ndarray, values: np.ndarray) -> np.ndarray:
    """The indices into ``ordered`` (ascending) of those of ``values`` it holds."""
    if not len(ordered):
        return np.zeros(0, dtype=np.int64)
    at, hit = _nearest(ordered, values)
    return at[hit]


def _nearest(ordered: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per value, where it would stand in the non-empty ``ordered`` (clipped to its end), and whether it is there."""
    at = np.minimum(np.searchsorted(ordered, values), len(ordered) - 1)
    return at, ordered[at] == values


def position_keys(searcher: Searcher, fieldname: str, btext: bytes, candidates: np.ndarray) -> np.ndarray:
    """Where a term stands in the candidates (ascending docnums), as ``docnum << 32 | position`` keys:
    the next word of a text has the key + 1."""
    found = []
    for segment, offset in _segments(searcher):
        if (fieldname, btext) not in segment:
            continue
        inside = (candidates >= offset) & (candidates < offset + segment.doc_count_all())
        local = candidates[inside] - offset
        if len(local):
            docs, at = positions_of(segment.postings(fieldname, btext), local)
            found.append(((docs + offset) << 32) | at)
    return _joined(found)


def _summed(parts: Sequence[Matches], boost: float) -> np.ndarray:
    """The parts' scores added up and boosted, as Whoosh sums the parts of an And or a phrase."""
    scores = parts[0].scores.copy()
    for part in parts[1:]:
        scores += part.scores
    return scores * boost if boost != 1.0 else scores


def positions_of(matcher, docnums: np.ndarray, positions: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Every (docnum, position) of one term in the given documents of a segment (ascending docnums),
    as two int64 arrays; with ``positions=False``, position 0 where the term occurs."""
    leaf = _packed(matcher)
    ids = leaf.docnums().astype(np.int64)
    which = located(ids, docnums)
    docs = ids[which]
    if not positions:
        return docs, np.zeros(len(docs), dtype=np.int64)
    counts, where = unpack_positions(*leaf.values_at(which))
    return np.repeat(docs, counts), where


def _segments(searcher: Searcher) -> list[tuple[IndexReader, int]]:
    """Each segment's reader and first docnum; none for an index without documents, whose
    one stand-in reader has no columns to read."""
    return [(segment, offset) for segment, offset in searcher.reader().leaf_readers() if segment.doc_count_all()]


def _joined(parts: list[np.ndarray], dtype=np.int64) -> np.ndarray:
    """The parts end to end; an empty array of ``dtype`` when there are none."""
    return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)


class Evaluation:
    """One query's evaluation: each node becomes Matches over the whole index; unless ``scored``,
    their masks only (every score 0), without the work of scoring."""

    def __init__(self, arrays: IndexArrays, searcher: Searcher, clock: Clock | None = None, scored: bool = True):
        self.arrays = arrays
        self.searcher = searcher
        self.clock = clock
        self.weighting = searcher.weighting
        self.scored = scored
        self._zeros: np.ndarray | None = None
        # A query's plan names the same term many times (each word in every field and spelling,
        # in the phrase, the words and the partial match): each is evaluated once. Matches
        # handed out are never changed in place.
        self._terms: dict[tuple[str, str, float], Matches] = {}

    def run(self, q: wq.Query) -> Matches:
        if self.clock is not None:
            self.clock.check()
        if isinstance(q, wq.Term):
            return self._term(q)
        if q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
            return self._none()
        if type(q) is wq.Every and q.fieldname in (None, "", "*"):
            return self._matches(self.arrays.live.copy(), lambda mask: mask * float(q.boost))
        if is_plain(q, wq.Or):
            return self._compound(q, np.logical_or) if not q.scale else self._whoosh(q)
        if is_plain(q, wq.And):
            return self._compound(q, np.logical_and)
        if type(q) is wq.Phrase and q.slop == 1:
            return self._phrase(q)
        if type(q) is wq.AndMaybe:
            a, b = self.run(q.a), self.run(q.b)
            return self._matches(a.mask, lambda mask: (a.scores + b.scores) * mask)
        if type(q) is wq.AndNot:
            a, b = self.run(q.a), self.run(q.b)
            mask = a.mask & ~b.mask
            return self._matches(mask, lambda mask: a.scores * mask)
        return self._whoosh(q)

    def _none(self) -> Matches:
        return self._matches(np.zeros(self.arrays.size, dtype=bool), lambda mask: np.zeros(self.arrays.size))

    def _matches(self, mask: np.ndarray, scores: Callable[[np.ndarray], np.ndarray]) -> Matches:
        """``mask`` with the ``scores`` made for it, or, unscored, with zeros shared by every node."""
        if self.scored:
            return Matches(mask, scores(mask))
        if self._zeros is None:
            self._zeros = np.zeros(self.arrays.size)
            self._zeros.flags.writeable = False
        return Matches(mask, self._zeros)

    def _compound(self, q: wq.CompoundQuery, combine) -> Matches:
        subs = q.subqueries
        if not subs:
            return self._none()
        if len(subs) == 1:  # Whoosh ignores the boost of a one-part compound
            return self.run(subs[0])
        parts = [self.run(sub) for sub in subs]
        mask = parts[0].mask.copy()
        for part in parts[1:]:
            combine(mask, part.mask, out=mask)
        return self._matches(mask, lambda mask: _summed(parts, q.boost) * mask)

    def _term(self, q: wq.Term) -> Matches:
        key = (q.fieldname, q.text, q.boost if self.scored else 1.0)
        if key not in self._terms:
            self._terms[key] = self._read_term(q)
        return self._terms[key]

    def _read_term(self, q: wq.Term) -> Matches:
        searcher, fieldname = self.searcher, q.fieldname
        if fieldname not in searcher.schema:
            return self._none()
        field = searcher.schema[fieldname]
        try:
            btext = field.to_bytes(q.text)
        except ValueError:
            return self._none()
        if type(self.weighting) is not BM25F:
            return self._whoosh(q) if (fieldname, btext) in searcher.reader() else self._none()
        kept = self.arrays._kept(searcher, fieldname, btext)  # cached, an absent term's too
        if not len(kept.weights):
            return self._none()
        return self._matches(kept.mask(self.arrays.size), lambda mask: self._term_scores(q, field, btext, *kept.unpack(mask)))

    def _term_scores(self, q: wq.Term, field, btext: bytes, ids: np.ndarray, weights: np.ndarray) -> np.ndarray:
        searcher, fieldname = self.searcher, q.fieldname
        if field.scorable:
            w = self.weighting
            lengths = self.arrays.lengths(searcher, fieldname)[ids]
            avgfl = searcher.avg_field_length(fieldname) or 1
            values = bm25(searcher.idf(fieldname, btext), weights, lengths, avgfl, field_b(w, fieldname), w.K1)
        else:
            values = weights  # Whoosh's WeightScorer
        if q.boost != 1.0:
            values = values * q.boost
        scores = np.zeros(self.arrays.size)
        scores[ids] = values
        return scores

    def _phrase(self, q: wq.Phrase) -> Matches:
        """Whoosh's phrase (its words at consecutive positions), scored as Whoosh does: the sum of its words' scores."""
        searcher, fieldname = self.searcher, q.fieldname
        if fieldname not in searcher.schema:
            return self._none()
        field = searcher.schema[fieldname]
        if not field.format or not field.format.supports("positions"):
            return self._whoosh(q)  # Whoosh's error
        try:
            btexts = [field.to_bytes(word) for word in q.words]
        except ValueError:
            return self._none()
        if any((fieldname, b) not in searcher.reader() for b in btexts):
            return self._none()
        words = [self._term(wq.Term(fieldname, word)) for word in q.words]
        mask = words[0].mask.copy()
        for word in words[1:]:
            mask &= word.mask
        pairs = self.arrays.pair_fields.get(fieldname)
        if pairs and len(q.words) > 1:
            tokens = [t.text for t in searcher.schema[pairs].analyzer(" ".join(q.words), mode="index")]
            for token in tokens:
                mask &= self._term(wq.Term(pairs, token)).mask
            # Two words the pair field holds as they are (unaccented): its term is the phrase itself.
            if tokens == [compound(q.words)]:
                return self._matches(mask, lambda mask: _summed(words, q.boost) * mask)
        found = np.zeros(self.arrays.size, dtype=bool)
        found[consecutive(searcher, fieldname, btexts, np.flatnonzero(mask))] = True
        return self._matches(found, lambda found: _summed(words, q.boost) * found)

    def _whoosh(self, q: wq.Query) -> Matches:
        """Whoosh's own search, document by document."""
        mask = np.zeros(self.arrays.size, dtype=bool)
        scores = np.zeros(self.arrays.size)
        found = self.searcher.search(q, limit=None).top_n
        if found:
            values, docs = zip(*found)
            mask[list(docs)] = True
            scores[list(docs)] = values
        return Matches(mask, scores)
