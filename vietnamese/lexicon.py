"""The syllables of the Vietnamese language, as opposed to those of one corpus.

A word a small corpus lacks may still be an ordinary Vietnamese word (``bóng``
in five articles about district meetings): it is no typo, and correcting it into
the corpus's nearest syllable (``động``) finds nothing the person meant. The
syllables come from pyvi's own dictionary of Vietnamese words (its ``words.txt``),
folded, so ``bong`` counts whatever accents were meant.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from vietnamese.text import fold_word, normalize_word

DICTIONARY = ("pyvi", "models/words.txt")


@lru_cache(maxsize=1)
def _spellings() -> frozenset[str]:
    """Every syllable of the dictionary, in its canonical spelling (tone mark placed as normalize_word does)."""
    package, path = DICTIONARY
    text = resources.files(package).joinpath(path).read_text(encoding="utf-8")
    return frozenset(normalize_word(s) for line in text.splitlines() for s in line.split())


@lru_cache(maxsize=1)
def _syllables() -> frozenset[str]:
    return frozenset(fold_word(s) for s in _spellings())


def is_syllable(folded: str) -> bool:
    """Whether ``folded`` is a Vietnamese syllable with some accents (``bong``: bóng, bông, …)."""
    return folded in _syllables()


def is_spelling(exact: str) -> bool:
    """Whether ``exact`` (canonical, with its diacritics) is a Vietnamese syllable as spelled: ``quận``
    is, ``quậ`` and ``khôg`` are not."""
    return exact in _spellings()
