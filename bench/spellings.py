"""The ways people type a Vietnamese query, generated from the text as written.

Each generator takes the words of a passage as the publisher wrote them and
returns what a person would type in one particular situation: on a phone
without Vietnamese input, in the other tone placement, in Telex or VNI with
the input method switched off, with a slip of the finger. Everything here is
written from the letters up, independently of the project's ``vietnamese``
package (only :func:`slug_window` uses its folding, to read the publisher's
URL), so the benchmark tests the engine's normalisation instead of reusing it.
"""

from __future__ import annotations

import difflib
import math
import random
import re
import unicodedata
from urllib.parse import urlsplit

from vietnamese.text import fold_word

_CIRCUMFLEX, _BREVE, _HORN = "\u0302", "\u0306", "\u031b"
# Tone marks, with their Telex and VNI keys.
_TONE_KEYS = {
    "\u0301": ("s", "1"),  # sắc
    "\u0300": ("f", "2"),  # huyền
    "\u0309": ("r", "3"),  # hỏi
    "\u0303": ("x", "4"),  # ngã
    "\u0323": ("j", "5"),  # nặng
}
_VNI_SHAPE = {_CIRCUMFLEX: "6", _HORN: "7", _BREVE: "8"}


class _Letter:
    """One written letter split into its base letter, its shape mark (â ă ơ, or đ's stroke) and its tone mark."""

    __slots__ = ("base", "shape", "tone")

    def __init__(self, char: str):
        if char in "đĐ":
            self.base, self.shape, self.tone = ("d" if char == "đ" else "D"), "stroke", ""
            return
        decomposed = unicodedata.normalize("NFD", char)
        marks = decomposed[1:]
        if not decomposed[0].isascii() or any(m not in _TONE_KEYS and m not in _VNI_SHAPE for m in marks):
            self.base, self.shape, self.tone = char, "", ""  # not a Vietnamese letter: kept as it is
            return
        self.base = decomposed[0]
        self.shape = next((m for m in marks if m in _VNI_SHAPE), "")
        self.tone = next((m for m in marks if m in _TONE_KEYS), "")

    def written(self, tone: bool = True) -> str:
        if self.shape == "stroke":
            return "đ" if self.base == "d" else "Đ"
        return unicodedata.normalize("NFC", self.base + self.shape + (self.tone if tone else ""))


def _letters(word: str) -> list[_Letter]:
    return [_Letter(c) for c in unicodedata.normalize("NFC", word)]


def _per_word(text: str, transform) -> str:
    return " ".join(transform(word) for word in text.split(" "))


def _tone(letters: list[_Letter]) -> str:
    return next((letter.tone for letter in reversed(letters) if letter.tone), "")


def _shout(word: str) -> bool:
    """Typed with caps lock on: the keys for marks come out in capitals too."""
    return len(word) > 1 and word.isupper()


# -- spellings of a whole passage ------------------------------------------------------


def unaccented(text: str) -> str:
    """Every diacritic dropped, đ typed as d: a keyboard without Vietnamese input."""
    return _per_word(text, lambda word: "".join(letter.base for letter in _letters(word)))


def nfd(text: str) -> str:
    """Decomposed Unicode (letter + combining marks), as some Mac and web forms send it."""
    return unicodedata.normalize("NFD", text)


def all_caps(text: str) -> str:
    return text.upper()


def partly_accented(text: str, rng: random.Random) -> str:
    """Diacritics dropped from a random half (rounded up) of the words that carry them."""
    words = text.split(" ")
    accented = [i for i, word in enumerate(words) if unaccented(word) != word]
    dropped = set(rng.sample(accented, math.ceil(len(accented) / 2)))
    return " ".join(unaccented(word) if i in dropped else word for i, word in enumerate(words))


_MOVABLE = re.compile(r"(?P<onset>[bcdđghklmnpqrstvx]*)(?:oa|oe|uy)", re.IGNORECASE)


