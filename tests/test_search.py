"""Search semantics on the sample corpus and on small made-up corpora: what a person typing a query gets."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest

from search.engine import SearchEngine
from search.model import SearchError, SearchRequest
from tests.conftest import ids

HBT = "000_a2a52fa9db34178e"
HOAN_KIEM = "001_5eb4c6df541e3a06"
THANH_XUAN_2024 = "002_6ee3cc54828fb5d5"
CUM_2 = "003_8df283ffd8d0e08d"
THANH_XUAN_DAI_HOI = "004_ec62dcd9ac68ca3c"


def search(engine: SearchEngine, q: str = "", **kwargs):
    return engine.search(SearchRequest.from_strings(q=q, **kwargs))


# --- with or without diacritics -------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "hai ba trung",
        "Hai Bà Trưng",
        "HAI BÀ TRƯNG",
        unicodedata.normalize("NFD", "Hai Bà Trưng"),
        "hai bà trung",  # partly accented
        "Haif Baf Trwng",  # Telex with the input method off
        "Hai Ba2 Tru7ng",  # VNI with the input method off
        "hai ba truung",  # a typo
    ],
)
def test_every_way_of_typing_finds_the_article_first(seeds: SearchEngine, query: str) -> None:
    assert ids(seeds, query)[0] == HBT


def test_old_and_new_tone_placement_find_the_same(seeds: SearchEngine) -> None:
    # The seeds write "Uỷ ban" (old) and "Ủy ban" (new): both spellings find both.
    assert set(ids(seeds, "Uỷ ban", size=10)) == set(ids(seeds, "Ủy ban", size=10)) == {
        HBT, HOAN_KIEM, THANH_XUAN_2024, CUM_2, THANH_XUAN_DAI_HOI,
    }
    assert search(seeds, "hoà giải").total == search(seeds, "hòa giải").total == 1


def test_unaccented_query_marks_the_original_spelling(seeds: SearchEngine) -> None:
    hit = search(seeds, "hai ba trung").hits[0]
    assert "<mark>Hai Bà Trưng</mark>" in hit.snippet
    assert "<mark>Hai Bà Trưng</mark>" in hit.title_html


def test_snippets_escape_everything_but_marks(engine_of) -> None:
    engine = engine_of([{"id": "x", "title": "Tin <b>nóng</b>", "body": "Người dân <script>alert(1)</script> quận Cầu Giấy"}])
    hit = search(engine, "cau giay").hits[0]
    assert "<script>" not in hit.snippet and "&lt;script&gt;" in hit.snippet
    assert "<mark>Cầu Giấy</mark>" in hit.snippet
    assert hit.title_html == "Tin &lt;b&gt;nóng&lt;/b&gt;"


TONES = [
    {"id": "ban-ban", "title": "Người bán hàng rong", "body": "Chợ đông người bán."},
    {"id": "ban-table", "title": "Chiếc bàn gỗ cũ", "body": "Một cái bàn trong nhà."},
    {"id": "ban-friend", "title": "Người bạn thân", "body": "Gặp lại bạn cũ."},
]


def test_a_tone_mark_typed_ranks_that_spelling_first(engine_of) -> None:
    engine = engine_of(TONES)
    assert ids(engine, "bàn")[0] == "ban-table"
    assert ids(engine, "bán")[0] == "ban-ban"
    assert ids(engine, "bạn")[0] == "ban-friend"
    assert set(ids(engine, "ban")) == {"ban-ban", "ban-table", "ban-friend"}  # unaccented: every spelling


def test_exact_search_matches_only_the_diacritics_typed(engine_of) -> None:
    engine = engine_of(
        [
            {"id": "street", "title": "Sửa đường", "body": "Con đường mới."},
            {"id": "name", "title": "Ông Dương", "body": "Ông Dương phát biểu."},
        ]
    )
    assert set(ids(engine, "đường")) == {"street", "name"}
    assert ids(engine, "đường", exact="1") == ["street"]


# --- the query language ---------------------------------------------------------------


def test_all_words_must_match(seeds: SearchEngine) -> None:
    assert set(ids(seeds, "Hoàn Kiếm")) == {HOAN_KIEM}
    assert set(ids(seeds, "Thanh Xuân Bùi Huyền Mai")) == {THANH_XUAN_DAI_HOI}


def test_quoted_phrase_needs_the_words_together(engine_of) -> None:
    engine = engine_of(
        [
            {"id": "together", "title": "Tin một", "body": "Bộ đội biên phòng tuần tra trên núi."},
            {"id": "apart", "title": "Tin hai", "body": "Vùng biên giới có bộ đội tuần tra và phòng dịch."},
        ]
    )
    assert set(ids(engine, "bien phong")) == {"together", "apart"}
    assert ids(engine, '"bien phong"') == ["together"]
    assert ids(engine, "bien phong")[0] == "together"  # together ranks higher


def test_a_quoted_phrase_matches_every_spelling_and_ranks_the_typed_one_first(engine_of) -> None:
    engine = engine_of(
        [
            {"id": "table", "title": "Tin một", "body": "Cửa hàng có bàn hàng mới bày ra."},
            {"id": "sell", "title": "Tin hai", "body": "Cửa hàng mở bán hàng mới từ sáng."},
            {"id": "apart", "title": "Tin ba", "body": "Người bán rong, hàng xóm mua."},
        ]
    )
    assert ids(engine, '"bán hàng"') == ["sell", "table"]
    assert ids(engine, '"bàn hàng"') == ["table", "sell"]
    assert set(ids(engine, '"ban hang"')) == {"sell", "table"}  # unaccented: every spelling, not words apart
    assert ids(engine, '"bán hàng"', exact="1") == ["sell"]


def test_exclusions(seeds: SearchEngine) -> None:
    with_thanh_xuan = set(ids(seeds, "Thanh Xuân", size=10))
    assert CUM_2 in with_thanh_xuan
    assert CUM_2 not in ids(seeds, 'Thanh Xuân -"Cụm Thi đua"', size=10)
    assert CUM_2 not in ids(seeds, "Thanh Xuân -hỏa", size=10)


def test_or(seeds: SearchEngine) -> None:
    assert set(ids(seeds, '"Hoàn Kiếm" OR "Hai Bà Trưng"', size=10)) == {HOAN_KIEM, HBT}
    assert set(ids(seeds, "kiếm OR trưng", size=10)[:2]) == {HOAN_KIEM, HBT}  # exact spellings first
    assert set(ids(seeds, "kiếm OR trưng", exact="1", size=10)) == {HOAN_KIEM, HBT}
    # OR binds the words next to it: this is Hoàn (Kiếm OR Hai) Bà Trưng, so Hoàn Kiếm alone is not enough.
    assert HOAN_KIEM not in ids(seeds, "Hoàn Kiếm OR Hai Bà Trưng", size=10)


def test_nothing_matches_every_word_gives_the_best_partial_matches(seeds: SearchEngine) -> None:
    results = search(seeds, "Hai Bà Trưng zzzz")
    assert results.partial and results.hits[0].id == HBT
    assert not search(seeds, "Hai Bà Trưng").partial


def test_abbreviations_match_both_ways(engine_of) -> None:
    engine = engine_of(
        [
            {"id": "short", "title": "Tin một", "body": "UBND quận họp."},
            {"id": "long", "title": "Tin hai", "body": "Ủy ban nhân dân quận họp."},
        ]
    )
    assert set(ids(engine, "UBND")) == set(ids(engine, "uy ban nhan dan")) == {"short", "long"}
    assert "<mark>Ủy ban nhân dân</mark>" in search(engine, "UBND").hits[-1].snippet + search(engine, "UBND").hits[0].snippet


def test_title_matches_weigh_more(engine_of) -> None:
    engine = engine_of(
        [
            {"id": "body", "title": "Tin tức", "body": "Hội nghị bàn về giao thông và môi trường đô thị trong năm."},
            {"id": "title", "title": "Giao thông đô thị", "body": "Hội nghị bàn nhiều việc trong năm."},
        ]
    )
    assert ids(engine, "giao thong")[0] == "title"


def test_a_query_too_large_is_refused_in_plain_words(seeds: SearchEngine) -> None:
    with pytest.raises(SearchError, match="quá dài"):
        search(seeds, "a" * 5000)


def test_an_empty_query_lists_everything_newest_first(seeds: SearchEngine) -> None:
    results = search(seeds, "", size=10)
    assert results.total == 5
    dates = [h.date for h in results.hits]
    assert dates == sorted(dates, reverse=True)


# --- filters, facets, sorting, pages ----------------------------------------------------


@pytest.mark.parametrize("district", ["Quận Thanh Xuân", "Thanh Xuân", "thanh xuan", "QUẬN THANH XUÂN"])
def test_district_filter_by_any_name(seeds: SearchEngine, district: str) -> None:
    assert set(ids(seeds, "MTTQ", districts=[district], size=10)) == {THANH_XUAN_2024, CUM_2, THANH_XUAN_DAI_HOI}


def test_several_districts(seeds: SearchEngine) -> None:
    assert set(ids(seeds, "MTTQ", districts=["Hoàn Kiếm", "hai ba trung"], size=10)) == {HOAN_KIEM, HBT}


def test_an_unknown_district_is_a_plain_error(seeds: SearchEngine) -> None:
    with pytest.raises(SearchError, match="quận/huyện"):
        search(seeds, "MTTQ", districts=["Quận Không Có"])


def test_facets_count_hits_per_district(seeds: SearchEngine) -> None:
    facets = {f.name: f.count for f in search(seeds, "MTTQ").districts}
    assert facets["Quận Thanh Xuân"] == 3
    assert facets["Quận Hai Bà Trưng"] == facets["Quận Hoàn Kiếm"] == facets["Quận Cầu Giấy"] == 1
    # With a district chosen, the facet still shows the others, so a second one can be added.
    filtered = {f.name: f.count for f in search(seeds, "MTTQ", districts=["Hoàn Kiếm"]).districts}
    assert filtered == facets


def test_facets_list_the_most_hits_first_then_by_name(seeds: SearchEngine) -> None:
    results = search(seeds, "MTTQ")
    for facet in (results.districts, results.provinces, results.wards):
        assert [(-f.count, f.name) for f in facet] == sorted((-f.count, f.name) for f in facet)
    assert [f.name for f in results.districts][:3] == ["Quận Thanh Xuân", "Quận Bắc Từ Liêm", "Quận Cầu Giấy"]


def test_date_range(seeds: SearchEngine) -> None:
    assert set(ids(seeds, "MTTQ", date_from="2024-01-01", date_to="2024-01-31", size=10)) == {HBT, THANH_XUAN_2024}
    assert ids(seeds, "MTTQ", date_to="2021-12-31", size=10) == [HOAN_KIEM]


def test_sort_by_date_newest_first_undated_last(engine_of) -> None:
    engine = engine_of(
        [
            {"id": "old", "title": "Họp dân", "body": "Họp dân.", "date": "2020-05-01"},
            {"id": "undated", "title": "Họp dân", "body": "Họp dân."},
            {"id": "new", "title": "Họp dân", "body": "Họp dân.", "date": "2024-05-01"},
        ]
    )
    results = search(engine, "hop dan", sort="date")
    assert [h.id for h in results.hits] == ["new", "old", "undated"]
    assert [h.date for h in results.hits] == [dt.date(2024, 5, 1), dt.date(2020, 5, 1), None]


def test_pages(seeds: SearchEngine) -> None:
    first, second, third = (search(seeds, "MTTQ", size=2, page=p) for p in (1, 2, 3))
    assert first.total == 5 and first.pages == 3
    seen = [h.id for r in (first, second, third) for h in r.hits]
    assert len(seen) == len(set(seen)) == 5
    assert search(seeds, "MTTQ", size=2, page=9).hits == []


# --- suggestion -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "suggestion"),
    [
        ("hai ba trung", "Hai Bà Trưng"),
        ("Haif Baf Trwng", "Hai Bà Trưng"),
        ("cau giay", "Cầu Giấy"),
        ("Hoàn Kiếmm", "Hoàn Kiếm"),
        ("mttq hoan kiem", "MTTQ Hoàn Kiếm"),  # never beside "hoàn" ("MTTQ quận Hoàn Kiếm"): cased as written alone
    ],
)
def test_suggestion_in_the_corpus_spelling(seeds: SearchEngine, query: str, suggestion: str) -> None:
    assert search(seeds, query).suggestion == suggestion


def test_no_suggestion_when_typed_as_the_corpus_writes_it(seeds: SearchEngine) -> None:
    assert search(seeds, "Hai Bà Trưng").suggestion is None


# --- reading one article ----------------------------------------------------------------


def test_document_marks_every_match(seeds: SearchEngine) -> None:
    doc = seeds.document(HBT, "hai ba trung")
    assert doc is not None and doc.title.startswith("Ủy ban MTTQ")
    assert doc.body_html.count("<mark>Hai Bà Trưng</mark>") == doc.body.count("Hai Bà Trưng")
    assert doc.matches >= 5


def test_unknown_document(seeds: SearchEngine) -> None:
    assert seeds.document("../../etc/passwd") is None


@pytest.mark.parametrize(
    "date_from, date_to",
    [("2020-05-01", None), (None, "2020-05-01"), ("2020-05-02", "2024-04-30"), ("2020-05-01", "2020-05-01"), ("2030-01-01", None)],
)
def test_a_date_range_keeps_exactly_the_articles_dated_within_it_both_days_included(engine_of, date_from, date_to) -> None:
    dates = {"a": "2020-04-30", "b": "2020-05-01", "c": "2020-05-02", "d": "2024-04-30", "e": "2024-05-01", "undated": None}
    engine = engine_of([{"id": k, "title": "Họp dân", "body": "Họp dân.", **({"date": d} if d else {})} for k, d in dates.items()])
    low, high = dt.date.fromisoformat(date_from or "0001-01-01"), dt.date.fromisoformat(date_to or "9999-12-31")
    expected = {k for k, d in dates.items() if d and low <= dt.date.fromisoformat(d) <= high}
    assert set(ids(engine, "hop dan", date_from=date_from, date_to=date_to, size=10)) == expected
