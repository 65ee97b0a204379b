"""The ``vnsearch`` command: index a corpus, search it, serve it.

The composition root: the only module that brings the indexer, the search
engine and the web app together. Nothing imports it.
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import sys
import traceback
import time
from pathlib import Path

from compat.cpus import usable_cpus
from indexer import integrity
from indexer.build import IndexBusy, build_index
from indexer.crawl import DEFAULT_DELAY, CrawlError, crawl
from indexer.crawl_state import CrawlBusy
from indexer.documents import DocumentWriter
from search.engine import IndexMissing, SearchEngine
from search.model import SORTS, IndexDamaged, IndexUnavailable, SearchError, SearchRequest, results_to_json
from vnsearch import logs
from vnsearch.server import ServerOptions, serve
from web import create_app
from web.access_log import AccessLog
from web.documents import MAX_BODY_BYTES

DEFAULT_CORPUS = Path("corpus")
EXIT_SKIPPED = 1
EXIT_ERROR = 2
CORES = usable_cpus()
DEFAULT_SLOW_MS = 1000.0
# The write API's own limit (over it, it answers in plain words); waitress would buffer a 1 GB upload.
MAX_REQUEST_BODY = MAX_BODY_BYTES + 1
logger = logging.getLogger("vnsearch")


class CliError(ValueError):
    """A command line that cannot be run as given."""


def default_index_dir() -> Path:
    return Path(os.environ.get("VNSEARCH_INDEX_DIR") or ".index")


def _indexed(paths: list[Path], index_dir: Path, out, follow_links: bool = False) -> int:
    """Index ``paths``, report each skipped file and the summary (to ``out``), and log the report."""
    started = time.perf_counter()
    report = build_index(paths, index_dir, follow_links=follow_links)
    if report.repaired:
        print(f"vnsearch: {report.repaired}", file=sys.stderr)
    for problem in report.problems:
        print(f"skipped {problem}", file=sys.stderr)
    print(report.summary(), file=out)
    fields = {"event": "indexed", "index_dir": str(index_dir), "paths": [str(p) for p in paths]}
    fields.update(added=report.added, updated=report.updated, removed=report.removed, unchanged=report.unchanged)
    fields.update(skipped=report.skipped, seconds=round(time.perf_counter() - started, 2))
    logger.info("indexed", extra={"fields": fields})
    return EXIT_SKIPPED if report.problems else 0


def _index(args: argparse.Namespace) -> int:
    return _indexed(args.paths or [DEFAULT_CORPUS], args.index_dir, sys.stdout, args.follow_links)
def _check(args: argparse.Namespace) -> int:
    """Read every file of the index against its checksums."""
    SearchEngine(args.index_dir)  # IndexMissing when there is none
    verdict = integrity.check(args.index_dir, full=True)
    if verdict.problems:
        for problem in verdict.problems:
            print(f"vnsearch: damaged: {problem}", file=sys.stderr)
        print(
            f"vnsearch: the index in {args.index_dir} is damaged; run 'vnsearch index CORPUS… --index-dir "
            f"{args.index_dir}' with every folder it holds to rebuild what is damaged",
            file=sys.stderr,
        )
        return EXIT_ERROR
    print(f"ok: {len(verdict.manifest.files)} files of generation {verdict.generation} match their checksums")
    return 0


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
        if hit.explanation:
            _print_explanation(hit)
    for label, facets in (("tỉnh/thành phố", r.provinces), ("quận/huyện", r.districts), ("phường/xã", r.wards)):
        if facets:
            print(f"\nTheo {label}: " + ", ".join(f"{f.name} ({f.count})" for f in facets))


def _print_explanation(hit) -> None:
    e = hit.explanation
    print(f"   điểm {hit.score:.4f} = {e.phase_one:.4f} (BM25F) × {e.multiplier:.4f} (vị trí các từ)")
    for p in e.parts:
        print(f"     {p.score:9.4f}  {p.field}:{p.term} ({p.kind})" if p.term else f"     {p.score:9.4f}  ({p.kind})")
    for f in e.features:
        print(f"     × +{f.weight:.4f}  {f.name} ({f.field})")
    for c in e.corrections:
        print(f"     sửa chính tả: {c}")


def _plain(html: str) -> str:
    """A snippet for a terminal: marks as [brackets], entities decoded."""
    from html import unescape

    return unescape(html.replace("<mark>", "[").replace("</mark>", "]")).replace("\n", " ")


def _search(args: argparse.Namespace) -> int:
    engine = SearchEngine(args.index_dir)
    engine.health()  # a one-off search reads every file first: damage gets a message, not wrong answers
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
        explain=args.explain,
        verbatim=args.verbatim,
        prefix=not args.no_prefix,
    )
    results = engine.search(request)
    if args.json:
        print(json.dumps(results_to_json(results), ensure_ascii=False, indent=2))
    else:
        _print_results(results)
    return 0


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
        _indexed([args.corpus], args.index_dir, sys.stderr)
        engine = SearchEngine(args.index_dir)
    writer = DocumentWriter(args.index_dir) if token else None
    app = create_app(engine, writer, token, AccessLog(log_queries=args.log_queries, slow_ms=args.slow_ms))
    workers = args.workers
    if writer is not None and workers > 1:  # its one writing thread lives in this process, not in forked workers
        logger.warning("the write API is on: one process serves (--workers %d not used)", workers)
        workers = 1
    options = ServerOptions(
        args.host, args.port, workers=workers, max_body=MAX_REQUEST_BODY, threads=args.threads, log_level=args.log_level
    )

    def warm() -> None:
        """A first search reads the vocabulary and the arrays: done once here, before workers are forked."""
        try:
            engine.search(SearchRequest(q="hà nội"))
        except IndexDamaged:  # served all the same: /health says what is wrong until the index is repaired
            pass

    def ready(port: int) -> None:
        try:
            print(f"Serving {engine.document_count()} articles on http://{args.host}:{port}/", file=sys.stderr, flush=True)
        except IndexDamaged as error:  # served all the same: /health says what is wrong until the index is repaired
            print(f"vnsearch: {error}", file=sys.stderr, flush=True)
        if writer is not None:
            print("Write API on: PUT and DELETE /api/documents/<id>, POST /api/documents", file=sys.stderr, flush=True)

    try:
        serve(app, options, warm, ready)
    except OSError as error:
        print(
            f"vnsearch: cannot listen on {args.host}:{args.port} ({error.strerror or error}); "
            "if another server is using that port, choose another with --port.",
            file=sys.stderr,
        )
        return EXIT_ERROR
    return 0


def _workers(text: str) -> int:
    """``--workers``: a count of processes, 0 for one per core."""
    return CORES if text.strip() == "0" else _at_least_one(text)


def _at_least_one(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, not {text!r}")
    return value


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vnsearch", description="Full-text search for Vietnamese news.")
    log_level = dict(choices=logs.LEVELS, help="log lines on stderr from this level on (default info)")
    parser.add_argument("--log-level", default="info", **log_level)
    # Also after the command (vnsearch serve --log-level warning), without overriding one given before it.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--log-level", default=argparse.SUPPRESS, **log_level)
    sub = parser.add_subparsers(dest="command", required=True)
    index_dir = dict(type=Path, default=None, help="index directory (default: $VNSEARCH_INDEX_DIR or .index)")

    p = sub.add_parser("index", parents=[common], help="index corpus files (.txt, .jsonl), incrementally")
    p.add_argument("paths", nargs="*", type=Path, help=f"files or folders (default: {DEFAULT_CORPUS}/)")
    p.add_argument(
        "--follow-links",
        action="store_true",
        help="also follow symbolic links that lead outside the folders given (by default they are reported and skipped)",
    )
    p.add_argument("--index-dir", **index_dir)
    p.set_defaults(run=_index)

    p = sub.add_parser("check", parents=[common], help="check every file of the index against its checksums")
    p.add_argument("--index-dir", **index_dir)
    p.set_defaults(run=_check)

    p = sub.add_parser("crawl", parents=[common], help="crawl news sites (sitemaps, feeds, front pages) into the index, incrementally")
    p.add_argument("urls", nargs="+", metavar="URL", help="a sitemap, an RSS/Atom feed or a front page (http/https)")
    p.add_argument("--max-pages", type=int, default=None, help="at most this many requests in this run")
    p.add_argument("--delay", type=float, default=DEFAULT_DELAY, help=f"seconds between requests to one host (default {DEFAULT_DELAY:g})")
    p.add_argument("--index-dir", **index_dir)
    p.set_defaults(run=_crawl)

    p = sub.add_parser("search", parents=[common], help="search the index")
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
    p.add_argument("--explain", action="store_true", help="show how each hit's score is made")
    p.add_argument("--verbatim", action="store_true", help="every word as typed: no typo corrections, no Telex readings")
    p.add_argument(
        "--no-prefix", action="store_true", help="match the last word whole only, not also the words it begins"
    )
    p.add_argument("--json", action="store_true", help="print the API's JSON")
    p.add_argument("--index-dir", **index_dir)
    p.set_defaults(run=_search)

    p = sub.add_parser("serve", parents=[common], help="serve the web UI and JSON API (indexes the corpus first if needed)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=5000)
    p.add_argument(
        "--workers",
        type=_workers,
        default=1,
        help=f"server processes; 0 for one per core ({CORES} here). Default 1: waitress, which keeps idle and "
        "half-sent connections from holding request threads; several run on gunicorn (POSIX), best behind a "
        "buffering reverse proxy (see README)",
    )
    p.add_argument(
        "--threads",
        type=_at_least_one,
        default=None,
        help="request threads per process (default: two per core over all processes, at least 2 each: searches "
        "are CPU work under one interpreter lock, so more only contend for it, but fewer let two costly searches "
        "hold them all; see bench/RESULTS.md)",
    )
    p.add_argument("--log-queries", action="store_true", help="put what was searched for (q) in the request log lines")
    p.add_argument(
        "--slow-ms",
        type=float,
        default=DEFAULT_SLOW_MS,
        help=f"log a warning line for each request at least this slow (default {DEFAULT_SLOW_MS:.0f} ms)",
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


def _let_go(error: BaseException) -> None:
    """Close what the failed operation left open (a half-written file on a full disk) now, quietly:
    its flush fails again as it closes, which would print a traceback after the one-line message."""
    hook = sys.unraisablehook
    sys.unraisablehook = lambda _: None
    try:
        traceback.clear_frames(error.__traceback__)
        gc.collect()
    finally:
        sys.unraisablehook = hook


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    args.index_dir = args.index_dir or default_index_dir()
    logs.configure(args.log_level)
    try:
        return args.run(args)
    except (SearchError, IndexUnavailable, IndexBusy, CrawlError, CrawlBusy, CliError) as error:
        print(f"vnsearch: {error}", file=sys.stderr)
        return EXIT_ERROR
    except OSError as error:
        # A file or folder the system refused (missing, no permission, disk full): the person can fix it.
        where = f": {error.filename}" if error.filename else ""
        print(f"vnsearch: {error.strerror or error}{where}", file=sys.stderr)
        _let_go(error)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
