"""The ``vnsearch`` command: index a corpus, search it, serve it.

The composition root: the only module that brings the indexer, the search
engine and the web app together. Nothing imports it. It speaks Vietnamese,
the product's language, in every message, argparse's own included.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from functools import cache
from importlib import resources
from pathlib import Path

from indexer.build import IndexBusy, IndexingFailed, build_index
from indexer.crawl import DEFAULT_DELAY, CrawlError, crawl
from indexer.crawl_state import CrawlBusy
from indexer.documents import DocumentWriter
from indexer.read import os_reason
from search.engine import IndexMissing, SearchEngine
from search.model import SORTS, SearchError, SearchRequest, results_to_json
from web import create_app

DEFAULT_CORPUS = Path("corpus")
EXIT_SKIPPED = 1
EXIT_ERROR = 2
# Measured with 20 clients at 10,000 articles on 2 cores: 120 searches/s with 2 threads, 99 with 4, 84 with 8.
SERVER_THREADS = max(2, len(os.sched_getaffinity(0)))


class CliError(ValueError):
    """A command line that cannot be run as given."""


def default_index_dir() -> Path:
    return Path(os.environ.get("VNSEARCH_INDEX_DIR") or ".index")


def _index(args: argparse.Namespace) -> int:
    paths = args.paths or [DEFAULT_CORPUS]
    report = build_index(paths, args.index_dir)
    for problem in report.problems:
        print(f"bỏ qua {problem}", file=sys.stderr)
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
    print(f"{r.total} kết quả ({r.took_ms:.0f} ms)" + (" — gần đúng, không bài nào có đủ mọi từ" if r.partial else ""))
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


def _api_token(path: Path | None) -> str | None:
    """The write API's token: from ``--api-token-file``, else ``$VNSEARCH_API_TOKEN``; None keeps the API off."""
    token = path.read_text(encoding="utf-8").strip() if path else os.environ.get("VNSEARCH_API_TOKEN", "").strip()
    if path and not token:
        raise CliError(f"{path} rỗng: tệp này phải chứa mã bí mật của API ghi.")
    return token or None


def _serve(args: argparse.Namespace) -> int:
    from waitress import create_server

    token = _api_token(args.api_token_file)
    try:
        engine = SearchEngine(args.index_dir)
    except IndexMissing:
        print(f"Chưa có chỉ mục trong {args.index_dir}: lập chỉ mục {args.corpus} trước…", file=sys.stderr)
        report = build_index([args.corpus], args.index_dir)
        for problem in report.problems:
            print(f"bỏ qua {problem}", file=sys.stderr)
        print(report.summary(), file=sys.stderr)
        engine = SearchEngine(args.index_dir)
    writer = DocumentWriter(args.index_dir) if token else None
    try:
        server = create_server(create_app(engine, writer, token), host=args.host, port=args.port, threads=args.threads)
    except OSError as error:
        print(
            f"vnsearch: không mở được {args.host}:{args.port} ({os_reason(error)}); "
            "nếu một máy chủ khác đang dùng cổng đó, hãy chọn cổng khác bằng --port.",
            file=sys.stderr,
        )
        return EXIT_ERROR
    print(f"Đang phục vụ {engine.document_count()} bài tại http://{args.host}:{server.effective_port}/", file=sys.stderr)
    if writer is not None:
        print("API ghi đang bật: PUT và DELETE /api/documents/<id>, POST /api/documents", file=sys.stderr)
    server.run()
    return 0


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
    sub = parser.add_subparsers(dest="command", required=True, metavar="{index,search,serve}", title="lệnh")
    index_dir = dict(
        type=Path, default=None, metavar="THƯ_MỤC", help="thư mục chỉ mục (mặc định: $VNSEARCH_INDEX_DIR hoặc .index)"
    )

    p = sub.add_parser(
        "index",
        help="lập chỉ mục các tệp (.txt, .jsonl), chỉ đọc lại những tệp đã đổi",
        description="Lập chỉ mục các tệp .txt và .jsonl, chỉ đọc lại những tệp đã đổi.",
    )
    p.add_argument(
        "paths", nargs="*", type=Path, metavar="ĐƯỜNG_DẪN", help=f"tệp hoặc thư mục (mặc định: {DEFAULT_CORPUS}/)"
    )
    p.add_argument("--index-dir", **index_dir)
    p.set_defaults(run=_index)

    p = sub.add_parser("crawl", help="thu thập các trang tin (sitemap, feed, trang chủ) vào chỉ mục, chỉ lấy phần mới")
    p.add_argument("urls", nargs="+", metavar="URL", help="một sitemap, một feed RSS/Atom hoặc một trang chủ (http/https)")
    p.add_argument("--max-pages", type=int, default=None, help="nhiều nhất chừng này yêu cầu trong lần chạy này")
    p.add_argument("--delay", type=float, default=DEFAULT_DELAY, help=f"số giây giữa hai yêu cầu tới một máy (mặc định {DEFAULT_DELAY:g})")
    p.add_argument("--index-dir", **index_dir)
    p.set_defaults(run=_crawl)

    p = sub.add_parser("search", help="tìm trong chỉ mục", description="Tìm trong chỉ mục.")
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
    p.add_argument("--verbatim", action="store_true", help="mọi từ đúng như đã gõ: không sửa lỗi gõ, không đọc Telex")
    p.add_argument("--json", action="store_true", help="in JSON như API")
    p.add_argument("--index-dir", **index_dir)
    p.set_defaults(run=_search)

    p = sub.add_parser(
        "serve",
        help="chạy giao diện web và API JSON (lập chỉ mục trước nếu chưa có)",
        description="Chạy giao diện web và API JSON; lập chỉ mục --corpus trước nếu chưa có chỉ mục.",
    )
    p.add_argument("--host", default="127.0.0.1", help="địa chỉ lắng nghe (mặc định 127.0.0.1)")
    p.add_argument("--port", type=int, default=5000, help="cổng (mặc định 5000)")
    p.add_argument(
        "--threads",
        type=int,
        default=SERVER_THREADS,
        metavar="N",
        help=f"số luồng xử lý yêu cầu (mặc định {SERVER_THREADS}, một luồng mỗi lõi: tìm kiếm là việc của CPU "
        "dưới một khoá GIL, thêm luồng chỉ tranh nhau khoá; xem bench/RESULTS.md)",
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
        help="bật API ghi với mã bí mật trong tệp này (hoặc đặt VNSEARCH_API_TOKEN)",
    )
    p.add_argument("--index-dir", **index_dir)
    p.set_defaults(run=_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    args.index_dir = args.index_dir or default_index_dir()
    try:
        return args.run(args)
    except (SearchError, IndexMissing, IndexBusy, IndexingFailed, CrawlError, CrawlBusy, CliError) as error:
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
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
