"""Crawling news sites into the index: incremental, resumable, polite.

A start address may be a sitemap (or sitemap index, maybe gzipped), an RSS or
Atom feed, or a front page, whose same-site links are followed ``MAX_DEPTH``
deep, likely articles first. Pages are fetched by :mod:`indexer.fetch`, read by
the same code as saved ``.html`` files (:func:`indexer.parse.page_article`) and
written through the indexer's one writing path (:func:`indexer.build.writing`),
under the one-writer lock, in commits of ``COMMIT_PAGES`` pages or
``COMMIT_SECONDS``: the lock is held only while a batch is written, so the
write API and ``vnsearch index`` can take turns with a long, slow crawl.
"""

from __future__ import annotations

import hashlib
import heapq
import threading
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from tqdm import tqdm

from indexer.article import Article, Problem
from indexer.build import IndexReport, writing
from indexer.crawl_state import CrawlState, PageState, Queued
from indexer.decode import DecodeError, decode
from indexer.discover import NotASitemap, listing, looks_like_article, page_links
from indexer.fetch import HTML_TYPES, MAX_ATTEMPTS, MAX_BACKOFF, Fetched, FetchFailed, Fetcher, Retry, is_web_url
from indexer.parse import NotAnArticle, Unusable, page_article

DEFAULT_DELAY = 1.0  # seconds between two requests to one host
MAX_DEPTH = 2  # front page → section → article
# Enough pages per commit for the indexer's worker processes to pay off (indexer.build.PARALLEL_FROM),
# few enough seconds that an interrupted crawl loses little.
COMMIT_PAGES = 500
COMMIT_SECONDS = 30.0
# A batch waits this long for another writer (an `index` run, the write API) to finish.
LOCK_WAIT_SECONDS = 600.0

# Kinds of address: a start address (sitemap, feed or page, found out on fetching), a sitemap
# named by a sitemap index, a page a sitemap or feed lists (indexed, its links not followed),
# a page linked from a page (indexed if it is an article, its links followed MAX_DEPTH deep).
SEED, SITEMAP, LISTED, LINKED = "seed", "sitemap", "listed", "linked"


class CrawlError(ValueError):
    """A start address the crawler cannot use."""


class CrawlReport(IndexReport):
    """Like ``index``'s report; the pages that could not be had are ``failed``."""

    def summary(self) -> str:
        return (
            f"{self.added} thêm mới, {self.updated} cập nhật, {self.removed} đã xoá, "
            f"{self.unchanged} không đổi, {self.skipped} không lấy được"
        )


