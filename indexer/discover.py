"""The addresses a fetched page leads to: a sitemap's, a feed's, or a front page's links.

Feeds (RSS 0.9x–2.0, RDF, Atom) are read by feedparser. Sitemaps are plain XML in
one namespace (sitemaps.org), read with lxml; gzipped ones are unpacked up to a size
limit, so a small compressed file cannot expand into gigabytes. trafilatura's own
sitemap and feed helpers are not used: they fetch on their own (past our politeness
and host limits) and drop addresses on local hosts.
"""

from __future__ import annotations

import io
import re
import zlib
from dataclasses import dataclass
from urllib.parse import urldefrag, urljoin

import feedparser
import lxml.etree
import lxml.html

from indexer.fetch import HTML_TYPES, MAX_SITEMAP_BYTES, Fetched

# Links that are never pages: files, not articles.
_NOT_PAGES = re.compile(
    r"\.(?:jpe?g|png|gif|webp|svg|ico|css|js|json|pdf|docx?|xlsx?|pptx?|zip|rar|gz|mp[34]|avi|mov|webm)$", re.IGNORECASE
)
# What an article's address looks like on news sites: a long slug, an id number, a page file.
_ARTICLE_URL = re.compile(r"(?:\d{4,}|(?:[a-z0-9]+-){4,}[a-z0-9]+|\.html?)/?$", re.IGNORECASE)
_GZIP_MAGIC = b"\x1f\x8b"


class NotASitemap(ValueError):
    """The content is not a sitemap or a feed."""


@dataclass(frozen=True)
class Listing:
    """Addresses a sitemap or feed gives: ``sitemaps`` to read in turn, ``pages`` to index."""

    sitemaps: list[str]
    pages: list[str]


def looks_like_article(url: str) -> bool:
    return bool(_ARTICLE_URL.search(url.split("?")[0]))


def listing(fetched: Fetched) -> Listing | None:
    """The addresses in a sitemap, sitemap index or feed; None when ``fetched`` is none of these."""
    if fetched.content_type in HTML_TYPES:
        return None
    body = fetched.body
    if body[:2] == _GZIP_MAGIC:
        body = _gunzip(body)
    head = body[:2048].lstrip().lower()
    if b"<html" in head or b"<!doctype html" in head:
        return None
    try:
        root = lxml.etree.fromstring(body, lxml.etree.XMLParser(resolve_entities=False, no_network=True, recover=True))
    except lxml.etree.XMLSyntaxError:
        return None
    if root is None:
        return None
    kind = lxml.etree.QName(root).localname.lower()
    if kind in ("urlset", "sitemapindex"):
        locations = [urljoin(fetched.url, loc.text.strip()) for loc in root.iter("{*}loc") if loc.text]
        return Listing(locations, []) if kind == "sitemapindex" else Listing([], locations)
    feed = feedparser.parse(io.BytesIO(body), response_headers={"content-location": fetched.url})
    if feed.version:
        return Listing([], [urljoin(fetched.url, entry.link) for entry in feed.entries if entry.get("link")])
    return None


def page_links(html: str, url: str) -> list[str]:
    """The page's links, absolute, without fragments, files left out; in page order, each once."""
    try:
        tree = lxml.html.fromstring(html, base_url=url)
    except (lxml.etree.ParserError, ValueError):
        return []
    tree.make_links_absolute(url, handle_failures="discard")
    links = {}
    for anchor in tree.iter("a"):
        href = anchor.get("href")
        if href and not _NOT_PAGES.search(href.split("?")[0]):
            links[urldefrag(href).url] = None
    return list(links)


def _gunzip(data: bytes) -> bytes:
    unpacker = zlib.decompressobj(zlib.MAX_WBITS | 16)
    try:
        body = unpacker.decompress(data, MAX_SITEMAP_BYTES)
    except zlib.error:
        raise NotASitemap("a damaged .gz file") from None
    if unpacker.unconsumed_tail:
        raise NotASitemap(f"larger than {MAX_SITEMAP_BYTES // (1024 * 1024)} MiB unpacked")
    return body
