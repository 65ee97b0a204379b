"""Queries typed the way people really type: Telex and VNI with the input method off, typos."""

from __future__ import annotations

import pytest
from whoosh import index

from indexer.build import build_index
from indexer.schema import INDEX_NAME
from search.model import SearchRequest
from search.spelling import Vocabulary
from tests.conftest import ids, write_jsonl
from vietnamese.typing import decode_telex, decode_vni


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("Haf", "hà"), ("Nooij", "nội"), ("nguwowif", "người"), ("dduwowngf", "đường"), ("Trwng", "trưng"),
        ("quoocs", "quốc"), ("hoaf", "hòa"),
        # marks typed after the syllable, as Unikey and EVKey also accept
        ("nguoiwf", "người"), ("tienges", "tiếng"), ("dana", "dân"), ("Noioj", "nội"),
    ],
)
def test_telex(typed: str, meant: str) -> None:
    assert decode_telex(typed) == meant


@pytest.mark.parametrize(("typed", "meant"), [("Ha2", "hà"), ("No6i5", "nội"), ("d9u7o7ng2", "đường"), ("Vie6t5", "việt")])
def test_vni(typed: str, meant: str) -> None:
    assert decode_vni(typed) == meant


@pytest.mark.parametrize("plain", ["hai", "thanh", "2024", "nam"])
def test_plain_words_are_not_telex_or_vni(plain: str) -> None:
    assert decode_telex(plain) is None and decode_vni(plain) is None


CORPUS = [
    {"id": "hanoi", "title": "Hà Nội mở rộng đường", "body": "Thành phố Hà Nội mở rộng đường Vành đai."},
    {"id": "ddos", "title": "Tấn công DDoS", "body": "Máy chủ bị tấn công DDoS trong đêm."},
    {"id": "do-la", "title": "Ngày hội", "body": "Đó là ngày hội của cả phố."},
    {"id": "passage", "title": "Tin thế giới", "body": "Người thân mang thi thể nạn nhân tới khu hỏa táng."},
    {"id": "scattered", "title": "Tai nạn giao thông", "body": "Thi thể nạn nhân được người thân đưa về."},
    {"id": "nang", "title": "Sức khỏe", "body": "Nang lông bị viêm."},
    {"id": "vortex", "title": "Tuần lộc tạo thành vòng xoáy khổng lồ", "body": "Hàng trăm con tuần lộc di chuyển."},
    {"id": "bees", "title": "Nuôi ong lấy mật", "body": "Đàn ong làm tổ trong vườn."},
]


def test_telex_and_vni_queries_find_what_was_meant(engine_of) -> None:
    engine = engine_of(CORPUS)
    assert ids(engine, "Haf Nooij")[0] == "hanoi"
    assert ids(engine, "Ha2 No6i5")[0] == "hanoi"
    assert engine.search(SearchRequest(q="Haf Nooij")).suggestion == "Hà Nội"


def test_a_foreign_word_in_the_corpus_may_still_be_telex(engine_of) -> None:
    engine = engine_of(CORPUS)
    assert ids(engine, "ddos")[0] == "ddos"  # as typed ranks first
    # "đó là ngày hội": no article has "ddos" with the others, and the one that has the rest comes first.
    assert ids(engine, "ddos laf ngayf hooij")[0] == "do-la"


def test_a_typo_is_corrected_against_the_corpus_and_ranked_below_exact(engine_of) -> None:
    engine = engine_of(CORPUS)
    assert ids(engine, "Hà Nộu") == ["hanoi"]
    results = engine.search(SearchRequest(q="mowr rooongj"))
    assert results.hits and results.hits[0].id == "hanoi"


def test_a_letter_dropped_from_a_four_letter_word_is_corrected_even_into_a_word_of_its_own(engine_of) -> None:
    engine = engine_of(CORPUS)
    assert ids(engine, "tạo thành òng xoáy")[0] == "vortex"  # "òng" is "ong" (bee) folded, but fits no neighbour
    assert ids(engine, "nuôi ong")[0] == "bees"


def test_a_passage_with_one_word_mistyped_into_another_word_is_read_as_the_passage_and_said_so(engine_of) -> None:
    engine = engine_of(CORPUS)
    # "mang" typed as "nang", a short word of its own: no article holds the words as typed side by
    # side, and with "mang" one holds them all as a phrase.
    results = engine.search(SearchRequest(q="thân nang thi thể nạn"))
    assert not results.partial and results.hits[0].id == "passage"
    assert [(r.typed, r.read) for r in results.readings] == [("nang", "mang")]


