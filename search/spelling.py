"""What a query word meant when the corpus does not have it as typed.

Checked against the index's own vocabulary, in this order: the word as typed;
Telex or VNI typed with the input method off (``Haf`` → ``hà``), kept only when
the decoded syllable exists; a typo, corrected to the corpus's syllables one
edit away (words of four letters or more), which then match below exact ones.

A typo often makes another real syllable (``mang`` → ``nang``, ``Giáo`` →
``Gáo``), and a Telex reading may be a typo's accident (``Moso`` → ``mố``, for
``Mosuo``). Such a word is read as a possible typo too when a correction fits its
neighbours in the query far better than it does: the context a spelling checker
uses, with the corpus as a bigram language model (:class:`Context`).
"""

from __future__ import annotations

import bisect
import string
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import cached_property, lru_cache

import numpy as np

from whoosh.reading import IndexReader

from search.query import Either, ParsedQuery, Part
from vietnamese.analysis import QueryWord, compound
from vietnamese.text import fold_word
from vietnamese.typing import decode_telex, decode_vni

TEXT_FIELDS = ("title", "body")
MIN_TYPO_LENGTH = 4
MAX_CORRECTIONS = 3
_LETTERS = string.ascii_lowercase + string.digits
MIN_CONTEXT_WORDS = 3  # fewer words are too little context to doubt a real word
CONTEXT_RATIO = 10.0  # how much likelier in context a correction must be than a real word typed
SMOOTHING = 0.5  # added to every pair count: a pair the corpus lacks is rare, not impossible

# In how many articles two folded syllables stand one after the other.
PairCount = Callable[[str, str], int]


def pair_count(reader: IndexReader, fields: Sequence[str]) -> PairCount:
    """A :data:`PairCount` over index fields of consecutive folded syllable pairs."""
    return lambda first, second: sum(reader.doc_frequency(f, compound([first, second])) for f in fields)


