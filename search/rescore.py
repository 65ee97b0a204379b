"""Second-phase ranking: word order and closeness, for the best candidates only.

Phase one scores documents by their words (BM25F over folded and exact
spellings, title weighted). Here the best few dozen are re-ranked by where
those words stand: the whole query as a phrase, words next to each other,
all of them within a short window, and adjacent words that pyvi indexed as one
compound. Positions are read straight from the packed postings of these candidates
only, which is far cheaper than Whoosh's phrase queries over every match, and each
feature is found for all the candidates at once, with array operations on
``docnum << 32 | position`` keys rather than a Python loop per article.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from whoosh import query as wq
from whoosh.reading import TermNotFound
from whoosh.searching import Searcher

from search.budget import Clock, OverBudget
from search.vectorized import IndexArrays, Matches, among, in_sequence, positions_of

RESCORE_WINDOW = 100
TEXT_FIELDS = ("title", "body")
COMPOUND_FIELD = "words"
# How much each feature multiplies the phase-one score (1 + sum of weights of features present).
PHRASE_WEIGHT = {"title": 3.0, "body": 2.0}
GAPPED_PHRASE_SHARE = 0.8  # of the phrase weight, when one word of the run is not there
ADJACENT_WEIGHT = {"title": 0.4, "body": 0.4}
CLOSENESS_WEIGHT = {"title": 0.3, "body": 0.3}
COMPOUND_WEIGHT = 0.3


@dataclass(frozen=True)
class Layout:
    """What word positions to look at: per run of query words, the index terms each word may be,
    and the run as a phrase of the terms typed."""

    runs: tuple[tuple[frozenset[str], ...], ...] = ()
    compounds: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()
    accented: tuple[str, ...] = ()  # the words typed with diacritics, in their canonical spelling
    # Each of ``phrases`` in the spellings typed: the words typed with diacritics in those, the others folded.
    spelled_phrases: tuple[tuple[str, ...], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.runs or self.compounds)


class _Positions:
    """Where terms stand in the candidates (ascending local docnums) of one segment, as sorted
    ``docnum << 32 | position`` keys (the next word of a text has the key + 1): each term's
    postings read once, a word's many terms (spellings, continuations) merged once."""

    def __init__(self, leaf, docnums: np.ndarray, clock: Clock | None):
        self.leaf = leaf
        self.docnums = docnums
        self.clock = clock
        self.found: dict[tuple[str, str], np.ndarray] = {}
        self.merged: dict[tuple[str, frozenset[str]], np.ndarray] = {}

    def of(self, field: str, term: str) -> np.ndarray:
        key = (field, term)
        if key not in self.found:
            if self.clock is not None:
                self.clock.check()
            try:
                matcher = self.leaf.reader().postings(field, term)  # unscored: only where the term stands
            except TermNotFound:
                self.found[key] = _NOWHERE
            else:
                docs, at = positions_of(matcher, self.docnums, field != COMPOUND_FIELD)
                self.found[key] = (docs << 32) | at  # ascending: by document, then position
        return self.found[key]

    def of_any(self, field: str, terms: frozenset[str]) -> np.ndarray:
        key = (field, terms)
        if key not in self.merged:
            found = [self.of(field, t) for t in terms]
            self.merged[key] = found[0] if len(found) == 1 else np.unique(np.concatenate(found))
        return self.merged[key]

    def holding(self, keys: np.ndarray) -> np.ndarray:
        """Per candidate, whether one of ``keys`` is in it."""
        return among(self.docnums, keys >> 32)


_NOWHERE = np.zeros(0, dtype=np.int64)
_BEYOND = 1 << 62  # past every key: a window from here has no end in its document


def _adjacent_pairs(keys: list[np.ndarray], positions: _Positions) -> np.ndarray:
    """Per candidate, the share of the run's neighbouring words that stand next to each other somewhere."""
    pairs = len(keys) - 1
    found = sum(positions.holding(keys[i][among(keys[i] + 1, keys[i + 1])]).astype(np.int64) for i in range(pairs))
    return found / pairs


