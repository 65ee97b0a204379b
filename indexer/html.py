"""A web page → the parts of the article on it, found by trafilatura (dates by htmldate, inside it).

Menus, related-article lists, comment forms and share bars are what trafilatura is
built to leave out; vnsearch keeps no rules of its own for them. What a page does
not say in its metadata (a byline at the end of the text, a date printed in it) is
left to :mod:`indexer.parse`, which reads those the way it reads a scraped ``.txt``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from trafilatura import bare_extraction
from trafilatura.settings import set_date_params
from trafilatura.utils import load_html

from indexer.dates import parse_date, split_stamp

# og:type / schema.org types of a page that holds one article; trafilatura reports them as ``pagetype``.
ARTICLE_TYPES = frozenset({"article", "newsarticle", "reportagenewsarticle", "blogposting"})


@dataclass(frozen=True)
class Page:
    """What trafilatura found: ``paragraphs`` is the main text, one paragraph per item.

    ``date`` is what the page's markup states (meta tags, ``<time>``, structured data,
    the URL), read by htmldate; ``printed_date`` the first timestamp printed on the page
    (``15/12/2023 - 09:30 AM``), which news sites put next to the headline.
    """

    title: str | None
    paragraphs: list[str]
    date: dt.date | None
    printed_date: dt.date | None
    author: str | None
    url: str | None
    language: str | None
    is_article: bool


def extract(html: str, url: str | None = None) -> Page | None:
    """The article on the page ``html`` (fetched from ``url``, if known); None when no main text is found."""
    tree = load_html(html)
    if tree is None:
        return None
    found = bare_extraction(
        tree,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        include_images=False,
        deduplicate=False,
        # Markup only: htmldate's search of the text takes any year mentioned ("năm 2024") for a
        # date, and a wrong date is worse than none; printed timestamps are read by indexer.dates.
        date_extraction_params=set_date_params(False),
    )
    if found is None or not found.text:
        return None
    paragraphs = [line.strip() for line in found.text.splitlines() if line.strip()]
    author = found.author if found.author and found.author != found.sitename else None
    return Page(
        title=found.title,
        paragraphs=paragraphs,
        date=parse_date(found.date) if found.date else None,
        printed_date=_printed_date(tree),
        author=author,
        url=found.url,
        language=_language(tree),
        is_article=(found.pagetype or "").lower() in ARTICLE_TYPES,
    )


def _printed_date(tree) -> dt.date | None:
    """The date of the first timestamp (a date with a time of day) in the page's visible text."""
    body = tree.find(".//body")
    for line in (body.itertext() if body is not None else ()):
        if (stamp := split_stamp(line)) and stamp[1]:
            return stamp[1]
    return None


def _language(tree) -> str | None:
    """The language the page declares (``<html lang="vi-VN">`` → ``vi``)."""
    root = tree.getroottree().getroot() if hasattr(tree, "getroottree") else tree
    declared = (root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang") or "").strip()
    return declared.split("-")[0].lower() or None
