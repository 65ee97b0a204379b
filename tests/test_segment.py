"""The fast segmentation gives pyvi's own words: compounds rank the same as pyvi would make them."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from pyvi import ViTokenizer

from tests.conftest import CORPUS
from vietnamese.segment import segment

SYLLABLES = [
    "Mặt", "trận", "Tổ", "quốc", "Việt", "Nam", "quận", "Hai", "Bà", "Trưng", "Hà", "Nội", "ủy", "ban",
    "nhân", "dân", "UBND", "MTTQ", "2024", "3,5", "TP.", "người", "dân", "cán", "bộ", "HỘI", "NGHỊ",
]
SEPARATORS = [" ", " ", " ", ", ", ". ", "\n", " - ", "...", " (", ") ", ": "]


def test_every_sample_article_segments_as_pyvi_does() -> None:
    for path in sorted(CORPUS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        assert segment(text) == ViTokenizer.tokenize(text).split(), path.name


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(SYLLABLES), st.sampled_from(SEPARATORS)), max_size=40))
def test_any_run_of_syllables_segments_as_pyvi_does(pieces) -> None:
    text = "".join(word + sep for word, sep in pieces)
    assert segment(text) == ViTokenizer.tokenize(text).split()


def test_compounds_are_joined() -> None:
    assert "Mặt_trận" in segment("Ủy ban Mặt trận Tổ quốc Việt Nam quận Hai Bà Trưng")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_any_text_segments_as_pyvi_does(text) -> None:
    assert segment(text) == ViTokenizer.tokenize(text).split()
