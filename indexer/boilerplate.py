"""Strip site boilerplate from scraped pages, so searches match only what articles say.

The phrases live in ``data/boilerplate.txt``, in three sections: ``[tail]`` lines
that start the page footer (dropped with everything after them), ``[line]`` lines
dropped wherever they appear, and ``[prefix]`` beginnings of lines to drop.
Two patterns need no list: a line that is one phrase written twice is a category
header, and a photo caption the page shows twice in a row is kept once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from vietnamese.text import normalize

DATA_FILE = "boilerplate.txt"


@dataclass(frozen=True)
class Rules:
    tails: frozenset[str]
    lines: frozenset[str]
    prefixes: tuple[str, ...]


@lru_cache(maxsize=1)
def _rules() -> Rules:
    """The data file's phrases, in :func:`key` form; a phrase outside a known section is a mistake in the file."""
    text = resources.files("indexer").joinpath("data", DATA_FILE).read_text(encoding="utf-8")
    sections: dict[str, list[str]] = {"tail": [], "line": [], "prefix": []}
    current: list[str] | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.get(line[1:-1])
            if current is None:
                raise ValueError(f"{DATA_FILE} line {number}: unknown section {line}")
        elif current is None:
            raise ValueError(f"{DATA_FILE} line {number}: phrase before any section")
        else:
            current.append(key(line))
    return Rules(frozenset(sections["tail"]), frozenset(sections["line"]), tuple(sections["prefix"]))


def key(line: str) -> str:
    """The form lines are compared in: one spelling, single spaces, no surrounding ``|``."""
    return normalize(" ".join(line.split()).strip("| "))


def is_boilerplate(line: str) -> bool:
    """Whether ``line`` on its own is boilerplate (a footer heading counts too)."""
    return _classify(line)[1] is not None


def clean(lines: Iterable[str]) -> list[str]:
    """The page's non-empty lines, stripped, without boilerplate, footer and repeated captions."""
    kept: list[str] = []
    previous = None
    for line in lines:
        line = line.strip()
        if not line:
            continue
        phrase, verdict = _classify(line)
        if verdict == "tail":
            break
        if verdict or phrase == previous:
            continue
        kept.append(line)
        previous = phrase
    return kept


def _classify(line: str) -> tuple[str, str | None]:
    """The line's phrase and ``"tail"`` (footer starts), ``"drop"`` or None (article text)."""
    phrase = key(line)
    words = phrase.split(" ")
    half = len(words) // 2
    doubled = half >= 2 and len(words) % 2 == 0 and words[:half] == words[half:]
    if doubled:
        phrase = " ".join(words[:half])
    rules = _rules()
    if phrase in rules.tails:
        return phrase, "tail"
    if doubled or phrase in rules.lines or phrase.startswith(rules.prefixes):
        return phrase, "drop"
    return phrase, None
