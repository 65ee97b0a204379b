"""`vnsearch crawl` against sites served from 127.0.0.1: what it indexes, and what the sites saw."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import indexer.fetch
from indexer.build import index_lock
from indexer.crawl import crawl, doc_id
from search.engine import SearchEngine
from tests.conftest import ids
from tests.sites import FIXTURE_PAGE, REAL_PAGE, Page, Site, article_html, gzipped, rss, sitemap, sitemap_index

DELAY = 0.2  # between requests to one host, in these tests


@pytest.fixture
def site() -> Iterator[Site]:
    s = Site()
    yield s
    s.close()


@pytest.fixture
def elsewhere() -> Iterator[Site]:
    s = Site()
    s.pages["/stolen.html"] = Page(article_html(999))
    yield s
    s.close()


def build_news_site(site: Site, elsewhere: Site, articles: int = 6) -> list[str]:
    """Robots, a gzipped sitemap inside a sitemap index, and every kind of trouble a crawler meets."""
    urls = site.add_articles(articles)
    page = REAL_PAGE if REAL_PAGE.exists() else FIXTURE_PAGE
    site.pages["/suc-khoe/real-page-4954454.html"] = Page(page.read_bytes(), etag='"real"')
    site.pages["/robots.txt"] = Page("User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    site.pages["/private/secret-page.html"] = Page(article_html(500))
    site.pages["/busy.html"] = Page(lambda n: (429, {"Retry-After": "1"}, b"") if n == 1 else (200, {"Content-Type": "text/html"}, article_html(600).encode()))
    site.pages["/slow.html"] = Page(article_html(700), trickle=0.3)
    site.pages["/loop-a.html"] = Page(status=302, headers={"Location": "/loop-b.html"})
    site.pages["/loop-b.html"] = Page(status=302, headers={"Location": "/loop-a.html"})
    site.pages["/away.html"] = Page(status=301, headers={"Location": f"{elsewhere.url}/stolen.html"})
    site.pages["/huge.html"] = Page(b"<p>x</p>" * (50 * 1024 * 1024 // 8))
    site.pages["/huge-unsized.html"] = Page(b"<p>x</p>" * (50 * 1024 * 1024 // 8), length_header=False)
    site.pages["/logo.png"] = Page(b"\x89PNG\r\n", content_type="image/png")
    extra = ["/suc-khoe/real-page-4954454.html", "/private/secret-page.html", "/busy.html", "/slow.html",
             "/loop-a.html", "/away.html", "/huge.html", "/huge-unsized.html", "/logo.png", "/gone.html"]
    site.pages["/sitemap-1.xml.gz"] = Page(gzipped(sitemap(urls[: articles // 2])), content_type="application/gzip")
    site.pages["/sitemap-2.xml"] = Page(sitemap(urls[articles // 2 :] + [site.url + p for p in extra]), content_type="application/xml")
    site.pages["/sitemap.xml"] = Page(
        sitemap_index([f"{site.url}/sitemap-1.xml.gz", f"{site.url}/sitemap-2.xml"]), content_type="application/xml"
    )
    return urls


@pytest.fixture
def short_time_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole-answer time limit, 30 s in use, made short enough for a test to wait out."""
    monkeypatch.setattr(indexer.fetch, "MAX_SECONDS", 1.5)


