"""The web layer: API contract, pages, headers and caching, over a small known corpus.

The corpus is indexed by the real indexer and served by the real engine; tests
that need an answer no corpus gives (an engine crash, a new index generation)
patch that one method of the engine.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from html.parser import HTMLParser
from typing import NamedTuple
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape

from indexer.article import Article
from indexer.build import build_index
from search.engine import SearchEngine
from search.model import SearchError, SearchRequest, SearchResults
from vietnamese.places import all_districts
from web import create_app

HBT, CG, BD = "Quận Hai Bà Trưng", "Quận Cầu Giấy", "Quận Ba Đình"
XSS_TITLE = "<script>alert(1)</script> Cầu Giấy mở rộng đường"

ARTICLES = [
    Article(
        id="news/hai-ba-trung-khen",
        title="Quận Hai Bà Trưng nhận bằng khen",
        body="Ủy ban MTTQ quận Hai Bà Trưng nhận bằng khen của Thành ủy.\n\nĐây là sự ghi nhận xứng đáng.",
        date=dt.date(2024, 1, 28),
        url="https://hanoi.example.vn/hai-ba-trung",
        author="Nguyễn Hiền Phương",
        districts=(HBT,),
    ),
    Article(
        id="xss",
        title=XSS_TITLE,
        body="Quận Cầu Giấy mở rộng đường Trần Duy Hưng trong năm nay.",
        date=dt.date(2024, 2, 10),
        districts=(CG,),
    ),
    Article(
        id="ba-dinh-cau-giay",
        title="Ba Đình và Cầu Giấy phối hợp làm đường",
        body="Hai quận Ba Đình và Cầu Giấy phối hợp sửa đường Hoàng Quốc Việt.",
        date=dt.date(2023, 12, 1),
        districts=(BD, CG),
    ),
]
DOC_KEYS = ["id", "title", "date", "districts", "provinces", "wards", "url", "author", "body", "body_html"]
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> SearchEngine:
    """The real engine over ARTICLES, written as a .jsonl corpus and indexed by the real indexer."""
    root = tmp_path_factory.mktemp("web")
    corpus = root / "corpus" / "articles.jsonl"
    corpus.parent.mkdir()
    corpus.write_text(
        "\n".join(
            json.dumps({**dataclasses.asdict(a), "date": a.date.isoformat() if a.date else None}, ensure_ascii=False)
            for a in ARTICLES
        ),
        encoding="utf-8",
    )
    report = build_index([corpus.parent], root / "index", progress=False)
    assert not report.problems
    return SearchEngine(root / "index")


@pytest.fixture
def app(engine: SearchEngine) -> Flask:
    app = create_app(engine)
    app.testing = True
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


class Link(NamedTuple):
    href: str
    text: str
    attrs: dict[str, str | None]

    @property
    def path(self) -> str:
        return urlsplit(self.href).path

    @property
    def params(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.href).query)


class _LinkParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[Link] = []
        self._open: tuple[dict[str, str | None], list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._open = (dict(attrs), [])

    def handle_data(self, data: str) -> None:
        if self._open:
            self._open[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open:
            attrs, text = self._open
            self.links.append(Link(attrs.get("href") or "", " ".join("".join(text).split()), attrs))
            self._open = None


def links(page: str) -> list[Link]:
    parser = _LinkParser()
    parser.feed(page)
    return parser.links


def link_with(page: str, text: str) -> Link:
    return next(link for link in links(page) if text in link.text)


def get_page(client: FlaskClient, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


# --- API -------------------------------------------------------------------


def test_health(client: FlaskClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "documents": len(ARTICLES)}


def test_api_search_shape(client: FlaskClient) -> None:
    response = client.get("/api/search", query_string={"q": "Cầu Giấy", "size": 5})
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    data = response.get_json()
    assert list(data) == ["query", "total", "page", "size", "took_ms", "hits", "facets", "suggestion", "partial", "read_as", "corrections", "notice"]
    assert (data["query"], data["page"], data["size"]) == ("Cầu Giấy", 1, 5)
    assert data["total"] == 2 and isinstance(data["took_ms"], (int, float))
    assert data["suggestion"] is None
    for hit in data["hits"]:
        assert list(hit) == ["id", "title", "date", "districts", "provinces", "wards", "url", "score", "snippet", "title_html"]
        assert isinstance(hit["score"], (int, float)) and isinstance(hit["districts"], list)
    by_id = {hit["id"]: hit for hit in data["hits"]}
    assert by_id["ba-dinh-cau-giay"]["date"] == "2023-12-01"
    assert by_id["ba-dinh-cau-giay"]["url"] is None
    assert by_id["ba-dinh-cau-giay"]["title_html"] == "Ba Đình và <mark>Cầu Giấy</mark> phối hợp làm đường"
    assert by_id["xss"]["title_html"].startswith("&lt;script&gt;alert(1)&lt;/script&gt; <mark>Cầu Giấy</mark>")
    assert list(data["facets"]) == ["province", "district", "ward"]
    assert {f["name"]: f["count"] for f in data["facets"]["district"]} == {CG: 2, BD: 1}
    assert all(f["province"] == "Thành phố Hà Nội" for f in data["facets"]["district"])
    assert data["facets"]["province"] == [{"name": "Thành phố Hà Nội", "count": 2}]


def test_api_json_is_readable_utf8(client: FlaskClient) -> None:
    raw = client.get("/api/search", query_string={"q": "Hai Bà Trưng"}).get_data()
    assert "Hai Bà Trưng".encode() in raw and b"\\u" not in raw


def test_api_search_filters(client: FlaskClient) -> None:
    data = client.get("/api/search?q=đường&district=" + BD + "&sort=date&from=2023-01-01&to=2023-12-31").get_json()
    assert [hit["id"] for hit in data["hits"]] == ["ba-dinh-cau-giay"]
    data = client.get("/api/search", query_string={"q": "đường", "district": [BD, CG]}).get_json()
    assert {hit["id"] for hit in data["hits"]} == {"xss", "ba-dinh-cau-giay"}


def test_api_search_reads_a_half_typed_last_word_unless_told_not_to(client: FlaskClient) -> None:
    def all_words(**args: str) -> bool:
        return "X-Partial-Match" not in client.get("/api/search", query_string=args).headers

    data = client.get("/api/search", query_string={"q": "hai ba tr"}).get_json()
    assert [hit["id"] for hit in data["hits"]] == ["news/hai-ba-trung-khen"]
    assert all_words(q="hai ba tr")
    assert not all_words(q="hai ba tr", prefix="0")  # only partial matches: "tr" is no word
    assert not all_words(q="hai ba tr ")
    data = client.get("/api/search", query_string={"q": "cau gi"}).get_json()
    assert "<mark>Cầu Giấy</mark>" in data["hits"][0]["snippet"]


def test_pages_read_a_half_typed_last_word_too(client: FlaskClient) -> None:
    page = get_page(client, "/search?q=hai+ba+tr")
    assert "<mark>Hai Bà Trưng</mark>" in page
    assert "<mark>Hai Bà Trưng</mark>" in get_page(client, "/doc/news/hai-ba-trung-khen?q=hai+ba+tr")
    assert "Không có bài nào chứa tất cả" in get_page(client, "/search?q=hai+ba+tr&prefix=0")
    # The article link carries prefix=0, so the article marks what the search matched.
    assert "<mark>Hai Bà Trưng</mark>" not in get_page(client, "/doc/news/hai-ba-trung-khen?q=hai+ba+tr&prefix=0")


def test_api_complete(client: FlaskClient) -> None:
    response = client.get("/api/complete", query_string={"q": "hai ba t"})
    assert response.status_code == 200 and response.mimetype == "application/json"
    data = response.get_json()
    assert list(data) == ["query", "completions"] and data["query"] == "hai ba t"
    assert data["completions"][0] == {"text": "Hai Bà Trưng", "html": "<mark>Hai Bà T</mark>rưng"}
    assert len(data["completions"]) <= 10
    assert client.get("/api/complete", query_string={"q": "c", "size": 1}).get_json()["completions"].__len__() <= 1
    assert client.get("/api/complete").get_json() == {"query": "", "completions": []}
    assert response.headers["ETag"] and response.headers["Cache-Control"] == "no-cache"


def test_api_complete_escapes_what_the_corpus_wrote(client: FlaskClient) -> None:
    for completion in client.get("/api/complete", query_string={"q": "script"}).get_json()["completions"]:
        assert "<script" not in completion["html"]


@pytest.mark.parametrize("query", ["size=11", "size=0", "size=hai", "q=" + "a" * 1001])
def test_api_complete_bad_input_is_400_with_plain_error(client: FlaskClient, query: str) -> None:
    response = client.get(f"/api/complete?{query}")
    assert response.status_code == 400
    assert list(response.get_json()) == ["error"]


BAD_INPUTS = [
    "from=2024-13-01",
    "to=hôm nay",
    "from=2024-02-01&to=2024-01-01",
    "page=0",
    "page=-1",
    "page=hai",
    "page=1.5",
    "size=101",
    "size=0",
    "sort=popular",
]


@pytest.mark.parametrize("query", BAD_INPUTS)
def test_api_bad_input_is_400_with_plain_error(client: FlaskClient, query: str) -> None:
    response = client.get(f"/api/search?q=đường&{query}")
    assert response.status_code == 400
    data = response.get_json()
    assert list(data) == ["error"] and data["error"].strip()
    assert "Traceback" not in data["error"]


@pytest.mark.parametrize("query", BAD_INPUTS)
def test_page_bad_input_shows_message_with_400(client: FlaskClient, query: str) -> None:
    api_message = client.get(f"/api/search?q=đường&{query}").get_json()["error"]
    page = get_page(client, f"/search?q=đường&{query}", 400)
    assert str(escape(api_message)) in page
    assert 'role="alert"' in page and 'value="đường"' in page  # the form keeps what was typed


def test_query_rejected_by_engine(client: FlaskClient, engine: SearchEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    def reject(request: SearchRequest) -> SearchResults:
        raise SearchError("Câu truy vấn không hợp lệ.")

    monkeypatch.setattr(engine, "search", reject)
    assert client.get("/api/search?q=((").get_json() == {"error": "Câu truy vấn không hợp lệ."}
    assert "Câu truy vấn không hợp lệ." in get_page(client, "/search?q=((", 400)


def test_unexpected_error_is_500_without_trace(app: Flask, engine: SearchEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(request: SearchRequest) -> SearchResults:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(engine, "search", crash)
    app.testing = False  # let Flask handle the exception as in production
    client = app.test_client()
    api = client.get("/api/search?q=x")
    assert api.status_code == 500 and list(api.get_json()) == ["error"]
    page = client.get("/search?q=x")
    assert page.status_code == 500
    for body in (api.get_data(as_text=True), page.get_data(as_text=True)):
        assert "secret internals" not in body and "Traceback" not in body


def test_api_doc(client: FlaskClient) -> None:
    response = client.get("/api/doc/news/hai-ba-trung-khen?q=khen")
    assert response.status_code == 200
    data = response.get_json()
    assert list(data) == DOC_KEYS
    assert data["id"] == "news/hai-ba-trung-khen"
    assert data["date"] == "2024-01-28" and data["districts"] == [HBT]
    assert data["author"] == "Nguyễn Hiền Phương"
    assert "<mark>" in data["body_html"] and "<mark>" not in data["body"]


def test_api_doc_unknown_is_404_json(client: FlaskClient) -> None:
    response = client.get("/api/doc/news/khong-co")
    assert response.status_code == 404
    assert list(response.get_json()) == ["error"]


def test_api_unknown_path_and_wrong_method(client: FlaskClient) -> None:
    missing = client.get("/api/khong-co")
    assert missing.status_code == 404 and list(missing.get_json()) == ["error"]
    wrong = client.post("/api/search")
    assert wrong.status_code == 405 and list(wrong.get_json()) == ["error"]
    assert "GET" in wrong.headers["Allow"]


@pytest.mark.parametrize("url", ["/api/search?q=đường", "/api/doc/xss"])
def test_etag_and_304(client: FlaskClient, engine: SearchEngine, monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    first = client.get(url)
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "no-cache"
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag
    assert client.get(url + "&page=2" if "?" in url else url + "?q=x").headers["ETag"] != etag
    monkeypatch.setattr(engine, "generation", lambda: "rebuilt")
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 200


# --- Headers -----------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["/", "/search?q=đường", "/doc/xss", "/doc/khong-co", "/khong-co", "/api/search?q=x", "/api/khong-co", "/health",
     "/static/style.css"],
)
def test_security_headers(client: FlaskClient, url: str) -> None:
    response = client.get(url)
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value
    assert response.headers["Referrer-Policy"] in ("same-origin", "strict-origin-when-cross-origin")


def test_never_debug(app: Flask) -> None:
    assert app.debug is False


# --- Pages -------------------------------------------------------------------


def test_home_page(client: FlaskClient) -> None:
    page = get_page(client, "/")
    assert '<html lang="vi">' in page and "Tìm kiếm" in page
    assert '<label for="q">' in page and 'id="q" name="q"' in page
    assert 'action="/search" method="get"' in page


def test_results_page(client: FlaskClient) -> None:
    page = get_page(client, "/search?q=Cầu Giấy&exact=1")
    assert re.search(r'aria-live="polite">2 kết quả \(\d+(,\d+)? giây\)<', page)
    for text in ("Quận/Huyện", "Từ ngày", "Đến ngày", "Sắp xếp:", "Liên quan nhất", "Mới nhất", "Chỉ khớp đúng dấu"):
        assert text in page
    assert 'type="date" name="from"' in page and 'type="date" name="to"' in page
    assert 'name="exact" value="1" checked' in page
    assert "10/02/2024" in page and f'<span class="badge">{BD}</span>' in page
    title = link_with(page, "phối hợp làm đường")
    assert title.path == "/doc/ba-dinh-cau-giay" and title.params["q"] == ["Cầu Giấy"]


def test_results_page_escapes_titles(client: FlaskClient) -> None:
    page = get_page(client, "/search?q=Cầu Giấy")
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_facet_links_add_and_remove_districts(client: FlaskClient) -> None:
    page = get_page(client, "/search?q=Cầu Giấy&sort=date")
    add = link_with(page, BD)
    assert add.path == "/search"
    assert add.params == {"q": ["Cầu Giấy"], "sort": ["date"], "district": [BD]}

    page = get_page(client, f"/search?q=Cầu Giấy&sort=date&page=1&district={CG}")
    add_second = link_with(page, BD)
    assert add_second.params["district"] == [CG, BD] and "page" not in add_second.params
    remove = link_with(page, CG)
    assert remove.attrs.get("aria-current") == "true"
    assert remove.params == {"q": ["Cầu Giấy"], "sort": ["date"]}
    clear = link_with(page, "Bỏ lọc quận/huyện")
    assert clear.params == {"q": ["Cầu Giấy"], "sort": ["date"]}
    assert "Xem thêm" not in page and "facet-district-filter" not in page  # two districts: no need


def test_pagination_keeps_parameters(client: FlaskClient) -> None:
    page = get_page(client, f"/search?q=Cầu Giấy&size=1&district={CG}")
    following = link_with(page, "Trang sau")
    assert following.params == {"q": ["Cầu Giấy"], "size": ["1"], "district": [CG], "page": ["2"]}
    page = get_page(client, following.href)
    assert link_with(page, "Trang trước").params["page"] == ["1"]
    assert "Trang sau" not in page


def test_suggestion_restores_diacritics(client: FlaskClient) -> None:
    page = get_page(client, "/search?q=cau giay&sort=date")
    assert "Có phải bạn muốn tìm:" in page
    assert link_with(page, "Cầu Giấy").params == {"q": ["Cầu Giấy"], "sort": ["date"]}
    assert client.get("/api/search?q=cau giay").get_json()["suggestion"] == "Cầu Giấy"


def test_partial_matches_are_announced(client: FlaskClient) -> None:
    page = get_page(client, "/search?q=Cầu Giấy zzkhongcozz")
    assert "Không có bài nào chứa tất cả các từ" in page
    assert "phối hợp làm đường" in page


def test_empty_state(client: FlaskClient) -> None:
    page = get_page(client, "/search?q=zzkhongcozz")
    assert "0 kết quả" in page and "Không tìm thấy bài viết nào" in page


def test_document_page(client: FlaskClient) -> None:
    page = get_page(client, f"/doc/news/hai-ba-trung-khen?q=khen&district={HBT}")
    assert "28/01/2024" in page and "Nguyễn Hiền Phương" in page and HBT in page
    assert "<mark>khen</mark>" in page and "chỗ khớp" in page
    assert "\n\nĐây là" in page  # paragraph break kept for white-space: pre-line
    source = link_with(page, "xem bài gốc")
    assert source.href == "https://hanoi.example.vn/hai-ba-trung"
    assert source.attrs["rel"] == "noopener noreferrer nofollow"
    back = link_with(page, "Quay lại kết quả")
    assert back.path == "/search" and back.params == {"q": ["khen"], "district": [HBT]}


def test_javascript_url_is_never_a_link(client: FlaskClient, engine: SearchEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    real_document = engine.document
    monkeypatch.setattr(
        engine, "document", lambda *a, **k: dataclasses.replace(real_document(*a, **k), url="javascript:alert(1)")
    )
    page = get_page(client, "/doc/xss")
    assert "&lt;script&gt;" in page and "<script>" not in page
    assert not any(link.href.lower().startswith("javascript:") for link in links(page))
    assert "xem bài gốc" not in page


def test_unknown_pages_are_404_in_vietnamese(client: FlaskClient) -> None:
    for url in ("/doc/news/khong-co", "/khong-co"):
        page = get_page(client, url, 404)
        assert '<html lang="vi">' in page and "Không tìm thấy" in page


def test_partial_matches_are_flagged_outside_the_json_contract(client: FlaskClient) -> None:
    partial = client.get("/api/search", query_string={"q": "Cầu Giấy zzkhongcozz"})
    assert partial.headers["X-Partial-Match"] == "1" and partial.get_json()["total"] >= 1
    assert "X-Partial-Match" not in client.get("/api/search", query_string={"q": "Cầu Giấy"}).headers


# --- The results region, its filters and facets ----------------------------------------


def test_results_region_is_the_pages_markup_and_the_apis_marks(client: FlaskClient) -> None:
    """app.js swaps in /results: the same markup as the page's own region, with the marks the API gives."""
    url = f"?q=cau giay&district={CG}&sort=date"
    page = get_page(client, "/search" + url)
    region = get_page(client, "/results" + url)
    assert "<form" not in region and "<html" not in region and 'id="hits-region"' in region
    assert _untimed(region).strip() in _untimed(page)
    hits = client.get("/api/search" + url).get_json()["hits"]
    assert hits and all(hit["title_html"] in region and hit["snippet"] in region for hit in hits)


