"""Marking matches: every word that spells a query word is marked, whatever the text, and nothing else."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from search.highlight import SNIPPET_CHARS, SNIPPET_LEAD, Marker, _window, match_spans
from vietnamese.analysis import SyllableTokenizer
from vietnamese.text import fold_word, normalize_word

SYLLABLES = ["Hà", "hà", "HÀ", "ha", "Hạ", "nội", "Nội", "noi", "nổi", "Đường", "duong", "Trưng", "trung", "2023", "ß", "İstanbul", "日本"]
SEPARATORS = [" ", ", ", "\n", "-", "_", "(", ") ", " … "]


def _expected_runs(text: str, marker: Marker) -> list[tuple[int, int]]:
    """Word by word through the syllable tokenizer, trying every phrase at every word: the slow,
    obviously right way."""
    tokens = [(t.text, t.startchar, t.endchar) for t in SyllableTokenizer()(text, chars=True)]
    marked: list[tuple[int, int]] = []
    i = 0
    while i < len(tokens):
        run = [tokens[i]]
        while i + len(run) < len(tokens) and re.fullmatch(r"[\W_]{1,3}", text[run[-1][2] : tokens[i + len(run)][1]]):
            run.append(tokens[i + len(run)])
        covered = marker.phrase_at([word for word, _, _ in run]) or (1 if marker.matches(tokens[i][0]) else -1)
        if covered > 0:
            marked.append((tokens[i][1], tokens[i + covered - 1][2]))
        i += abs(covered)
    runs: list[tuple[int, int]] = []
    for start, end in marked:
        if runs and not text[runs[-1][1] : start].strip():
            runs[-1] = (runs[-1][0], end)
        else:
            runs.append((start, end))
    return runs


@given(
    st.lists(st.tuples(st.sampled_from(SYLLABLES), st.sampled_from(SEPARATORS)), max_size=30),
    st.sets(st.sampled_from(SYLLABLES), min_size=1, max_size=3),
    st.lists(st.lists(st.sampled_from(SYLLABLES), min_size=2, max_size=3), max_size=2),
    st.booleans(),
)
def test_marks_exactly_the_words_that_spell_a_query_word(pieces, query, phrases, exact) -> None:
    text = "".join(word + sep for word, sep in pieces)
    if exact:
        marker = Marker(
            exact=frozenset(map(normalize_word, query)),
            exact_phrases=frozenset(tuple(map(normalize_word, p)) for p in phrases),
        )
    else:
        marker = Marker(folded=frozenset(map(fold_word, query)), phrases=frozenset(tuple(map(fold_word, p)) for p in phrases))
    assert [(s, e) for s, e, _ in match_spans(text, marker)] == _expected_runs(text, marker)


def test_a_query_without_diacritics_marks_every_spelling() -> None:
    text = "Quận Hai Bà Trưng, phố Hàng Bài; HA NOI và Hà Nội."
    marked = [text[s:e] for s, e, _ in match_spans(text, Marker(folded=frozenset({"ha", "noi"})))]
    assert marked == ["HA NOI", "Hà Nội"]


def _best_window_by_brute_force(spans, wanted):
    """The definition of the best window: every match anchors one, each checked in full."""
    best = None
    for i, (anchor, _, _) in enumerate(spans):
        start = max(0, anchor - SNIPPET_LEAD)
        inside = [sp for sp in spans[i:] if sp[1] <= start + SNIPPET_CHARS]
        covered = {w for sp in inside for w in sp[2].split()} & wanted
        if best is None or (len(covered), len(inside)) > best[0]:
            best = ((len(covered), len(inside)), start, covered)
    return best[1], best[2]


@given(
    st.lists(st.tuples(st.integers(1, 90), st.integers(1, 30), st.lists(st.sampled_from("abcde"), min_size=1, max_size=3)), min_size=1, max_size=60),
    st.sets(st.sampled_from("abcdef"), min_size=1),
)
def test_the_snippet_window_is_the_best_one_whichever_matches_an_article_has(gaps, wanted):
    spans, pos = [], 0
    for gap, length, words in gaps:
        spans.append((pos + gap, pos + gap + length, " ".join(words)))
        pos += gap + length
    text = " " * (pos + SNIPPET_CHARS)  # all spaces: word boundaries move nothing
    start, _, covered = _window(text, spans, set(wanted))
    assert (start, covered) == _best_window_by_brute_force(spans, set(wanted))
