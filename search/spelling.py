"""What a query word meant, read against the index's own vocabulary.

A word the corpus has, in any spelling that folds to it, is matched as typed: each
other reading would lengthen the list behind the person's back. It is read as
something else only when its neighbours in the query make that far likelier, with
the corpus as a bigram language model (:class:`Context`): a Telex reading
(``ddos laf`` → ``đó là``), or for words of five letters or more a one-edit
correction. The new reading then replaces it, and is reported (:class:`Reading`),
so the page can say so and link to the search as typed.

A word the corpus lacks is read as Telex or VNI typed with the input method off
(``Haf`` → ``hà``) when that makes a corpus syllable; else corrected to the
corpus's syllables one edit away, likeliest in context first, unless it is a
Vietnamese syllable the corpus merely lacks (:mod:`vietnamese.lexicon`).
"""

from __future__ import annotations

import bisect
import string
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import cached_property, lru_cache

import numpy as np

from whoosh.reading import IndexReader

from search.model import Reading
from search.query import Either, ParsedQuery, Part
from vietnamese.analysis import QueryWord, compound
from vietnamese.lexicon import is_syllable
from vietnamese.text import fold_word
from vietnamese.typing import decode_telex, decode_vni

TEXT_FIELDS = ("title", "body")
MIN_TYPO_LENGTH = 4
MAX_CORRECTIONS = 3
_LETTERS = string.ascii_lowercase + string.digits
MIN_CONTEXT_WORDS = 3  # fewer words are too little context to doubt a real word
MIN_REAL_WORD_CORRECTION = 5  # letters: shorter syllables have too many real one-edit neighbours
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

    @cached_property
    def _accented(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for term in self.frequency:
            if not term.isascii():
                found.setdefault(fold_word(term), []).append(term)
        for spellings in found.values():
            spellings.sort(key=lambda t: (-self.frequency[t], t))
        return found

    def accented(self, folded: str) -> list[str]:
        """The corpus's spellings with diacritics of a folded syllable, most frequent first."""
        return self._accented.get(folded, [])

    def corrections(
        self,
        typed: tuple[str, ...],
        accept: Callable[[str], bool] = lambda _: True,
        rank: Callable[[str], float] = lambda _: 0,
        short: bool = False,
    ) -> tuple[str, ...]:
        """Folded corpus terms one edit (incl. a swap of neighbours) away from any of the folded forms
        ``typed`` that ``accept`` accepts, highest ``rank`` first, then most frequent; ``short``: three-
        letter words too, where the caller's ``accept`` makes sure they fit."""
        found = {e for folded in typed for e in self._edits(folded, short) if e not in typed and accept(e)}
        return tuple(sorted(found, key=lambda e: (-rank(e), -self.frequency[e], e))[:MAX_CORRECTIONS])

    def _edits(self, folded: str, short: bool = False) -> set[str]:
        """Corpus terms one edit away; unless ``short``, the longer of the two has four letters or more
        (``ong`` → ``vong``): shorter syllables are too alike for one edit to tell which was meant.
        A number has none: 55000 is not a typo for 5500."""
        if len(folded) < MIN_TYPO_LENGTH - 1 or not folded.isascii() or folded.isdigit():
            return set()
        splits = [(folded[:i], folded[i:]) for i in range(len(folded) + 1)]
        edits = {a + b[1:] for a, b in splits if b}
        edits |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
        edits |= {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
        edits |= {a + c + b for a, b in splits for c in _LETTERS}
        long_enough = short or len(folded) >= MIN_TYPO_LENGTH
        return {e for e in edits if (long_enough or len(e) >= MIN_TYPO_LENGTH) and e in self.frequency}


def _decoded(word: QueryWord, vocabulary: Vocabulary) -> str | None:
    """The corpus syllable that ``word`` types in Telex or VNI, if any."""
    for decode in (decode_telex, decode_vni):
        decoded = decode(word.typed)
        if decoded and decoded != word.exact and decoded in vocabulary:
            return decoded
    return None


def _read_as(word: QueryWord, reading: str, vocabulary: Vocabulary) -> QueryWord:
    """``word`` read as another syllable, which replaces it; a folded correction of a word typed with
    diacritics is given the corpus's commonest spelling of it (``khuyết`` → ``khuyến``, not ``khuyen``)."""
    if word.accented and reading.isascii():
        reading = next(iter(vocabulary.accented(reading)), reading)
    return QueryWord(word.typed, reading, fold_word(reading))


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

    def far_likelier(self, reading: str, typed: str) -> bool:
        """Strong enough to read a word the corpus has as another: it fits at least as many
        neighbours, and is far likelier between them."""
        seen = self.seen(reading)
        return seen > 0 and seen >= self.seen(typed) and self.likelihood(reading) >= CONTEXT_RATIO * self.likelihood(typed)


def _known(word: QueryWord, vocabulary: Vocabulary, context: Context | None) -> QueryWord:
    """A word the corpus has, in some spelling: read as typed, unless its neighbours make a Telex
    reading of it (``ddos laf`` → ``đó là``) or, for a word of five letters or more, a one-edit
    correction far likelier. Shorter syllables have too many real neighbours to doubt."""
    if context is None:
        return word
    readings = [r for r in [_decoded(word, vocabulary)] if r and context.far_likelier(fold_word(r), word.folded)]
    if len(word.folded) >= MIN_REAL_WORD_CORRECTION:
        readings += vocabulary.corrections(
            (word.folded,), accept=lambda c: context.far_likelier(c, word.folded), rank=context.likelihood
        )
    if not readings:
        return word
    return _read_as(word, max(readings, key=lambda r: context.likelihood(fold_word(r))), vocabulary)


def _unknown(word: QueryWord, vocabulary: Vocabulary, context: Context | None) -> QueryWord:
    """A word the corpus lacks: its Telex or VNI reading; else, unless it is a Vietnamese syllable the
    corpus merely lacks, the corrections likeliest in context, which match in its place."""
    rank = context.likelihood if context else (lambda _: 0)
    decoded = _decoded(word, vocabulary)
    if decoded:
        telex = _read_as(word, decoded, vocabulary)
        if context is None:
            return telex
        # The letters typed may be the typo, not the Telex reading: "Moso" is "Mosuo" more than "mố".
        typos = vocabulary.corrections(
            (fold_word(word.typed),), accept=lambda c: context.prefers(c, telex.folded), rank=rank
        )
        return replace(telex, alternatives=typos)
    if is_syllable(word.folded):
        if context is None or len(word.folded) < MIN_REAL_WORD_CORRECTION:
            return word  # "bóng" in a corpus without it is no typo for "động"
        return replace(word, alternatives=vocabulary.corrections(
            (word.folded,), accept=lambda c: context.far_likelier(c, word.folded), rank=rank
        ))
    # Corrections that stand next to a neighbour in the corpus (``giao duk`` → ``dục``), any length, and
    # not far less likely there than the best of them; else the most frequent of four letters or more.
    fitting = ()
    if context:
        fitting = vocabulary.corrections((word.folded,), accept=lambda c: context.seen(c) > 0, rank=rank, short=True)
        fitting = tuple(c for c in fitting if CONTEXT_RATIO * rank(c) >= rank(fitting[0]))
    return replace(word, alternatives=fitting or vocabulary.corrections((word.folded,), rank=rank))


def _reading(word: QueryWord) -> Reading | None:
    """What ``word`` was read as, when not as typed."""
    if word.folded != fold_word(word.typed):
        return Reading(word.typed, word.exact)
    if word.alternatives:
        return Reading(word.typed, word.alternatives[0])
    return None


def respell(parsed: ParsedQuery, vocabulary: Vocabulary, pairs: PairCount) -> ParsedQuery:
    """``parsed`` with each word it requires read as the person meant it, and what was read otherwise;
    exclusions stay as typed."""
    pairs = lru_cache(maxsize=None)(pairs)

    def part(p: Part) -> Part:
        if isinstance(p, Either):
            return Either(tuple(part(sub) for sub in p.parts))
        words = p.words
        read = []
        for i, w in enumerate(words):
            around = Context(words, i, vocabulary, pairs) if len(words) > 1 else None
            if w.folded in vocabulary:  # to doubt a word the corpus has takes more words around it
                read.append(_known(w, vocabulary, around if len(words) >= MIN_CONTEXT_WORDS else None))
            else:
                read.append(_unknown(w, vocabulary, around))
        return type(p)(tuple(read))

    required = tuple(part(p) for p in parsed.required)
    respelled = replace(parsed, required=required)
    readings = tuple(r for r in map(_reading, respelled.positive_words()) if r)
    return replace(respelled, readings=readings)