def _untimed(html: str) -> str:
    """Two renderings of one search differ only in how long it took."""
    return re.sub(r"\(\d+(,\d+)? giây\)", "", html)


def test_results_region_of_a_refused_search_says_why(client: FlaskClient) -> None:
    response = client.get("/results?q=x&from=31-01-2024")
    assert response.status_code == 400
    region = response.get_data(as_text=True)
    assert escape("Ngày '31-01-2024' không hợp lệ") in region
    remove = link_with(region, "×")  # the filter that was refused can be taken off
    assert remove.params == {"q": ["x"]}


def test_active_filters_each_come_off_alone_or_all_at_once(client: FlaskClient) -> None:
    page = get_page(
        client, f"/search?q=đường&district={CG}&district={BD}&from=2023-01-01&to=2023-12-31&sort=date&exact=1&verbatim=1&page=1"
    )
    chips = [link for link in links(page) if link.text == "×"]
    assert [link.attrs["aria-label"] for link in chips] == [
        f"Bỏ lọc: {CG}", f"Bỏ lọc: {BD}", "Bỏ lọc: Từ 01/01/2023 đến 31/12/2023", "Bỏ lọc: Mới nhất trước",
        "Bỏ lọc: Chỉ khớp đúng dấu", "Bỏ lọc: Đúng như đã gõ",
    ]
    everything = {
        "q": ["đường"], "district": [CG, BD], "from": ["2023-01-01"], "to": ["2023-12-31"], "sort": ["date"],
        "exact": ["1"], "verbatim": ["1"],
    }
    for link, gone in zip(chips, ([CG], [BD], ["from", "to"], ["sort"], ["exact"], ["verbatim"]), strict=True):
        expected = {k: v for k, v in everything.items() if k not in gone}
        if gone[0] in (CG, BD):
            expected["district"] = [d for d in everything["district"] if d != gone[0]]
        assert link.params == expected
    assert link_with(page, "Xoá tất cả").params == {"q": ["đường"]}
    assert 'data-count="6"' in page and "(6 đang bật)" in page  # the phone's "Bộ lọc" button says how many
    assert 'id="active-filters"' in get_page(client, "/search?q=đường") and "Xoá tất cả" not in get_page(client, "/search?q=đường")