def test_a_word_the_corpus_has_is_matched_as_typed_unless_one_letter_makes_the_query_a_phrase(engine_of) -> None:
    engine = engine_of(
        [*CORPUS, {"id": "every-word", "title": "Tin y tế", "body": "Người thân của nạn nhân bị nang phổi; thi thể chưa tìm thấy."}]
    )
    # Found as typed side by side: as typed, and never widened by the other readings.
    assert ids(engine, "nang lông")[0] == "nang"
    assert "passage" not in ids(engine, "nang lông")
    # Found as typed only scattered, and as a phrase with one word read otherwise: read so, and said so;
    # the search exactly as typed still finds the article with every word typed.
    results = engine.search(SearchRequest(q="thân nang thi thể nạn"))
    assert results.hits[0].id == "passage" and results.read_as == "thân mang thi thể nạn"
    assert ids(engine, "thân nang thi thể nạn", verbatim="1") == ["every-word"]


def test_a_short_real_word_is_read_as_another_only_where_that_makes_the_query_a_phrase(engine_of) -> None:
    schools = [
        {"id": f"school-{n}", "title": f"Tin giáo dục số {n}", "body": f"Giám đốc Sở Giáo dục tỉnh họp lần {n}."}
        for n in range(20)
    ]
    rice = {"id": "rice", "title": "Giá gạo", "body": "Số gạo xuất khẩu tăng."}
    former = {"id": "former", "title": "Nguyên Giám đốc Sở Giáo dục bị kỷ luật", "body": "Tỉnh đã họp."}
    engine = engine_of([*schools, rice, former])
    # "Gáo" for "Giáo" (three letters): nothing holds the words as typed; "former" holds them with giáo.
    results = engine.search(SearchRequest(q="nguyên giám đốc sở gáo"))
    assert not results.partial and results.hits[0].id == "former"
    assert [(r.typed, r.read) for r in results.readings] == [("gáo", "giáo")]
    assert ids(engine, "số gạo xuất khẩu") == ["rice"]
    assert not engine.search(SearchRequest(q="số gạo xuất khẩu")).readings


SALES = [
    *({"id": f"sale-{n}", "title": f"Chương trình khuyến mại số {n}", "body": f"Siêu thị khuyến mại lớn lần {n}."} for n in range(12)),
    {"id": "flaw", "title": "Sản phẩm có khiếm khuyết", "body": "Nhà sản xuất thu hồi vì khiếm khuyết."},
]


def test_a_long_real_word_far_less_likely_in_context_is_read_as_the_correction_and_said_so(engine_of) -> None:
    engine = engine_of(SALES)
    # "khuyết" is a word of the corpus ("khiếm khuyết"), but between "trình" and "mại" only "khuyến" stands.
    results = engine.search(SearchRequest(q="chương trình khuyết mại lớn"))
    assert not results.partial and results.hits and all(h.id.startswith("sale-") for h in results.hits)
    assert [(r.typed, r.read) for r in results.readings] == [("khuyết", "khuyến")]
    assert results.read_as == "chương trình khuyến mại lớn"
    # The search exactly as typed reads every word as typed.
    verbatim = engine.search(SearchRequest(q="chương trình khuyết mại lớn", verbatim=True))
    assert not verbatim.readings and verbatim.read_as is None


def test_letters_that_look_like_telex_may_be_a_typo_instead(engine_of) -> None:
    engine = engine_of(
        [
            {"id": "mosuo", "title": "Dân tộc Mosuo có dân số khoảng 40.000 người", "body": "Họ sống ở rìa hồ."},
            {"id": "bridge", "title": "Sửa mố cầu", "body": "Mố cầu có vết nứt."},
        ]
    )
    # "Moso" reads as Telex for "mố", which fits neither neighbour; "Mosuo" fits both.
    results = engine.search(SearchRequest(q="dân tộc Moso có dân số"))
    assert not results.partial and results.hits[0].id == "mosuo"


def test_a_number_is_never_corrected_into_another(engine_of) -> None:
    engine = engine_of(
        [
            {"id": "loss", "title": "Đại dịch thổi bay 55.000 tỷ đồng", "body": "Doanh thu giảm."},
            {"id": "other", "title": "Bão thổi bay 5500 tỷ đồng", "body": "Thiệt hại lớn."},
        ]
    )
    # "55000" is not in the corpus (the article writes 55.000); "5500" is another amount, not a typo.
    results = engine.search(SearchRequest(q="thoi bay 55000 ty dong"))
    assert results.partial
    assert "5500" not in (results.suggestion or "")


