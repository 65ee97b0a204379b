"""Hostile input: any query gets an answer or a plain 400, never a 5xx; markup in articles stays text.

The server faces the open web: people paste anything into the search box, scripts
probe URLs, and scraped articles carry markup. Fuzzing runs a few hundred examples
per rule (set ``VNSEARCH_FUZZ_EXAMPLES`` for a deeper run).
"""

from __future__ import annotations

import gc
import json
import os
import re
import socket
import struct
import threading
import time
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, quote, urljoin, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from waitress.server import create_server

from search.engine import SearchEngine
from indexer.build import build_index
from search.model import MAX_PLACE_FILTERS, MAX_PAGE, MAX_PAGE_SIZE, SearchError, SearchRequest
from search import budget
from search.budget import MAX_WORDS
from search.match import QueryBuilder
from search.query import MAX_QUERY_CHARS, parse_query
from search.rescore import rescore
from vnsearch import server as server_module
from vnsearch.cli import EXIT_ERROR, MAX_REQUEST_BODY, main
from vnsearch.server import make_server
from web import create_app

CORPUS = Path(__file__).parents[1] / "corpus"
EXAMPLES = int(os.environ.get("VNSEARCH_FUZZ_EXAMPLES", "300"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# Pieces a probing visitor or a confused person combines: query syntax of other engines,
# markup, control characters, combining marks, and ordinary Vietnamese words.
PIECES = [
    '"', "'", "(", ")", "[", "]", "{", "}", "-", "+", "|", "&", "!", "*", "?", "~", "^", ":", "\\", "/", "%",
    "OR", "AND", "NOT", "or", "TO", "title:", "body:", "*:*", "<script>", "</b>", "&amp;", "%00", "\x00",
    "\t", "\n", "\r", "\x1b", "\u200b", "\u202e", "\ufeff", "\u0301", "\u0323", "\ufffd", "😀", "Hà", "Nội",
    "hai", "bà", "trưng", "Ủy", "ban", "MTTQ", "2024", "quận", "Thanh", "Xuân", " ", "  ",
]
query_text = st.one_of(
    st.text(max_size=60),
    st.lists(st.sampled_from(PIECES), max_size=30).map("".join),
    st.lists(st.sampled_from(PIECES), max_size=30).map(" ".join),
)
# A command-line argument that is not UTF-8 reaches the engine as lone surrogates; a URL never does.
engine_query_text = st.one_of(query_text, st.lists(st.sampled_from([*PIECES, "\udcff", "\ud800"]), max_size=30).map(" ".join))
# What a URL can carry: any text except lone surrogates, which percent-decoding never produces.
url_text = st.text(st.characters(blacklist_categories=["Cs"]), max_size=40)


def expect_answer_or_refusal(engine: SearchEngine, request: SearchRequest) -> None:
    try:
        results = engine.search(request)
    except SearchError as error:
        assert str(error)
        return
    assert results.total >= len(results.hits)


def only_mark_tags(html: str) -> bool:
    """Whether ``html`` is escaped text with nothing but <mark> elements in it."""
    return "<" not in html.replace("<mark>", "").replace("</mark>", "")


# --- the query parser and the engine ---------------------------------------------------------------


@given(st.text(st.characters(blacklist_categories=[]), max_size=MAX_QUERY_CHARS + 20))
@FUZZ
def test_the_parser_refuses_only_oversized_queries(text: str) -> None:
    """Any string at all, lone surrogates and NUL included: a parse, or a plain refusal of its size."""
    try:
        parse_query(text)
    except SearchError as error:
        assert "quá dài" in str(error) and len(text) > MAX_QUERY_CHARS


@given(engine_query_text, st.booleans(), st.sampled_from(["relevance", "date"]))
@FUZZ
def test_any_query_is_answered_or_refused_plainly(seeds: SearchEngine, q: str, exact: bool, sort: str) -> None:
    expect_answer_or_refusal(seeds, SearchRequest(q=q, exact=exact, sort=sort))


@given(st.text(max_size=30), st.text(max_size=30))
@FUZZ
def test_any_district_and_any_document_id_are_safe(seeds: SearchEngine, district: str, doc_id: str) -> None:
    expect_answer_or_refusal(seeds, SearchRequest(q="quận", districts=(district,)))
    doc = seeds.document(doc_id, district)
    assert doc is None or doc.id == doc_id


@pytest.mark.parametrize(
    "q",
    [
        "x" * (MAX_QUERY_CHARS + 1),
        "Hà Nội " * 15_000,  # 105 KB
        " OR ".join(["hà"] * 3000)[:MAX_QUERY_CHARS],
        " ".join(f"từ{n}" for n in range(MAX_WORDS + 1)),
        " ".join(f'"a{n} b{n}"' for n in range(MAX_WORDS // 2 + 1)),
        ".".join(["a"] * 500),  # one token, 500 words: cost 31 s of CPU at 100,000 articles
        "-".join(["hà", "nội"] * 21),
        '"' + " ".join(["hà", "nội"] * 100) + '"',  # one quoted phrase of 200 words
        "hà " + " ".join(f"-x{n}" for n in range(MAX_WORDS)),  # exclusions are looked up too
    ],
    ids=["1001 chars", "100 KB", "thousands of ORs", "41 words", "21 phrases of 2", "a.a.a…", "hà-nội-…",
         "200-word phrase", "40 exclusions"],
)
def test_expensive_queries_are_refused_with_a_400_that_says_why(client: FlaskClient, q: str) -> None:
    response = client.get("/api/search", query_string={"q": q})
    assert response.status_code == 400
    assert str(MAX_QUERY_CHARS) in response.json["error"] or str(MAX_WORDS) in response.json["error"]


def test_a_query_at_the_limits_is_still_answered(client: FlaskClient) -> None:
    """The limits refuse only what is beyond them: 40 of the commonest words run."""
    common = "của và các có là trong với cho được công không năm đã một tại để từ về người những " * 2
    assert len(common.split()) == MAX_WORDS
    response = client.get("/api/search", query_string={"q": common, "page": MAX_PAGE, "size": MAX_PAGE_SIZE})
    assert response.status_code == 200


def test_the_plan_cost_counts_what_evaluation_visits() -> None:
    """Phrase words, abbreviation expansions and the all-but-one fallback count, not the clauses."""

    def cost(q: str) -> tuple[int, int]:
        plan = QueryBuilder().plan(parse_query(q))
        return budget.plan_cost(plan.required), budget.plan_cost(plan.partial) if plan.partial else 0

    assert cost('"hà nội hôm nay"')[0] > cost('"hà nội"')[0] > cost("hà")[0]
    assert cost("MTTQ")[0] > cost("hà")[0]  # it also matches "mặt trận tổ quốc"
    assert cost(" ".join(["hà", "nội"] * 10))[1] > 3 * cost(" ".join(["hà", "nội"] * 5))[1]  # quadratic


def test_a_plan_over_its_cost_is_refused_plainly(client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(budget, "MAX_PLAN_COST", budget.plan_cost(QueryBuilder().plan(parse_query("quận")).required))
    assert client.get("/api/search", query_string={"q": "quận"}).status_code == 200
    response = client.get("/api/search", query_string={"q": "MTTQ quận"})
    assert response.status_code == 400 and "quá phức tạp" in response.json["error"]


def test_a_fallback_over_its_cost_is_skipped_with_a_notice(seeds: SearchEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    q = "quận hai bà trưng xyzzy"  # no article has every word: the fallback would look for most of them
    plan = QueryBuilder().plan(parse_query(q))
    assert seeds.search(SearchRequest(q=q)).partial
    monkeypatch.setattr(budget, "MAX_PLAN_COST", budget.plan_cost(plan.required))
    results = seeds.search(SearchRequest(q=q))
    assert results.incomplete and not results.partial and results.total == 0


@pytest.mark.parametrize("sort", ["relevance", "date"])
def test_a_search_out_of_cpu_time_answers_with_a_notice(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch, sort: str
) -> None:
    """A search that runs out of its CPU time stops and answers (200) with what it has, and says so."""
    monkeypatch.setattr(budget, "CPU_SECONDS", -1.0)
    response = client.get("/api/search", query_string={"q": "quận hai bà trưng", "sort": sort})
    assert response.status_code == 200 and response.headers["X-Search-Incomplete"] == "1"
    page = client.get("/search", query_string={"q": "quận hai bà trưng", "sort": sort})
    assert page.status_code == 200 and "chưa được tìm hết" in page.get_data(as_text=True)
    monkeypatch.setattr(budget, "CPU_SECONDS", 60.0)
    assert "X-Search-Incomplete" not in client.get("/api/search", query_string={"q": "quận hai bà trưng"}).headers


def test_re_ranking_out_of_cpu_time_keeps_what_it_found(seeds: SearchEngine) -> None:
    """Re-ranking stops with the clock and keeps phase one's scores for the rest: the same hits."""
    searcher = seeds._searcher()
    plan = QueryBuilder().plan(parse_query("quận hai bà trưng"))
    ranked = [(1.0 + n, docnum) for n, docnum in enumerate(range(searcher.doc_count_all()))]
    assert rescore(searcher, ranked, plan.layout) != sorted(ranked, reverse=True)  # word order re-ranks them
    spent = budget.Clock(seconds=-1.0)
    assert rescore(searcher, ranked, plan.layout, clock=spent) == sorted(ranked, reverse=True)
    assert spent.ran_out


def test_a_costly_search_offers_no_suggestion(seeds: SearchEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    """Did-you-mean is work a search can do without: past its share of CPU, it is left out."""
    assert seeds.search(SearchRequest(q="hai ba trung")).suggestion
    monkeypatch.setattr(budget, "EXTRAS_SECONDS", -1.0)
    results = seeds.search(SearchRequest(q="hai ba trung"))
    assert results.suggestion is None and results.total and not results.incomplete


def test_a_pause_in_the_garbage_collector_is_not_the_searchs_cost(monkeypatch: pytest.MonkeyPatch) -> None:
    """A full collection can pause the thread that triggered it for hundreds of milliseconds (a
    large heap: the test process itself); that pause neither runs a search out of time nor costs
    it its did-you-mean. Here the pause is half a second on a simulated clock."""
    now = [100.0]
    monkeypatch.setattr(budget.time, "thread_time", lambda: now[0])

    def pause(phase: str, info: dict) -> None:
        if phase == "start":
            now[0] += 0.5

    gc.callbacks.append(pause)  # after the budget's own: it reads the clock before and after the pause
    try:
        with budget.Clock(seconds=0.3) as clock:
            now[0] += 0.01
            gc.collect()
            clock.check()  # does not raise
            assert clock.has_time_for_extras()
            now[0] += 0.3  # the search's own CPU does count
            with pytest.raises(budget.OverBudget):
                clock.check()
    finally:
        gc.callbacks.remove(pause)


def test_the_turn_goes_to_the_search_that_has_used_the_least_cpu() -> None:
    """A search arriving while costly ones compute goes first; among equals, the one that asked first."""
    turn = budget._Turn()
    turn.take()  # this thread computes
    order: list[str] = []

    def wait(used: float, name: str) -> None:
        turn.take(used)
        order.append(name)
        turn.give()

    asked = [(0.5, "costliest"), (0.2, "costly"), (0.0, "new"), (0.2, "costly, later")]
    threads = [threading.Thread(target=wait, args=arguments) for arguments in asked]
    for n, thread in enumerate(threads, 1):
        thread.start()
        while len(turn._queue) < n:  # each in the queue before the next asks
            time.sleep(0.001)
    assert turn.wanted(0.1) and not turn.wanted(0.0)
    turn.give()
    for thread in threads:
        thread.join(timeout=10)
    assert order == ["new", "costly", "costly, later", "costliest"]


@pytest.mark.parametrize(
    "params",
    [
        {"page": str(MAX_PAGE + 1)},
        {"page": "100000"},
        {"page": "9" * 50},
        {"page": "9" * 5000},  # beyond Python's digit limit for int()
        {"page": "1e5"},
        {"page": "0"},
        {"size": "1000000"},
        {"size": "-1"},
        {"from": "2024-02-30"},
        {"from": "9" * 100},
        {"from": "2024-02-01", "to": "2024-01-01"},
        {"sort": "'; DROP TABLE"},
    ],
)
def test_out_of_range_parameters_are_a_400(client: FlaskClient, params: dict) -> None:
    response = client.get("/api/search", query_string={"q": "quận", **params})
    assert response.status_code == 400 and response.json["error"]


# --- over HTTP -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def app(seed_index) -> Flask:
    return create_app(SearchEngine(seed_index))


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def assert_secure_headers(response) -> None:
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in ("same-origin", "no-referrer", "strict-origin-when-cross-origin")


@given(
    q=query_text,
    district=st.lists(url_text, max_size=3),
    page=st.one_of(url_text, st.integers().map(str)),
    size=st.one_of(url_text, st.integers(-5, 200).map(str)),
    date_from=url_text,
    sort=url_text,
    exact=url_text,
)
@FUZZ
def test_the_api_answers_any_parameters_with_200_or_400(client: FlaskClient, q, district, page, size, date_from, sort, exact) -> None:
    params = {"q": q, "district": district, "page": page, "size": size, "from": date_from, "sort": sort, "exact": exact}
    response = client.get("/api/search", query_string=params)
    assert response.status_code in (200, 400)
    assert response.is_json and (response.status_code == 200 or response.json["error"])
    assert_secure_headers(response)


@given(q=query_text, district=url_text)
@FUZZ
def test_the_results_page_answers_any_query_with_200_or_400(client: FlaskClient, q: str, district: str) -> None:
    response = client.get("/search", query_string={"q": q, "district": district})
    assert response.status_code in (200, 400)
    assert_no_active_content(response.get_data(as_text=True))
    assert_secure_headers(response)


@pytest.mark.parametrize(
    "raw_query",
    ["q=%FF%FE%00", "q=%ED%A0%80", "q=%", "q=%%%", "q=a&q=b&page=1&page=2", "district=%00", "q=" + "%22" * 500],
)
def test_undecodable_and_repeated_parameters_are_not_an_error(client: FlaskClient, raw_query: str) -> None:
    for path in ("/api/search", "/search"):
        assert client.get(f"{path}?{raw_query}").status_code in (200, 400)


# --- parameters: one value each, ASCII forms, bounded links (issue 13) -------------------------------

SINGLE_VALUED = {
    "q": "quận", "from": "2024-01-01", "to": "2024-12-31", "sort": "date", "page": "1", "size": "5", "exact": "1",
    "verbatim": "1",
}


@pytest.mark.parametrize("name", SINGLE_VALUED)
@pytest.mark.parametrize("path", ["/api/search", "/search"])
def test_a_single_valued_parameter_given_twice_is_a_400(client: FlaskClient, path: str, name: str) -> None:
    value = SINGLE_VALUED[name]
    response = client.get(path, query_string=[("q", "quận"), (name, value), (name, value)])
    assert response.status_code == 400
    assert f"'{name}'" in unescape(response.get_data(as_text=True))


def test_a_thousand_copies_of_q_do_not_multiply_the_page(client: FlaskClient) -> None:
    response = client.get("/search", query_string=[("q", "ha")] * 1000)
    assert response.status_code == 400 and len(response.data) < 20_000


def test_links_carry_each_search_parameter_once_and_nothing_else(client: FlaskClient) -> None:
    """Result and article pages build their links from the search's parameters, never from every
    parameter piled on the URL."""
    junk = [("utm", "x" * 100)] * 300
    doc_id = next(CORPUS.glob("*.txt")).stem
    for url in ("/search", f"/doc/{doc_id}"):
        response = client.get(url, query_string=[("q", "quận"), ("size", "1"), ("district", "Ba Đình"), *junk])
        assert response.status_code == 200
        assert len(response.data) < 40_000
        for tag, attrs in Elements(response.get_data(as_text=True)).tags:
            query = urlsplit(attrs.get("href") or "").query
            names = [name for name, _ in parse_qsl(query)]
            assert "utm" not in names and names.count("q") <= 1 and names.count("size") <= 1, attrs


@pytest.mark.parametrize("name, value", [("district", "Ba Đình"), ("province", "Hà Nội"), ("ward", "Hàng Bạc")])
def test_the_number_of_places_is_limited(client: FlaskClient, name: str, value: str) -> None:
    many = [(name, value)] * (MAX_PLACE_FILTERS + 1)
    response = client.get("/api/search", query_string=[("q", "quận"), *many])
    assert response.status_code == 400 and str(MAX_PLACE_FILTERS) in response.json["error"]
    assert client.get("/api/search", query_string=[("q", "quận"), *many[:MAX_PLACE_FILTERS]]).status_code == 200


@pytest.mark.parametrize(
    "params",
    [{"size": "５"}, {"page": "٣"}, {"page": "1_000"}, {"size": "1_0"}, {"page": "²"}, {"from": "2024-W05-1"},
     {"from": "20240131"}, {"to": "2024-W05"}, {"from": "２０２４-01-01"}, {"exact": "maybe"}, {"exact": "２"}, {"verbatim": "maybe"}],
)
def test_numbers_dates_and_flags_take_the_documented_forms_only(client: FlaskClient, params: dict) -> None:
    for path in ("/api/search", "/search"):
        response = client.get(path, query_string={"q": "quận", **params})
        assert response.status_code == 400, (path, params)
        assert next(iter(params.values())) in unescape(response.get_data(as_text=True))


@pytest.mark.parametrize(
    "word, exact", [("1", True), ("TRUE", True), ("yes", True), ("on", True), ("0", False), ("false", False),
                    ("No", False), ("off", False), ("", False)]
)
def test_exact_takes_the_true_and_false_words(word: str, exact: bool) -> None:
    assert SearchRequest.from_strings(q="x", exact=word).exact is exact
    assert SearchRequest.from_strings(q="x", page=" 2 ", size="07", date_from="2024-01-31").size == 7


@pytest.mark.parametrize("path", ["/api//search?q=x", "//search?q=x", "/search/?q=x", "/doc//x", "/api/doc//x"])
def test_a_redirect_never_names_the_host_the_client_sent(client: FlaskClient, path: str) -> None:
    response = client.get(path, headers={"Host": "evil.example"})
    location = response.headers.get("Location", "")
    assert "evil.example" not in location
    assert not location or (location.startswith("/") and not location.startswith("//"))


LINKED_IDS = ["../../etc/lead", "/lead", "a/../b", "./dot", "x/./y", "q?x=1#f", "100%25", "a//b"]


@pytest.fixture(scope="module")
def odd_ids(tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    records = [{"id": i, "title": f"Bài {n} Cầu Giấy", "body": "Quận Cầu Giấy."} for n, i in enumerate(LINKED_IDS)]
    corpus = tmp_path_factory.mktemp("odd-ids") / "corpus"
    corpus.mkdir()
    (corpus / "a.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8")
    assert not build_index([corpus], corpus.parent / "index", progress=False).problems
    return create_app(SearchEngine(corpus.parent / "index")).test_client()


def test_links_to_odd_ids_stay_on_doc_and_open_that_article(odd_ids: FlaskClient) -> None:
    """A browser resolves ``..`` and ``.`` in a link's path (urljoin does the same): every article
    link must still point into /doc/ and open the article it names."""
    page = odd_ids.get("/search?q=cau+giay&size=20").get_data(as_text=True)
    links = [attrs["href"] for tag, attrs in Elements(page).tags if tag == "a" and "/doc/" in attrs.get("href", "")]
    assert len(links) == len(LINKED_IDS)
    opened = set()
    for link in links:
        resolved = urlsplit(urljoin("http://localhost/search?q=x", link))
        assert resolved.path.startswith("/doc/") and resolved.path.count("/") == 2, link
        doc = odd_ids.get(f"/api{resolved.path}?{resolved.query}").json
        opened.add(doc["id"])
    assert opened == set(LINKED_IDS)


# --- markup in articles --------------------------------------------------------------------------

ATTACKS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">bấm vào đây</a>',
    "<svg onload=alert(1)>",
    '"><iframe src="https://evil.example">',
    "javascript:alert(document.cookie)",
    "{{ 7*7 }} {% raw %}",
    "&lt;b&gt; đã là thực thể",
]
HOSTILE_RECORDS = [
    {
        "id": "tan-cong",
        "title": f"{ATTACKS[0]} Tin Cầu Giấy {ATTACKS[1]}",
        "body": "\n\n".join(f"Đoạn {n} về quận Cầu Giấy: {attack} hết đoạn." for n, attack in enumerate(ATTACKS)),
        "url": 'https://example.vn/a?b="><script>alert(1)</script>',
        "author": ATTACKS[3],
        "date": "2024-01-02",
    },
]


class Elements(HTMLParser):
    """Every start tag with its attributes."""

    def __init__(self, page: str):
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def assert_no_active_content(page: str) -> None:
    """No script but the site's own file, no event handler, no link or form to anything but the web."""
    for tag, attrs in Elements(page).tags:
        assert tag not in ("iframe", "object", "embed", "svg", "base", "img"), tag
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        if tag == "script":
            assert (attrs.get("src") or "").startswith("/static/"), attrs
        for name in ("href", "src", "action", "formaction"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value or value.startswith(("/", "#", "?", "http://", "https://")), (tag, attrs)


@pytest.fixture
def hostile(engine_of) -> FlaskClient:
    return create_app(engine_of(HOSTILE_RECORDS)).test_client()


def test_markup_in_an_article_is_text_in_the_api(hostile: FlaskClient) -> None:
    [hit] = hostile.get("/api/search?q=Cầu Giấy").json["hits"]
    assert only_mark_tags(hit["snippet"]) and "&lt;" in hit["snippet"]
    doc = hostile.get("/api/doc/tan-cong?q=đoạn").json
    assert only_mark_tags(doc["body_html"])
    *markup, entity = ATTACKS
    for attack in markup:
        assert attack in doc["body"]  # the text itself is kept as written: it is the article
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in doc["body_html"]
    # A character reference in plain text is decoded once, as a scraper's leftover, into text that is
    # then shown as text: "<b>" on the page, never a tag, and never decoded a second time.
    assert entity.replace("&lt;", "<").replace("&gt;", ">") in doc["body"]
    assert "&lt;b&gt; đã là thực thể" in doc["body_html"] and "<b>" not in doc["body_html"]


@pytest.mark.parametrize(
    "url", ["/search?q=Cầu+Giấy", "/search?q=alert", "/search?q=script", "/doc/tan-cong", "/doc/tan-cong?q=onerror+script"]
)
def test_markup_in_an_article_is_text_on_the_pages(hostile: FlaskClient, url: str) -> None:
    response = hostile.get(url)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert_no_active_content(page)
    assert "&lt;" in page and "<script>alert" not in page  # shown (maybe with <mark>s inside), not run
    # {{ 7*7 }} was not evaluated as a template (the search's time, "0,0049 giây", may hold a 49)
    assert "49" not in re.sub(r"[\d,]+ giây", "", page)


def test_a_source_link_is_the_stored_address_escaped_or_nothing(hostile: FlaskClient) -> None:
    page = hostile.get("/doc/tan-cong").get_data(as_text=True)
    links = [attrs["href"] for tag, attrs in Elements(page).tags if tag == "a" and "noopener" in (attrs.get("rel") or "")]
    assert links == [HOSTILE_RECORDS[0]["url"]]


@given(query_text)
@FUZZ
def test_a_reflected_query_never_becomes_markup(hostile: FlaskClient, q: str) -> None:
    for url in ("/search", "/doc/tan-cong"):
        response = hostile.get(url, query_string={"q": q})
        assert response.status_code in (200, 400)
        assert_no_active_content(response.get_data(as_text=True))


# --- documents are looked up in the index, never on disk --------------------------------------------


@pytest.mark.parametrize(
    "doc_id",
    [
        "../../../../etc/passwd",
        "%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "..%2f..%2f..%2fetc%2fpasswd",
        "%252e%252e%252fetc%252fpasswd",
        "/etc/passwd",
        "//etc/passwd",
        "....//....//etc/passwd",
        "..\\..\\windows\\win.ini",
        "corpus/000_a2a52fa9db34178e.txt",
        "etc/passwd%00.txt",
    ],
)
def test_a_document_id_is_never_a_path(client: FlaskClient, doc_id: str) -> None:
    for prefix in ("/doc/", "/api/doc/"):
        response = client.get(prefix + doc_id, follow_redirects=True)
        assert response.status_code in (400, 404)
        assert "root:" not in response.get_data(as_text=True)
        # Flask merges doubled slashes with a redirect, never to another site.
        assert all(r.location.startswith(("/", "http://localhost/")) for r in response.history)


def test_an_existing_files_path_is_not_a_document_but_an_indexed_id_is(client: FlaskClient, seed_index) -> None:
    """Ids come from the index alone: the file a seed came from is no id; its id works from any directory."""
    path = next(CORPUS.glob("*.txt")).resolve()
    for url in (f"/doc/{quote(str(path))}", f"/api/doc/{quote(str(path))}", f"/doc/{quote(path.name)}"):
        assert client.get(url, follow_redirects=True).status_code == 404
    assert client.get(f"/api/doc/{path.stem}").status_code == 200


# --- never the debugger ------------------------------------------------------------------------------


def test_the_debugger_stays_off_whatever_the_environment(
    seed_index, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLASK_DEBUG", "1")
    monkeypatch.setenv("FLASK_ENV", "development")
    engine = SearchEngine(seed_index)
    app = create_app(engine)
    assert app.debug is False and not app.config["PROPAGATE_EXCEPTIONS"]

    def crash(request: SearchRequest):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(engine, "search", crash)
    response = app.test_client().get("/search?q=x")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "secret internals" not in page and "Traceback" not in page and "__debugger__" not in page


# --- the command line -----------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["\udcff\udcfe", '"((( OR -', "x" * (MAX_QUERY_CHARS + 1)])
def test_the_command_line_answers_odd_queries_without_a_traceback(seed_index, capsys, query: str) -> None:
    status = main(["search", query, "--index-dir", str(seed_index)])
    out, err = capsys.readouterr()
    assert status in (0, EXIT_ERROR)
    assert "Traceback" not in err and (status == 0 or err.startswith("vnsearch: "))


def test_a_port_in_use_is_a_message(seed_index, capsys) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port), "--index-dir", str(seed_index)]) == EXIT_ERROR
    assert capsys.readouterr().err.startswith(f"vnsearch: không mở được 127.0.0.1:{port} (")


def test_an_index_folder_that_cannot_be_made_is_a_message(tmp_path: Path, capsys) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    assert main(["index", str(CORPUS), "--index-dir", str(tmp_path / "a-file" / "index")]) == EXIT_ERROR
    assert capsys.readouterr().err == f"vnsearch: không phải một thư mục: {tmp_path / 'a-file' / 'index'}\n"


# --- idle and slow connections -------------------------------------------------------------------


@pytest.fixture
def served(seed_index):
    """``vnsearch serve``'s own server with one process (vnsearch.server.make_server) on an ephemeral port of 127.0.0.1."""
    server = make_server(create_app(SearchEngine(seed_index)), "127.0.0.1", 0, 2, MAX_REQUEST_BODY)
    serving = _serve_in_background(server)
    yield server.effective_port
    server.close()
    serving.join(timeout=10)


def _serve_in_background(server) -> threading.Thread:
    """A daemon thread running a waitress server until its sockets are closed."""

    def serve() -> None:
        try:
            server.run()
        except OSError:  # its sockets closed under it when the test ends
            pass

    serving = threading.Thread(target=serve, daemon=True)
    serving.start()
    return serving


def answer(port: int, request: bytes, timeout: float = 20) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return data


def test_idle_and_half_sent_connections_do_not_lock_others_out(served: int) -> None:
    """Waitress's default of 100 connections let 101 idle ones lock every other client out."""
    held = []
    try:
        for n in range(150):
            sock = socket.create_connection(("127.0.0.1", served), timeout=10)
            if n % 2:
                sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ")  # a slowloris
            held.append(sock)
        reply = answer(served, b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert reply.startswith(b"HTTP/1.1 200")
    finally:
        for sock in held:
            sock.close()


def test_a_silent_connection_is_closed(served: int, monkeypatch: pytest.MonkeyPatch, seed_index) -> None:
    monkeypatch.setattr(server_module, "IDLE_SECONDS", 1)
    monkeypatch.setattr(server_module, "CLEANUP_SECONDS", 1)
    server = make_server(create_app(SearchEngine(seed_index)), "127.0.0.1", 0, 1, MAX_REQUEST_BODY)
    serving = threading.Thread(target=server.run, daemon=True)
    serving.start()
    try:
        with socket.create_connection(("127.0.0.1", server.effective_port), timeout=20) as sock:
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")  # and never the rest
            assert sock.recv(100) == b""  # closed by the server, well before the 20 s timeout
    finally:
        server.close()


def test_a_request_body_is_not_buffered_without_limit(served: int) -> None:
    size = MAX_REQUEST_BODY + 1
    head = f"POST /api/search HTTP/1.1\r\nHost: x\r\nContent-Length: {size}\r\nConnection: close\r\n\r\n"
    assert answer(served, head.encode()).startswith(b"HTTP/1.1 413")  # refused on its length, before any of it


# --- a client that hangs up -----------------------------------------------------------------------


def test_clients_hanging_up_mid_response_harm_nobody_else(seed_index) -> None:
    """Rude clients send a request and close without reading, or read a little and reset the
    connection, while polite clients keep asking: every polite request gets its full answer."""
    server = create_server(create_app(SearchEngine(seed_index)), host="127.0.0.1", port=0, threads=4)
    port = server.effective_port
    serving = _serve_in_background(server)
    request = b"GET /doc/000_a2a52fa9db34178e?q=M%E1%BA%B7t+tr%E1%BA%ADn HTTP/1.1\r\nHost: localhost\r\n\r\n"
    failures: list[str] = []

    def rude(reset: bool) -> None:
        for _ in range(40):
            with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
                sock.sendall(request)
                if reset:
                    sock.recv(100)
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close = RST

    def polite() -> None:
        for _ in range(25):
            with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
                sock.sendall(request.replace(b"HTTP/1.1\r\n", b"HTTP/1.1\r\nConnection: close\r\n"))
                answer = b""
                while chunk := sock.recv(65536):
                    answer += chunk
            if not (answer.startswith(b"HTTP/1.1 200") and answer.rstrip().endswith(b"</html>")):
                failures.append(answer[:80].decode(errors="replace"))

    try:
        clients = [threading.Thread(target=rude, args=(reset,)) for reset in (False, True, False, True)]
        clients += [threading.Thread(target=polite) for _ in range(3)]
        for client in clients:
            client.start()
        for client in clients:
            client.join(timeout=120)
        assert not any(client.is_alive() for client in clients)
        assert failures == []
    finally:
        server.close()
        serving.join(timeout=10)


def test_searches_from_many_threads_take_turns_and_all_answer_as_alone(seeds: SearchEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    """One search computes at a time in a process, handing the turn on every slice: none waits for ever,
    and each answers what it answers alone."""
    monkeypatch.setattr(budget, "TURN_SLICE_SECONDS", 0.0)  # hand the turn on at every check
    queries = ["hai ba trung", "mat tran to quoc", "Hà Nội", "dai hoi", "phuong bach mai"]
    alone = {q: [h.id for h in seeds.search(SearchRequest(q=q)).hits] for q in queries}
    answers: list[tuple[str, list[str]]] = []

    def search(q: str) -> None:
        for _ in range(5):
            answers.append((q, [h.id for h in seeds.search(SearchRequest(q=q)).hits]))

    threads = [threading.Thread(target=search, args=(q,)) for q in queries]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    assert len(answers) == 25 and all(ids == alone[q] for q, ids in answers)
