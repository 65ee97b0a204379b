"""The analysis chain: every spelling of a word meets in one indexed form."""

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from vietnamese.analysis import compound_analyzer, query_words, syllable_analyzer
from vietnamese.text import fold, fold_word, normalize, normalize_word

VIETNAMESE_LETTERS = "aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
vietnamese_text = st.text(
    alphabet=st.sampled_from(VIETNAMESE_LETTERS + VIETNAMESE_LETTERS.upper() + " ,.-0123456789\n"), max_size=80
)
TONES = "\u0300\u0301\u0303\u0309\u0323"


def indexed(text: str) -> list[tuple[str, int]]:
    return [(t.text, t.pos) for t in syllable_analyzer()(text, positions=True)]


@given(vietnamese_text)
def test_nfc_and_nfd_text_index_alike(text):
    assert indexed(unicodedata.normalize("NFD", text)) == indexed(unicodedata.normalize("NFC", text))


@given(vietnamese_text)
def test_case_does_not_matter(text):
    assert indexed(text.upper()) == indexed(text.lower())


@given(
    st.sampled_from(["", "h", "th", "kh", "x", "l", "t", "ng", "s"]),
    st.sampled_from(["oa", "oe", "uy"]),
    st.sampled_from(TONES),
)
def test_old_and_new_tone_placement_index_alike(onset, cluster, tone):
    old = unicodedata.normalize("NFC", onset + cluster + tone)  # hoà, thuý, uỷ
    new = unicodedata.normalize("NFC", onset + cluster[0] + tone + cluster[1])  # hòa, thúy, ủy
    assert indexed(f"{old} {old.upper()}") == indexed(f"{new} {new.upper()}")


@given(vietnamese_text)
def test_normalize_is_idempotent(text):
    assert normalize(normalize(text)) == normalize(text)


@given(vietnamese_text)
def test_folded_text_has_no_diacritics(text):
    assert fold(text).isascii()


def test_examples_of_one_spelling():
    assert normalize_word("Uỷ") == normalize_word("ỦY") == "ủy"
    assert normalize_word("hoà") == "hòa"
    assert normalize_word("THUÝ") == "thúy"
    assert normalize_word("quý") == "quý"  # qu is a consonant: the tone stays on y
    assert normalize_word("người") == "người"
    assert fold_word("Đường") == "duong"
    assert fold_word("Trưng") == "trung"


def test_each_syllable_is_indexed_in_both_spellings_at_one_position():
    assert indexed("Hai Bà Trưng") == [("hai", 0), ("bà", 1), ("ba", 1), ("trưng", 2), ("trung", 2)]


def test_punctuation_splits_syllables_so_phrases_match_either_way():
    assert [t for t, _ in indexed("2024-2029")] == ["2024", "2029"]
    assert [t for t, _ in indexed("TP.HCM")] == ["tp", "hcm"]


def test_pyvi_compounds_are_indexed_in_both_spellings():
    words = [t.text for t in compound_analyzer()("Mặt trận Tổ quốc Việt Nam")]
    assert "mặt_trận" in words and "mat_tran" in words
    assert "tổ_quốc" in words and "to_quoc" in words


def test_a_query_goes_through_the_same_chain():
    typed = unicodedata.normalize("NFD", "HOÀ Bình")
    assert [(w.exact, w.folded) for w in query_words(typed)] == [("hòa", "hoa"), ("bình", "binh")]
    assert [w.exact for w in query_words("hoà bình")] == [t for t, _ in indexed("hoà bình")][::2]
