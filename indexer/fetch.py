"""Fetching pages politely from the sites a crawl was given, and from nowhere else.

Politeness is the crawler's contract with the sites it reads: robots.txt (read by
protego, Crawl-delay included), one request at a time per host with a pause
between them, a User-Agent that says who is asking, and backing off when a site
says it is overloaded (429, 5xx, honouring Retry-After). Safety is ours: only
http(s), only the hosts given (a redirect elsewhere is refused, not followed), a
time limit and a size limit on every answer.
"""

from __future__ import annotations

import email.utils
import time
from dataclasses import dataclass
from importlib.metadata import version
from urllib.parse import urljoin, urlsplit

import httpx
from protego import Protego

from indexer.read import MAX_FILE_BYTES, MiB

USER_AGENT = f"vnsearch/{version('vnsearch')} (+https://github.com/vnsearch/vnsearch; news search crawler)"
ROBOTS_AGENT = "vnsearch"
# A page is held to the size limit of a saved page; a sitemap may list 50,000 addresses.
MAX_PAGE_BYTES = MAX_FILE_BYTES[".html"]
MAX_SITEMAP_BYTES = 50 * MiB
TIMEOUT = httpx.Timeout(10.0)  # to connect, and between two pieces of an answer
MAX_SECONDS = 30.0  # for a whole answer, however slowly it trickles in
MAX_REDIRECTS = 5
MAX_ATTEMPTS = 4  # a page that keeps answering 429 or 5xx is given up for this run
FIRST_BACKOFF = 2.0  # seconds; doubled at each further 429/5xx without a Retry-After
MAX_BACKOFF = 300.0  # a Retry-After longer than this gives the page up for this run
HTML_TYPES = ("text/html", "application/xhtml+xml")


class FetchFailed(Exception):
    """The page could not be had; the message says why, in plain words."""


@dataclass(frozen=True)
class Retry(Exception):
    """The host asked us to come back later (429, 5xx): in ``after`` seconds."""

    after: float
    reason: str


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects (on the same hosts)
    status: int  # 200, 304, 404 or 410
    body: bytes = b""
    content_type: str = ""
    charset: str | None = None
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class _Answer:
    status: int
    headers: httpx.Headers
    body: bytes
    charset: str | None


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def is_web_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