def _closeness(keys: list[np.ndarray], every: np.ndarray, positions: _Positions) -> np.ndarray:
    """Per candidate with every word (``every``), ``n / w`` for the narrowest window of ``w``
    positions holding all ``n`` words (1.0 for a phrase); 0 for the others.

    A narrowest window starts at some word; from a word's key, it must reach the next key of each
    word in the same document, so its width is the farthest of those, minus the start, plus one.
    """
    closeness = np.zeros(len(positions.docnums))
    starts = np.unique(np.concatenate(keys))
    starts = starts[among(starts >> 32, positions.docnums[every])]
    if not len(starts):
        return closeness
    reach = np.zeros(len(starts), dtype=np.int64)
    for later in keys:  # every word is in each of these documents: a next one exists, or none at all
        at = np.searchsorted(later, starts)
        nxt = later[np.minimum(at, len(later) - 1)]
        same = (at < len(later)) & (nxt >> 32 == starts >> 32)
        reach = np.maximum(reach, np.where(same, nxt, _BEYOND))
    width = reach - starts + 1
    docs, first = np.unique(starts >> 32, return_index=True)
    narrowest = np.minimum.reduceat(width, first)
    closeness[np.searchsorted(positions.docnums, docs)] = len(keys) / narrowest
    return closeness


def _features(positions: _Positions, layout: Layout) -> list[tuple[str, str, np.ndarray]]:
    """``(feature, field, weight per candidate)`` of each feature, in the order they add up."""
    features = []
    for run in layout.runs:
        keys = {field: [positions.of_any(field, terms) for terms in run] for field in TEXT_FIELDS}
        has = {field: np.array([positions.holding(k) for k in ks]) for field, ks in keys.items()}  # word × candidate
        absent = ~np.logical_or.reduce([has[field] for field in TEXT_FIELDS])
        for field, ks in keys.items():
            every = has[field].all(axis=0)
            phrase = every & positions.holding(in_sequence(ks))
            gapped = np.zeros(len(positions.docnums), dtype=bool)
            if len(run) >= 3:  # in sequence but for one word the article lacks (so never a phrase too)
                missing = (~has[field]).sum(axis=0)
                for m in range(len(run)):
                    gapped |= (missing == 1) & absent[m] & positions.holding(in_sequence(ks, skip=m))
            features += [
                ("phrase", field, np.where(phrase, PHRASE_WEIGHT[field], 0.0)),
                ("phrase but one word", field, np.where(gapped, GAPPED_PHRASE_SHARE * PHRASE_WEIGHT[field], 0.0)),
                ("adjacent", field, ADJACENT_WEIGHT[field] * _adjacent_pairs(ks, positions)),
                ("closeness", field, CLOSENESS_WEIGHT[field] * _closeness(ks, every, positions)),
            ]
    if layout.compounds:
        found = sum(positions.holding(positions.of(COMPOUND_FIELD, c)).astype(np.int64) for c in layout.compounds)
        features.append(("compound", COMPOUND_FIELD, COMPOUND_WEIGHT * found / len(layout.compounds)))
    return features


@dataclass(frozen=True)
class Holders:
    """Per document, how many of the query's runs of two words or more it holds as a phrase (in its
    title or body): in any spelling, and in the spellings typed (:attr:`Layout.spelled_phrases`)."""

    any: np.ndarray
    spelled: np.ndarray
    accented: np.ndarray  # of the runs with a word typed with diacritics, those held as typed


def phrase_holders(arrays: IndexArrays, searcher: Searcher, layout: Layout, clock: Clock | None = None) -> Holders | None:
    """The query's :class:`Holders`; None when it has no run of two words or more. What is not
    checked when ``clock`` runs out counts as not held (``clock.ran_out`` says so)."""
    if not layout.phrases:
        return None
    holders = Holders(*(np.zeros(arrays.size, dtype=np.int64) for _ in range(3)))
    try:
        for phrase, spelled in zip(layout.phrases, layout.spelled_phrases):
            held = _held(arrays, searcher, phrase, clock)
            holders.any[:] += held
            if spelled == phrase:
                holders.spelled[:] += held
            else:
                held = _held(arrays, searcher, spelled, clock)
                holders.spelled[:] += held
                holders.accented[:] += held
    except OverBudget:
        pass
    return holders