def test_a_sitemap_crawl_indexes_the_articles_politely_and_reports_every_failure(
    site: Site, elsewhere: Site, tmp_path: Path, short_time_limit: None
) -> None:
    urls = build_news_site(site, elsewhere)
    report = crawl([f"{site.url}/sitemap.xml"], tmp_path / "index", delay=DELAY, progress=False)

    failed = {problem.path.removeprefix(site.url): problem.reason for problem in report.problems}
    assert failed == {  # a disallowed address is left out, as if not listed
        "/slow.html": "no complete answer within 2 s",
        "/loop-a.html": "more than 5 redirects",
        "/away.html": f"redirected off the crawled sites, to {elsewhere.url}/stolen.html",
        "/huge.html": "larger than the 5 MiB limit",
        "/huge-unsized.html": "larger than the 5 MiB limit",
        "/logo.png": "not an HTML page (image/png)",
        "/gone.html": "not found (HTTP 404 or 410)",
    }
    assert (report.added, report.updated, report.removed, report.unchanged) == (len(urls) + 2, 0, 0, 0)
    engine = SearchEngine(tmp_path / "index")
    assert engine.document_count() == len(urls) + 2
    assert ids(engine, '"hoạt động số 3 trong năm"') == [doc_id(urls[3])]
    busy = engine.document(doc_id(f"{site.url}/busy.html"))
    assert busy is not None and "Tin liên quan" not in busy.body and "bình luận" not in busy.body
    if REAL_PAGE.exists():
        real = engine.document(doc_id(f"{site.url}/suc-khoe/real-page-4954454.html"))
        assert (real.title, real.author) == ("Đau bụng kéo dài, phát hiện ung thư lymphoma ruột non", "Lê Phương")

    # What the sites saw: robots.txt first, nothing disallowed, nothing elsewhere, pauses between requests.
    paths = site.paths()
    assert paths[0] == "/robots.txt"
    assert "/private/secret-page.html" not in paths
    assert elsewhere.requests == []
    assert all("vnsearch/" in r.headers["user-agent"] for r in site.requests)
    gaps = [b.at - a.at for a, b in zip(site.requests, site.requests[1:])]
    assert min(gaps) >= DELAY * 0.95
    busy_times = [r.at for r in site.requests if r.path == "/busy.html"]
    assert len(busy_times) == 2 and busy_times[1] - busy_times[0] >= 0.95  # Retry-After: 1


def test_a_recrawl_asks_only_for_changes_and_follows_edits_and_deletions(site: Site, tmp_path: Path) -> None:
    urls = site.add_articles(8)
    site.pages["/sitemap.xml"] = Page(sitemap(urls), content_type="application/xml")
    start = [f"{site.url}/sitemap.xml"]
    first = crawl(start, tmp_path / "index", delay=0, progress=False)
    assert (first.added, first.problems) == (8, [])

    site.requests.clear()
    again = crawl(start, tmp_path / "index", delay=0, progress=False)
    assert (again.added, again.updated, again.removed, again.unchanged, again.problems) == (0, 0, 0, 8, [])
    article_requests = [r for r in site.requests if r.path.startswith("/tin/")]
    assert len(article_requests) == 8
    assert all(r.headers.get("if-none-match", "").startswith('"v1-') for r in article_requests)

    edited = "/tin/bai-2-quan-tin-tuc-moi-nhat.html"
    site.pages[edited] = Page(article_html(2, version=2).replace("hoạt động số 2", "hoạt động đã sửa"), etag='"v2-2"')
    del site.pages["/tin/bai-5-quan-tin-tuc-moi-nhat.html"]
    third = crawl(start, tmp_path / "index", delay=0, progress=False)
    assert (third.added, third.updated, third.removed, third.unchanged, third.problems) == (0, 1, 1, 6, [])
    engine = SearchEngine(tmp_path / "index")
    assert ids(engine, '"hoạt động đã sửa"') == [doc_id(site.url + edited)]
    assert engine.document(doc_id(urls[5])) is None


def test_a_feed_and_a_front_page_lead_to_articles_on_the_same_site_only(site: Site, elsewhere: Site, tmp_path: Path) -> None:
    urls = site.add_articles(6)
    site.pages["/rss/tin-moi.rss"] = Page(rss(urls[:2]), content_type="application/rss+xml")
    links = "".join(f'<a href="{u.removeprefix(site.url)}">Bài</a>' for u in urls[2:4])
    site.pages["/"] = Page(
        f'<html lang="vi"><body><h1>Trang chủ</h1><a href="/chuyen-muc/xa-hoi">Xã hội</a>{links}'
        f'<a href="{elsewhere.url}/stolen.html">Bài nơi khác</a><a href="/anh/logo.png">logo</a></body></html>'
    )
    deeper = "".join(f'<a href="{u.removeprefix(site.url)}">Bài</a>' for u in urls[4:])
    site.pages["/chuyen-muc/xa-hoi"] = Page(f'<html lang="vi"><body><h1>Xã hội</h1>{deeper}</body></html>')
    for menu in ("/chuyen-muc/thoi-su", "/lien-he"):  # linked from every article's menu; not articles
        site.pages[menu] = Page('<html lang="vi"><body><h1>Mục</h1><p>Danh sách các bài viết.</p></body></html>')
    report = crawl([f"{site.url}/rss/tin-moi.rss", f"{site.url}/"], tmp_path / "index", delay=0, progress=False)
    assert (report.added, report.problems) == (6, [])
    assert elsewhere.requests == []
    assert "/anh/logo.png" not in site.paths()
    engine = SearchEngine(tmp_path / "index")
    assert sorted(ids(engine, "", size="20")) == sorted(doc_id(u) for u in urls)


