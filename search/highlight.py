"""Mark what matched in the original text: snippets for result lists, whole articles for reading.

Works on the stored text as written (diacritics, case), tokenized by the same
syllable tokenizer as the index, so a query without diacritics still marks
``Hai Bà Trưng``. Everything that is not a ``<mark>`` is HTML-escaped.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from vietnamese.analysis import SyllableTokenizer
from vietnamese.text import fold_word, normalize_word

SNIPPET_CHARS = 240
SNIPPET_LEAD = 60
SNIPPET_PASSAGES = 2
ELLIPSIS = " … "

_tokenizer = SyllableTokenizer()


@dataclass(frozen=True)
class Marker:
    """Which words to mark: by canonical spelling (exact search) or by folded form."""

    exact: frozenset[str] = frozenset()
    folded: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.exact or self.folded)

    def matches(self, word: str) -> bool:
        return normalize_word(word) in self.exact or fold_word(word) in self.folded


def match_spans(text: str, marker: Marker) -> list[tuple[int, int, str]]:
    """``(start, end, folded)`` of each run of matched words; words separated only by spaces join one run."""
    spans: list[tuple[int, int, str]] = []
    if not marker:
        return spans
    for t in _tokenizer(text, chars=True):
        if not marker.matches(t.text):
            continue
        folded = fold_word(t.text)
        if spans and not text[spans[-1][1] : t.startchar].strip():
            start, _, words = spans[-1]
            spans[-1] = (start, t.endchar, f"{words} {folded}")
        else:
            spans.append((t.startchar, t.endchar, folded))
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
    """The passage of about SNIPPET_CHARS that covers the most of ``wanted``, then the most matches."""
    best: tuple[tuple[int, int], int, int, set[str]] | None = None
    for i, (anchor, _, _) in enumerate(spans):
        start = max(0, anchor - SNIPPET_LEAD)
        end = start + SNIPPET_CHARS
        inside = [sp for sp in spans[i:] if sp[1] <= end]
        covered = {w for sp in inside for w in sp[2].split()} & wanted
        score = (len(covered), len(inside))
        if best is None or score > best[0]:
            best = (score, start, end, covered)
    assert best is not None
    _, start, end, covered = best
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
