"""The ``vnsearch`` command: index a corpus, search it, serve it.

The composition root: the only module that brings the indexer, the search
engine and the web app together. Nothing imports it.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
from pathlib import Path

from indexer.build import IndexBusy, build_index
from indexer.crawl import DEFAULT_DELAY, CrawlError, crawl
from indexer.crawl_state import CrawlBusy
from indexer.documents import DocumentWriter
from search.engine import IndexMissing, SearchEngine
from search.model import SORTS, SearchError, SearchRequest, results_to_json
from web import create_app
from web.documents import MAX_BODY_BYTES

DEFAULT_CORPUS = Path("corpus")
EXIT_SKIPPED = 1
EXIT_ERROR = 2
# Two per core: measured with 20 clients at 10,000 articles on 2 cores, 120 searches/s with 2 threads,
# 99 with 4, 84 with 8; but with 2, two clients sending costly searches hold both threads and everyone
# else waits (bench/query_cost.py). Costly searches take turns in one slow lane (search/budget.py).
SERVER_THREADS = 2 * len(os.sched_getaffinity(0))
# Idle and slow clients must not lock others out (bench/idle_connections.py): waitress's own limit is
# 100 connections, after which every new one waits. Connections cost no thread while idle.
SERVER_CONNECTIONS = 1000
IDLE_SECONDS = 30  # a connection that sends nothing for this long is closed (keep-alive or half a request)
CLEANUP_SECONDS = 10  # how often idle connections are looked for
MAX_REQUEST_HEADERS = 64 * 1024  # a search URL is at most a few kilobytes
# The write API's own limit (over it, it answers in plain words); waitress would buffer a 1 GB upload.
MAX_REQUEST_BODY = MAX_BODY_BYTES + 1
FILES_BESIDES_CONNECTIONS = 256  # index segments per thread, logs, the listening socket


class CliError(ValueError):
    """A command line that cannot be run as given."""


def default_index_dir() -> Path:
    return Path(os.environ.get("VNSEARCH_INDEX_DIR") or ".index")


def _index(args: argparse.Namespace) -> int:
    paths = args.paths or [DEFAULT_CORPUS]
    report = build_index(paths, args.index_dir)
    for problem in report.problems:
        print(f"skipped {problem}", file=sys.stderr)
    print(report.summary())
    return EXIT_SKIPPED if report.problems else 0


def _crawl(args: argparse.Namespace) -> int:
    report = crawl(args.urls, args.index_dir, max_pages=args.max_pages, delay=args.delay)
    for problem in report.problems:
        print(f"failed {problem}", file=sys.stderr)
    print(report.summary())
    return EXIT_SKIPPED if report.problems else 0


def _print_results(results) -> None:
    r = results
    print(
        f"{r.total} kết quả ({r.took_ms:.0f} ms)"
        + (" — gần đúng, không bài nào có đủ mọi từ" if r.partial else "")
        + (" — chưa tìm hết: câu tìm kiếm quá tốn công, kết quả có thể thiếu" if r.incomplete else "")
    )
    if r.notice:
        print(r.notice)
    if r.read_as:
        print(f"Đã hiển thị kết quả cho: {r.suggestion or r.read_as} (tìm chính xác như đã gõ: --verbatim)")
    elif r.suggestion:
        print(f"Có phải bạn muốn tìm: {r.suggestion}")
    for n, hit in enumerate(r.hits, start=(r.request.page - 1) * r.request.size + 1):
        date = hit.date.strftime("%d/%m/%Y") if hit.date else "không rõ ngày"
        places = ", ".join([w.name for w in hit.wards] + list(hit.districts))
        print(f"\n{n}. {hit.title}\n   {hit.id} · {date}" + (f" · {places}" if places else ""))
        print("   " + _plain(hit.snippet))
    for label, facets in (("tỉnh/thành phố", r.provinces), ("quận/huyện", r.districts), ("phường/xã", r.wards)):
        if facets:
            print(f"\nTheo {label}: " + ", ".join(f"{f.name} ({f.count})" for f in facets))


def _plain(html: str) -> str:
    """A snippet for a terminal: marks as [brackets], entities decoded."""
    from html import unescape

    return unescape(html.replace("<mark>", "[").replace("</mark>", "]")).replace("\n", " ")


def _search(args: argparse.Namespace) -> int:
    engine = SearchEngine(args.index_dir)
    request = SearchRequest.from_strings(
        q=args.query,
        districts=args.district,
        provinces=args.province,
        wards=args.ward,
        date_from=args.date_from,
        date_to=args.date_to,
        sort=args.sort,
        size=args.limit,
        page=args.page,
        exact=args.exact,
        verbatim=args.verbatim,
    )
    results = engine.search(request)
    if args.json:
        print(json.dumps(results_to_json(results), ensure_ascii=False, indent=2))
    else:
        _print_results(results)
    return 0


def _open_files_for(connections: int) -> int:
    """Raise this process's open-file limit so ``connections`` fit (within the hard limit);
    how many connections fit in the end."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = connections + FILES_BESIDES_CONNECTIONS
    if soft != resource.RLIM_INFINITY and soft < wanted:
        soft = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    return connections if soft == resource.RLIM_INFINITY else min(connections, soft - FILES_BESIDES_CONNECTIONS)