class Fetcher:
    """One crawl's HTTP client: polite per host, confined to ``hosts`` (``host[:port]`` as in URLs)."""

    def __init__(self, hosts: set[str], delay: float):
        self.hosts = hosts
        self.delay = delay
        self._client = httpx.Client(
            headers={"User-Agent": USER_AGENT}, timeout=TIMEOUT, follow_redirects=False
        )
        self._robots: dict[str, Protego | None] = {}
        self._ready_at: dict[str, float] = {}  # per host: when the next request may go
        self._backoff: dict[str, float] = {}

    def close(self) -> None:
        self._client.close()

    def on_site(self, url: str) -> bool:
        return is_web_url(url) and urlsplit(url).netloc.lower() in self.hosts

    def allowed(self, url: str) -> bool:
        """Whether robots.txt lets vnsearch fetch ``url`` (reading robots.txt first if needed)."""
        robots = self._robots_of(origin(url))
        return robots is None or robots.can_fetch(url, ROBOTS_AGENT)

    def wait_for(self, url: str) -> float:
        """Seconds until ``url``'s host may be asked again."""
        return max(0.0, self._ready_at.get(urlsplit(url).netloc.lower(), 0.0) - time.monotonic())

    def get(self, url: str, etag: str | None = None, last_modified: str | None = None, sitemap: bool = False) -> Fetched:
        """The page at ``url``, asked for only if changed when validators are given.

        Raises :class:`Retry` when the host wants us to wait, :class:`FetchFailed` otherwise.
        Each request waits for its host's turn (:meth:`wait_for`).
        """
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        limit = MAX_SITEMAP_BYTES if sitemap else MAX_PAGE_BYTES
        for _ in range(MAX_REDIRECTS + 1):
            if not self.on_site(url):
                raise FetchFailed(f"redirected off the crawled sites, to {url}")
            if not self.allowed(url):
                raise FetchFailed("disallowed by robots.txt")
            time.sleep(self.wait_for(url))  # robots.txt or a redirect may just have been fetched
            answer = self._request(url, headers, limit)
            if answer.status in (301, 302, 303, 307, 308) and "location" in answer.headers:
                url = urljoin(url, answer.headers["location"])
                continue
            return self._answer(url, answer, sitemap)
        raise FetchFailed(f"more than {MAX_REDIRECTS} redirects")

    def _answer(self, url: str, answer: _Answer, sitemap: bool) -> Fetched:
        host = urlsplit(url).netloc.lower()
        status, headers = answer.status, answer.headers
        if status == 429 or status >= 500:
            backoff = self._backoff.get(host, FIRST_BACKOFF / 2) * 2
            after = _retry_after(headers.get("retry-after")) or backoff
            self._backoff[host] = backoff
            self._ready_at[host] = time.monotonic() + after
            raise Retry(after, f"HTTP {status}")
        self._backoff.pop(host, None)
        if status in (304, 404, 410):
            return Fetched(url, status, etag=headers.get("etag"), last_modified=headers.get("last-modified"))
        if status != 200:
            raise FetchFailed(f"HTTP {status}")
        content_type = headers.get("content-type", "")
        media = content_type.split(";")[0].strip().lower()
        if not sitemap and media not in HTML_TYPES:
            raise FetchFailed(f"not an HTML page ({media or 'no Content-Type'})")
        return Fetched(url, 200, answer.body, media, answer.charset, headers.get("etag"), headers.get("last-modified"))

    def _request(self, url: str, headers: dict[str, str], limit: int) -> _Answer:
        """One GET, paced for its host, read up to ``limit`` bytes and ``MAX_SECONDS``."""
        host = urlsplit(url).netloc.lower()
        started = time.monotonic()
        try:
            with self._client.stream("GET", url, headers=headers) as response:
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > limit:
                    raise FetchFailed(f"larger than the {limit // MiB} MiB limit")
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > limit:
                        raise FetchFailed(f"larger than the {limit // MiB} MiB limit")
                    if time.monotonic() - started > MAX_SECONDS:
                        raise FetchFailed(f"no complete answer within {MAX_SECONDS:.0f} s")
                    chunks.append(chunk)
                return _Answer(response.status_code, response.headers, b"".join(chunks), response.charset_encoding)
        except httpx.TimeoutException:
            raise FetchFailed(f"no answer within {TIMEOUT.read:.0f} s") from None
        except httpx.HTTPError as error:
            raise FetchFailed(f"cannot be fetched ({error.__class__.__name__}: {error})") from None
        finally:
            pause = self.delay
            robots = self._robots.get(origin(url))
            if robots is not None:
                pause = max(pause, robots.crawl_delay(ROBOTS_AGENT) or 0.0)
            self._ready_at[host] = max(self._ready_at.get(host, 0.0), time.monotonic() + pause)

    def _robots_of(self, site: str) -> Protego | None:
        """The site's robots.txt rules; None (everything allowed) when it has none.

        A robots.txt that cannot be read (5xx, no answer) forbids everything for this
        run, as search engines do: the site may be down, and then it should be left alone.
        """
        if site not in self._robots:
            self._robots[site] = Protego.parse("")  # while robots.txt itself is fetched
            url = f"{site}/robots.txt"
            try:
                time.sleep(self.wait_for(url))
                answer = self._request(url, {}, MAX_PAGE_BYTES)
                status = answer.status
            except FetchFailed:
                status = 503
            if status == 200:
                robots = self._robots[site] = Protego.parse(answer.body.decode("utf-8", "replace"))
                host = urlsplit(site).netloc.lower()  # the pause after robots.txt itself, too
                pause = robots.crawl_delay(ROBOTS_AGENT) or 0.0
                self._ready_at[host] = max(self._ready_at.get(host, 0.0), time.monotonic() + pause)
            elif 300 <= status < 500:  # none there (or only elsewhere, where we do not go)
                self._robots[site] = None
            else:
                self._robots[site] = Protego.parse("User-agent: *\nDisallow: /")
        return self._robots[site]


def _retry_after(value: str | None) -> float | None:
    """Retry-After in seconds, from seconds or an HTTP date."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
