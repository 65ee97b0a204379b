"""Corpus bytes → text, trying the encodings Vietnamese pages are actually found in.

Most files are UTF-8; some carry a BOM or are UTF-16 (saved from Windows tools);
older Vietnamese pages are in Windows-1258. Windows-1258 can decode almost any
bytes, so its result is accepted only when it reads as Vietnamese; anything else
is refused rather than indexed as gibberish. The text returned is always NFC
with ``\\n`` line ends, so every later step sees one spelling of each letter.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Iterator

from vietnamese.text import TONE_MARKS

_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_LINE_ENDS = re.compile(r"\r\n?")

# Letters only Vietnamese uses among Latin-script languages: outside Latin-1, so
# French or German text (or mojibake) decoded as Windows-1258 has none of them.
_VOWELS = "aăâeêioôơuưy"
_VIETNAMESE_ONLY = frozenset(
    letter
    for letter in (unicodedata.normalize("NFC", v + t) for v in _VOWELS for t in ("", *TONE_MARKS))
    if ord(letter) > 0xFF
) | {"đ"}
_VIETNAMESE_LETTERS = _VIETNAMESE_ONLY | frozenset("àáâãèéêìíòóôõùúý")
# Share of letters that must be Vietnamese-only: real articles have 12% or more.
_MIN_VIETNAMESE_SHARE = 0.05
# Share of characters allowed to be foreign to Vietnamese text (symbols, other scripts).
_MAX_ODD_SHARE = 0.01


class DecodeError(ValueError):
    """The bytes are not text in any encoding we accept; the message says why in plain words."""


def looks_binary(data: bytes) -> bool:
    """NUL bytes mean a binary file, except in UTF-16 text, where they are half the bytes."""
    return b"\x00" in data and not data.startswith(_UTF16_BOMS)


def decode(data: bytes) -> str:
    """The text of ``data``: UTF-8 (BOM optional), UTF-16 with a BOM, or Vietnamese in Windows-1258."""
    if data.startswith(_UTF16_BOMS):
        text = _strict(data, "utf-16", "not valid UTF-16 text")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = _strict(data, "cp1258", "not valid UTF-8 text")
            if not _looks_vietnamese(unicodedata.normalize("NFC", text)):
                raise DecodeError("not valid UTF-8 text, nor Vietnamese in Windows-1258") from None
    return _LINE_ENDS.sub("\n", unicodedata.normalize("NFC", text))


def decode_lines(data: bytes) -> Iterator[str | DecodeError]:
    """Each line of ``data``, decoded on its own so that one damaged line spoils only itself.

    UTF-16 cannot be split before decoding; a damaged UTF-16 file gives one error.
    """
    if data.startswith(_UTF16_BOMS):
        try:
            yield from decode(data).split("\n")
        except DecodeError as error:
            yield error
        return
    for raw in data.split(b"\n"):
        try:
            yield decode(raw)
        except DecodeError as error:
            yield error


def _strict(data: bytes, encoding: str, reason: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise DecodeError(reason) from None


def _looks_vietnamese(text: str) -> bool:
    """Mostly Vietnamese letters and ordinary punctuation, with no control characters."""
    letters = odd = vietnamese_only = 0
    for ch in text:
        category = unicodedata.category(ch)
        if category == "Cc" and ch not in "\t\n\r\f":
            return False
        if ch.isalpha():
            letters += 1
            lower = ch.lower()
            vietnamese_only += lower in _VIETNAMESE_ONLY
            odd += not (lower.isascii() or lower in _VIETNAMESE_LETTERS)
        elif not ch.isascii() and category[0] not in "PZ":
            odd += 1  # symbols, stray combining marks, other scripts' digits
    return (
        letters > 0
        and vietnamese_only >= letters * _MIN_VIETNAMESE_SHARE
        and odd <= len(text) * _MAX_ODD_SHARE
    )
