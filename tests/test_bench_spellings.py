"""The relevance benchmark's query spellings: each must type what a real person types."""

from __future__ import annotations

import random
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bench import spellings

# Syllables covering every shape and tone mark, both tone placements and both cases.
SYLLABLES = [
    "Hà", "Nội", "người", "đường", "Đảng", "hòa", "hoà", "thúy", "thuý", "Ủy", "uỷ", "quý", "hoàn",
    "khuya", "quyết", "Trưng", "ăn", "xòe", "HÒA", "Vinamilk", "2024", "Mặt", "trận", "tổ", "quốc",
]
texts = st.lists(st.sampled_from(SYLLABLES), min_size=1, max_size=8).map(" ".join)


def test_telex_with_the_input_method_off():
    assert spellings.telex("Hà Nội") == "Haf Nooij"
    assert spellings.telex("người đường") == "nguwowif dduwowngf"
    assert spellings.telex("Mặt trận Tổ quốc") == "Mawtj traanj Toor quoocs"
    assert spellings.telex("ĐẢNG UBND") == "DDANGR UBND"  # caps lock on: the mark keys come out in capitals


def test_telex_with_marks_typed_after_the_syllable():
    assert spellings.telex_marks_last("người Hà Nội") == "nguoiwf Haf Noioj"
    assert spellings.telex_marks_last("đường") == "dduongwf"


def test_vni_with_the_input_method_off():
    assert spellings.vni("Hà Nội") == "Ha2 No6i5"
    assert spellings.vni("đường ăn") == "d9u7o7ng2 a8n"


def test_unaccented_drops_every_mark_and_the_stroke_of_d():
    assert spellings.unaccented("Đường Hà Nội, Ủy ban") == "Duong Ha Noi, Uy ban"


@given(texts)
def test_the_input_method_off_leaves_plain_ascii(text):
    for spelled in (spellings.unaccented, spellings.telex, spellings.telex_marks_last, spellings.vni):
        assert spelled(text).isascii()


@pytest.mark.parametrize(
    "old, new",
    [("hòa", "hoà"), ("thúy", "thuý"), ("Ủy", "Uỷ"), ("xòe", "xoè"), ("HÒA", "HOÀ")],
)
def test_other_tone_placement_moves_the_tone_both_ways(old, new):
    assert spellings.other_tone_placement(old) == new
    assert spellings.other_tone_placement(new) == old


@pytest.mark.parametrize("word", ["quý", "hoàn", "khuya", "hoa", "người"])
def test_other_tone_placement_leaves_syllables_both_styles_write_alike(word):
    assert spellings.other_tone_placement(word) == word
    assert not spellings.has_movable_tone(word)


@given(texts)
def test_other_tone_placement_changes_only_where_the_tone_moves(text):
    moved = spellings.other_tone_placement(text)
    assert spellings.other_tone_placement(moved) == text
    assert spellings.unaccented(moved) == spellings.unaccented(text)
    assert (moved != text) == spellings.has_movable_tone(text)


@given(texts, st.integers(0, 2**32))
def test_partly_accented_drops_marks_from_half_the_accented_words(text, seed):
    partly = spellings.partly_accented(text, random.Random(seed)).split(" ")
    written = text.split(" ")
    accented = [w for w in written if spellings.unaccented(w) != w]
    dropped = [w for w, p in zip(written, partly) if w != p]
    assert all(p in (w, spellings.unaccented(w)) for w, p in zip(written, partly))
    assert len(dropped) == (len(accented) + 1) // 2


def _one_edit_apart(a: str, b: str) -> bool:
    """Damerau distance 1: one deletion, insertion, substitution or adjacent transposition."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


@given(texts, st.integers(0, 2**32))
def test_one_typo_is_one_edit_on_one_long_word(text, seed):
    typed = spellings.one_typo(text, random.Random(seed))
    written = text.split(" ")
    if not any(sum(c.isalpha() for c in w) >= spellings.TYPO_MIN_LETTERS for w in written):
        assert typed is None
        return
    changed = [(w, t) for w, t in zip(written, typed.split(" ")) if w != t]
    assert len(changed) == 1
    word, mistyped = changed[0]
    assert sum(c.isalpha() for c in word) >= spellings.TYPO_MIN_LETTERS
    assert _one_edit_apart(unicodedata.normalize("NFC", word), mistyped)


def test_substituted_and_inserted_letters_are_neighbouring_keys():
    assert set(spellings.NEIGHBOURS["g"]) == set("tyfhvb")
    assert "p" not in spellings.NEIGHBOURS["a"]


URL = "https://dantri.com.vn/kinh-doanh/vinamilk-lot-top-1000-thuong-hieu-hang-dau-chau-a-20201001163534963.htm"
TITLE = ["Vinamilk", "lọt", "Top", "1", "000", "thương", "hiệu", "hàng", "đầu", "châu", "Á"]


def test_slug_words_drop_the_extension_and_the_article_number():
    assert spellings.slug_words(URL) == ["vinamilk", "lot", "top", "1000", "thuong", "hieu", "hang", "dau", "chau", "a"]
    assert spellings.slug_words(None) == []


def test_slug_alignment_takes_the_publishers_spelling_of_a_title_window():
    alignment = spellings.SlugAlignment(TITLE, spellings.slug_words(URL))
    assert alignment.window(0, 5) == ["vinamilk", "lot", "top", "1000"]
    assert alignment.window(5, 11) == ["thuong", "hieu", "hang", "dau", "chau", "a"]
    # A window that ends inside "1 000" has no slug words of its own.
    assert alignment.window(2, 4) is None


def test_slug_alignment_refuses_a_slug_that_spells_another_text():
    alignment = spellings.SlugAlignment(["Ngày", "30", "4", "tại", "kỳ", "đài", "Hiền", "Lương"], ["thieng", "lieng", "le", "thuong", "co"])
    assert alignment.window(0, 5) is None