def test_vocabulary_counts_every_segment(tmp_path) -> None:
    """An archive indexed in several runs has several segments: a word's frequency counts its articles in all
    of them (in each text field: title and body count apart)."""
    corpus = tmp_path / "corpus"
    write_jsonl(corpus / "one.jsonl", [{"id": "a", "title": "Hà Nội", "body": "Phố cổ Hà Nội."}])
    build_index([corpus], tmp_path / "index", progress=False)
    write_jsonl(corpus / "two.jsonl", [{"id": "b", "title": "Đường phố", "body": "Hà Giang và Hà Nội."}])
    build_index([corpus], tmp_path / "index", progress=False)
    with index.open_dir(tmp_path / "index", indexname=INDEX_NAME).reader() as reader:
        assert len(reader.leaf_readers()) == 2
        vocabulary = Vocabulary(reader)
    assert vocabulary.frequency["nội"] == 3  # a's title and body, b's body
    assert vocabulary.frequency["giang"] == 1 and vocabulary.frequency["co"] == 1


FIRES = [
    {"id": "phone", "title": "Điện thoại bất ngờ bốc cháy dữ dội trong túi", "body": "Chủ máy không bị thương."},
    *({"id": f"fire-{n}", "title": f"Xe cháy số {n}", "body": "Đám cháy dữ dội trong đêm."} for n in range(2)),
    *({"id": f"tea-{n}", "title": f"Chè ngon số {n}", "body": "Người chá ngờ rằng lá dội nước sôi trong ấm dữ quá."} for n in range(3)),
]


def test_a_short_word_mistyped_into_another_is_read_as_the_phrase_a_long_query_holds(engine_of) -> None:
    engine = engine_of(FIRES)
    # Every word as typed is in the tea articles, scattered; with "cháy" for "chá" the phone's title
    # holds all six as a phrase, though "bốc chá" is not thirty times less likely than "bốc cháy".
    results = engine.search(SearchRequest(q="ngờ bốc chá dữ dội trong"))
    assert results.hits[0].id == "phone" and [(r.typed, r.read) for r in results.readings] == [("chá", "cháy")]


def test_a_trailing_number_is_a_word_typed_not_one_being_typed(engine_of) -> None:
    engine = engine_of(
        [
            {"id": "oscar", "title": "Lễ trao giải kết thúc trong sáng nay 26/4", "body": "Phim đoạt giải."},
            {"id": "meeting", "title": "Họp báo", "body": "Bộ họp báo trong sáng nay."},
            *({"id": f"winter-{n}", "title": f"Đông sáng nay {n}", "body": "Tổng kết sáng nay 26 và 4 đội."} for n in range(3)),
        ]
    )
    results = engine.search(SearchRequest(q="tong sáng nay 26 4"))  # "trong" typed "tong"
    assert results.hits[0].id == "oscar" and results.read_as == "trong sáng nay 26 4"


def test_a_word_the_corpus_lacks_is_read_as_its_next_correction_when_the_first_makes_no_phrase(engine_of) -> None:
    engine = engine_of(
        [
            {"id": "nato", "title": "Đức chuẩn bị cho trọng trách lớn tại NATO", "body": "Chi tiêu quốc phòng tăng."},
            *({"id": f"where-{n}", "title": f"Ở tại nào cũng được {n}", "body": "Không biết tại nào, trọng trách lớn."} for n in range(4)),
        ]
    )
    # "NAOT": "nao" fits "tại" best, but only NATO makes the query a phrase some article holds.
    results = engine.search(SearchRequest(q="cho trọng trách lớn tại NAOT"))
    assert results.hits[0].id == "nato" and [(r.typed, r.read) for r in results.readings] == [("NAOT", "nato")]


def test_a_typo_that_spells_telex_is_read_without_the_marks_it_spells_when_they_make_no_phrase(engine_of) -> None:
    engine = engine_of(
        [
            {"id": "festival", "title": "Lễ hội Đêm trắng Ban Mê", "body": "Tỉnh dừng tổ chức lễ hội."},
            {"id": "moon", "title": "Đêm trăng rằm", "body": "Trăng sáng."},
        ]
    )
    # "trawng" is Telex for "trăng"; the festival is "Đêm trắng": the same letters, other marks.
    results = engine.search(SearchRequest(q="le hoi dem trawng ban"))
    assert results.hits[0].id == "festival" and results.read_as == "le hoi dem trang ban"
