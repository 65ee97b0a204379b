"""Second-phase ranking: word order and closeness, for the best candidates only.

Phase one scores documents by their words (BM25F over folded and exact
spellings, title weighted). Here the best few dozen are re-ranked by where
those words stand: the whole query as a phrase, words next to each other,
all of them within a short window, and adjacent words that pyvi indexed as one
compound. Positions are read straight from the packed postings of these candidates
only, which is far cheaper than Whoosh's phrase queries over every match.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from whoosh import query as wq
from whoosh.searching import Searcher

from search.budget import Clock, OverBudget
from search.vectorized import IndexArrays, Matches, positions_in

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


def _adjacent_pairs(positions: list[set[int]]) -> float:
    pairs = len(positions) - 1
    return sum(any(p + 1 in positions[i + 1] for p in positions[i]) for i in range(pairs)) / pairs


def _is_phrase(positions: list[set[int]]) -> bool:
    return any(all(p + k in positions[k] for k in range(1, len(positions))) for p in positions[0])


def _is_phrase_but_one(positions: list[set[int]], absent: set[int]) -> bool:
    """The words in sequence but for one (of three or more) that the article does not have at all:
    a passage with one word mistyped into another."""
    missing = [k for k, ps in enumerate(positions) if not ps]
    if len(positions) < 3 or len(missing) != 1 or missing[0] not in absent:
        return False
    anchor = 1 if missing[0] == 0 else 0
    return any(all(p - anchor + k in ps for k, ps in enumerate(positions) if ps) for p in positions[anchor])


def _closeness(positions: list[set[int]]) -> float:
    """``n / w`` for the narrowest window of ``w`` positions holding all ``n`` words (1.0 for a phrase)."""
    if not all(positions):
        return 0.0
    merged = sorted((p, i) for i, ps in enumerate(positions) for p in ps)
    need, have, count = len(positions), {}, 0
    best = None
    left = 0
    for p, i in merged:
        have[i] = have.get(i, 0) + 1
        if have[i] == 1:
            count += 1
        while count == need:
            width = p - merged[left][0] + 1
            best = width if best is None else min(best, width)
            j = merged[left][1]
            have[j] -= 1
            if have[j] == 0:
                count -= 1
            left += 1
    return need / best if best else 0.0


class _Postings:
    """Positions of terms in the candidates of one segment, each term's postings read once."""

    def __init__(self, leaf, docnums: np.ndarray):
        self.leaf = leaf
        self.docnums = docnums
        self.found: dict[tuple[str, str], dict[int, set[int]]] = {}
        self.merged: dict[tuple[str, frozenset[str]], dict[int, set[int]]] = {}

    def _of(self, field: str, term: str) -> dict[int, set[int]]:
        key = (field, term)
        if key not in self.found:
            known = key in self.leaf.reader()
            matcher = self.leaf.postings(field, term) if known else None
            self.found[key] = positions_in(matcher, self.docnums, field != COMPOUND_FIELD) if known else {}
        return self.found[key]

    def positions(self, field: str, term: str, docnum: int) -> set[int]:
        return self._of(field, term).get(docnum, _NOWHERE)

    def positions_of_any(self, field: str, terms: frozenset[str], docnum: int) -> set[int]:
        """Where any of ``terms`` stands: merged once for every candidate (a word's spellings and
        continuations are many terms), not once per document."""
        key = (field, terms)
        if key not in self.merged:
            merged: dict[int, set[int]] = {}
            for term in terms:
                for doc, at in self._of(field, term).items():
                    merged[doc] = merged[doc] | at if doc in merged else at
            self.merged[key] = merged
        return self.merged[key].get(docnum, _NOWHERE)


_NOWHERE: frozenset[int] = frozenset()


def _multiplier(postings: _Postings, docnum: int, layout: Layout, features: list | None = None) -> float:
    """1 + the weights of the features the document has; each is also noted in ``features`` when given."""
    factor = 1.0

    def add(name: str, field: str, weight: float) -> None:
        nonlocal factor
        factor += weight
        if features is not None and weight:
            features.append((name, field, weight))

    for run in layout.runs:
        fields = {field: [postings.positions_of_any(field, terms, docnum) for terms in run] for field in TEXT_FIELDS}
        absent = {k for k in range(len(run)) if not any(positions[k] for positions in fields.values())}
        for field, positions in fields.items():
            if not any(positions):
                continue
            if all(positions) and _is_phrase(positions):
                add("phrase", field, PHRASE_WEIGHT[field])
            elif _is_phrase_but_one(positions, absent):
                add("phrase but one word", field, GAPPED_PHRASE_SHARE * PHRASE_WEIGHT[field])
            add("adjacent", field, ADJACENT_WEIGHT[field] * _adjacent_pairs(positions))
            add("closeness", field, CLOSENESS_WEIGHT[field] * _closeness(positions))
    if layout.compounds:
        found = sum(bool(postings.positions(COMPOUND_FIELD, c, docnum)) for c in layout.compounds)
        add("compound", COMPOUND_FIELD, COMPOUND_WEIGHT * found / len(layout.compounds))
    return factor


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
        found |= arrays.evaluate(searcher, wq.Phrase(field, list(phrase)), clock).mask
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
            tiers += step * arrays.evaluate(searcher, spelled, clock).mask
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
    with ``features``, each document's ``(feature, field, weight)`` found are put there (for explaining a score).
    When ``clock`` runs out, the documents not re-ranked yet keep their phase-one score (and
    ``clock.ran_out`` says so)."""
    scores = {docnum: score for score, docnum in ranked}
    try:
        for leaf, offset in searcher.leaf_searchers() if layout else ():
            end = offset + leaf.doc_count_all()
            local = np.array(sorted(d - offset for d in scores if offset <= d < end), dtype=np.int64)
            postings = _Postings(leaf, local)
            for docnum in local.tolist():
                if clock is not None:
                    clock.check()
                noted = None if features is None else features.setdefault(docnum + offset, [])
                scores[docnum + offset] *= _multiplier(postings, docnum, layout, noted)
    except OverBudget:
        pass
    tier = (lambda d: int(tiers[d])) if tiers is not None else (lambda d: 0)
    return sorted(((score, docnum) for docnum, score in scores.items()), key=lambda sd: (-tier(sd[1]), -sd[0], sd[1]))
