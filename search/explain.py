"""Why a hit scores what it does: its phase-one score split into the index terms that made it,
and the word-order features phase two multiplied it by.

A hit's score is ``phase_one × multiplier``: ``phase_one`` is the sum of :attr:`Explanation.parts`
(BM25F of each query term in each field and spelling, boosts applied), ``multiplier`` is
``1 + Σ`` the weights of :attr:`Explanation.features` (:mod:`search.rescore`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from whoosh import query as wq

from search.query import ParsedQuery
from search.vectorized import Evaluation
from vietnamese.text import fold_word

PAIR_FIELD_SUFFIX = "_pairs"


@dataclass(frozen=True)
class ScorePart:
    field: str
    term: str
    kind: str  # folded | exact (the spelling typed, boosted) | alternative (a correction or Telex reading) | pair | compound | coordination
    score: float


@dataclass(frozen=True)
class Feature:
    name: str  # phrase | phrase but one word | adjacent | closeness | compound
    field: str
    weight: float  # added to the multiplier


@dataclass(frozen=True)
class Explanation:
    parts: tuple[ScorePart, ...]
    features: tuple[Feature, ...]
    corrections: tuple[str, ...]  # the query's words also read as other spellings

    @property
    def phase_one(self) -> float:
        return sum(p.score for p in self.parts)

    @property
    def multiplier(self) -> float:
        return 1.0 + sum(f.weight for f in self.features)


class PartsOf:
    """Splits the phase-one scores of one query into the terms that contributed, per document."""

    def __init__(self, evaluation: Evaluation, query: wq.Query, parsed: ParsedQuery):
        self.evaluation = evaluation
        self.query = query
        words = parsed.positive_words()
        self.alternatives = {a for w in words for a in w.alternatives}

    def __call__(self, docnum: int) -> tuple[ScorePart, ...]:
        return tuple(p for p in self._parts(self.query, docnum, 1.0) if p.score)

    def _kind(self, term: wq.Term) -> str:
        if term.fieldname.endswith(PAIR_FIELD_SUFFIX):
            return "pair"
        if term.fieldname == "words":
            return "compound"
        if term.text in self.alternatives:
            return "alternative"
        return "folded" if fold_word(term.text) == term.text else "exact"

    def _parts(self, q: wq.Query, docnum: int, boost: float) -> list[ScorePart]:
        found = self.evaluation.run(q)
        if not found.mask[docnum]:
            return []
        score = float(found.scores[docnum]) * boost
        if isinstance(q, wq.Term):
            return [ScorePart(q.fieldname, q.text, self._kind(q), score)]
        if isinstance(q, wq.Phrase):  # scored as the sum of its words
            words = [wq.Term(q.fieldname, w) for w in q.words]
            return [p for w in words for p in self._parts(w, docnum, boost * q.boost)]
        if isinstance(q, wq.AndNot):
            children, inner = [q.a], boost
        elif isinstance(q, wq.AndMaybe):
            children, inner = [q.a, q.b], boost
        elif isinstance(q, wq.CompoundQuery):
            children, inner = q.subqueries, boost * (q.boost if len(q.subqueries) > 1 else 1.0)
        else:
            return [ScorePart("", str(q), "other", score)]
        parts = [p for child in children for p in self._parts(child, docnum, inner)]
        rest = score - sum(p.score for p in parts)
        if not np.isclose(rest, 0.0, atol=1e-9):  # Whoosh's coordination bonus for "any of the words"
            parts.append(ScorePart("", "", "coordination", rest))
        return parts