class Vocabulary:
    """Every term of the text fields (canonical and folded spellings) with its document frequency."""

    def __init__(self, reader: IndexReader):
        self.frequency: dict[str, int] = {}
        # Segment by segment: a multi-segment reader's own walk looks every term up in each
        # segment, six times slower, for the same sums.
        for segment, _ in reader.leaf_readers():
            fields = set(segment.indexed_field_names())
            for field in (f for f in TEXT_FIELDS if f in fields):
                for term, info in segment.iter_field(field):
                    text = term.decode("utf-8") if isinstance(term, bytes) else term
                    self.frequency[text] = self.frequency.get(text, 0) + info.doc_frequency()

    def __contains__(self, term: str) -> bool:
        return term in self.frequency

    def starting_with(self, prefix: str, limit: int) -> list[str]:
        """At most ``limit`` terms that begin with ``prefix`` (and are longer), most frequent first.

        Looked up in the terms sorted once per index generation, folded (ASCII) and accented
        apart, so a folded prefix finds folded terms; the few most frequent of even a
        one-letter prefix's thousands are picked with one numpy call.
        """
        terms, counts = self._sorted[prefix.isascii()]
        start = bisect.bisect_right(terms, prefix)
        end = bisect.bisect_left(terms, prefix + "\U0010ffff", start)
        found = counts[start:end]
        best = np.argpartition(-found, limit - 1)[:limit] if len(found) > limit else np.arange(len(found))
        return [terms[start + i] for i in sorted(best.tolist(), key=lambda i: (-found[i], i))]

    @cached_property
    def _sorted(self) -> dict[bool, tuple[list[str], np.ndarray]]:
        """Accented terms (False) and folded ones (True), each sorted, with their frequencies."""
        split: dict[bool, list[str]] = {True: [], False: []}
        for term in sorted(self.frequency):
            split[term.isascii()].append(term)
        return {k: (v, np.array([self.frequency[t] for t in v], dtype=np.int64)) for k, v in split.items()}

    def corrections(
        self,
        typed: tuple[str, ...],
        accept: Callable[[str], bool] = lambda _: True,
        rank: Callable[[str], float] = lambda _: 0,
    ) -> tuple[str, ...]:
        """Folded corpus terms one edit (incl. a swap of neighbours) away from any of the folded forms
        ``typed`` that ``accept`` accepts, highest ``rank`` first, then most frequent."""
        found = {e for folded in typed for e in self._edits(folded) if e not in typed and accept(e)}
        return tuple(sorted(found, key=lambda e: (-rank(e), -self.frequency[e], e))[:MAX_CORRECTIONS])

    def _edits(self, folded: str) -> set[str]:
        """Corpus terms one edit away; the longer of the two has four letters or more (``ong`` →
        ``vong``): shorter syllables are too alike for one edit to tell which was meant. A number
        has none: 55000 is not a typo for 5500."""
        if len(folded) < MIN_TYPO_LENGTH - 1 or not folded.isascii() or folded.isdigit():
            return set()
        splits = [(folded[:i], folded[i:]) for i in range(len(folded) + 1)]
        edits = {a + b[1:] for a, b in splits if b}
        edits |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
        edits |= {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
        edits |= {a + c + b for a, b in splits for c in _LETTERS}
        long_enough = len(folded) >= MIN_TYPO_LENGTH
        return {e for e in edits if (long_enough or len(e) >= MIN_TYPO_LENGTH) and e in self.frequency}


def _decoded(word: QueryWord, vocabulary: Vocabulary) -> str | None:
    """The corpus syllable that ``word`` types in Telex or VNI, if any."""
    for decode in (decode_telex, decode_vni):
        decoded = decode(word.typed)
        if decoded and decoded != word.exact and decoded in vocabulary:
            return decoded
    return None


def _as_typed(word: QueryWord, vocabulary: Vocabulary) -> QueryWord:
    """The word as typed, or the corpus syllable it types in Telex or VNI."""
    decoded = _decoded(word, vocabulary)
    if word.exact in vocabulary:
        # Telex keys make no Vietnamese syllable, so a word that has them and is in the
        # corpus is a foreign one ("sex", "its", "ddos"); it may still be Telex for "sẽ", "ít", "đó".
        return replace(word, alternatives=(decoded,)) if decoded else word
    if decoded:
        return QueryWord(word.typed, decoded, fold_word(decoded))
    return word


class Context:
    """How well a folded syllable fits in place of query word ``i``, between its neighbours.

    A bigram model of the corpus: ``P(x | before) · P(after | x)``, from the pair
    fields' counts and the vocabulary's, smoothed so that an unseen pair is rare,
    not impossible.
    """

    def __init__(self, words: Sequence[QueryWord], i: int, vocabulary: Vocabulary, pairs: PairCount):
        self.before = words[i - 1].folded if i > 0 else None
        self.after = words[i + 1].folded if i + 1 < len(words) else None
        self.vocabulary = vocabulary
        self.pairs = pairs

    def seen(self, folded: str) -> int:
        """How many of the neighbours ``folded`` stands next to in some article."""
        return (self.before is not None and self.pairs(self.before, folded) > 0) + (
            self.after is not None and self.pairs(folded, self.after) > 0
        )

    def likelihood(self, folded: str) -> float:
        count = self.vocabulary.frequency.get(folded, 0)
        left = (self.pairs(self.before, folded) if self.before is not None else count) + SMOOTHING
        right = (self.pairs(folded, self.after) + SMOOTHING) / (count + 1) if self.after is not None else 1.0
        return left * right

    def prefers(self, correction: str, typed: str) -> bool:
        """The correction fits: next to more neighbours than the word typed, or as many and far likelier."""
        seen, seen_typed = self.seen(correction), self.seen(typed)
        if seen != seen_typed:
            return seen > seen_typed
        return seen > 0 and self.likelihood(correction) >= CONTEXT_RATIO * self.likelihood(typed)


def _corrected(word: QueryWord, vocabulary: Vocabulary, context: Context | None) -> QueryWord:
    """A word the corpus lacks, with the corrections likeliest in context; a corpus word (or a Telex
    reading) that its context makes far less likely than a correction, with those corrections."""
    rank = context.likelihood if context else (lambda _: 0)
    if word.folded not in vocabulary:
        return replace(word, alternatives=vocabulary.corrections((word.folded,), rank=rank))
    if word.alternatives or context is None:  # read as Telex already; or too little context
        return word
    # The letters typed may be the typo, not the Telex reading: "Moso" is "Mosuo" more than "mố".
    typed = dict.fromkeys([word.folded, fold_word(word.typed)])
    corrections = vocabulary.corrections(tuple(typed), accept=lambda c: context.prefers(c, word.folded), rank=rank)
    return replace(word, alternatives=corrections) if corrections else word


def respell(parsed: ParsedQuery, vocabulary: Vocabulary, pairs: PairCount) -> ParsedQuery:
    """``parsed`` with each word it requires read as the person meant it; exclusions stay as typed."""
    pairs = lru_cache(maxsize=None)(pairs)

    def part(p: Part) -> Part:
        if isinstance(p, Either):
            return Either(tuple(part(sub) for sub in p.parts))
        words = [_as_typed(w, vocabulary) for w in p.words]
        context = len(words) >= MIN_CONTEXT_WORDS
        return type(p)(
            tuple(
                _corrected(w, vocabulary, Context(words, i, vocabulary, pairs) if context else None)
                for i, w in enumerate(words)
            )
        )

    return replace(parsed, required=tuple(part(p) for p in parsed.required))
