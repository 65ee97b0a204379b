"""Completions: the words typed, continued as the corpus writes them (issue 14, item 2)."""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.engine import SearchEngine
from search.model import MAX_COMPLETIONS, SearchError
from vietnamese.text import fold

ARTICLES = [
    {"id": "hbt-1", "title": "Quận Hai Bà Trưng khen thưởng", "body": "Ủy ban MTTQ quận Hai Bà Trưng họp tổng kết."},
    {"id": "hbt-2", "title": "Hai Bà Trưng quận đổi mới", "body": "Người dân quận Hai Bà Trưng vui mừng."},
    {"id": "hbt-3", "title": "Phường của Hai Bà Trưng", "body": "Hai Bà Trưng quận trung tâm."},
    {"id": "tea", "title": "Hai bà trò chuyện bên ấm trà", "body": "Hai bà trò chuyện vui vẻ."},
    {"id": "edu", "title": "Giáo dục phổ thông", "body": "Bộ Giáo dục và Đào tạo công bố."},
    {"id": "xss", "title": "<b>Giáo dục</b> & <script>", "body": "Giáo dục <script>alert(1)</script> mới."},
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> SearchEngine:
    from indexer.build import build_index
    from tests.conftest import write_jsonl

    root = tmp_path_factory.mktemp("complete")
    write_jsonl(root / "corpus" / "a.jsonl", ARTICLES)
    build_index([root / "corpus"], root / "index", progress=False)
    return SearchEngine(root / "index")


def texts(engine: SearchEngine, q: str) -> list[str]:
    return [c.text for c in engine.complete(q)]


@pytest.mark.parametrize("q", ["hai ba t", "Hai Bà T", "HAI BA TR", "hai ba trung"])
def test_typed_words_are_completed_as_the_corpus_writes_them(corpus: SearchEngine, q: str) -> None:
    found = texts(corpus, q)
    assert found[0] == "Hai Bà Trưng"  # the most articles write it so
    assert "Hai Bà Trưng quận" in found  # and go on with it, in more than one article
    if q.lower().startswith("hai ba t") and not q.endswith("trung"):
        assert "Hai bà trò" in found or "hai bà trò" in [t.lower() for t in found]


def test_the_typed_part_is_marked_and_the_rest_escaped(corpus: SearchEngine) -> None:
    first = corpus.complete("hai ba t")[0]
    assert first.html == "<mark>Hai Bà T</mark>rưng"
    assert corpus.complete("giao d")[0].html.startswith("<mark>Giáo d</mark>")
    for completion in corpus.complete("b gia"):
        assert "<script" not in completion.html


def test_after_a_space_the_next_words_are_offered(corpus: SearchEngine) -> None:
    found = texts(corpus, "hai ba trung ")
    assert found and all(t.lower().startswith("hai bà trưng ") for t in found)


def test_queries_with_operators_and_empty_queries_get_none(corpus: SearchEngine) -> None:
    assert texts(corpus, "") == []
    assert texts(corpus, '"hai ba" t') == []
    assert texts(corpus, "hai -ba t") == []
    assert texts(corpus, "zzzz") == []


def test_size_is_bounded(corpus: SearchEngine) -> None:
    assert len(corpus.complete("h", size=2)) <= 2
    with pytest.raises(SearchError, match="gợi ý"):
        corpus.complete("h", size=MAX_COMPLETIONS + 1)


def _letters(text: str) -> str:
    return " ".join(re.findall(r"[^\W_]+", fold(text).lower()))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from([a["title"] + " " + a["body"] for a in ARTICLES]), st.data())
def test_every_completion_begins_with_what_was_typed(corpus: SearchEngine, text: str, data: st.DataObject) -> None:
    """For any run of words of the corpus, cut anywhere in its last word, every completion begins with
    the words typed (folded), and its html is its text with a mark."""
    words = re.findall(r"[^\W_]+", text)
    start = data.draw(st.integers(0, len(words) - 1))
    end = data.draw(st.integers(start + 1, min(len(words), start + 3)))
    typed = words[start:end]
    cut = data.draw(st.integers(1, len(typed[-1])))
    q = " ".join(typed[:-1] + [typed[-1][:cut]])
    if data.draw(st.booleans()):
        q = fold(q)
    for completion in corpus.complete(q):
        assert _letters(completion.text).startswith(_letters(q))
        assert html.unescape(completion.html.replace("<mark>", "").replace("</mark>", "")) == completion.text
        assert completion.html.count("<mark>") == 1