def test_date_shortcuts_and_a_chosen_year(client: FlaskClient) -> None:
    today = dt.date.today()
    page = get_page(client, f"/search?q=đường&district={CG}&page=2")
    week, month, year = (link_with(page, text) for text in ("7 ngày", "30 ngày", "Năm nay"))
    assert week.params == {"q": ["đường"], "district": [CG], "from": [(today - dt.timedelta(days=6)).isoformat()]}
    assert month.params["from"] == [(today - dt.timedelta(days=29)).isoformat()]
    assert year.params["from"] == [f"{today.year}-01-01"]
    assert f"<option>{today.year}</option>" in page
    # Without JavaScript, the year chooser's own form asks for the year, which becomes the two dates.
    response = client.get(f"/search?q=đường&district={CG}&year=2023")
    assert response.status_code == 302
    assert parse_qs(urlsplit(response.location).query) == {
        "q": ["đường"], "district": [CG], "from": ["2023-01-01"], "to": ["2023-12-31"]
    }
    assert "<option selected>2023</option>" in get_page(client, response.location)
    assert "year" not in parse_qs(urlsplit(client.get("/search?q=x&year=abc").location).query)


def test_a_hit_shows_three_districts_then_how_many_more(engine_of) -> None:
    names = ["Quận Ba Đình", "Quận Hoàn Kiếm", "Quận Tây Hồ", "Quận Long Biên", "Quận Cầu Giấy"]
    client = create_app(engine_of([{"id": "a", "title": "Năm quận", "body": "Năm quận họp.", "districts": names}])).test_client()
    page = get_page(client, "/search?q=quận")
    hit = page[page.index('<li class="hit">'):page.index("</li>", page.index('<li class="hit">'))]
    assert re.findall(r'<span class="badge">([^<]+)</span>', hit) == names[:3]
    assert '+2<span class="visually-hidden"> quận/huyện khác</span>' in hit
    assert "Quận Long Biên, Quận Cầu Giấy" in hit  # named in its title


