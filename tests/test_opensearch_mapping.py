"""The OpenSearch mapping in docs/ is vnsearch's analysis: checked here as far as Python can (no server)."""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from pathlib import Path

from bench.opensearch_mapping import index_body, tone_rules
from tests.conftest import CORPUS, REPO, SHARED
from vietnamese.text import fold_word, normalize_word, words

SYLLABLE = re.compile("[^aeiouy]*[aeiouy]+[^aeiouy]*")


def _python_pattern(java: str) -> str:
    return java.replace(r"[\p{L}\p{N}]", r"[^\W_]")


def _char_filtered(word: str) -> str:
    """What the char filters make of a word: ICU's NFKC case folding, then each tone rule."""
    text = unicodedata.normalize("NFKC", word.casefold())
    for _, pattern, replacement in tone_rules():
        text = re.sub(_python_pattern(pattern), replacement, text)
    return text


def test_the_char_filters_spell_the_words_of_the_corpora_as_vnsearch_does() -> None:
    paths = [*CORPUS.glob("*.txt"), *(SHARED / "corpora" / "dantri-unc").rglob("*.txt")]
    found = Counter(w for path in paths for w in words(path.read_text(encoding="utf-8", errors="replace")) if w.isalpha())
    # Syllables (one run of vowels): words glued together by a scraper are spelled by neither.
    syllables = {w: n for w, n in found.items() if SYLLABLE.fullmatch(fold_word(w))}
    differ = {w: n for w, n in syllables.items() if _char_filtered(w) != normalize_word(w)}
    # What is left are tones misplaced before a final consonant or in three vowels ("túyp", "khủyu",
    # "ngọam"), which vnsearch moves and the char filters do not (docs/scaling.md): 1 word in 10,000 at most.
    assert sum(differ.values()) * 10_000 <= sum(syllables.values())


def test_both_tone_placements_meet() -> None:
    for new, old in [("hoà", "hòa"), ("Thuý", "thúy"), ("UỶ", "ủy"), ("khoẻ", "khỏe"), ("quý", "quý"), ("hoàn", "hoàn")]:
        assert _char_filtered(new) == old == normalize_word(new)


def test_the_committed_mapping_is_the_generated_one() -> None:
    assert json.loads((REPO / "docs" / "opensearch-index.json").read_text(encoding="utf-8")) == json.loads(json.dumps(index_body()))
