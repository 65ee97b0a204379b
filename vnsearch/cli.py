"""The ``vnsearch`` command: index a corpus, search it, serve it.

The composition root: the only module that brings the indexer, the search
engine and the web app together. Nothing imports it. It speaks Vietnamese,
the product's language, in every message, argparse's own included.
"""

from __future__ import annotations

import argparse
import gc
import ipaddress
import json
import logging
import os
import sys
import time
import traceback
from functools import cache
from importlib import resources
from pathlib import Path

from compat.cpus import usable_cpus
from indexer import integrity
from indexer.build import IndexBusy, IndexingFailed, build_index
from indexer.crawl import DEFAULT_DELAY, CrawlError, crawl
from indexer.crawl_state import CrawlBusy
from indexer.documents import DocumentWriter
from indexer.read import os_reason
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
        print(f"bỏ qua {problem}", file=sys.stderr)
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
            print(f"vnsearch: hỏng: {problem}", file=sys.stderr)
        print(
            f"vnsearch: chỉ mục trong {args.index_dir} bị hỏng; hãy chạy 'vnsearch index KHO… --index-dir "
            f"{args.index_dir}' với mọi thư mục nó chứa để dựng lại phần bị hỏng",
            file=sys.stderr,
        )
        return EXIT_ERROR
    print(f"ổn: {len(verdict.manifest.files)} tệp của thế hệ {verdict.generation} khớp mã kiểm tra")
    return 0


def _crawl(args: argparse.Namespace) -> int:
    report = crawl(args.urls, args.index_dir, max_pages=args.max_pages, delay=args.delay)
    for problem in report.problems:
        print(f"không lấy được {problem}", file=sys.stderr)
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
        raise CliError(f"{path} rỗng: tệp này phải chứa mã bí mật của API ghi.")
    return token or None


def _serve(args: argparse.Namespace) -> int:
    token = _api_token(args.api_token_file)
    try:
        engine = SearchEngine(args.index_dir)
    except IndexMissing:
        print(f"Chưa có chỉ mục trong {args.index_dir}: lập chỉ mục {args.corpus} trước…", file=sys.stderr)
        _indexed([args.corpus], args.index_dir, sys.stderr)
        engine = SearchEngine(args.index_dir)
    writer = DocumentWriter(args.index_dir) if token else None
    app = create_app(engine, writer, token, AccessLog(log_queries=args.log_queries, slow_ms=args.slow_ms))
    workers = args.workers
    if writer is not None and workers > 1:  # its one writing thread lives in this process, not in forked workers
        logger.warning("API ghi đang bật: chỉ một tiến trình phục vụ (bỏ qua --workers %d)", workers)
        workers = 1
    if workers > 1 and not _loopback(args.host):
        logger.warning(
            "Mở ra ngoài máy tại %s với %d tiến trình gunicorn: các kết nối gửi chậm có thể giữ luồng xử lý. "
            "Hãy đặt sau một reverse proxy có bộ đệm (xem README), hoặc dùng --workers 1.", args.host, workers,
        )
    options = ServerOptions(
        args.host, args.port, workers=workers, max_body=MAX_REQUEST_BODY, threads=args.threads, log_level=args.log_level
    )

    def warm() -> None:
        """A first search reads the vocabulary and the arrays, and the full check of the index's files
        ends: done once here, before workers are forked, which share the results."""
        try:
            engine.search(SearchRequest(q="hà nội"))
            engine.health()
        except IndexDamaged:  # served all the same: /health says what is wrong until the index is repaired
            pass

    def ready(port: int) -> None:
        try:
            print(f"Đang phục vụ {engine.document_count()} bài tại http://{args.host}:{port}/", file=sys.stderr, flush=True)
        except IndexDamaged as error:  # served all the same: /health says what is wrong until the index is repaired
            print(f"vnsearch: {error}", file=sys.stderr, flush=True)
        if writer is not None:
            print("API ghi đang bật: PUT và DELETE /api/documents/<id>, POST /api/documents", file=sys.stderr, flush=True)

    try:
        serve(app, options, warm, ready)
    except OSError as error:
        print(
            f"vnsearch: không mở được {args.host}:{args.port} ({os_reason(error)}); "
            "nếu một máy chủ khác đang dùng cổng đó, hãy chọn cổng khác bằng --port.",
            file=sys.stderr,
        )
        return EXIT_ERROR
    return 0


def _loopback(host: str) -> bool:
    """Whether ``host`` is reachable from this machine only."""
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _workers(text: str) -> int:
    """``--workers``: a count of processes, 0 for one per core."""
    return CORES if text.strip() == "0" else _at_least_one(text)


