"""Turn a parsed query into Whoosh queries: what must match, and what ranks higher.

Matching goes through the folded form of each word, so a word typed without
diacritics matches every spelling. A word typed with diacritics also scores
its exact spelling, so ``bán`` ranks articles with ``bán`` above those with
``bàn``. Title matches weigh more. Phrases, nearby words and pyvi compounds
rank higher through phase two (:mod:`search.rescore`).

An abbreviation and its expansion match each other both ways, always as whole
phrases: ``MTTQ`` finds ``MTTQ`` or "mặt trận tổ quốc" as consecutive words,
never the loose words ``mắt`` and ``trận``, which would lengthen the list with
articles about football.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from whoosh import query as wq

from indexer.schema import PAIR_FIELDS
from search.highlight import Marker
from search.query import Either, ParsedQuery, Part, Phrase, Run
from search.rescore import Layout
from vietnamese.abbreviations import segments, spans
from vietnamese.analysis import QueryWord, compound
from vietnamese.text import fold_word

FIELDS = {"title": 3.0, "body": 1.0}
EXACT_BOOST = 2.0  # the exact spelling, on top of the folded match
ALTERNATIVE_BOOST = 0.4  # a typo's corrections rank below words matched as typed
CONTINUATION_BOOST = 0.3  # a half-typed last word's continuations rank below the word matched whole
ALL_BUT_ONE_BOOST = 2.0
PAIR_BOOST = 1.0
MAX_SPELLINGS = 16  # ways to write one unit of a query with its abbreviations swapped

class LazyOr(wq.Or):
    """An Or whose matcher reads postings as it goes, so an And around it can skip.

    Whoosh's default for larger Ors reads every posting up front, which is the
    slow part of ANDing common words and of scoring a few candidates.
    """

    matcher_type = wq.Or.DEFAULT_MATCHER


@dataclass(frozen=True)
class MatchPlan:
    """The queries for one search.

    ``required`` and ``partial`` find and score documents (folded and exact
    spelling, title weight); ``layout`` tells phase two (:mod:`search.rescore`)
    which word positions re-rank the best of them.
    """

    required: wq.Query  # every word (or its alternative) matches
    partial: wq.Query | None  # any word matches; for when nothing matches all of them
    layout: Layout
    marker: Marker  # what to highlight


class QueryBuilder:
    def __init__(self, exact: bool = False):
        self.exact = exact

    # -- single words and phrases --------------------------------------------------------

    def _forms(self, word: QueryWord) -> list[tuple[str, float]]:
        continued = [(c, CONTINUATION_BOOST) for c in word.continuations]
        if self.exact:
            return [(word.exact, 1.0)] + continued
        forms = [(word.folded, 1.0)]
        if word.accented:
            forms.append((word.exact, EXACT_BOOST))
        forms.extend((alt, ALTERNATIVE_BOOST) for alt in word.alternatives)
        return forms + continued

    def term(self, word: QueryWord) -> wq.Query:
        return LazyOr(
            [wq.Term(field, text, boost=fb * b) for field, fb in FIELDS.items() for text, b in self._forms(word)]
        )

    def phrase(self, words: Sequence[QueryWord]) -> wq.Query:
        if len(words) == 1:
            return self.term(words[0])
        texts = [w.exact if self.exact else w.folded for w in words]
        found = wq.Or([wq.Phrase(field, texts, boost=fb) for field, fb in FIELDS.items()])
        accented = [w.exact for w in words if w.accented]
        if self.exact or not accented:
            return found
        # As for single words, the phrase matches every spelling and the spelling typed ranks higher.
        return wq.AndMaybe(
            found, wq.Or([wq.Term(field, text, boost=fb * EXACT_BOOST) for field, fb in FIELDS.items() for text in accented])
        )

    # -- abbreviations -------------------------------------------------------------------

    @staticmethod
    def _spellings(words: tuple[QueryWord, ...]) -> list[tuple[QueryWord, ...]]:
        """The words as typed, and every way to write them with abbreviations and expansions swapped
        for their counterparts, nested ones too (UBMTTQ, Ủy ban MTTQ, Ủy ban Mặt trận Tổ quốc)."""
        found = {tuple(w.folded for w in words): words}
        queue = [words]
        while queue and len(found) < MAX_SPELLINGS:
            current = queue.pop(0)
            for start, end, other in spans(tuple(w.folded for w in current)):
                swapped = tuple(QueryWord(e, e, f) for f, e in zip(other.folded, other.exact))
                variant = current[:start] + swapped + current[end:]
                key = tuple(w.folded for w in variant)
                if key not in found and len(found) < MAX_SPELLINGS:
                    found[key] = variant
                    queue.append(variant)
        return list(found.values())

    def _units(self, words: tuple[QueryWord, ...]) -> list[tuple[QueryWord, ...]]:
        """A run of words cut into what must match: single words, and abbreviations or expansions whole."""
        units, at = [], 0
        for start, end, _ in segments(tuple(w.folded for w in words)):
            units.extend((w,) for w in words[at:start])
            units.append(words[start:end])
            at = end
        units.extend((w,) for w in words[at:])
        return units

    # -- parts ---------------------------------------------------------------------------

    def _unit(self, words: tuple[QueryWord, ...]) -> wq.Query:
        """A single word, a quoted phrase, or an abbreviation unit: any of its spellings, each a phrase."""
        return _any([self.phrase(s) for s in self._spellings(words)])

    def _slots(self, part: Part) -> list[wq.Query]:
        """What ``part`` requires, one query per unit that must match."""
        if isinstance(part, Either):
            return [wq.Or([wq.And(self._slots(p)) for p in part.parts])]
        if isinstance(part, Run):
            return [self._unit(unit) for unit in self._units(part.words)]
        return [self._unit(part.words)]

    def _excluded(self, part: Run | Phrase) -> wq.Query:
        # Exclusions are taken as typed: "-bán" drops "bán" but keeps "bàn"; "-ban" drops every spelling.
        texts = [w.exact if w.accented or self.exact else w.folded for w in part.words]
        if len(texts) == 1:
            return wq.Or([wq.Term(field, texts[0]) for field in FIELDS])
        return wq.Or([wq.Phrase(field, texts) for field in FIELDS])

    @staticmethod
    def _partial(slots: list[wq.Query]) -> wq.Query:
        """Any of the units, the more the better (their scores add up); all but one far above the rest,
        as a mistyped word is the likeliest reason that nothing has them all."""
        any_word = wq.Or(slots)
        if len(slots) < 3:
            return any_word
        all_but_one = [wq.And(slots[:i] + slots[i + 1 :]) for i in range(len(slots))]
        return wq.Or([wq.Or(all_but_one, boost=ALL_BUT_ONE_BOOST), any_word])

    def _pairs(self, parsed: ParsedQuery) -> list[wq.Query]:
        """Consecutive query words as pair terms: an article with the passage's rare pairs scores high."""
        pairs: dict[str, None] = {}
        for part in parsed.required:
            if isinstance(part, Run):
                folded = [w.folded for w in part.words]
                pairs.update((compound(folded[i : i + 2]), None) for i in range(len(folded) - 1))
                if len(folded) > 1:  # the half-typed last word as each word it may become
                    last = part.words[-1].continuations
                    pairs.update((compound([folded[-2], fold_word(c)]), None) for c in last)
        return [wq.Term(field, pair, boost=PAIR_BOOST) for field in PAIR_FIELDS.values() for pair in pairs]

    def _layout(self, parsed: ParsedQuery) -> Layout:
        """The word positions phase two looks at: each run of plain words, and its possible compounds."""
        runs, phrases, spelled, compounds = [], [], [], []
        for part in parsed.required:
            if not isinstance(part, Run) or len(part.words) < 2:
                continue
            runs.append(tuple(self._terms(w) for w in part.words))
            phrases.append(tuple(w.exact if self.exact else w.folded for w in part.words))
            accented = not self.exact and any(self._spelled(w) for w in part.words)
            spelled.append(tuple(w.exact if self._spelled(w) else w.folded for w in part.words) if accented else phrases[-1])
            compounds.extend(self._compounds(part.words))
        return Layout(
            tuple(runs), tuple(dict.fromkeys(compounds)), tuple(phrases), self._accented(parsed), tuple(spelled)
        )

    @staticmethod
    def _spelled(word: QueryWord) -> bool:
        """Whether ``word`` was typed with diacritics that say which word it is (no alternative readings,
        not half typed)."""
        return word.accented and not word.alternatives and not word.continuations

    def _accented(self, parsed: ParsedQuery) -> tuple[str, ...]:
        """The words every result should have as typed with diacritics (or as Telex spelled them),
        to rank first; none in exact search, where they are all a result may have."""
        if self.exact:
            return ()
        words = [w for p in parsed.required if not isinstance(p, Either) for w in p.words]
        return tuple(dict.fromkeys(w.exact for w in words if self._spelled(w)))

    def _terms(self, word: QueryWord) -> frozenset[str]:
        """The index terms that count as ``word`` for word order: any spelling unless exact search."""
        return frozenset([word.exact] if self.exact else [word.folded, *word.alternatives]) | set(word.continuations)

    def _compounds(self, words: Sequence[QueryWord]) -> Iterable[str]:
        for size in (2, 3):
            for i in range(len(words) - size + 1):
                group = words[i : i + size]
                yield compound([w.exact if self.exact else w.folded for w in group])

    # -- the whole query -----------------------------------------------------------------

    def plan(self, parsed: ParsedQuery) -> MatchPlan:
        excluded = [self._excluded(p) for p in parsed.excluded]

        def without_excluded(core: wq.Query) -> wq.Query:
            return wq.AndNot(core, wq.Or(excluded)) if excluded else core

        pairs = self._pairs(parsed)

        def with_pairs(core: wq.Query) -> wq.Query:
            return wq.AndMaybe(core, LazyOr(pairs)) if pairs else core

        slots = [slot for part in parsed.required for slot in self._slots(part)]
        if not slots:
            required = without_excluded(wq.Every())
            partial = None
        else:
            required = without_excluded(with_pairs(wq.And(slots)))
            partial = without_excluded(with_pairs(self._partial(slots))) if len(slots) > 1 else None
        return MatchPlan(required, partial, self._layout(parsed), self._marker(parsed))

    def _marker(self, parsed: ParsedQuery) -> Marker:
        """Every spelling of every unit: single words by themselves, phrases and abbreviations' other
        sides only as whole phrases."""
        words: set[str] = set()
        phrases: set[tuple[str, ...]] = set()
        for part in parsed.required:
            for sub in part.parts if isinstance(part, Either) else (part,):
                units = self._units(sub.words) if isinstance(sub, Run) else [sub.words]
                for unit in units:
                    for spelling in self._spellings(unit):
                        if len(spelling) > 1:
                            phrases.add(tuple(w.exact if self.exact else w.folded for w in spelling))
                        elif self.exact:
                            words.update((spelling[0].exact, *spelling[0].continuations))
                        else:
                            words.add(spelling[0].folded)
                            words.update(fold_word(a) for a in (*spelling[0].alternatives, *spelling[0].continuations))
        if self.exact:
            return Marker(exact=frozenset(words), exact_phrases=frozenset(phrases))
        return Marker(folded=frozenset(words), phrases=frozenset(phrases))


def _any(queries: list[wq.Query]) -> wq.Query:
    return queries[0] if len(queries) == 1 else wq.Or(queries)
