"""News sites served from 127.0.0.1 for the crawler's tests, recording every request they get."""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tests.conftest import SHARED

REAL_PAGE = SHARED / "pages" / "vnexpress-2025-10-22.html"
FIXTURE_PAGE = Path(__file__).parent / "data" / "pages" / "thanh-xuan-hoi-nghi.html"

DISTRICTS = ["Hoàn Kiếm", "Ba Đình", "Đống Đa", "Hai Bà Trưng", "Thanh Xuân", "Cầu Giấy", "Long Biên", "Tây Hồ"]
ACTIONS = ["trao quà Tết cho hộ nghèo", "tổ chức hội nghị tổng kết", "ra quân vệ sinh môi trường",
           "khen thưởng gương người tốt", "tuyên truyền pháp luật", "hiến máu tình nguyện"]


def article_html(n: int, version: int = 1) -> str:
    """A generated article page (number ``n``)."""
    district = DISTRICTS[n % len(DISTRICTS)]
    action = ACTIONS[n % len(ACTIONS)]
    day = 1 + n % 28
    paragraphs = [
        f"Sáng ngày {day}/3, Ủy ban Mặt trận Tổ quốc quận {district} {action}, đây là hoạt động số {n} trong năm.",
        f"Theo báo cáo, các phường trên địa bàn quận {district} đã vận động nhân dân tham gia tích cực, "
        f"huy động nguồn lực xã hội hóa để chăm lo cho người dân có hoàn cảnh khó khăn (phiên bản {version}).",
        "Phát biểu tại buổi lễ, lãnh đạo quận ghi nhận kết quả đạt được và đề nghị các đơn vị tiếp tục "
        "đổi mới phương thức hoạt động, hướng mạnh về khu dân cư, lắng nghe ý kiến của nhân dân.",
        "Dịp này, nhiều tập thể và cá nhân có thành tích xuất sắc đã được biểu dương, khen thưởng.",
    ]
    return page_html(f"Quận {district} {action} đợt {n}", paragraphs, f"2024-03-{day:02d}", f"/tin/bai-{n + 1}-quan-tin-tuc-moi-nhat.html")


def page_html(title: str, paragraphs: list[str], date: str | None, related: str) -> str:
    """An article page with the menus, related links and comment form of a real site around it."""
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    title = escape(title)
    published = f'<meta property="article:published_time" content="{date}T08:00:00+07:00">' if date else ""
    return f"""<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>{title}</title>
<meta property="og:type" content="article"><meta property="og:title" content="{title}">{published}</head>
<body><nav><a href="/">Trang chủ</a> <a href="/chuyen-muc/thoi-su">Thời sự</a> <a href="/lien-he">Liên hệ</a></nav>
<article><h1>{title}</h1>{body}<p><strong>Minh Anh</strong></p></article>
<aside><h3>Tin liên quan</h3><a href="{related}">Tin tức mới nhất quận</a></aside>
<form action="/binh-luan"><textarea>Viết bình luận của bạn</textarea><button>Gửi bình luận</button></form>
</body></html>"""


def sitemap(urls: list[str]) -> str:
    entries = "".join(f"<url><loc>{u}</loc></url>" for u in urls)
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'


def sitemap_index(urls: list[str]) -> str:
    entries = "".join(f"<sitemap><loc>{u}</loc></sitemap>" for u in urls)
    return f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</sitemapindex>'


def rss(urls: list[str]) -> str:
    items = "".join(f"<item><title>Bài {n}</title><link>{u}</link></item>" for n, u in enumerate(urls))
    return f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Tin</title><link>/</link>{items}</channel></rss>'


@dataclass
class Page:
    """What a path answers: ``body`` (str, bytes, or a function of the request count), status, headers."""

    body: str | bytes | Callable[[int], tuple[int, dict[str, str], bytes]] = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None  # answers 304 to a request that names it
    trickle: float = 0.0  # seconds between each tenth of the body
    length_header: bool = True  # without one, the connection closes after the body


@dataclass(frozen=True)
class Request:
    at: float
    path: str
    headers: dict[str, str]


class Site:
    """A site on 127.0.0.1 at an ephemeral port: ``pages`` maps paths to :class:`Page`; ``requests`` is what it saw."""

    def __init__(self) -> None:
        self.pages: dict[str, Page] = {}
        self.requests: list[Request] = []
        self.statuses: list[int] = []  # of the answers, in order
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes: with Nagle's algorithm the body waits for the
            # client's delayed ACK of the headers (tens of ms a page), as no real web server lets it.
            disable_nagle_algorithm = True

            def do_GET(self) -> None:  # noqa: N802 (the http.server name)
                site.requests.append(Request(time.monotonic(), self.path, {k.lower(): v for k, v in self.headers.items()}))
                page = site.pages.get(self.path)
                if page is None:
                    return self._answer(404, {"Content-Type": "text/plain"}, b"not found")
                if callable(page.body):
                    count = sum(1 for r in site.requests if r.path == self.path)
                    return self._answer(*page.body(count))
                headers = {"Content-Type": page.content_type, **page.headers}
                if page.etag:
                    headers["ETag"] = page.etag
                    if self.headers.get("If-None-Match") == page.etag:
                        return self._answer(304, headers, b"")
                body = page.body.encode("utf-8") if isinstance(page.body, str) else page.body
                if not page.length_header:
                    headers["Connection"] = "close"
                    self.close_connection = True
                self._answer(page.status, headers, body, page.trickle, page.length_header)

            def _answer(self, status: int, headers: dict[str, str], body: bytes, trickle: float = 0.0,
                        length_header: bool = True) -> None:
                site.statuses.append(status)
                try:
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    if length_header:
                        self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    step = max(1, len(body) // 10) if trickle else len(body) or 1
                    for start in range(0, len(body), step):
                        self.wfile.write(body[start : start + step])
                        self.wfile.flush()
                        time.sleep(trickle)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.host = f"127.0.0.1:{self.server.server_address[1]}"
        self.url = f"http://{self.host}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def paths(self) -> list[str]:
        return [r.path for r in self.requests]

    def add_articles(self, count: int, prefix: str = "/tin") -> list[str]:
        urls = []
        for n in range(count):
            path = f"{prefix}/bai-{n}-quan-tin-tuc-moi-nhat.html"
            self.pages[path] = Page(article_html(n), etag=f'"v1-{n}"')
            urls.append(self.url + path)
        return urls


def gzipped(text: str) -> bytes:
    return gzip.compress(text.encode("utf-8"))