def _movable(word: str) -> tuple[list[_Letter], int] | None:
    """The letters of a toned syllable ending in oa/oe/uy and the index of its first vowel, else None.

    Only there do the two conventions differ (hòa/hoà, thúy/thuý, ủy/uỷ); in ``quý``
    the u belongs to the consonant qu, and a final consonant (hoàn) settles the tone.
    """
    letters = _letters(word)
    bare = "".join(letter.written(tone=False) for letter in letters)
    match = _MOVABLE.fullmatch(bare)
    if match is None or match["onset"].lower() == "q" or not _tone(letters):
        return None
    return letters, len(match["onset"])


def has_movable_tone(text: str) -> bool:
    return any(_movable(word) for word in text.split(" "))


def other_tone_placement(text: str) -> str:
    """The tone of every oa/oe/uy syllable moved to the other vowel: hòa ↔ hoà, thúy ↔ thuý, ủy ↔ uỷ."""

    def move(word: str) -> str:
        found = _movable(word)
        if found is None:
            return word
        letters, first = found
        a, b = letters[first], letters[first + 1]
        a.tone, b.tone = b.tone, a.tone
        return "".join(letter.written() for letter in letters)

    return _per_word(text, move)


def telex(text: str) -> str:
    """Telex keys typed with the input method off: aa aw ee oo ow uw dd right after
    the letter, the tone key at the end of the syllable (Hà Nội → Haf Nooij)."""

    def keys(word: str) -> str:
        letters, shout = _letters(word), _shout(word)
        typed = []
        for letter in letters:
            typed.append(letter.base)
            if letter.shape == _CIRCUMFLEX or letter.shape == "stroke":
                typed.append(letter.base if shout else letter.base.lower())
            elif letter.shape:
                typed.append("W" if shout else "w")
        tone = _TONE_KEYS[_tone(letters)][0] if _tone(letters) else ""
        return "".join(typed) + (tone.upper() if shout else tone)

    return _per_word(text, keys)


def telex_marks_last(text: str) -> str:
    """Telex typed letters first, marks after the syllable (người → nguoiwf, Nội → Noioj),
    which Unikey and EVKey also accept; dd stays where the d is."""

    def keys(word: str) -> str:
        letters, shout = _letters(word), _shout(word)
        typed, marks = [], []
        for letter in letters:
            typed.append(letter.base)
            if letter.shape == "stroke":
                typed.append(letter.base if shout else letter.base.lower())
            elif letter.shape == _CIRCUMFLEX:
                marks.append(letter.base if shout else letter.base.lower())
            elif letter.shape and "w" not in marks:  # one w marks ươ
                marks.append("w")
        if _tone(letters):
            marks.append(_TONE_KEYS[_tone(letters)][0])
        tail = "".join(marks)
        return "".join(typed) + (tail.upper() if shout else tail)

    return _per_word(text, keys)


def vni(text: str) -> str:
    """VNI keys typed with the input method off: 6 7 8 9 right after the letter,
    the tone digit at the end of the syllable (Hà Nội → Ha2 No6i5)."""

    def keys(word: str) -> str:
        letters = _letters(word)
        typed = []
        for letter in letters:
            typed.append(letter.base)
            if letter.shape == "stroke":
                typed.append("9")
            elif letter.shape:
                typed.append(_VNI_SHAPE[letter.shape])
        return "".join(typed) + (_TONE_KEYS[_tone(letters)][1] if _tone(letters) else "")

    return _per_word(text, keys)


# -- one typo -----------------------------------------------------------------------------

_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_ROW_OFFSETS = (0.0, 0.25, 0.75)
_KEY_AT = {key: (col + _ROW_OFFSETS[row], row) for row, keys in enumerate(_ROWS) for col, key in enumerate(keys)}
# Keys whose centres lie within about one key width of each other on a QWERTY keyboard.
NEIGHBOURS = {
    key: "".join(
        other
        for other, (ox, oy) in _KEY_AT.items()
        if other != key and math.hypot(ox - x, oy - y) <= 1.25
    )
    for key, (x, y) in _KEY_AT.items()
}
TYPO_MIN_LETTERS = 4