def _at_least_one(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"cần một số nguyên từ 1 trở lên, không phải {text!r}")
    return value


@cache
def _argparse_messages() -> dict[str, str]:
    text = resources.files("vnsearch").joinpath("data", "argparse_vi.tsv").read_text(encoding="utf-8")
    rows = (line.split("\t") for line in text.split("\n") if line and not line.startswith("#"))
    return {english.replace("\\n", "\n"): vietnamese.replace("\\n", "\n") for english, vietnamese in rows}


def _speak_vietnamese() -> None:
    """argparse writes its usage, help and errors through gettext with no catalogue for Vietnamese:
    its two lookup functions are pointed at vnsearch's (vnsearch/data/argparse_vi.tsv)."""
    messages = _argparse_messages()

    def ngettext(singular: str, plural: str, n: int) -> str:
        english = singular if n == 1 else plural
        return messages.get(english, english)

    argparse._ = lambda message: messages.get(message, message)
    argparse.ngettext = ngettext


def make_parser() -> argparse.ArgumentParser:
    _speak_vietnamese()
    parser = argparse.ArgumentParser(prog="vnsearch", description="Tìm kiếm toàn văn tin tức tiếng Việt.")
    log_level = dict(
        choices=logs.LEVELS, metavar="MỨC", help="ghi nhật ký ra stderr từ mức này trở lên (mặc định info; các mức: xem README)"
    )
    parser.add_argument("--log-level", default="info", **log_level)
    # Also after the command (vnsearch serve --log-level warning), without overriding one given before it.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--log-level", default=argparse.SUPPRESS, **log_level)
    sub = parser.add_subparsers(dest="command", required=True, metavar="{index,check,crawl,search,serve}", title="lệnh")
    index_dir = dict(
        type=Path, default=None, metavar="THƯ_MỤC", help="thư mục chỉ mục (mặc định: $VNSEARCH_INDEX_DIR hoặc .index)"
    )

    p = sub.add_parser(
        "index",
        parents=[common],
        help="lập chỉ mục các tệp (.txt, .jsonl), chỉ đọc lại những tệp đã đổi",
        description="Lập chỉ mục các tệp .txt và .jsonl, chỉ đọc lại những tệp đã đổi.",
    )
    p.add_argument(
        "paths", nargs="*", type=Path, metavar="ĐƯỜNG_DẪN", help=f"tệp hoặc thư mục (mặc định: {DEFAULT_CORPUS}/)"
    )
    p.add_argument(
        "--follow-links",
        action="store_true",
        help="theo cả những liên kết tượng trưng dẫn ra ngoài các thư mục đã cho (mặc định chúng được báo và bỏ qua)",
    )
    p.add_argument("--index-dir", **index_dir)
    p.set_defaults(run=_index)

    p = sub.add_parser(
        "check",
        parents=[common],
        help="kiểm tra mọi tệp của chỉ mục theo mã kiểm tra của chúng",
        description="Kiểm tra mọi tệp của chỉ mục theo mã kiểm tra của chúng.",
    )
    p.add_argument("--index-dir", **index_dir)
    p.set_defaults(run=_check)

    p = sub.add_parser("crawl", parents=[common], help="thu thập các trang tin (sitemap, feed, trang chủ) vào chỉ mục, chỉ lấy phần mới")
    p.add_argument("urls", nargs="+", metavar="URL", help="một sitemap, một feed RSS/Atom hoặc một trang chủ (http/https)")
    p.add_argument("--max-pages", type=int, default=None, metavar="N", help="nhiều nhất chừng này yêu cầu trong lần chạy này")
    p.add_argument("--delay", type=float, default=DEFAULT_DELAY, metavar="GIÂY", help=f"số giây giữa hai yêu cầu tới một máy (mặc định {DEFAULT_DELAY:g})")
    p.add_argument("--index-dir", **index_dir)
    p.set_defaults(run=_crawl)

    p = sub.add_parser("search", parents=[common], help="tìm trong chỉ mục", description="Tìm trong chỉ mục.")
    p.add_argument("query", metavar="TỪ_KHOÁ", help="những gì cần tìm, có dấu hay không dấu")
    p.add_argument(
        "--district", action="append", default=[], metavar="QUẬN", help="chỉ quận/huyện này, trước 7/2025 (lặp lại được)"
    )
    p.add_argument("--province", action="append", default=[], metavar="TỈNH", help="chỉ tỉnh/thành phố này, như hiện nay (lặp lại được)")
    p.add_argument("--ward", action="append", default=[], metavar="PHƯỜNG", help="chỉ phường/xã này, như hiện nay (lặp lại được)")
    p.add_argument("--from", dest="date_from", metavar="NGÀY", help="từ ngày này (YYYY-MM-DD)")
    p.add_argument("--to", dest="date_to", metavar="NGÀY", help="đến ngày này (YYYY-MM-DD)")
    p.add_argument("--sort", choices=SORTS, default="relevance", help="relevance: liên quan nhất; date: mới nhất")
    p.add_argument("--limit", type=int, default=10, metavar="N", help="số kết quả mỗi trang (1–100)")
    p.add_argument("--page", type=int, default=1, metavar="N", help="trang thứ mấy")
    p.add_argument("--exact", action="store_true", help="chỉ khớp đúng dấu")
    p.add_argument("--explain", action="store_true", help="cho biết điểm của mỗi kết quả được tính thế nào")
    p.add_argument("--verbatim", action="store_true", help="mọi từ đúng như đã gõ: không sửa lỗi gõ, không đọc Telex")
    p.add_argument(
        "--no-prefix", action="store_true", help="chỉ khớp trọn từ cuối, không khớp cả những từ bắt đầu bằng nó"
    )
    p.add_argument("--json", action="store_true", help="in JSON như API")
    p.add_argument("--index-dir", **index_dir)
    p.set_defaults(run=_search)

    p = sub.add_parser(
        "serve",
        parents=[common],
        help="chạy giao diện web và API JSON (lập chỉ mục trước nếu chưa có)",
        description="Chạy giao diện web và API JSON; lập chỉ mục --corpus trước nếu chưa có chỉ mục.",
    )
    p.add_argument("--host", default="127.0.0.1", metavar="ĐỊA_CHỈ", help="địa chỉ lắng nghe (mặc định 127.0.0.1)")
    p.add_argument("--port", type=int, default=5000, metavar="CỔNG", help="cổng (mặc định 5000)")
    p.add_argument(
        "--workers",
        type=_workers,
        default=CORES,
        metavar="N",
        help=f"số tiến trình phục vụ; 0 hay mặc định là mỗi lõi một tiến trình ({CORES} ở máy này). Từ 2 trở lên chạy "
        "gunicorn (POSIX): mở ra ngoài máy thì nên đặt sau một reverse proxy có bộ đệm (xem README); 1 chạy waitress, "
        "không để các kết nối bỏ không hay gửi dở giữ luồng xử lý",
    )
    p.add_argument(
        "--threads",
        type=_at_least_one,
        default=None,
        metavar="N",
        help="số luồng xử lý yêu cầu mỗi tiến trình (mặc định hai luồng mỗi lõi chia cho các tiến trình, ít nhất 2: "
        "tìm kiếm là việc của CPU dưới một khoá GIL, thêm luồng chỉ tranh nhau khoá, nhưng ít hơn thì hai lần tìm "
        "tốn kém có thể giữ hết các luồng; xem bench/RESULTS.md)",
    )
    p.add_argument("--log-queries", action="store_true", help="ghi cả từ khoá tìm kiếm (q) vào dòng nhật ký của yêu cầu")
    p.add_argument(
        "--slow-ms",
        type=float,
        default=DEFAULT_SLOW_MS,
        metavar="MS",
        help=f"ghi một dòng cảnh báo cho mỗi yêu cầu chậm từ chừng này mili giây (mặc định {DEFAULT_SLOW_MS:.0f})",
    )
    p.add_argument(
        "--corpus",
        type=Path,
        default=DEFAULT_CORPUS,
        metavar="ĐƯỜNG_DẪN",
        help=f"kho bài để lập chỉ mục khi chưa có chỉ mục (mặc định {DEFAULT_CORPUS}/)",
    )
    p.add_argument(
        "--api-token-file",
        type=Path,
        metavar="TỆP",
        help="bật API ghi với mã bí mật trong tệp này (hoặc đặt VNSEARCH_API_TOKEN)",
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
    except (SearchError, IndexUnavailable, IndexBusy, IndexingFailed, CrawlError, CrawlBusy, CliError) as error:
        print(f"vnsearch: {error}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        # The reader went away (`vnsearch search … | head`): what it wanted it has. Whatever is
        # still buffered goes nowhere, so the flush at exit cannot fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as error:
        # A file or folder the system refused (missing, no permission, disk full): the person can fix it.
        where = f": {error.filename}" if error.filename else ""
        print(f"vnsearch: {os_reason(error)}{where}", file=sys.stderr)
        _let_go(error)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
