"""The articles under corpus paths, read and parsed exactly as the indexer reads them; files it
would skip are left out. Every benchmark starts from these."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from indexer.article import Article, Problem
from indexer.parse import parse
from indexer.read import iter_sources


def read_articles(paths: Iterable[Path]) -> list[Article]:
    articles: list[Article] = []
    for item in iter_sources(paths):
        if not isinstance(item, Problem):
            articles.extend(parse(item)[0])
    return articles