def _neighbour(char: str, rng: random.Random) -> str:
    """A key next to the one that types ``char`` (its base letter), in ``char``'s case."""
    base = _Letter(char).base
    near = NEIGHBOURS.get(base.lower())
    if not near:
        return base
    key = rng.choice(near)
    return key.upper() if base.isupper() else key


def _mistype(word: str, rng: random.Random) -> str:
    chars = list(unicodedata.normalize("NFC", word))
    positions = [i for i, c in enumerate(chars) if c.isalpha()]
    kinds = ["deletion", "insertion", "substitution"]
    if any(chars[i] != chars[i + 1] and chars[i + 1].isalpha() for i in positions[:-1]):
        kinds.append("transposition")
    kind = rng.choice(kinds)
    if kind == "transposition":
        i = rng.choice([i for i in positions[:-1] if chars[i] != chars[i + 1] and chars[i + 1].isalpha()])
        chars[i], chars[i + 1] = chars[i + 1], chars[i]
        return "".join(chars)
    i = rng.choice(positions)
    if kind == "deletion":
        del chars[i]
    elif kind == "insertion":
        chars.insert(i + 1, _neighbour(chars[i], rng))
    else:
        chars[i] = _neighbour(chars[i], rng)
    return "".join(chars)


def one_typo(text: str, rng: random.Random) -> str | None:
    """One edit (deletion, insertion or substitution of a neighbouring key, or
    transposition of adjacent letters) on one random word of four letters or more;
    None when no word is that long."""
    words = text.split(" ")
    long_words = [i for i, word in enumerate(words) if sum(c.isalpha() for c in word) >= TYPO_MIN_LETTERS]
    if not long_words:
        return None
    i = rng.choice(long_words)
    words[i] = _mistype(words[i], rng)
    return " ".join(words)


# -- the publisher's unaccented title -------------------------------------------------------

_ARTICLE_NUMBER = re.compile(r"-\d{6,}$")


def slug_words(url: str | None) -> list[str]:
    """The words of a URL's last path segment without its extension and trailing
    article number (…/vinamilk-lot-top-1000-20201001163534963.htm → vinamilk lot top 1000)."""
    if not url:
        return []
    segment = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]
    segment = _ARTICLE_NUMBER.sub("", segment.rsplit(".", 1)[0])
    return [word for word in re.split(r"[^0-9A-Za-z]+", segment.lower()) if word]


class SlugAlignment:
    """Which words of a URL slug spell which words of the title.

    The title's words are folded and lined up with the slug's; a run of title
    words that the slug writes as one (1 000 → 1000) counts as aligned as a whole.
    """

    def __init__(self, title_words: list[str], slug: list[str]):
        self.slug = slug
        folded = [fold_word(word) for word in title_words]
        self._starts: dict[int, int] = {}
        self._ends: dict[int, int] = {}
        self._covered = [False] * len(title_words)
        matcher = difflib.SequenceMatcher(None, folded, slug, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                for k in range(i2 - i1):
                    self._starts[i1 + k] = j1 + k
                    self._ends[i1 + k + 1] = j1 + k + 1
            elif tag == "replace" and "".join(folded[i1:i2]) == "".join(slug[j1:j2]):
                self._starts[i1], self._ends[i2] = j1, j2
            else:
                continue
            self._covered[i1:i2] = [True] * (i2 - i1)

    def window(self, start: int, end: int) -> list[str] | None:
        """The slug's words for title words ``start:end``, or None if the slug doesn't spell all of them."""
        if start in self._starts and end in self._ends and all(self._covered[start:end]):
            return self.slug[self._starts[start] : self._ends[end]]
        return None
