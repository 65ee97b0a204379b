"""Word-order features, computed for every candidate at once, are what their per-article definitions say."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from search.rescore import _adjacent_pairs, _closeness, _Positions
from search.vectorized import in_sequence

# Per candidate article, per query word, the positions where the word stands.
articles = st.lists(st.lists(st.sets(st.integers(0, 12), max_size=4), min_size=2, max_size=4), min_size=1, max_size=5)


def _keys(per_article: list[list[set[int]]], word: int) -> np.ndarray:
    return np.array(sorted((doc << 32) | p for doc, words in enumerate(per_article) for p in words[word]), dtype=np.int64)


def _laid_out(per_article: list[list[set[int]]]) -> tuple[list[np.ndarray], _Positions]:
    width = min(map(len, per_article))
    per_article[:] = [words[:width] for words in per_article]
    return [_keys(per_article, w) for w in range(width)], _Positions(None, np.arange(len(per_article)), None)


def _narrowest(words: list[set[int]]) -> float:
    """``n / w`` for the narrowest window of ``w`` positions with all ``n`` words, by trying every window."""
    if not all(words):
        return 0.0
    everywhere = sorted(set().union(*words))
    widths = [b - a + 1 for a in everywhere for b in everywhere if b >= a and all(ws & set(range(a, b + 1)) for ws in words)]
    return len(words) / min(widths)


@given(articles)
def test_closeness_is_the_narrowest_window_holding_every_word(per_article) -> None:
    keys, positions = _laid_out(per_article)
    every = np.array([all(words) for words in per_article])
    assert _closeness(keys, every, positions).tolist() == [_narrowest(words) for words in per_article]


@given(articles)
def test_adjacent_pairs_is_the_share_of_neighbouring_words_side_by_side_somewhere(per_article) -> None:
    keys, positions = _laid_out(per_article)
    expected = [
        sum(any(p + 1 in words[i + 1] for p in words[i]) for i in range(len(words) - 1)) / (len(words) - 1)
        for words in per_article
    ]
    assert _adjacent_pairs(keys, positions).tolist() == expected


@given(articles, st.data())
def test_a_sequence_is_every_word_one_after_the_other_but_the_one_skipped(per_article, data) -> None:
    keys, positions = _laid_out(per_article)
    skip = data.draw(st.none() | st.integers(0, len(keys) - 1))
    found = positions.holding(in_sequence(keys, skip)).tolist()
    anchor = 1 if skip == 0 else 0
    expected = [
        any(all(p - anchor + k in ws for k, ws in enumerate(words) if k != skip) for p in words[anchor])
        for words in per_article
    ]
    assert found == expected
