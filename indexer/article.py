"""The unit the indexer works on: one article, as read from a corpus file."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Article:
    """An article ready to be analysed and written to the index.

    ``body`` is the cleaned text (boilerplate removed) exactly as written, so
    snippets can show the original spelling. ``districts`` holds canonical
    district names from vietnam-provinces (``"Quận Hai Bà Trưng"``).
    """

    id: str
    title: str
    body: str
    date: dt.date | None = None
    url: str | None = None
    author: str | None = None
    districts: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Problem:
    """A file (or a line of one) that could not be used, and why, in plain words."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"
