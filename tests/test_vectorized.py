"""Queries evaluated over whole posting arrays find and score exactly what Whoosh's own search does.

The index has several segments and deleted documents, as a re-indexed archive does,
so document numbers, offsets and deletions are exercised, not only the happy path.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from whoosh import query as wq
from whoosh import sorting

from indexer.build import build_index
from indexer.schema import PAIR_FIELDS
from search.engine import DISTRICT_FACET, SearchEngine
from search.match import QueryBuilder
from search.model import SearchRequest
from search.query import parse_query
from search.vectorized import IndexArrays
from tests.conftest import CORPUS, write_jsonl
from vietnamese.text import fold, words

SEED_TEXTS = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))]
DISTRICTS = ["Hai Bà Trưng", "Cầu Giấy", "Hoàn Kiếm"]


def _records(start: int, count: int) -> list[dict]:
    """Articles cut from the seed pages: varied lengths, words, dates (some missing) and districts."""
    records = []
    for n in range(start, start + count):
        lines = [line for line in SEED_TEXTS[n % len(SEED_TEXTS)].splitlines() if line.strip()]
        body = "\n".join(lines[1 + n % 3 :: 1 + n % 4][:6]) or lines[-1]
        record = {"id": f"a{n}", "title": lines[n % len(lines)][:120], "body": body}
        if n % 5:
            record["date"] = (dt.date(2020, 1, 1) + dt.timedelta(days=37 * n % 1500)).isoformat()
        if n % 3 == 0:
            record["districts"] = [DISTRICTS[n % len(DISTRICTS)]] + ([DISTRICTS[(n + 1) % 3]] if n % 2 else [])
        records.append(record)
    return records


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("vectorized")
    corpus = root / "corpus"
    write_jsonl(corpus / "one.jsonl", _records(0, 30))
    # Its one article in Long Biên is deleted below: the district stays a term, without live documents.
    gone = {"id": "gone", "title": "Tin Long Biên", "body": "Một tin đã gỡ.", "districts": ["Long Biên"]}
    write_jsonl(corpus / "small.jsonl", [*_records(30, 10), gone])
    build_index([corpus, CORPUS], root / "index", progress=False)
    write_jsonl(corpus / "two.jsonl", _records(40, 30))
    build_index([corpus, CORPUS], root / "index", progress=False)
    # A changed file: its old documents are deleted, too few of their segment's to have it merged.
    write_jsonl(corpus / "small.jsonl", _records(30, 5))
    build_index([corpus, CORPUS], root / "index", progress=False)
    return root / "index"


@pytest.fixture(scope="module")
def engine(index_dir: Path) -> SearchEngine:
    return SearchEngine(index_dir)


@pytest.fixture(scope="module")
def vocabulary() -> list[str]:
    found = sorted({w.lower() for text in SEED_TEXTS for w in words(text) if w.isalpha()})
    return found[:: max(1, len(found) // 300)]


def test_the_index_under_test_has_segments_and_deletions(engine: SearchEngine) -> None:
    reader = engine._searcher().reader()
    assert len(reader.leaf_readers()) > 1
    assert reader.doc_count() < reader.doc_count_all()


def _whoosh(searcher, query) -> dict[int, float]:
    """The documents and scores Whoosh's matchers give each term and phrase, composed as Whoosh
    defines And (all parts, summed), Or (any part, summed), AndMaybe (the first part, plus the
    second where it matches) and AndNot (the first part, without the second's documents).

    Compounds are composed here rather than read from Whoosh's compound matchers, which differ
    from those definitions at the edges: the collector replaces exhausted sub-matchers as it goes
    (changing a coordinated Or's term count for a segment's last documents), the AndNot matcher
    keeps a segment's first document even when the excluded words are in it, and an AndMaybe
    skipped to inside an intersection loses its second part's score.
    """
    if isinstance(query, wq.AndNot):
        excluded = _whoosh(searcher, query.b)
        return {d: score for d, score in _whoosh(searcher, query.a).items() if d not in excluded}
    if type(query) is wq.AndMaybe:
        optional = _whoosh(searcher, query.b)
        return {d: score + optional.get(d, 0.0) for d, score in _whoosh(searcher, query.a).items()}
    plain_or = isinstance(query, wq.Or) and not query.scale
    if (plain_or or isinstance(query, wq.And)) and len(query.subqueries) > 1:
        parts = [_whoosh(searcher, sub) for sub in query.subqueries]
        docs = set().union(*parts) if plain_or else set(parts[0]).intersection(*parts[1:])
        return {d: sum(part.get(d, 0.0) for part in parts) * query.boost for d in docs}
    found = {}
    for leaf, offset in searcher.leaf_searchers():
        matcher = query.matcher(leaf, leaf.context())
        while matcher.is_active():
            found[offset + matcher.id()] = matcher.score()
            matcher.next()
    return found


def _same(searcher, query) -> None:
    arrays = IndexArrays(searcher, pair_fields=PAIR_FIELDS)
    matches = arrays.evaluate(searcher, query)
    expected = _whoosh(searcher, query)
    assert matches.total == len(expected)
    assert np.array_equal(arrays.matching(searcher, query), matches.mask)  # unscored, the same documents
    for docnum, score in expected.items():
        assert matches.mask[docnum]
        assert math.isclose(matches.scores[docnum], score, rel_tol=1e-9)
    ranked = [d for _, d in matches.best(len(expected) or 1)]
    for better, worse in zip(ranked, ranked[1:]):  # Whoosh's order, up to the rounding of equal scores
        assert expected[better] >= expected[worse] or math.isclose(expected[better], expected[worse], rel_tol=1e-9)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    picks=st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=4),
    shape=st.sampled_from(["words", "phrase", "or", "exclude"]),
    unaccented=st.booleans(),
    exact=st.booleans(),
)
def test_any_query_finds_and_scores_what_whoosh_does(
    engine: SearchEngine, vocabulary: list[str], picks: list[int], shape: str, unaccented: bool, exact: bool
) -> None:
    ws = [vocabulary[p % len(vocabulary)] for p in picks]
    text = {
        "words": " ".join(ws),
        "phrase": '"' + " ".join(ws) + '"',
        "or": " OR ".join(ws),
        "exclude": " ".join(ws[:1] + ["-" + w for w in ws[1:]]),
    }[shape]
    text = fold(text) if unaccented else text
    searcher = engine._searcher()
    plan = QueryBuilder(exact=exact).plan(parse_query(text))
    _same(searcher, plan.required)
    if plan.partial is not None:
        _same(searcher, plan.partial)


def test_phrases_of_real_passages_match_as_in_whoosh(engine: SearchEngine) -> None:
    searcher = engine._searcher()
    for passage in ("Hai Bà Trưng", "hai ba trung", "Ủy ban MTTQ Việt Nam", "năm 2023", "mặt trận tổ quốc"):
        _same(searcher, QueryBuilder().plan(parse_query(f'"{passage}"')).required)


def test_district_counts_are_whooshs_facet_counts(engine: SearchEngine) -> None:
    searcher = engine._searcher()
    arrays = IndexArrays(searcher)
    for text in ("hà nội", "ủy ban", ""):
        query = QueryBuilder().plan(parse_query(text)).required
        facet = sorting.FieldFacet(DISTRICT_FACET, allow_overlap=True, maptype=sorting.Count)
        expected = searcher.search(query, limit=None, groupedby={DISTRICT_FACET: facet}).groups(DISTRICT_FACET)
        counts = _named(arrays, searcher, arrays.keyword_counts(searcher, DISTRICT_FACET, arrays.evaluate(searcher, query).mask))
        assert counts == {name: n for name, n in expected.items() if name}
        assert counts


def _named(arrays: IndexArrays, searcher, counts: np.ndarray) -> dict[str, int]:
    """The counts other than 0, by district."""
    return {name: int(n) for name, n in zip(arrays.keywords(searcher, DISTRICT_FACET), counts, strict=True) if n}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), share=st.floats(0, 1))
def test_facet_counts_of_any_set_of_documents_count_each_districts_documents(engine: SearchEngine, seed: int, share: float) -> None:
    searcher = engine._searcher()
    arrays = IndexArrays(searcher)
    mask = np.random.default_rng(seed).random(arrays.size) < share
    assert any(not len(arrays.postings(searcher, DISTRICT_FACET, n.encode("utf-8"))[0]) for n in arrays.keywords(searcher, DISTRICT_FACET))
    expected = {}
    for name in arrays.keywords(searcher, DISTRICT_FACET):
        held = int(mask[arrays.postings(searcher, DISTRICT_FACET, name.encode("utf-8"))[0]].sum())
        if held:
            expected[name] = held
    assert _named(arrays, searcher, arrays.keyword_counts(searcher, DISTRICT_FACET, mask)) == expected


def test_newest_first_is_whooshs_date_order_with_undated_last(engine: SearchEngine) -> None:
    searcher = engine._searcher()
    undated = 2**64 - 1
    newest = sorting.TranslateFacet(lambda day: -1 if day == undated else day, sorting.FieldFacet("date"))
    arrays = IndexArrays(searcher)
    days = arrays.column(searcher, "date")
    keys = np.array([(-1 if d == undated else int(d)) for d in days], dtype=np.int64)
    for text in ("hà nội", ""):
        query = QueryBuilder().plan(parse_query(text)).required
        expected = [d for _, d in searcher.search(query, limit=None, sortedby=newest, reverse=True).top_n]
        got = [d for _, d in arrays.evaluate(searcher, query).ordered(keys, len(expected))]
        assert got == expected
        assert keys[got[-1]] == -1  # the undated come last


def test_an_excluded_word_is_in_no_result_in_any_segment(engine: SearchEngine) -> None:
    for kept, dropped in (("ai", "an"), ("ban", "ba"), ("hà", "nội")):
        results = engine.search(SearchRequest(q=f"{kept} -{dropped}", size=100))
        assert results.total
        for hit in results.hits:
            text = engine.document(hit.id)
            assert dropped not in {w.lower() for w in words(f"{text.title} {text.body}")}
