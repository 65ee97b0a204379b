"""Shared fixtures: real indexes built by the real indexer, from the sample corpus or small made-up ones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from indexer.build import build_index
from search.engine import SearchEngine
from search.model import SearchRequest

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample corpus (the five seed pages), indexed once for the session."""
    index_dir = tmp_path_factory.mktemp("seed-index")
    report = build_index([CORPUS], index_dir, progress=False)
    assert report.added == 5 and not report.problems
    return index_dir


@pytest.fixture(scope="session")
def seeds(seed_index: Path) -> SearchEngine:
    return SearchEngine(seed_index)


def ids(engine: SearchEngine, q: str = "", **kwargs) -> list[str]:
    """The ids of the first page of hits for ``q`` (filters as the API's strings)."""
    return [hit.id for hit in engine.search(SearchRequest.from_strings(q=q, **kwargs)).hits]


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def engine_of(tmp_path: Path):
    """Index some ``{"id", "title", "body", ...}`` records and return an engine over them."""

    def make(records: list[dict]) -> SearchEngine:
        write_jsonl(tmp_path / "corpus" / "articles.jsonl", records)
        report = build_index([tmp_path / "corpus"], tmp_path / "index", progress=False)
        assert not report.problems, report.problems
        return SearchEngine(tmp_path / "index")

    return make