def _held(arrays: IndexArrays, searcher: Searcher, phrase: tuple[str, ...], clock: Clock | None) -> np.ndarray:
    found = np.zeros(arrays.size, dtype=bool)
    for field in TEXT_FIELDS:
        found |= arrays.matching(searcher, wq.Phrase(field, list(phrase)), clock)
    return found


def phrase_tiers(
    arrays: IndexArrays, searcher: Searcher, layout: Layout, holders: Holders | None, clock: Clock | None = None
) -> np.ndarray | None:
    """Per document, a rank to sort by before any score, checked over every document at once; None
    when the query has neither a run of two words or more nor a word typed with diacritics.

    In Vietnamese the tone mark is part of the word, so what was typed with diacritics comes first:
    first, how many runs of words the document holds as a phrase in the spellings typed (``không
    trung`` above "không trùng"); then whether it has every word typed with diacritics in that exact
    spelling (``Đông y`` above đồng ý, however common the other is); then how many of the query's
    runs it holds as a phrase in any spelling: an article that has the words as a phrase is never
    left below articles that have them scattered, however many of those the first phase scores
    higher. ``holders``: :func:`phrase_holders`. What is not checked when ``clock`` runs out counts
    as not held (``clock.ran_out`` says so)."""
    if not layout.phrases and not layout.accented:
        return None
    tiers = np.zeros(arrays.size, dtype=np.int64)
    step = len(layout.phrases) + 1  # above every count of phrases held in any spelling
    if holders is not None:
        tiers += holders.any + 2 * step * holders.accented
    if layout.accented:
        spelled = wq.And([wq.Or([wq.Term(f, word) for f in TEXT_FIELDS]) for word in layout.accented])
        try:
            tiers += step * arrays.matching(searcher, spelled, clock)
        except OverBudget:
            pass
    return tiers


def preselect(matches: Matches, tiers: np.ndarray | None, n: int) -> list[tuple[float, int]]:
    """The ``n`` best ``(score, docnum)`` of phase one, those holding more phrases first."""
    if tiers is None:
        return matches.best(n)
    ceiling = float(matches.scores.max(initial=0.0)) + 1.0
    keyed = Matches(matches.mask, tiers * ceiling + matches.scores)
    return [(float(matches.scores[d]), d) for _, d in keyed.best(n)]


def rescore(
    searcher: Searcher,
    ranked: Sequence[tuple[float, int]],
    layout: Layout,
    tiers: np.ndarray | None = None,
    features: dict[int, list] | None = None,
    clock: Clock | None = None,
) -> list[tuple[float, int]]:
    """``(score, docnum)`` pairs re-ranked by word positions, best first (more phrases held first);
    each score is multiplied by 1 + the weights of the features its document has. With ``features``,
    each document's ``(feature, field, weight)`` found are put there (for explaining a score). When
    ``clock`` runs out, the documents of the segments not re-ranked yet keep their phase-one score
    (and ``clock.ran_out`` says so)."""
    scores = {docnum: score for score, docnum in ranked}
    try:
        for leaf, offset in searcher.leaf_searchers() if layout else ():
            end = offset + leaf.doc_count_all()
            local = np.array(sorted(d - offset for d in scores if offset <= d < end), dtype=np.int64)
            if not len(local):
                continue
            found = _features(_Positions(leaf, local, clock), layout)
            factors = np.ones(len(local))
            for _, _, weight in found:
                factors += weight
            for i, docnum in enumerate(local.tolist()):
                scores[docnum + offset] *= float(factors[i])
                if features is not None:
                    features[docnum + offset] = [(name, field, float(w[i])) for name, field, w in found if w[i]]
    except OverBudget:
        pass
    tier = (lambda d: int(tiers[d])) if tiers is not None else (lambda d: 0)
    return sorted(((score, docnum) for docnum, score in scores.items()), key=lambda sd: (-tier(sd[1]), -sd[0], sd[1]))
