"""The Vietnamese analysis chain, shared by the indexer and the query side.

Whoosh pickles analyzers into the index schema, so everything here is a
module-level class at a stable import path, composed with ``|`` like Whoosh's
own analyzers.

Two analyzers:

* :func:`syllable_analyzer` — one token per syllable, with positions, so that
  every phrase matches however pyvi would segment it. Each syllable is indexed
  in its canonical spelling *and*, at the same position, in its folded form
  (Pagefind's design): a query without diacritics matches the folded form, a
  query with them can also score the exact spelling higher.
* :func:`compound_analyzer` — pyvi's multi-syllable words (``mặt_trận``), in
  both spellings, used only to rank compounds above the same syllables apart.
* :func:`pair_analyzer` — every two consecutive folded syllables as one term,
  so that a passage's rare word pairs find it among thousands of articles
  that have its common words, at the cost of a term lookup, not a phrase check.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from whoosh.analysis import Filter, RegexTokenizer, Tokenizer
from whoosh.analysis.acore import Token

from vietnamese.text import fold, fold_word, normalize, normalize_word

WORD_PATTERN = r"[^\W_]+"
# A term recurs thousands of times in a corpus: spell each one once.
_canonical = lru_cache(maxsize=1 << 17)(normalize)
_folded = lru_cache(maxsize=1 << 17)(fold)
COMPOUND_JOINER = "_"


class SyllableTokenizer(RegexTokenizer):
    """Letters-and-digits runs of NFC text (``2024-2029`` → ``2024``, ``2029``).

    Stored text is NFC, so character offsets computed here point into it.
    """

    def __init__(self):
        super().__init__(expression=WORD_PATTERN)

    def __call__(self, value, **kwargs):
        return super().__call__(unicodedata.normalize("NFC", value), **kwargs)


class SpellingFilter(Filter):
    """Canonical spelling: lowercase, NFC, tone mark on one fixed vowel (``Hoà`` → ``hòa``)."""

    def __call__(self, tokens):
        for t in tokens:
            t.text = _canonical(t.text)
            yield t


class FoldedVariantFilter(Filter):
    """After each token, its folded twin at the same position (``đường`` → ``duong``).

    Only when indexing: a query is analysed word by word by :func:`query_words`.
    """

    def __call__(self, tokens):
        for t in tokens:
            yield t
            if t.mode != "query":
                folded = _folded(t.text)
                if folded != t.text:
                    t.text = folded
                    yield t


class FoldFilter(Filter):
    """The folded form only (``đường`` → ``duong``)."""

    def __call__(self, tokens):
        for t in tokens:
            t.text = _folded(t.text)
            yield t


class PairFilter(Filter):
    """Each two consecutive tokens as one term (``mat_tran``): shingles that make phrases cheap to score."""

    def __call__(self, tokens):
        previous = None
        for t in tokens:
            text = t.text
            if previous is not None:
                t.text = compound([previous, text])
                yield t
            previous = text


class PyviCompoundTokenizer(Tokenizer):
    """pyvi's multi-syllable words only (``Mặt_trận``); single syllables are left to the syllable field."""

    def __call__(self, value, positions=False, chars=False, mode="", **kwargs):
        from vietnamese.segment import segment  # loads pyvi's CRF model: only where compounds are analysed

        t = Token(positions, chars, mode=mode, **kwargs)
        pos = 0
        for word in segment(unicodedata.normalize("NFC", value)):
            if COMPOUND_JOINER in word.strip(COMPOUND_JOINER):
                t.text = word
                t.boost = 1.0
                t.stopped = False
                if positions:
                    t.pos = pos
                pos += 1
                yield t


def syllable_analyzer():
    return SyllableTokenizer() | SpellingFilter() | FoldedVariantFilter()


def compound_analyzer():
    return PyviCompoundTokenizer() | SpellingFilter() | FoldedVariantFilter()


def pair_analyzer():
    return SyllableTokenizer() | SpellingFilter() | FoldFilter() | PairFilter()


@dataclass(frozen=True)
class QueryWord:
    """One syllable of a query: as typed, canonical, folded, and index terms it may have meant instead
    (a typo's folded corrections, a Telex reading), which match below the word itself; for the last
    word, still being typed, the index terms it may go on to become (``tr`` → ``trung``), which match
    below it too."""

    typed: str
    exact: str
    folded: str
    alternatives: tuple[str, ...] = ()
    continuations: tuple[str, ...] = ()

    @property
    def accented(self) -> bool:
        return self.exact != self.folded


def query_words(text: str) -> list[QueryWord]:
    """The syllables of query text, through the same tokenizer and spelling filter as indexed text."""
    tokens = SyllableTokenizer()(text, mode="query")
    return [QueryWord(t.text, normalize_word(t.text), fold_word(t.text)) for t in tokens]


def compound(words: list[str]) -> str:
    """The compound-field term for consecutive syllables (``["mat", "tran"]`` → ``mat_tran``)."""
    return COMPOUND_JOINER.join(words)
