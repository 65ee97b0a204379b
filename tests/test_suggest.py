"""Did-you-mean's counts: a lone word is counted from its postings' frequencies, a run of words
from positions (which its word pairs need); both must count each spelling alike."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.engine import SearchEngine
from search.query import parse_query
from search.suggest import _candidates, _Counts
from tests.test_precision import SEED_WORDS
from vietnamese.text import fold_word

FOLDED = sorted({fold_word(w) for w in SEED_WORDS})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(word=st.sampled_from(FOLDED), other=st.sampled_from(FOLDED), top=st.lists(st.integers(0, 4), min_size=1, max_size=5))
def test_a_lone_word_is_counted_as_within_a_run_of_words(seeds: SearchEngine, word: str, other: str, top: list[int]) -> None:
    searcher = seeds._searcher()
    vocabulary, arrays = seeds._vocabulary_of(searcher), seeds._index_arrays(searcher)
    first, second = (_candidates(parse_query(w).positive_words()[0], vocabulary) for w in (word, other))
    docs = np.array(top, dtype=np.int64)
    alone = _Counts(searcher, arrays, [first], docs, sample=False)
    within = _Counts(searcher, arrays, [first, second], docs, sample=False)
    assert alone.counts[0] == within.counts[0]