def make_server(app, host: str, port: int, threads: int):
    """The HTTP server ``serve`` runs: waitress, with explicit limits for idle, slow and greedy clients.

    poll() rather than select(), which fails beyond 1,024 open files.
    """
    from waitress import create_server

    return create_server(
        app,
        host=host,
        port=port,
        threads=threads,
        connection_limit=max(1, _open_files_for(SERVER_CONNECTIONS)),
        channel_timeout=IDLE_SECONDS,
        cleanup_interval=CLEANUP_SECONDS,
        asyncore_use_poll=True,
        max_request_header_size=MAX_REQUEST_HEADERS,
        max_request_body_size=MAX_REQUEST_BODY,
    )


def _api_token(path: Path | None) -> str | None:
    """The write API's token: from ``--api-token-file``, else ``$VNSEARCH_API_TOKEN``; None keeps the API off."""
    token = path.read_text(encoding="utf-8").strip() if path else os.environ.get("VNSEARCH_API_TOKEN", "").strip()
    if path and not token:
        raise CliError(f"{path} is empty: it should hold the write API's token.")
    return token or None


def _serve(args: argparse.Namespace) -> int:
    token = _api_token(args.api_token_file)
    try:
        engine = SearchEngine(args.index_dir)
    except IndexMissing:
        print(f"No index in {args.index_dir}: indexing {args.corpus} first…", file=sys.stderr)
        report = build_index([args.corpus], args.index_dir)
        for problem in report.problems:
            print(f"skipped {problem}", file=sys.stderr)
        print(report.summary(), file=sys.stderr)
        engine = SearchEngine(args.index_dir)
    writer = DocumentWriter(args.index_dir) if token else None
    try:
        server = make_server(create_app(engine, writer, token), args.host, args.port, args.threads)
    except OSError as error:
        print(
            f"vnsearch: cannot listen on {args.host}:{args.port} ({error.strerror or error}); "
            "if another server is using that port, choose another with --port.",
            file=sys.stderr,
        )
        return EXIT_ERROR
    print(f"Serving {engine.document_count()} articles on http://{args.host}:{server.effective_port}/", file=sys.stderr)
    if writer is not None:
        print("Write API on: PUT and DELETE /api/documents/<id>, POST /api/documents", file=sys.stderr)
    server.run()
    return 0


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vnsearch", description="Full-text search for Vietnamese news.")
    sub = parser.add_subparsers(dest="command", required=True)
    index_dir = dict(type=Path, default=None, help="index directory (default: $VNSEARCH_INDEX_DIR or .index)")

    p = sub.add_parser("index", help="index corpus files (.txt, .jsonl), incrementally")
    p.add_argument("paths", nargs="*", type=Path, help=f"files or folders (default: {DEFAULT_CORPUS}/)")
    p.add_argument("--index-dir", **index_dir)
    p.set_defaults(run=_index)

    p = sub.add_parser("crawl", help="crawl news sites (sitemaps, feeds, front pages) into the index, incrementally")
    p.add_argument("urls", nargs="+", metavar="URL", help="a sitemap, an RSS/Atom feed or a front page (http/https)")
    p.add_argument("--max-pages", type=int, default=None, help="at most this many requests in this run")
    p.add_argument("--delay", type=float, default=DEFAULT_DELAY, help=f"seconds between requests to one host (default {DEFAULT_DELAY:g})")
    p.add_argument("--index-dir", **index_dir)
    p.set_defaults(run=_crawl)

    p = sub.add_parser("search", help="search the index")
    p.add_argument("query")
    p.add_argument("--district", action="append", default=[], help="only this district, before 7/2025 (repeatable)")
    p.add_argument("--province", action="append", default=[], help="only this province, as now (repeatable)")
    p.add_argument("--ward", action="append", default=[], help="only this ward or commune, as now (repeatable)")
    p.add_argument("--from", dest="date_from", help="from this date (YYYY-MM-DD)")
    p.add_argument("--to", dest="date_to", help="up to this date (YYYY-MM-DD)")
    p.add_argument("--sort", choices=SORTS, default="relevance")
    p.add_argument("--limit", type=int, default=10, help="results per page (1–100)")
    p.add_argument("--page", type=int, default=1)
    p.add_argument("--exact", action="store_true", help="match the exact diacritics only")
    p.add_argument("--verbatim", action="store_true", help="every word as typed: no typo corrections, no Telex readings")
    p.add_argument("--json", action="store_true", help="print the API's JSON")
    p.add_argument("--index-dir", **index_dir)
    p.set_defaults(run=_search)

    p = sub.add_parser("serve", help="serve the web UI and JSON API (indexes the corpus first if needed)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=5000)
    p.add_argument(
        "--threads",
        type=int,
        default=SERVER_THREADS,
        help=f"request threads (default {SERVER_THREADS}, two per core: searches are CPU work under one "
        "interpreter lock, so more threads only contend for it, but fewer let two costly searches hold "
        "them all; see bench/RESULTS.md)",
    )
    p.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    p.add_argument(
        "--api-token-file",
        type=Path,
        help="turn the write API on with the token in this file (or set VNSEARCH_API_TOKEN)",
    )
    p.add_argument("--index-dir", **index_dir)
    p.set_defaults(run=_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    args.index_dir = args.index_dir or default_index_dir()
    try:
        return args.run(args)
    except (SearchError, IndexMissing, IndexBusy, CrawlError, CrawlBusy, CliError) as error:
        print(f"vnsearch: {error}", file=sys.stderr)
        return EXIT_ERROR
    except OSError as error:
        # A file or folder the system refused (missing, no permission, disk full): the person can fix it.
        where = f": {error.filename}" if error.filename else ""
        print(f"vnsearch: {error.strerror or error}{where}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