def test_facets_show_ten_chosen_first_then_the_rest_behind_xem_them(engine_of) -> None:
    districts = [d.name for d in all_districts()][:14]
    records = [{"id": f"d{i}", "title": f"Bài {i}", "body": "Tin phường.", "districts": districts[: i + 1]} for i in range(14)]
    client = create_app(engine_of(records)).test_client()
    chosen = districts[13]  # in one article only: last by count
    page = get_page(client, f"/search?q=phường&district={chosen}")
    facet_names = [link.attrs["data-name"] for link in links(page) if "facet" in (link.attrs.get("class") or "").split()]
    assert facet_names[0] == chosen and len(facet_names) == 14
    more = page.index('<details class="more"')
    facet = re.compile(r'<a class="facet[ "]')
    assert len(facet.findall(page, 0, more)) == 10 and len(facet.findall(page, more)) == 4
    assert "Xem thêm 4" in page and 'id="facet-district-filter"' in page


# --- The article page: a search box and the search's neighbours ---------------------------


def test_article_links_to_the_results_before_and_after_it(client: FlaskClient) -> None:
    results = get_page(client, "/search?q=quận&sort=date&size=1&page=2")
    hit = next(link for link in links(results) if link.path.startswith("/doc/"))
    assert hit.params == {"q": ["quận"], "sort": ["date"], "size": ["1"], "rank": ["2"]}
    page = get_page(client, hit.href)
    assert 'role="search"' in page and 'name="q" type="search" value="quận"' in page
    ranked = [h["id"] for h in client.get("/api/search?q=quận&sort=date").get_json()["hits"]]
    paths = [f"/doc/{quote(doc_id, safe='')}" for doc_id in ranked]  # one path segment, "/" as %2F
    assert len(ranked) == 3 and hit.path == paths[1]
    before, after = link_with(page, "Kết quả trước"), link_with(page, "Kết quả sau")
    assert (before.path, before.params["rank"]) == (paths[0], ["1"])
    assert (after.path, after.params["rank"]) == (paths[2], ["3"])
    assert after.params["sort"] == ["date"] and after.params["size"] == ["1"]
    assert link_with(page, "Quay lại kết quả").params == {"q": ["quận"], "sort": ["date"], "size": ["1"], "page": ["2"]}

    last = get_page(client, after.href)
    assert "Kết quả trước" in last and "Kết quả sau" not in last
    assert link_with(last, "Quay lại kết quả").params["page"] == ["3"]
    first = get_page(client, before.href)
    assert "Kết quả sau" in first and "Kết quả trước" not in first
    assert "page" not in link_with(first, "Quay lại kết quả").params


def test_article_with_a_rank_that_no_longer_fits_has_no_neighbours(client: FlaskClient) -> None:
    assert "Kết quả sau" in get_page(client, "/doc/xss?q=quận&sort=date&rank=1")
    for query in ("rank=3", "rank=abc", "rank=0", "rank=99999", "from=x&rank=1"):  # xss is first by date
        url = f"/doc/xss?q=quận&sort=date&{query}"
        page = get_page(client, url)
        assert "Kết quả trước" not in page and "Kết quả sau" not in page, url
        assert "Quay lại kết quả" in page
