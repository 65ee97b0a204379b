"""Explain: each hit's score taken apart into the terms and word-order features that made it, adding up."""

from __future__ import annotations

import pytest

from search.engine import SearchEngine
from search.model import SearchRequest
from web import create_app

QUERIES = ["Hai Bà Trưng", "hai ba trưnh", '"mặt trận tổ quốc"', "MTTQ -covid", "khen thuong OR thi dua", "xyzzy hai ba", "Haf Nooij"]


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-3 * max(1.0, abs(b))


@pytest.mark.parametrize("q", QUERIES)
@pytest.mark.parametrize("sort", ["relevance", "date"])
def test_the_parts_of_every_score_add_up_to_it(seeds: SearchEngine, q: str, sort: str) -> None:
    results = seeds.search(SearchRequest(q=q, sort=sort, size=5, explain=True))
    assert results.hits
    for hit in results.hits:
        e = hit.explanation
        assert e.parts and all(p.score > 0 or p.kind == "coordination" for p in e.parts)
        assert _close(e.phase_one * e.multiplier, hit.score)


def test_the_parts_say_which_spelling_matched_and_which_corrections_were_used(seeds: SearchEngine) -> None:
    (typo,) = seeds.search(SearchRequest(q="Hai Bà Trưnh", size=1, explain=True)).hits
    assert typo.explanation.corrections == ("Trưnh → trưng",)
    assert {"folded", "exact", "pair"} <= {p.kind for p in typo.explanation.parts}
    assert ("title", "trưng") in {(p.field, p.term) for p in typo.explanation.parts if p.kind == "exact"}  # the reading
    assert {f.name for f in typo.explanation.features} >= {"phrase", "adjacent", "closeness"}
    (accented,) = seeds.search(SearchRequest(q="Hai Bà Trưng", size=1, explain=True)).hits
    exact = [p for p in accented.explanation.parts if p.kind == "exact"]
    assert {(p.field, p.term) for p in exact} >= {("title", "trưng"), ("body", "trưng")}


def test_the_api_explains_only_when_asked(seed_index) -> None:
    client = create_app(SearchEngine(seed_index)).test_client()
    plain = client.get("/api/search?q=hai+ba+trung").json
    assert "explanation" not in plain["hits"][0]
    explained = client.get("/api/search?q=hai+ba+trung&explain=1").json["hits"][0]
    e = explained["explanation"]
    assert _close(sum(p["score"] for p in e["parts"]), e["phase_one"])
    assert _close(e["multiplier"], 1 + sum(f["weight"] for f in e["features"]))
    assert _close(e["phase_one"] * e["multiplier"], explained["score"])
