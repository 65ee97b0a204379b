"""The unit the indexer works on: one article, as read from a corpus file."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Article:
    """An article ready to be analysed and written to the index.

    ``body`` is the cleaned text (boilerplate removed) exactly as written, so
    snippets can show the original spelling. ``districts`` holds pre-2025 district labels
    (``"Quận Hai Bà Trưng"``, ``"Huyện Châu Thành (Tiền Giang)"``), ``provinces`` current
    province names, ``wards`` labels of the current units named (vietnamese.reform), and
    ``ward_links`` those of the current units the article's units are or became part of.
    """

    id: str
    title: str
    body: str
    date: dt.date | None = None
    url: str | None = None
    author: str | None = None
    districts: tuple[str, ...] = field(default_factory=tuple)
    provinces: tuple[str, ...] = field(default_factory=tuple)
    wards: tuple[str, ...] = field(default_factory=tuple)
    ward_links: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Problem:
    """A file (or a line of one) that could not be used, and why, in plain words."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"
