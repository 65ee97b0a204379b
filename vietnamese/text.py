"""Spelling normalisation for Vietnamese: one form per word, and its folded twin.

Every piece of text, indexed or queried, goes through :func:`normalize` so that
NFC/NFD input, old and new tone placement (``hoà``/``hòa``, ``uỷ``/``ủy``) and
letter case all meet in one spelling; :func:`fold` then drops the diacritics
(``đ`` → ``d``) for matching queries typed without them.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from unidecode import unidecode

# The five tone marks, as combining characters after NFD.
TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")
# Vowels whose own diacritic (breve, circumflex, horn) attracts the tone mark.
_MARKED_VOWELS = frozenset("ăâêôơư")
_VOWELS = frozenset("aeiouyăâêôơư")
_WORD = re.compile(r"[^\W_]+")


def _strip_tone(syllable: str) -> tuple[str, str]:
    """Split a lowercase NFC syllable into its toneless NFC form and its tone mark ('' if none)."""
    tone = ""
    kept = []
    for ch in unicodedata.normalize("NFD", syllable):
        if ch in TONE_MARKS:
            tone = ch
        else:
            kept.append(ch)
    return unicodedata.normalize("NFC", "".join(kept)), tone


def _tone_position(bare: str) -> int | None:
    """Index of the vowel that carries the tone in a toneless syllable, in one fixed style.

    The style is the traditional one (``hòa``, ``thúy``, ``ủy``): a vowel with its
    own diacritic wins (the later one in ``ươ``); otherwise the last vowel of the
    nucleus when a consonant follows, the middle of three vowels, the first of two.
    ``qu`` and ``gi`` count as consonants.
    """
    start = 0
    if bare.startswith("qu"):
        start = 2
    elif bare.startswith("gi") and any(c in _VOWELS for c in bare[2:]):
        start = 2
    positions = [i for i in range(start, len(bare)) if bare[i] in _VOWELS]
    if not positions:
        return None
    # The nucleus is the first run of consecutive vowels.
    nucleus = [positions[0]]
    for i in positions[1:]:
        if i != nucleus[-1] + 1:
            break
        nucleus.append(i)
    marked = [i for i in nucleus if bare[i] in _MARKED_VOWELS]
    if marked:
        return marked[-1]
    if len(nucleus) == 1:
        return nucleus[0]
    if nucleus[-1] + 1 < len(bare):  # a final consonant follows
        return nucleus[-1]
    if len(nucleus) == 3:
        return nucleus[1]
    return nucleus[0]


@lru_cache(maxsize=65536)
def normalize_word(word: str) -> str:
    """Lowercase NFC spelling with the tone mark on its canonical vowel."""
    word = unicodedata.normalize("NFC", word).lower()
    if word.isascii():
        return word
    bare, tone = _strip_tone(word)
    if not tone:
        return bare
    pos = _tone_position(bare)
    if pos is None or not bare.isalpha():
        return word
    return unicodedata.normalize("NFC", bare[: pos + 1] + tone + bare[pos + 1 :])


def normalize(text: str) -> str:
    """Every word of ``text`` in its canonical spelling; everything else unchanged."""
    text = unicodedata.normalize("NFC", text)
    return _WORD.sub(lambda m: normalize_word(m.group()), text)


@lru_cache(maxsize=65536)
def fold_word(word: str) -> str:
    """The word with every diacritic dropped, lowercase ASCII where possible (``Đường`` → ``duong``)."""
    word = normalize_word(word)
    if word.isascii():
        return word
    folded = unidecode(word).lower()
    # Unidecode turns letters of other scripts into several ASCII words; keep the word whole.
    return folded if folded.isalnum() else word


def fold(text: str) -> str:
    """``text`` with every word folded."""
    text = unicodedata.normalize("NFC", text)
    return _WORD.sub(lambda m: fold_word(m.group()), text)


def words(text: str) -> list[str]:
    """The words (letters and digits) of ``text``, in order, as written."""
    return _WORD.findall(unicodedata.normalize("NFC", text))
