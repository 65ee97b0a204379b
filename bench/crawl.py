"""Crawl speed, end to end: `vnsearch crawl` over a local site of real articles, then again unchanged.

The site (tests/sites.py, on 127.0.0.1) serves ``--pages`` article pages made from the articles
of the sample corpora (menus, related links and comment form around each), a sitemap listing
them, robots.txt, and an ETag per page. The first crawl (delay 0) fetches, extracts and indexes
every page; the second must be answered 304 and re-analyse nothing.

    .venv/bin/python -m bench.crawl --pages 2000
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.articles import read_articles
from tests.sites import Page, Site, page_html, sitemap

REPO = Path(__file__).resolve().parents[1]
CORPORA = [REPO / "corpus", REPO.parent / "shared" / "corpora" / "dantri-unc"]


def build_site(pages: int) -> Site:
    articles = read_articles([p for p in CORPORA if p.exists()])
    site = Site()
    site.pages["/robots.txt"] = Page("User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    urls = []
    for n in range(pages):
        article = articles[n % len(articles)]
        path = f"/tin/{n}-{article.id.rsplit('/', 1)[-1]}.html"
        title = article.title if n < len(articles) else f"{article.title} ({n})"
        html = page_html(title, article.body.split("\n\n"), article.date.isoformat() if article.date else None, "/tin/")
        site.pages[path] = Page(html, etag=f'"{n}"')
        urls.append(site.url + path)
    site.pages["/sitemap.xml"] = Page(sitemap(urls), content_type="application/xml")
    return site


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_crawl(site: Site, index_dir: Path) -> tuple[float, float, str]:
    """Wall-clock seconds, CPU seconds (the crawl and its indexing workers) and the crawl's summary."""
    started, cpu = time.perf_counter(), _children_cpu()
    result = subprocess.run(
        [sys.executable, "-m", "vnsearch.cli", "crawl", f"{site.url}/sitemap.xml", "--delay", "0", "--index-dir", str(index_dir)],
        capture_output=True,
        text=True,
        check=True,
    )
    return time.perf_counter() - started, _children_cpu() - cpu, result.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    args = parser.parse_args()
    site = build_site(args.pages)
    with tempfile.TemporaryDirectory(prefix="vnsearch-crawl-bench-") as tmp:
        seconds, cpu, summary = run_crawl(site, Path(tmp) / "index")
        print(
            f"first crawl: {args.pages} pages in {seconds:.1f} s = {args.pages / seconds:.1f} pages/s; "
            f"{cpu:.1f} CPU s = {args.pages / cpu:.1f} pages per CPU s ({summary})"
        )
        site.requests.clear()
        site.statuses.clear()
        seconds, cpu, summary = run_crawl(site, Path(tmp) / "index")
        articles = sum(1 for r in site.requests if r.path.startswith("/tin/"))
        not_modified = site.statuses.count(304)
        print(
            f"re-crawl: {len(site.statuses)} requests in {seconds:.1f} s ({cpu:.1f} CPU s), {not_modified} answered 304 "
            f"({100 * not_modified / len(site.statuses):.2f}%), {articles} article requests ({summary})"
        )
        print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    site.close()


if __name__ == "__main__":
    main()
