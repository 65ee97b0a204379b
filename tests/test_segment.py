"""The fast segmentation gives pyvi's own words: compounds rank the same as pyvi would make them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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


def test_loading_the_segmenter_leaves_no_file_in_the_temporary_folder(tmp_path: Path) -> None:
    """pyvi's model is unpickled into a temporary file; a process that leaves without cleaning up (a
    killed server, a worker process's os._exit) must not leave it behind, or restarts fill the disk."""
    script = "from vietnamese.segment import segment; segment('Hà Nội'); import os; os._exit(0)"
    subprocess.run([sys.executable, "-c", script], check=True, env={**os.environ, "TMPDIR": str(tmp_path)}, timeout=120)
    assert list(tmp_path.iterdir()) == []
