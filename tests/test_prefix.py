"""The last word, while it is being typed, also matches the words it begins (issue 14, item 1)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from search.engine import SearchEngine
from search.match import QueryBuilder
from search.model import SearchRequest
from search.prefix import MAX_CONTINUATIONS, open_run
from search.query import parse_query
from tests.conftest import ids

TRUNG = {"id": "hbt", "title": "Quận Hai Bà Trưng khen thưởng", "body": "Ủy ban MTTQ quận Hai Bà Trưng họp."}
# "T" alone, and ten words beginning with t, each in more articles than Trưng.
LETTER_T = {"id": "letter-t", "title": "Hai bà mẹ và bé T", "body": "Bé T. được hai bà chăm sóc."}
T_WORDS = ["tại", "trong", "theo", "tỉnh", "thành", "tháng", "trên", "thể", "tiếp", "tổng"]
COMMON = [
    {"id": f"t-{i}", "title": f"Tin số {i}", "body": " ".join(f"{w} việc {i}" for w in T_WORDS)} for i in range(4)
]
EDUCATION = [
    {"id": "giao-duc", "title": "Giáo dục phổ thông đổi mới", "body": "Bộ Giáo dục công bố chương trình."},
    {"id": "giao-dich", "title": "Giao dịch bất động sản tăng", "body": "Giao dịch nhà đất sôi động."},
    {"id": "giao-thong", "title": "Giao thông dự án cầu mới", "body": "Dự án giao thông khởi công."},
    {"id": "ban-nha", "title": "Bán nhà phố cổ", "body": "Nhiều người bán nhà."},
    {"id": "bang-giao", "title": "Bang giao hai nước", "body": "Quan hệ bang giao tốt đẹp."},
    {"id": "tru-so", "title": "Trụ sở mới của phường", "body": "Trụ sở khánh thành."},
    {"id": "truong-hoc", "title": "Trường học mới của phường", "body": "Trường khánh thành."},
    {"id": "truc-bach", "title": "Hồ Trúc Bạch sạch hơn", "body": "Hồ Trúc Bạch được nạo vét."},
]


@pytest.fixture
def corpus(engine_of) -> SearchEngine:
    return engine_of([TRUNG, LETTER_T, *COMMON, *EDUCATION])


@pytest.mark.parametrize(
    ("text", "open_end"),
    [
        ("giao du", True),
        ("Hai Bà Trư", True),
        ("giao du ", False),  # a space: the word is finished
        ('"giao du"', False),  # a closing quote
        ('"giao du', False),  # an unclosed quote is a phrase, matched as typed
        ("giao du.", False),
        ("giao -du", False),  # an exclusion is taken as typed
        ("giao OR du", True),
        ("", False),
    ],
)
def test_the_last_word_is_open_only_when_nothing_follows_it(text: str, open_end: bool) -> None:
    parsed = parse_query(text)
    assert parsed.open_end is open_end
    assert (open_run(parsed) is not None) is open_end


@given(st.text(alphabet="ab ă\"-.OR", max_size=20))
def test_a_query_ending_in_a_space_or_quote_has_no_open_word(text: str) -> None:
    for end in (" ", '"', "\n"):
        assert open_run(parse_query(text + end)) is None


def test_half_typed_word_finds_the_words_it_begins_with_or_without_diacritics(corpus: SearchEngine) -> None:
    assert set(ids(corpus, "giao du")) >= {"giao-duc"}
    assert "giao-duc" in ids(corpus, "giáo dụ")
    assert "giao-dich" in ids(corpus, "giao di")
    assert "giao-duc" not in ids(corpus, "giao du", prefix="0")  # prefix=0 matches the word whole only
    assert ids(corpus, "giao du ") == ids(corpus, "giao du", prefix="0")  # so does a space after it


def test_a_prefix_typed_with_diacritics_keeps_them(corpus: SearchEngine) -> None:
    assert "truong-hoc" in ids(corpus, "Trư")
    assert "truc-bach" not in ids(corpus, "Trư")  # trúc does not begin with trư
    assert {"truong-hoc", "truc-bach"} <= set(ids(corpus, "tru"))


def test_a_whole_word_ranks_above_a_word_it_begins(corpus: SearchEngine) -> None:
    assert ids(corpus, "ban")[:2] == ["ban-nha", "bang-giao"]


def test_the_previous_word_picks_what_the_prefix_becomes(corpus: SearchEngine) -> None:
    """Ten words beginning with t are more frequent than Trưng; after "bà", t is Trưng, not the letter T."""
    searcher = corpus._searcher()
    last = open_run(corpus._parse(searcher, "hai ba t", prefix=True)).words[-1]
    assert "trung" in last.continuations
    assert len(last.continuations) <= MAX_CONTINUATIONS  # bounded, however many words begin with t
    assert ids(corpus, "hai ba t")[0] == "hbt"
    assert ids(corpus, "hai ba t", prefix="0")[0] == "letter-t"


def test_marks_cover_the_words_the_prefix_matched(corpus: SearchEngine) -> None:
    hit = corpus.search(SearchRequest(q="giao du")).hits
    first = next(h for h in hit if h.id == "giao-duc")
    assert "<mark>Giáo dục</mark>" in first.title_html
    assert "<mark>Giáo dục</mark>" in first.snippet
    doc = corpus.document("giao-duc", "giao du")
    assert "<mark>Giáo dục</mark>" in doc.body_html
    assert "<mark>" not in corpus.document("giao-duc", "giao du", prefix=False).body_html.replace("<mark>Giáo</mark>", "")


def test_exact_search_continues_into_exact_spellings(corpus: SearchEngine) -> None:
    assert "giao-duc" in ids(corpus, "giáo dụ", exact="1")
    assert "giao-dich" not in ids(corpus, "giáo dụ", exact="1")


def test_continuations_rank_below_the_word_in_the_query_plan(corpus: SearchEngine) -> None:
    parsed = corpus._parse(corpus._searcher(), "giao du", prefix=True)
    forms = dict(QueryBuilder()._forms(open_run(parsed).words[-1]))
    assert forms["du"] == 1.0
    assert forms["duc"] < forms["du"]