def test_robots_crawl_delay_spaces_the_requests_even_with_no_delay_asked(site: Site, tmp_path: Path) -> None:
    urls = site.add_articles(3)
    site.pages["/robots.txt"] = Page("User-agent: *\nCrawl-delay: 0.5\n", content_type="text/plain")
    site.pages["/sitemap.xml"] = Page(sitemap(urls), content_type="application/xml")
    report = crawl([f"{site.url}/sitemap.xml"], tmp_path / "index", delay=0, progress=False)
    assert report.added == 3
    gaps = [b.at - a.at for a, b in zip(site.requests, site.requests[1:])]  # robots.txt, sitemap, 3 articles
    assert len(gaps) == 4 and min(gaps) >= 0.5 * 0.95


def test_only_web_addresses_are_crawled(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "vnsearch.cli", "crawl", "file:///etc/passwd", "--index-dir", str(tmp_path / "i")],
        capture_output=True, text=True,
    )
    assert result.returncode == 2
    assert "is not an http:// or https:// address" in result.stderr


def test_a_crawl_waits_for_the_indexer_holding_the_lock_then_writes(site: Site, tmp_path: Path) -> None:
    urls = site.add_articles(3)
    site.pages["/sitemap.xml"] = Page(sitemap(urls), content_type="application/xml")
    index_dir = tmp_path / "index"
    with index_lock(index_dir):
        process = subprocess.Popen(
            [sys.executable, "-m", "vnsearch.cli", "crawl", f"{site.url}/sitemap.xml", "--delay", "0",
             "--index-dir", str(index_dir)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        deadline = time.monotonic() + 60
        while len(site.requests) < 5 and time.monotonic() < deadline:  # robots, sitemap, 3 articles
            time.sleep(0.05)
        time.sleep(0.5)
        assert process.poll() is None, "the crawl wrote, or gave up, while another writer held the index"
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    assert out.strip() == "3 thêm mới, 0 cập nhật, 0 đã xoá, 0 không đổi, 0 không lấy được"


def test_a_killed_crawl_resumes_where_it_stopped_and_loses_nothing_it_committed(site: Site, tmp_path: Path) -> None:
    urls = site.add_articles(30)
    site.pages["/sitemap.xml"] = Page(sitemap(urls), content_type="application/xml")
    index_dir = tmp_path / "index"
    command = [sys.executable, "-m", "vnsearch.cli", "crawl", f"{site.url}/sitemap.xml", "--index-dir", str(index_dir)]

    # A first run stops after 10 requests (robots.txt is not counted: it is not a page) and commits them.
    first = subprocess.run([*command, "--delay", "0", "--max-pages", "10"], capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "9 thêm mới, 0 cập nhật, 0 đã xoá, 0 không đổi, 0 không lấy được"
    committed = {r.path for r in site.requests if r.path.startswith("/tin/")}

    # A second run is killed mid-way, with pages fetched but not committed.
    site.requests.clear()
    process = subprocess.Popen([*command, "--delay", "0.1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while len(site.requests) < 8 and time.monotonic() < deadline:
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert SearchEngine(index_dir).document_count() == 9

    site.requests.clear()
    last = subprocess.run([*command, "--delay", "0"], capture_output=True, text=True)
    assert last.returncode == 0, last.stderr
    assert last.stdout.strip() == "21 thêm mới, 0 cập nhật, 0 đã xoá, 0 không đổi, 0 không lấy được"
    assert committed.isdisjoint(site.paths())  # the resumed run did not ask again for what was committed
    assert SearchEngine(index_dir).document_count() == 30
    assert os.path.exists(index_dir / "crawl.sqlite3")