def doc_id(url: str) -> str:
    """A crawled page's document id: its address without the scheme (``vnexpress.net/…-4954454.html``)."""
    parts = urlsplit(url)
    return parts.netloc.lower() + (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


@dataclass
class _Batch:
    """Outcomes fetched since the last commit."""

    articles: dict[str, tuple[str, Article, PageState]] = field(default_factory=dict)
    gone: list[str] = field(default_factory=list)
    pages: dict[str, PageState | None] = field(default_factory=dict)  # crawl state to record after the commit
    done: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    def due(self) -> bool:
        pending = len(self.articles) + len(self.gone)
        return pending >= COMMIT_PAGES or len(self.done) >= 4 * COMMIT_PAGES or time.monotonic() - self.started >= COMMIT_SECONDS


def crawl(
    urls: list[str],
    index_dir: Path,
    max_pages: int | None = None,
    delay: float = DEFAULT_DELAY,
    progress: bool | None = None,
) -> CrawlReport:
    """Crawl from ``urls`` into the index in ``index_dir``, resuming an unfinished crawl first.

    ``max_pages`` bounds the requests of this run (an unfinished crawl resumes next time).
    """
    for url in urls:
        if not is_web_url(url):
            raise CrawlError(f"'{url}' is not an http:// or https:// address.")
    state = CrawlState(index_dir)
    resumed = state.queued()  # an unfinished crawl's remaining addresses, on the sites it was given
    fetcher = Fetcher({urlsplit(url).netloc.lower() for url in [*urls, *(item.url for item in resumed)]}, delay)
    try:
        return _Crawl(state, fetcher, index_dir, progress).run(urls, resumed, max_pages)
    finally:
        fetcher.close()
        state.close()


class _Crawl:
    def __init__(self, state: CrawlState, fetcher: Fetcher, index_dir: Path, progress: bool | None):
        self.state = state
        self.fetcher = fetcher
        self.index_dir = index_dir
        self.report = CrawlReport()
        self.queues: dict[str, list[Queued]] = {}  # per host, in visiting order
        self.attempts: Counter[str] = Counter()
        self.batch = _Batch()
        self._writing: threading.Thread | None = None
        self._written: tuple[_Batch, IndexReport | BaseException] | None = None
        self.bar = tqdm(desc="Crawling", unit=" pages", disable=None if progress is None else not progress)

    def run(self, urls: list[str], resumed: list[Queued], max_pages: int | None) -> CrawlReport:
        self._enqueue(resumed)
        self._enqueue(self.state.enqueue((url, SEED, 0, -1) for url in urls))
        requests = 0
        try:
            while self._pending() and (max_pages is None or requests < max_pages):
                item = self._next()
                requests += 1
                self._visit(item)
                if self.batch.due():
                    self._commit()
            self._commit()
        finally:
            self._await_writing()  # even when interrupted: what a commit holds is recorded
            self.bar.close()
        if not self._pending():
            self.state.finish()
        return self.report

    def _pending(self) -> bool:
        return any(self.queues.values())

    def _enqueue(self, items: list[Queued]) -> None:
        for item in items:
            heapq.heappush(self.queues.setdefault(urlsplit(item.url).netloc.lower(), []), item)
        self.bar.total = (self.bar.total or 0) + len(items)
        self.bar.refresh()

    def _next(self) -> Queued:
        """The first address in order among the hosts that may be asked now; waits when none may."""
        heads = [queue for queue in self.queues.values() if queue]
        while True:
            waits = [(self.fetcher.wait_for(queue[0].url), queue[0], queue) for queue in heads]
            ready = [(item, queue) for wait, item, queue in waits if wait <= 0]
            if ready:
                item, queue = min(ready, key=lambda pair: pair[0])
                return heapq.heappop(queue)
            time.sleep(min(wait for wait, _, _ in waits))

    def _fail(self, url: str, reason: str) -> None:
        self.report.problems.append(Problem(url, reason))
        self.batch.done.append(url)

    def _visit(self, item: Queued) -> None:
        known = self.state.page(item.url)
        # Only a page whose links are not needed is asked for "only if changed".
        conditional = known is not None and (item.kind == LISTED or (item.kind == LINKED and item.depth >= MAX_DEPTH))
        try:
            fetched = self.fetcher.get(
                item.url,
                etag=known.etag if conditional else None,
                last_modified=known.last_modified if conditional else None,
                sitemap=item.kind in (SEED, SITEMAP),
            )
        except Retry as retry:
            self.attempts[item.url] += 1
            if self.attempts[item.url] >= MAX_ATTEMPTS or retry.after > MAX_BACKOFF:
                self._fail(item.url, f"{retry.reason}, still after {self.attempts[item.url]} attempts")
            else:  # again once the host is ready (Fetcher.get set when)
                heapq.heappush(self.queues[urlsplit(item.url).netloc.lower()], item)
            return
        except FetchFailed as error:
            self.bar.update()
            self._fail(item.url, str(error))
            return
        self.bar.update()
        if fetched.status == 304:
            self.report.unchanged += 1
            self.batch.done.append(item.url)
        elif fetched.status in (404, 410):
            self.batch.gone.append(item.url)
        elif item.kind in (SEED, SITEMAP) and self._read_listing(item, fetched):
            self.batch.done.append(item.url)
        elif item.kind == SITEMAP:
            self._fail(item.url, "not a sitemap")
        else:
            self._read_page(item, fetched, known)

    def _read_listing(self, item: Queued, fetched: Fetched) -> bool:
        """Queue what a sitemap or feed lists; False when ``fetched`` is neither."""
        try:
            found = listing(fetched)
        except NotASitemap as error:
            self._fail(item.url, str(error))
            return True
        if found is None:
            return False
        depth = item.depth + 1
        self._enqueue(
            self.state.enqueue(
                [(url, SITEMAP, depth, -1) for url in found.sitemaps if self._may_visit(url)]
                + [(url, LISTED, depth, 0) for url in found.pages if self._may_visit(url)]
            )
        )
        return True

    def _read_page(self, item: Queued, fetched: Fetched, known: PageState | None) -> None:
        if fetched.content_type not in HTML_TYPES:
            self._fail(item.url, f"not an HTML page ({fetched.content_type or 'no Content-Type'})")
            return
        try:
            html = _text(fetched)
        except DecodeError as error:
            self._fail(item.url, str(error))
            return
        if item.kind in (SEED, LINKED) and item.depth < MAX_DEPTH:
            links = [url for url in page_links(html, fetched.url) if self._may_visit(url)]
            depth = item.depth + 1
            self._enqueue(self.state.enqueue((url, LINKED, depth, 0 if looks_like_article(url) else 1) for url in links))
        digest = hashlib.sha256(fetched.body).hexdigest()
        version = PageState(fetched.etag, fetched.last_modified, digest)
        if known is not None and known.digest == digest:  # the same page again: nothing to analyse
            self.report.unchanged += 1
            self.batch.pages[item.url] = version
            self.batch.done.append(item.url)
            return
        try:
            article = page_article(doc_id(item.url), html, fetched.url, articles_only=True)
        except NotAnArticle:  # a front page or a section: its links were what it was for
            self.batch.done.append(item.url)
            return
        except Unusable as error:
            self._fail(item.url, str(error))
            return
        self.batch.articles[item.url] = (digest, article, version)

    def _may_visit(self, url: str) -> bool:
        return self.fetcher.on_site(url) and self.fetcher.allowed(url)

    def _commit(self) -> None:
        """Hand the batch to a writing thread and go on crawling while it is analysed and written.

        One batch is written at a time; what a written batch committed is recorded in the
        crawl state (by this thread: the state's connection is its own) before the next starts.
        """
        batch, self.batch = self.batch, _Batch()
        self._await_writing()
        self._writing = threading.Thread(target=self._write, args=(batch,), name="vnsearch-crawl-writer")
        self._writing.start()

    def _write(self, batch: _Batch) -> None:
        try:
            if batch.articles or batch.gone:
                with writing(self.index_dir, wait=LOCK_WAIT_SECONDS) as session:
                    for url, (digest, article, version) in batch.articles.items():
                        session.replace(url, digest, [article], [])
                        batch.pages[url] = version
                        batch.done.append(url)
                    for url in batch.gone:
                        if not session.remove(url):
                            session.report.problems.append(Problem(url, "not found (HTTP 404 or 410)"))
                        batch.pages[url] = None
                        batch.done.append(url)
                self._written = (batch, session.report)
            else:
                self._written = (batch, IndexReport())
        except BaseException as error:  # raised again by the crawling thread
            self._written = (batch, error)

    def _await_writing(self) -> None:
        """Wait for the batch being written, then count it and record it in the crawl state."""
        if self._writing is None:
            return
        self._writing.join()
        self._writing = None
        batch, written = self._written
        if isinstance(written, BaseException):
            raise written
        for name in ("added", "updated", "removed", "unchanged"):
            setattr(self.report, name, getattr(self.report, name) + getattr(written, name))
        self.report.problems.extend(written.problems)
        self.state.record(batch.pages, batch.done)


def _text(fetched: Fetched) -> str:
    """The page's text: in the charset its server declares, else as corpus files are decoded."""
    if fetched.charset:
        try:
            return unicodedata.normalize("NFC", fetched.body.decode(fetched.charset, "replace"))
        except LookupError:
            pass
    return decode(fetched.body)
