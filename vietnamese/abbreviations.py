"""Abbreviations and what they stand for, both ways (MTTQ ⇄ Mặt trận Tổ quốc), from a data file."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from vietnamese.text import fold, words

DATA_FILE = "abbreviations.tsv"


@lru_cache(maxsize=1)
def _table() -> dict[tuple[str, ...], tuple[str, ...]]:
    """Folded syllables of each side → folded syllables of the other side."""
    table: dict[tuple[str, ...], tuple[str, ...]] = {}
    text = resources.files("vietnamese").joinpath("data", DATA_FILE).read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        short, long = (part.strip() for part in line.split("\t", 1))
        a, b = tuple(words(fold(short))), tuple(words(fold(long)))
        table.setdefault(a, b)
        table.setdefault(b, a)
    return table


def expansions(folded: tuple[str, ...]) -> list[tuple[int, int, tuple[str, ...]]]:
    """Every span ``[start, end)`` of ``folded`` syllables that is an abbreviation or
    an expansion, with the folded syllables of its counterpart."""
    table = _table()
    longest = max(map(len, table))
    found = []
    for start in range(len(folded)):
        for end in range(start + 1, min(len(folded), start + longest) + 1):
            other = table.get(folded[start:end])
            if other is not None:
                found.append((start, end, other))
    return found
