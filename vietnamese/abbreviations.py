"""Abbreviations and what they stand for, both ways (MTTQ ⇄ Mặt trận Tổ quốc), from a data file."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from vietnamese.text import fold, normalize, words

DATA_FILE = "abbreviations.tsv"


@dataclass(frozen=True)
class Counterpart:
    """The other side of an abbreviation: its syllables folded and in their canonical spelling."""

    folded: tuple[str, ...]
    exact: tuple[str, ...]


@lru_cache(maxsize=1)
def _table() -> dict[tuple[str, ...], list[Counterpart]]:
    """Folded syllables of each side → the other sides (GD&ĐT and GDĐT are both Giáo dục và Đào tạo)."""
    table: dict[tuple[str, ...], list[Counterpart]] = {}
    text = resources.files("vietnamese").joinpath("data", DATA_FILE).read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        short, long = (part.strip() for part in line.split("\t", 1))
        a, b = (Counterpart(tuple(words(fold(side))), tuple(words(normalize(side).lower()))) for side in (short, long))
        for side, other in ((a, b), (b, a)):
            if other not in table.setdefault(side.folded, []):
                table[side.folded].append(other)
    return table


def spans(folded: tuple[str, ...]) -> list[tuple[int, int, Counterpart]]:
    """Every span ``[start, end)`` of ``folded`` syllables that is an abbreviation or an expansion,
    with its counterpart; spans may overlap (``ủy ban mặt trận tổ quốc`` holds UB, MTTQ and UBMTTQ)."""
    table = _table()
    longest = max(map(len, table))
    return [
        (start, end, other)
        for start in range(len(folded))
        for end in range(start + 1, min(len(folded), start + longest) + 1)
        for other in table.get(folded[start:end], ())
    ]


def segments(folded: tuple[str, ...]) -> list[tuple[int, int, Counterpart]]:
    """The spans of :func:`spans` that do not overlap, the longest at each place from the left:
    the units a query is made of (``ủy ban mặt trận tổ quốc`` is one, UBMTTQ)."""
    found: list[tuple[int, int, Counterpart]] = []
    for start, end, other in sorted(spans(folded), key=lambda s: (s[0], s[0] - s[1])):
        if not found or start >= found[-1][1]:
            found.append((start, end, other))
    return found
