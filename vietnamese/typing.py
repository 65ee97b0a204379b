"""Vietnamese typed with the input method switched off: Telex (``Haf Nooij``) and VNI (``Ha2 No6i5``).

Decoding is purely mechanical and may produce syllables that do not exist;
the search side keeps a decoded word only when the corpus has it.
"""

from __future__ import annotations

import re
import unicodedata

from vietnamese.text import normalize_word

_VOWELS = "aeiouy"
_TELEX_TONES = {"s": "\u0301", "f": "\u0300", "r": "\u0309", "x": "\u0303", "j": "\u0323"}
_VNI_TONES = {"1": "\u0301", "2": "\u0300", "3": "\u0309", "4": "\u0303", "5": "\u0323"}
# Telex letter pairs, longest first: the horn on both letters of "ươ" is one keystroke.
_TELEX_PAIRS = [("uow", "ươ"), ("uwow", "ươ"), ("aw", "ă"), ("aa", "â"), ("ee", "ê"), ("oo", "ô"), ("ow", "ơ"), ("uw", "ư")]
# VNI marks: digit → {letter before it: letter with the mark}.
_VNI_MARKS = {
    "6": {"a": "â", "e": "ê", "o": "ô"},
    "7": {"o": "ơ", "u": "ư"},
    "8": {"a": "ă"},
    "9": {"d": "đ"},
}
_CIRCUMFLEX = {"a": "â", "e": "ê", "o": "ô"}
_LATE_CIRCUMFLEX = re.compile(r"(.*)([aeo])([^aeo]+)\2")
_LETTERS_AND_DIGITS = re.compile(r"[a-z]+[0-9a-z]*")


def _with_tone(letters: str, tone: str | None) -> str:
    """``letters`` with ``tone`` placed by the project's one tone placement rule."""
    if tone is None:
        return normalize_word(letters)
    first_vowel = next((i for i, c in enumerate(letters) if c in "aăâeêioôơuưy"), None)
    if first_vowel is None:
        return letters
    nfd = letters[: first_vowel + 1] + tone + letters[first_vowel + 1 :]
    return normalize_word(unicodedata.normalize("NFC", nfd))


def decode_telex(word: str) -> str | None:
    """The syllable a Telex keystroke sequence types, or None when ``word`` carries no Telex keys."""
    w = word.lower()
    if not w.isascii() or not w.isalpha():
        return None
    first_vowel = next((i for i, c in enumerate(w) if c in _VOWELS or c == "w"), None)  # "w" alone types "ư"
    if first_vowel is None:
        return None
    tone = None
    kept = w[: first_vowel + 1]
    for c in w[first_vowel + 1 :]:
        if c in _TELEX_TONES:  # never a final consonant in Vietnamese, so a tone key
            tone = _TELEX_TONES[c]
        else:
            kept += c
    letters = "đ" + kept[2:] if kept.startswith("dd") else kept
    for keys, letter in _TELEX_PAIRS:
        letters = letters.replace(keys, letter)
    # A circumflex typed after the syllable: "tienge" is "tiêng", "dana" is "dân", "noio" is "nôi".
    late = _LATE_CIRCUMFLEX.fullmatch(letters)
    if late:
        letters = late[1] + _CIRCUMFLEX[late[2]] + late[3]
    if "w" in letters:  # a horn or breve typed after the syllable: "duongw", or "w" alone for "ư"
        for plain, marked in (("uo", "ươ"), ("o", "ơ"), ("u", "ư"), ("a", "ă")):
            if plain in letters:
                letters = letters.replace(plain, marked, 1).replace("w", "", 1)
                break
        else:
            letters = letters.replace("w", "ư")
    if letters == w:
        return None
    return _with_tone(letters, tone)


def decode_vni(word: str) -> str | None:
    """The syllable a VNI keystroke sequence types (``No6i5`` → ``nội``), or None when it has no VNI digits."""
    w = word.lower()
    if not _LETTERS_AND_DIGITS.fullmatch(w) or w.isalpha():
        return None
    letters, tone = "", None
    for c in w:
        if c in _VNI_TONES:
            tone = _VNI_TONES[c]
        elif c in _VNI_MARKS:
            marks = _VNI_MARKS[c]
            for i in range(len(letters) - 1, -1, -1):
                if letters[i] in marks:
                    letters = letters[:i] + marks[letters[i]] + letters[i + 1 :]
                    if c == "7" and letters[i] == "ơ" and i and letters[i - 1] == "u":
                        letters = letters[: i - 1] + "ư" + letters[i:]  # "uo7" is "ươ"
                    break
            else:
                return None
        elif c.isdigit():
            return None
        else:
            letters += c
    return _with_tone(letters, tone)
