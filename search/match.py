"""Turn a parsed query into Whoosh queries: what must match, and what ranks higher.

Matching goes through the folded form of each word, so a word typed without
diacritics matches every spelling. A word typed with diacritics also scores
its exact spelling, so ``bán`` ranks articles with ``bán`` above those with
``bàn``. Title matches weigh more. Phrases, nearby words and pyvi compounds
rank higher through phase two (:mod:`search.rescore`). Abbreviations match
their expansions both ways.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from whoosh import query as wq

from indexer.schema import PAIR_FIELDS
from search.query import Either, ParsedQuery, Part, Phrase, Run
from search.rescore import Layout
from vietnamese.abbreviations import expansions
from vietnamese.analysis import QueryWord, compound
from vietnamese.text import fold_word

FIELDS = {"title": 3.0, "body": 1.0}
EXACT_BOOST = 2.0  # the exact spelling, on top of the folded match
ALTERNATIVE_BOOST = 0.4  # a typo's corrections rank below words matched as typed
CONTINUATION_BOOST = 0.3  # a half-typed last word's continuations rank below the word matched whole
PARTIAL_SCALE = 0.9
ALL_BUT_ONE_BOOST = 2.0
PAIR_BOOST = 1.0

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
    exact_forms: frozenset[str]  # canonical spellings to highlight
    folded_forms: frozenset[str]  # folded spellings to highlight


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

    @staticmethod
    def _partial(singles: list[wq.Query]) -> wq.Query:
        """Any of the words, the more the better; all but one far above the rest, as a mistyped
        word is the likeliest reason that nothing has them all."""
        any_word = wq.Or(singles, scale=PARTIAL_SCALE)
        if len(singles) < 3:
            return any_word
        all_but_one = [wq.And(singles[:i] + singles[i + 1 :]) for i in range(len(singles))]
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
        runs, compounds = [], []
        for part in parsed.required:
            if not isinstance(part, Run) or len(part.words) < 2:
                continue
            runs.append(tuple(self._terms(w) for w in part.words))
            compounds.extend(self._compounds(part.words))
        return Layout(tuple(runs), tuple(dict.fromkeys(compounds)))

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

        if parsed.is_empty:
            required = without_excluded(wq.Every())
            partial = None
        else:
            required = without_excluded(with_pairs(wq.And([self._required(p) for p in parsed.required])))
            singles = [self.term(w) for w in parsed.positive_words()]
            partial = without_excluded(with_pairs(self._partial(singles))) if len(singles) > 1 else None

        exact_forms, folded_forms = set(), set()
        for word in self._highlight_words(parsed):
            if self.exact:
                exact_forms.add(word.exact)
                exact_forms.update(word.continuations)
            else:
                folded_forms.add(word.folded)
                folded_forms.update(fold_word(a) for a in (*word.alternatives, *word.continuations))
        return MatchPlan(
            required, partial, self._layout(parsed), frozenset(exact_forms), frozenset(folded_forms)
        )

    def _highlight_words(self, parsed: ParsedQuery) -> list[QueryWord]:
        words = list(parsed.positive_words())
        for part in parsed.required:
            for sub in part.parts if isinstance(part, Either) else (part,):
                for variant in self._variants(sub.words)[1:]:
                    words.extend(variant)
        return words


def _any(queries: list[wq.Query]) -> wq.Query:
    return queries[0] if len(queries) == 1 else wq.Or(queries)
