"""The query language people type: words, "quoted phrases", -exclusions, OR.

A small grammar of our own rather than Whoosh's parser: it has no field
names, wildcards, ranges or fuzzy syntax for a visitor to trip over, it never
fails on odd input (a stray quote is closed at the end, a lone ``-`` ignored),
and every word comes out through the same analysis chain as the indexed text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from search.model import Reading, SearchError
from vietnamese.analysis import WORD_PATTERN, QueryWord, query_words

MAX_QUERY_CHARS = 1000

_TOKEN = re.compile(r'(-?)"([^"]*)(?:"|$)|(\S+)')
_WORD = re.compile(WORD_PATTERN)


@dataclass(frozen=True)
class Run:
    """Consecutive plain words: each must match, anywhere; together they rank higher."""

    words: tuple[QueryWord, ...]


@dataclass(frozen=True)
class Phrase:
    """Words that must match next to each other, in order."""

    words: tuple[QueryWord, ...]


@dataclass(frozen=True)
class Either:
    """``a OR b``: any of its parts."""

    parts: tuple[Run | Phrase, ...]


Part = Run | Phrase | Either


@dataclass(frozen=True)
class ParsedQuery:
    required: tuple[Part, ...]
    excluded: tuple[Run | Phrase, ...]
    readings: tuple[Reading, ...] = ()
    unsearchable: bool = False  # something was typed, but no word to search for (an emoji, a lone quote, OR)
    # The text ends in a plain word, not in a space, punctuation or a closing quote: that word
    # (the last of the last required Run) may be half typed.
    open_end: bool = False

    @property
    def is_empty(self) -> bool:
        return not self.required

    @property
    def plain(self) -> bool:
        """Only plain words: no quotes, exclusions or OR."""
        return not self.excluded and all(isinstance(p, Run) for p in self.required)

    def positive_words(self) -> list[QueryWord]:
        """Every word that should be found, in query order."""
        found: list[QueryWord] = []
        for part in self.required:
            for sub in part.parts if isinstance(part, Either) else (part,):
                found.extend(sub.words)
        return found


def _clause(words: list[QueryWord], quoted: bool) -> Run | Phrase:
    # A single token that analyses into several syllables ("2024-2029", "TP.HCM") is a phrase.
    return Phrase(tuple(words)) if quoted or len(words) > 1 else Run(tuple(words))


def parse_query(text: str) -> ParsedQuery:
    """Parse what a person typed; raises :class:`SearchError` only for text too long to read.
    How many words it may have is :mod:`search.budget`'s to say."""
    if len(text) > MAX_QUERY_CHARS:
        raise SearchError(f"Câu tìm kiếm quá dài: tối đa {MAX_QUERY_CHARS} ký tự.")
    clauses: list[tuple[Run | Phrase, bool]] = []  # (clause, negated)
    or_before: list[bool] = []
    pending_or = False
    open_end = False
    for m in _TOKEN.finditer(text):
        negated, quoted_text, plain = m.group(1) == "-", m.group(2), m.group(3)
        open_end = False
        if plain == "OR":
            pending_or = bool(clauses)
            continue
        if plain is not None:
            negated = plain.startswith("-")
            quoted_text = None
            body = plain.lstrip("-") if negated else plain
        else:
            body = quoted_text
        words = query_words(body)
        if not words:
            continue
        clause = _clause(words, quoted_text is not None)
        clauses.append((clause, negated))
        or_before.append(pending_or and not negated)
        pending_or = False
        open_end = isinstance(clause, Run) and not negated and m.end() == len(text) and text[-1].isalnum()

    required: list[Part] = []
    excluded: list[Run | Phrase] = []
    for (clause, negated), joined in zip(clauses, or_before):
        if negated:
            excluded.append(clause)
        elif joined and required:
            last = required.pop()
            if isinstance(last, Run) and len(last.words) > 1:
                # OR binds tightest: "x y OR z" is x (y OR z).
                required.append(Run(last.words[:-1]))
                last = Run(last.words[-1:])
            parts = last.parts if isinstance(last, Either) else (last,)
            required.append(Either(parts + (clause,)))
        elif isinstance(clause, Run) and required and type(required[-1]) is Run:
            required[-1] = Run(required[-1].words + clause.words)
        else:
            required.append(clause)
    return ParsedQuery(
        tuple(required), tuple(excluded), unsearchable=bool(text.strip()) and not clauses, open_end=open_end
    )


def read_as(text: str, readings: tuple[Reading, ...]) -> str:
    """``text`` with each word that was read as another replaced by that reading, in the case typed."""
    pending = list(readings)
    out, at = [], 0
    normalized = unicodedata.normalize("NFC", text)
    for m in _WORD.finditer(normalized):
        if pending and m.group() == pending[0].typed:
            reading = pending.pop(0).read
            out.append(normalized[at : m.start()] + (reading.capitalize() if m.group()[:1].isupper() else reading))
            at = m.end()
    return "".join(out) + normalized[at:]
