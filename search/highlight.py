"""Mark what matched in the original text: snippets for result lists, whole articles for reading.

Works on the stored text as written (diacritics, case), tokenized by the same
syllable tokenizer as the index, so a query without diacritics still marks
``Hai Bà Trưng``. Everything that is not a ``<mark>`` is HTML-escaped.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache
from html import escape

from vietnamese.analysis import SyllableTokenizer
from vietnamese.text import fold_word, normalize_word

SNIPPET_CHARS = 240
SNIPPET_LEAD = 60
SNIPPET_PASSAGES = 2
ELLIPSIS = " … "

_tokenizer = SyllableTokenizer()
# What may stand between two words of a phrase: a space, or a little punctuation ("Hà Nội: Thanh niên").
_GAP = r"[\W_]{1,3}"
_GAP_TEXT = re.compile(_GAP)


@dataclass(frozen=True)
class Marker:
    """Which words to mark: by canonical spelling (exact search) or by folded form; and phrases,
    marked only where all their words stand one after the other (an abbreviation's expansion)."""

    exact: frozenset[str] = frozenset()
    folded: frozenset[str] = frozenset()
    phrases: frozenset[tuple[str, ...]] = frozenset()  # folded words
    exact_phrases: frozenset[tuple[str, ...]] = frozenset()  # canonical spellings

    def __bool__(self) -> bool:
        return bool(self.exact or self.folded or self.phrases or self.exact_phrases)

    def matches(self, word: str) -> bool:
        return normalize_word(word) in self.exact or fold_word(word) in self.folded

    def phrase_at(self, words: list[str]) -> int:
        """How many of ``words`` (a text's words from one on) a phrase covers; 0 when none does."""
        for phrase in sorted(self.phrases | self.exact_phrases, key=len, reverse=True):
            n = len(phrase)
            form = fold_word if phrase in self.phrases else normalize_word
            if len(words) >= n and all(form(w) == p for w, p in zip(words, phrase)):
                return n
        return 0

    @cached_property
    def pattern(self) -> re.Pattern[str] | None:
        """Every word that may match, in any case and with any diacritics, as one regular expression:
        the folded form of each word of the marker; None when one is not letters and digits once folded.

        Letter by letter, each folded letter stands for the Vietnamese letters that fold to it, so
        the regex engine finds the few candidates of an article instead of a Python call per word;
        each candidate is then checked as any word is (:meth:`matches`, :meth:`phrase_at`).
        The expression opens with one class of every word's first letter, which the engine skips
        ahead to (half the time of a search tried at every character); each word's own first
        letter, and the word's start, are then checked behind it.
        """
        phrased = (w for p in self.phrases | self.exact_phrases for w in p)
        words = {fold_word(w) for w in (*self.exact, *self.folded, *phrased)}
        if not words or not all(w.isascii() and w.isalnum() for w in words):
            return None
        first = _letters("".join(w[0] for w in words))
        rests = "|".join(f"(?<={_letters(w[0])}){spelling_pattern(w[1:])}" for w in sorted(words, key=len, reverse=True))
        return re.compile(rf"{first}(?<![^\W_].)(?:{rests})(?![^\W_])")


@lru_cache(maxsize=1)
def _folding() -> dict[str, str]:
    """ASCII letter or digit → every letter of Latin script that folds to it alone (``a`` → ``aàáảãạăằ…ÀÁ…``)."""
    found: dict[str, list[str]] = {}
    for code in (*range(0x30, 0x3A), *range(0x41, 0x5B), *range(0x61, 0x7B), *range(0xC0, 0x250), *range(0x1E00, 0x1F00)):
        char = chr(code)
        folded = fold_word(char)
        if len(folded) == 1 and folded.isascii() and folded.isalnum():
            found.setdefault(folded, []).append(char)
    return {letter: "".join(chars) for letter, chars in found.items()}


def _letters(letters: str) -> str:
    """A class of the letters that fold to ``letters`` (each ASCII), and of those themselves."""
    return "[" + re.escape("".join(dict.fromkeys(c for letter in letters for c in _folding().get(letter, letter)))) + "]"


def spelling_pattern(folded: str) -> str:
    """A regular expression for the letters spelled ``folded`` once folded, in any case and with any
    diacritics (``duong`` matches đường, Dương…); ``folded`` is ASCII letters and digits."""
    return "".join(_letters(c) for c in folded)


@lru_cache(maxsize=1)
def _unfoldable() -> re.Pattern[str]:
    """A letter outside :func:`_folding`'s alphabet: a text with one goes word by word."""
    return re.compile("[^\\W_" + re.escape("".join(_folding().values())) + "]")


def _matched_words(text: str, marker: Marker):
    """The matched words of NFC ``text`` as regex matches, with the syllable tokenizer's idea of a word.
    Only the candidates :attr:`Marker.pattern` finds are checked, or every word of a text it cannot search."""
    pattern = marker.pattern
    if pattern is None or _unfoldable().search(text):
        pattern = _tokenizer.expression  # the syllable tokenizer's own pattern, minus a Token object per word
    # Two candidates with only a gap between are neighbours in the text, as two words of it are.
    found = list(pattern.finditer(text))
    matched: dict[str, bool] = {}  # a word recurs many times in an article: test it once
    i = 0
    while i < len(found):
        covered = _phrase_at(text, found, i, marker) if marker.phrases or marker.exact_phrases else 0
        if covered:
            yield _Span(found[i].start(), found[i + covered - 1].end(), text)
            i += covered
            continue
        word = found[i].group()
        hit = matched.get(word)
        if hit is None:
            hit = matched[word] = marker.matches(word)
        if hit:
            yield found[i]
        i += 1


class _Span:
    """A phrase's stretch of text, answering as a regex match does."""

    def __init__(self, start: int, end: int, text: str):
        self._start, self._end, self._text = start, end, text

    def start(self) -> int:
        return self._start

    def end(self) -> int:
        return self._end

    def group(self) -> str:
        return self._text[self._start : self._end]


def _phrase_at(text: str, found: list[re.Match[str]], i: int, marker: Marker) -> int:
    """How many words from ``found[i]`` on a phrase of ``marker`` covers, where only a gap separates them."""
    longest = max(map(len, marker.phrases | marker.exact_phrases))
    run = [found[i].group()]
    for j in range(i + 1, min(len(found), i + longest)):
        if not _GAP_TEXT.fullmatch(text[found[j - 1].end() : found[j].start()]):
            break
        run.append(found[j].group())
    return marker.phrase_at(run)


def match_spans(text: str, marker: Marker) -> list[tuple[int, int, str]]:
    """``(start, end, folded)`` of each run of matched words; words separated only by spaces join one run."""
    spans: list[tuple[int, int, str]] = []
    if not marker:
        return spans
    text = unicodedata.normalize("NFC", text)  # stored text is NFC already: offsets stay valid
    folds: dict[str, str] = {}  # a matched word recurs: fold it once
    for m in _matched_words(text, marker):
        group = m.group()
        if group not in folds:
            folds[group] = " ".join(fold_word(w) for w in _tokenizer.expression.findall(group))
        folded = folds[group]
        if spans and not text[spans[-1][1] : m.start()].strip():
            start, _, words = spans[-1]
            spans[-1] = (start, m.end(), f"{words} {folded}")
        else:
            spans.append((m.start(), m.end(), folded))
    return spans


def _render(text: str, spans: list[tuple[int, int, str]], start: int = 0, end: int | None = None) -> str:
    end = len(text) if end is None else end
    out, pos = [], start
    for s, e, _ in spans:
        if e <= start or s >= end:
            continue
        out.append(escape(text[pos:s]))
        out.append(f"<mark>{escape(text[s:e])}</mark>")
        pos = e
    out.append(escape(text[pos:end]))
    return "".join(out)


def highlight(text: str, marker: Marker) -> tuple[str, int]:
    """The whole text as safe HTML with every match marked, and the number of marks."""
    spans = match_spans(text, marker)
    return _render(text, spans), len(spans)


def _word_boundary(text: str, pos: int, forward: bool) -> int:
    """Move ``pos`` to the nearest space so a snippet does not cut a word."""
    if pos <= 0:
        return 0
    if pos >= len(text):
        return len(text)
    step = 1 if forward else -1
    limit = 20
    while 0 < pos < len(text) and not text[pos].isspace() and limit:
        pos += step
        limit -= 1
    return pos


def _window(text: str, spans: list[tuple[int, int, str]], wanted: set[str]) -> tuple[int, int, set[str]]:
    """The passage of about SNIPPET_CHARS that covers the most of ``wanted``, then the most matches.

    Each match in turn anchors a window; windows only move forward, so one pass keeps the
    count of each wanted word inside (linear in the matches, however many an article has).
    """
    best: tuple[tuple[int, int], int, int, int, int] | None = None
    inside: dict[str, int] = {}  # wanted word → its matches in the window

    def move(span: tuple[int, int, str], step: int) -> None:
        for word in span[2].split():
            if word in wanted:
                inside[word] = inside.get(word, 0) + step
                if not inside[word]:
                    del inside[word]

    j = 0  # the window holds spans[i:j]
    for i, (anchor, _, _) in enumerate(spans):
        if 0 < i <= j:
            move(spans[i - 1], -1)
        j = max(j, i)
        start = max(0, anchor - SNIPPET_LEAD)
        end = start + SNIPPET_CHARS
        while j < len(spans) and spans[j][1] <= end:
            move(spans[j], 1)
            j += 1
        score = (len(inside), j - i)
        if best is None or score > best[0]:
            best = (score, start, end, i, j)
    assert best is not None
    _, start, end, i, j = best
    covered = {w for sp in spans[i:j] for w in sp[2].split()} & wanted
    return _word_boundary(text, start, False), _word_boundary(text, end, True), covered


def snippet(text: str, marker: Marker) -> str:
    """The best passages of ``text`` as safe HTML with matches marked, or its opening when nothing matches."""
    spans = match_spans(text, marker)
    if not spans:
        end = _word_boundary(text, SNIPPET_CHARS, True)
        return escape(text[:end].strip()) + (ELLIPSIS.rstrip() if end < len(text) else "")
    wanted = {w for sp in spans for w in sp[2].split()}
    passages: list[tuple[int, int]] = []
    for _ in range(SNIPPET_PASSAGES):
        start, end, covered = _window(text, spans, wanted)
        if passages and not covered:
            break
        passages.append((start, end))
        wanted -= covered
        if not wanted:
            break
    merged: list[tuple[int, int]] = []
    for start, end in sorted(passages):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    passages = merged
    joined = ELLIPSIS.join(_render(text, spans, start, end).strip() for start, end in passages)
    if passages[0][0] > 0:
        joined = ELLIPSIS.lstrip() + joined
    if passages[-1][1] < len(text):
        joined += ELLIPSIS.rstrip()
    return joined
