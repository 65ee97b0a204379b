"""Turn a parsed query into Whoosh queries: what must match, and what ranks higher.

Matching goes through the folded form of each word, so a word typed without
diacritics matches every spelling. A word typed with diacritics also scores
its exact spelling, so ``bán`` ranks articles with ``bán`` above those with
``bàn``. Title matches weigh more; phrases, nearby words and pyvi compounds of
adjacent words add to the score without being required. Abbreviations match
their expansions both ways.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from whoosh import query as wq

from search.query import Either, ParsedQuery, Part, Phrase, Run
from vietnamese.abbreviations import expansions
from vietnamese.analysis import QueryWord, compound

FIELDS = {"title": 3.0, "body": 1.0}
COMPOUND_FIELD = "words"
EXACT_BOOST = 2.0  # the exact spelling, on top of the folded match
ALTERNATIVE_BOOST = 0.4  # a typo's corrections rank below words matched as typed
PHRASE_BOOST = 4.0
PAIR_BOOST = 1.5
PROXIMITY_BOOST = 1.5
PROXIMITY_SLOP = 8
COMPOUND_BOOST = 1.0
PARTIAL_SCALE = 0.9

@dataclass(frozen=True)
class MatchPlan:
    """The queries for one search."""

    required: wq.Query  # every word (or its alternative) matches
    partial: wq.Query | None  # any word matches; for when nothing matches all of them
    exact_forms: frozenset[str]  # canonical spellings to highlight
    folded_forms: frozenset[str]  # folded spellings to highlight


class QueryBuilder:
    def __init__(self, exact: bool = False):
        self.exact = exact

    # -- single words and phrases --------------------------------------------------------

    def _forms(self, word: QueryWord) -> list[tuple[str, float]]:
        if self.exact:
            return [(word.exact, 1.0)]
        forms = [(word.folded, 1.0)]
        if word.accented:
            forms.append((word.exact, EXACT_BOOST))
        forms.extend((alt, ALTERNATIVE_BOOST) for alt in word.alternatives)
        return forms

    def term(self, word: QueryWord) -> wq.Query:
        return wq.Or(
            [wq.Term(field, text, boost=fb * b) for field, fb in FIELDS.items() for text, b in self._forms(word)]
        )

    def phrase(self, words: Sequence[QueryWord], boost: float = 1.0, slop: int = 1) -> wq.Query:
        if len(words) == 1:
            return self.term(words[0]) if boost == 1.0 else wq.Or([self.term(words[0])], boost=boost)
        spellings = [([w.exact for w in words], 1.0)] if self.exact else [([w.folded for w in words], 1.0)]
        if not self.exact and any(w.accented for w in words):
            spellings.append(([w.exact for w in words], EXACT_BOOST))
        return wq.Or(
            [
                wq.Phrase(field, texts, slop=slop, boost=boost * fb * b)
                for field, fb in FIELDS.items()
                for texts, b in spellings
            ]
        )

    # -- abbreviations -------------------------------------------------------------------

    @staticmethod
    def _variants(words: tuple[QueryWord, ...]) -> list[tuple[QueryWord, ...]]:
        """The words as typed, and with each abbreviation or expansion swapped for its counterpart."""
        variants = [words]
        for start, end, other in expansions(tuple(w.folded for w in words)):
            swapped = tuple(QueryWord(f, f, f) for f in other)
            variants.append(words[:start] + swapped + words[end:])
        return variants

    # -- parts ---------------------------------------------------------------------------

    def _required(self, part: Part) -> wq.Query:
        if isinstance(part, Either):
            return wq.Or([self._required(p) for p in part.parts])
        if isinstance(part, Run):
            return _any([wq.And([self.term(w) for w in v]) for v in self._variants(part.words)])
        return _any([self.phrase(v) for v in self._variants(part.words)])

    def _excluded(self, part: Run | Phrase) -> wq.Query:
        # Exclusions are taken as typed: "-bán" drops "bán" but keeps "bàn"; "-ban" drops every spelling.
        texts = [w.exact if w.accented or self.exact else w.folded for w in part.words]
        if len(texts) == 1:
            return wq.Or([wq.Term(field, texts[0]) for field in FIELDS])
        return wq.Or([wq.Phrase(field, texts) for field in FIELDS])

    def _boosts(self, parsed: ParsedQuery) -> list[wq.Query]:
        boosts: list[wq.Query] = []
        for part in parsed.required:
            if isinstance(part, Either):
                continue
            words = part.words
            if isinstance(part, Run) and len(words) > 1:
                boosts.append(self.phrase(words, PHRASE_BOOST))
                boosts.append(self.phrase(words, PROXIMITY_BOOST, slop=PROXIMITY_SLOP))
                if len(words) > 2:
                    boosts.extend(self.phrase(words[i : i + 2], PAIR_BOOST) for i in range(len(words) - 1))
            boosts.extend(self._compounds(words))
        return boosts

    def _compounds(self, words: Sequence[QueryWord]) -> Iterable[wq.Query]:
        for size in (2, 3):
            for i in range(len(words) - size + 1):
                group = words[i : i + size]
                texts = {compound([w.exact for w in group])}
                if not self.exact:
                    texts.add(compound([w.folded for w in group]))
                yield from (wq.Term(COMPOUND_FIELD, t, boost=COMPOUND_BOOST) for t in texts)

    # -- the whole query -----------------------------------------------------------------

    def plan(self, parsed: ParsedQuery) -> MatchPlan:
        boosts = self._boosts(parsed)
        excluded = [self._excluded(p) for p in parsed.excluded]

        def finish(core: wq.Query) -> wq.Query:
            if boosts:
                core = wq.AndMaybe(core, wq.Or(boosts))
            if excluded:
                core = wq.AndNot(core, wq.Or(excluded))
            return core

        if parsed.is_empty:
            required = wq.Every()
            partial = None
        else:
            required = finish(wq.And([self._required(p) for p in parsed.required]))
            singles = [self.term(w) for w in parsed.positive_words()]
            partial = finish(wq.Or(singles, scale=PARTIAL_SCALE)) if len(singles) > 1 else None
        if excluded and parsed.is_empty:
            required = wq.AndNot(required, wq.Or(excluded))

        exact_forms, folded_forms = set(), set()
        for word in self._highlight_words(parsed):
            if self.exact:
                exact_forms.add(word.exact)
            else:
                folded_forms.add(word.folded)
                folded_forms.update(word.alternatives)
        return MatchPlan(required, partial, frozenset(exact_forms), frozenset(folded_forms))

    def _highlight_words(self, parsed: ParsedQuery) -> list[QueryWord]:
        words = list(parsed.positive_words())
        for part in parsed.required:
            for sub in part.parts if isinstance(part, Either) else (part,):
                for variant in self._variants(sub.words)[1:]:
                    words.extend(variant)
        return words


def _any(queries: list[wq.Query]) -> wq.Query:
    return queries[0] if len(queries) == 1 else wq.Or(queries)
