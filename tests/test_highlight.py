"""Marking matches: every word that spells a query word is marked, whatever the text, and nothing else."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from search.highlight import Marker, match_spans
from vietnamese.analysis import SyllableTokenizer
from vietnamese.text import fold_word, normalize_word

SYLLABLES = ["Hà", "hà", "HÀ", "ha", "Hạ", "nội", "Nội", "noi", "nổi", "Đường", "duong", "Trưng", "trung", "2023", "ß", "İstanbul", "日本"]
SEPARATORS = [" ", ", ", "\n", "-", "_", "(", ") ", " … "]


def _expected_runs(text: str, marker: Marker) -> list[tuple[int, int]]:
    """Word by word through the syllable tokenizer: the slow, obviously right way."""
    runs: list[tuple[int, int]] = []
    for token in SyllableTokenizer()(text, chars=True):
        if not marker.matches(token.text):
            continue
        if runs and not text[runs[-1][1] : token.startchar].strip():
            runs[-1] = (runs[-1][0], token.endchar)
        else:
            runs.append((token.startchar, token.endchar))
    return runs


@given(
    st.lists(st.tuples(st.sampled_from(SYLLABLES), st.sampled_from(SEPARATORS)), max_size=30),
    st.sets(st.sampled_from(SYLLABLES), min_size=1, max_size=3),
    st.booleans(),
)
def test_marks_exactly_the_words_that_spell_a_query_word(pieces, query, exact) -> None:
    text = "".join(word + sep for word, sep in pieces)
    marker = Marker(exact=frozenset(map(normalize_word, query))) if exact else Marker(folded=frozenset(map(fold_word, query)))
    assert [(s, e) for s, e, _ in match_spans(text, marker)] == _expected_runs(text, marker)


def test_a_query_without_diacritics_marks_every_spelling() -> None:
    text = "Quận Hai Bà Trưng, phố Hàng Bài; HA NOI và Hà Nội."
    marked = [text[s:e] for s, e, _ in match_spans(text, Marker(folded=frozenset({"ha", "noi"})))]
    assert marked == ["HA NOI", "Hà Nội"]
