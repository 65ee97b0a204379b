"""Corpus bytes → text, trying the encodings Vietnamese pages are actually found in.

Most files are UTF-8; some carry a BOM or are UTF-16 (saved from Windows tools);
older Vietnamese pages are in Windows-1258 or in the 8-bit encodings of the
pre-Unicode VNI and TCVN3 (ABC) fonts. Those can decode almost any bytes, so a
result is accepted only when it reads as Vietnamese; anything else is refused
rather than indexed as gibberish. The text returned is always NFC with ``\\n``
line ends, so every later step sees one spelling of each letter.

Normalising to NFC sorts each run of combining marks, in time quadratic in the run's
length: 800,000 marks in a row would stall it for hours. No writing system stacks more
than a few marks on one letter (Vietnamese at most two), so longer runs are cut first.
"""

from __future__ import annotations

import codecs
import re
import sys
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources

from vietnamese.text import TONE_MARKS

LEGACY_DATA_FILE = "legacy_encodings.tsv"

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
# Share of words with diacritics that must be Vietnamese syllables. Mojibake gives
# Vietnamese letters in impossible places ("cafộ", "Vieọt"); real text has few non-syllables.
_MIN_SYLLABLE_SHARE = 0.8

# A syllable without its tone: onset, vowels (with glides), final consonant.
_SYLLABLE = re.compile(
    r"(?:ngh|ng|gh|gi|kh|nh|ph|qu|th|tr|ch|[bcdđghklmnprstvx])?"
    r"(?:iêu|yêu|oai|oay|oao|oeo|uây|uôi|uya|uyê|uyu|ươi|ươu"
    r"|ai|ao|au|ay|âu|ây|eo|êu|ia|iê|iu|oa|oă|oe|oi|oo|ôi|ơi|ua|uâ|uê|ui|uô|uơ|uy|ưa|ưi|ươ|ưu|yê"
    r"|[aăâeêioôơuưy])"
    r"(?:ch|ng|nh|[cmnpt])?"
)
_LETTERS = re.compile(r"[^\W\d_]+")
# Combining marks kept in a row; the rest of a longer run is dropped before normalising.
MAX_MARKS = 3


class DecodeError(ValueError):
    """The bytes are not text in any encoding we accept; the message says why in plain words."""


def looks_binary(data: bytes) -> bool:
    """NUL bytes mean a binary file, except in UTF-16 text, where they are half the bytes."""
    return b"\x00" in data and not data.startswith(_UTF16_BOMS)


def decode(data: bytes) -> str:
    """The text of ``data``: UTF-8 (BOM optional), UTF-16 with a BOM, or Vietnamese in a legacy encoding."""
    if data.startswith(_UTF16_BOMS):
        text = _strict(data, "utf-16", "không phải văn bản UTF-16 hợp lệ")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = _legacy(data)
    return _LINE_ENDS.sub("\n", nfc(text))


def nfc(text: str) -> str:
    """``text`` in NFC, runs of more than :data:`MAX_MARKS` combining marks cut to that many."""
    return unicodedata.normalize("NFC", _mark_runs().sub(r"\1", text))


@lru_cache(maxsize=1)
def _mark_runs() -> re.Pattern[str]:
    """A run of combining marks beyond :data:`MAX_MARKS`: every character NFC reorders (combining class > 0)."""
    ranges: list[list[int]] = []
    for code in range(sys.maxunicode + 1):
        if unicodedata.combining(chr(code)):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    marks = "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges)
    return re.compile(f"([{marks}]{{{MAX_MARKS}}})[{marks}]+")


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


def _legacy(data: bytes) -> str:
    """Vietnamese in the first legacy encoding that reads as Vietnamese.

    Windows-1258 goes first and TCVN3 last: read in a later encoding, an earlier
    one's bytes can pass for Vietnamese letters, but not the other way round.
    """
    for read in (_windows_1258, _vni, _tcvn3):
        try:
            text = nfc(read(data))
        except UnicodeDecodeError:
            continue
        if looks_vietnamese(text):
            return text
    raise DecodeError("không phải văn bản UTF-8, cũng không phải tiếng Việt mã Windows-1258, VNI hay TCVN3")


def _windows_1258(data: bytes) -> str:
    return data.decode("cp1258")


def _windows_1252(data: bytes) -> str:
    """Windows-1252, the code page the VNI and TCVN3 fonts were used with; its five
    unassigned bytes become control characters, which count against the text being Vietnamese."""
    return data.decode("latin-1").translate(_cp1252_table())


def _vni(data: bytes) -> str:
    letters, pattern = _vni_table()
    return pattern.sub(lambda m: letters[m.group()], _windows_1252(data))


def _tcvn3(data: bytes) -> str:
    return _windows_1252(data).translate(_tcvn3_table())


@lru_cache(maxsize=1)
def _cp1252_table() -> dict[int, str]:
    table = {}
    for byte in range(0x80, 0xA0):
        try:
            table[byte] = bytes([byte]).decode("cp1252")
        except UnicodeDecodeError:
            pass
    return table


@lru_cache(maxsize=1)
def _legacy_letters() -> list[tuple[str, str | None, str | None]]:
    """(letter, its TCVN3 spelling, its VNI spelling) from the data file, spellings as Windows-1252 shows them."""

    def spelling(hex_bytes: str) -> str | None:
        return None if hex_bytes == "-" else _windows_1252(bytes.fromhex(hex_bytes))

    text = resources.files("indexer").joinpath("data", LEGACY_DATA_FILE).read_text(encoding="utf-8")
    rows = []
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            letter, tcvn3, vni = line.split("\t")
            rows.append((letter, spelling(tcvn3), spelling(vni)))
    return rows


@lru_cache(maxsize=1)
def _tcvn3_table() -> dict[int, str]:
    return {ord(tcvn3): letter for letter, tcvn3, _ in _legacy_letters() if tcvn3}


@lru_cache(maxsize=1)
def _vni_table() -> tuple[dict[str, str], re.Pattern[str]]:
    """VNI spelling → letter, and a pattern finding spellings, longest first (``ôø`` before ``ô``)."""
    letters = {vni: letter for letter, _, vni in _legacy_letters() if vni}
    return letters, re.compile("|".join(map(re.escape, sorted(letters, key=len, reverse=True))))


def _is_syllable(word: str) -> bool:
    """Whether ``word`` is spelled like a Vietnamese syllable: one tone at most, letters in possible places."""
    parts = unicodedata.normalize("NFD", word.lower())
    if sum(ch in TONE_MARKS for ch in parts) > 1:
        return False
    toneless = unicodedata.normalize("NFC", "".join(ch for ch in parts if ch not in TONE_MARKS))
    return _SYLLABLE.fullmatch(toneless) is not None


def looks_vietnamese(text: str) -> bool:
    """Mostly Vietnamese letters in Vietnamese syllables and ordinary punctuation."""
    letters = odd = vietnamese_only = 0
    for ch in text:
        category = unicodedata.category(ch)
        if ch.isalpha():
            letters += 1
            lower = ch.lower()
            vietnamese_only += lower in _VIETNAMESE_ONLY
            odd += not (lower.isascii() or lower in _VIETNAMESE_LETTERS)
        elif category == "Cc" and ch not in "\t\n\r\f" or not ch.isascii() and category[0] not in "PZ":
            odd += 1  # control characters, symbols, stray combining marks, other scripts' digits
    marked = [word for word in _LETTERS.findall(text) if not word.isascii()]
    return (
        letters > 0
        and vietnamese_only >= letters * _MIN_VIETNAMESE_SHARE
        and odd <= len(text) * _MAX_ODD_SHARE
        and sum(map(_is_syllable, marked)) >= len(marked) * _MIN_SYLLABLE_SHARE
    )
