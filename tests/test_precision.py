"""Every result earns its place: abbreviations as phrases, no silent widening, a did-you-mean that restores
the whole query, phrase matches re-ranked however far down, and nothing searched when nothing was typed."""

from __future__ import annotations

import re
from importlib import resources

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.engine import SearchEngine
from search.model import SearchRequest
from tests.conftest import ids
from vietnamese.text import fold, words


def _marks(html: str) -> list[str]:
    return re.findall(r"<mark>(.*?)</mark>", html)


FRONT = [
    {"id": "mttq", "title": "Ủy ban MTTQ quận họp", "body": "Ủy ban MTTQ quận tổng kết năm."},
    {"id": "front", "title": "Hội nghị Mặt trận", "body": "Mặt trận Tổ quốc phường tổ chức hội nghị."},
    {"id": "football", "title": "Đội bóng ra mắt", "body": "Đội bóng ra mắt trước trận đấu với đội tuyển quốc gia ở Tô Châu."},
    {"id": "funeral", "title": "Đám tang ở Ghana", "body": "Người đã nhắm mắt được tiễn đưa; tổ chức tang lễ cấp quốc gia, trận mưa lớn."},
]


def test_an_abbreviation_finds_itself_and_its_expansion_as_a_phrase_never_the_loose_words(engine_of) -> None:
    engine = engine_of(FRONT)
    for q in ("MTTQ", "mttq", "mat tran to quoc", "Mặt trận Tổ quốc", "MTTQ quận"):
        assert set(ids(engine, q)) <= {"mttq", "front"} and ids(engine, q), q
    assert set(ids(engine, "MTTQ")) == {"mttq", "front"}
    front = next(h for h in engine.search(SearchRequest(q="MTTQ")).hits if h.id == "front")
    assert _marks(front.snippet) == ["Mặt trận Tổ quốc"]  # the whole phrase, one mark
    assert _marks(engine.document("football", "MTTQ").body_html) == []
    assert ids(engine, "MTTQ -quận") == ["front"]


def _abbreviation_rows() -> list[tuple[str, str]]:
    text = resources.files("vietnamese").joinpath("data", "abbreviations.tsv").read_text(encoding="utf-8")
    rows = [line.split("\t") for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return [(short.strip(), long.strip()) for short, long in rows]


@pytest.fixture(scope="module")
def abbreviations(tmp_path_factory) -> SearchEngine:
    """Per entry of the data file: an article with the abbreviation, one with the expansion, and one
    with the expansion's words far apart and out of order."""
    from indexer.build import build_index
    from tests.conftest import write_jsonl

    records = []
    for n, (short, long) in enumerate(_abbreviation_rows()):
        loose = " lúc ấy ".join(reversed(long.split()))
        records += [
            {"id": f"short-{n}", "title": f"Tin số {n}", "body": f"Hôm nay {short} họp."},
            {"id": f"long-{n}", "title": f"Tin số {n}", "body": f"Hôm nay {long} họp."},
            {"id": f"loose-{n}", "title": f"Tin số {n}", "body": f"Hôm nay {loose} họp."},
        ]
    root = tmp_path_factory.mktemp("abbreviations")
    write_jsonl(root / "corpus" / "all.jsonl", records)
    build_index([root / "corpus"], root / "index", progress=False)
    return SearchEngine(root / "index")


@pytest.mark.parametrize(("n", "row"), list(enumerate(_abbreviation_rows())))
def test_every_abbreviation_both_ways_as_phrases(abbreviations: SearchEngine, n: int, row: tuple[str, str]) -> None:
    short, long = row
    for q in (short, long, fold(long)):
        found = set(ids(abbreviations, q, size="100"))
        assert {f"short-{n}", f"long-{n}"} <= found, q
        assert f"loose-{n}" not in found, q


def test_a_query_of_words_the_corpus_has_is_not_widened_by_corrections(engine_of) -> None:
    district = [{"id": f"xuan-{n}", "title": f"Quận Thanh Xuân tổ chức đại hội lần {n}", "body": "Đại hội thành công."} for n in range(3)]
    # "Thanh Quan đại" stands next to both neighbours of "xuan" in "thanh xuan dai hoi": a one-edit look-alike.
    others = [{"id": f"quan-{n}", "title": f"Bà Thanh Quan đại diện hội phụ nữ {n}", "body": "Hội họp."} for n in range(5)]
    engine = engine_of([*district, *others])
    results = engine.search(SearchRequest(q="Thanh Xuan dai hoi"))
    assert {h.id for h in results.hits} == {f"xuan-{n}" for n in range(3)}
    assert results.total <= engine.search(SearchRequest(q="thanh xuan")).total
    assert not results.readings
    for hit in results.hits:
        assert not {fold(m).lower() for m in _marks(hit.snippet + hit.title_html)} & {"tuan", "quan"}


def test_a_word_the_sample_lacks_falls_back_to_announced_partial_matches(seeds: SearchEngine) -> None:
    results = seeds.search(SearchRequest(q="bong da viet nam"))
    assert results.partial and not results.readings and results.suggestion is None
    marked = {fold(m).lower() for h in results.hits for m in _marks(h.snippet + h.title_html)}
    assert not marked & {"dong", "cong", "nong"}


SEED_WORDS = sorted({w.lower() for p in __import__("tests.conftest", fromlist=["CORPUS"]).CORPUS.glob("*.txt")
                     for w in words(p.read_text(encoding="utf-8")) if w.isalpha()})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(picks=st.lists(st.sampled_from(SEED_WORDS), min_size=1, max_size=4), extra=st.sampled_from(SEED_WORDS),
       unaccented=st.booleans())
def test_adding_a_word_never_lengthens_the_list(seeds: SearchEngine, picks: list[str], extra: str, unaccented: bool) -> None:
    q = " ".join(picks)
    longer = f"{q} {extra}"
    if unaccented:
        q, longer = fold(q), fold(longer)
    before, after = seeds.search(SearchRequest(q=q)), seeds.search(SearchRequest(q=longer))
    if not before.partial and not after.partial:
        assert after.total <= before.total


def test_did_you_mean_restores_the_whole_query_by_the_corpus_word_pairs(engine_of) -> None:
    noise = [
        {"id": f"noise-{n}", "title": f"Thành phố hiện có đợt rét số {n}", "body": "Thành phố hiện có đợt rét từ hôm qua, nói về nơi ở."}
        for n in range(12)
    ]
    story = {"id": "story", "title": "Hà Nội: Thanh niên 20 tuổi đột tử trong quán game", "body": "Thanh niên đột tử."}
    engine = engine_of([*noise, story])
    results = engine.search(SearchRequest(q="ha noi thanh nien dot tu"))
    assert results.hits[0].id == "story"
    assert results.suggestion is not None and results.suggestion.lower() == "hà nội thanh niên đột tử"
    # No suggestion from a word still being typed, nor when the query is already spelled as the corpus does.
    assert engine.search(SearchRequest(q="ha noi thanh nien d")).suggestion is None
    assert engine.search(SearchRequest(q="Hà Nội thanh niên đột tử")).suggestion is None


def test_a_phrase_match_is_re_ranked_however_far_down_the_first_phase_put_it(engine_of) -> None:
    # Every pair of the query's words stands together in these, in the title too, but never all three.
    scattered = [
        {"id": f"scattered-{n}", "title": f"Hai bà cháu gặp bà Trưng {n}", "body": "Hai bà cháu gặp bà Trưng, hai bà cháu vui."}
        for n in range(130)
    ]
    phrase = {
        "id": "phrase",
        "title": "Tin quận",
        "body": "Quận Hai Bà Trưng tổ chức hội nghị tổng kết công tác năm với nhiều nội dung quan trọng khác nhau.",
    }
    engine = engine_of([*scattered, phrase])
    assert ids(engine, "hai ba trung")[0] == "phrase"


@pytest.mark.parametrize("q", ["😀", '"', "OR", " - ", "…"])
def test_a_query_with_nothing_to_search_finds_nothing_and_says_why(seeds: SearchEngine, q: str) -> None:
    results = seeds.search(SearchRequest(q=q))
    assert results.total == 0 and not results.hits and results.notice


def test_an_empty_query_still_lists_everything(seeds: SearchEngine) -> None:
    results = seeds.search(SearchRequest(q=""))
    assert results.total == 5 and results.notice is None


def test_a_trailing_number_is_a_whole_word_not_one_being_typed(engine_of) -> None:
    engine = engine_of([{"id": "day", "title": "Kỷ niệm 46 năm ngày thành lập", "body": "Chào mừng kỷ niệm 46 năm."}])
    assert (engine.search(SearchRequest(q="chao mung ky niem 46")).suggestion or "").lower() == "chào mừng kỷ niệm 46"


def test_a_name_the_corpus_has_next_to_its_neighbours_is_not_read_as_a_commoner_word(engine_of) -> None:
    minister = [{"id": f"pm-{n}", "title": f"Thủ tướng họp lần {n}", "body": "Thủ tướng chỉ đạo."} for n in range(15)]
    doctor = {"id": "doctor", "title": "Tiến sĩ Dương Thị Thu Hương nhận giải", "body": "Tiến sĩ Dương Thị Thu Hương."}
    engine = engine_of([*minister, doctor])
    results = engine.search(SearchRequest(q="Tien si Duong Thi Thu Huong"))
    assert [h.id for h in results.hits] == ["doctor"] and not results.readings


def test_a_syllable_the_corpus_lacks_is_corrected_where_the_corpus_often_has_the_correction_beside_it(engine_of) -> None:
    gadgets = [{"id": f"tech-{n}", "title": f"Thiết bị điện tử số {n}", "body": "Hàng điện tử giảm giá."} for n in range(4)]
    engine = engine_of(gadgets)
    results = engine.search(SearchRequest(q="xiện tử"))  # "xiên" is a Vietnamese syllable, not of this corpus
    assert not results.partial and results.total == 4
    # Found as a phrase only as "điện tử": read as that, not as dien in any spelling.
    assert [(r.typed, r.read) for r in results.readings] == [("xiện", "điện")]


def test_a_query_typed_with_diacritics_ranks_that_spelling_first_however_common_the_other(engine_of) -> None:
    agree = [{"id": f"agree-{n}", "title": f"Đồng ý phương án {n}", "body": "Các bên đồng ý, đồng ý ký kết."} for n in range(8)]
    medicine = {"id": "medicine", "title": "Bệnh viện", "body": "Khoa Đông y khám cho người bệnh lớn tuổi ở xã."}
    engine = engine_of([*agree, medicine])
    assert ids(engine, "Đông y")[0] == "medicine"
    assert ids(engine, "dong y")[0].startswith("agree-")  # without diacritics, any spelling: the commoner first


def test_a_word_the_corpus_lacks_is_read_as_its_one_likeliest_correction_not_several(engine_of) -> None:
    sky = [{"id": f"sky-{n}", "title": f"Máy bay trên không trung {n}", "body": "Bay lượn trên không trung."} for n in range(3)]
    other = [
        {"id": "school", "title": "Khoa trung học", "body": "Khoa trung học tuyển sinh."},
        {"id": "exit", "title": "Ra khỏi trung tâm", "body": "Khỏi trung tâm thành phố."},
    ]
    engine = engine_of([*sky, *other])
    results = engine.search(SearchRequest(q="khôg trung"))  # "khoa trung", "khỏi trung" are one edit away too
    assert sorted(h.id for h in results.hits) == ["sky-0", "sky-1", "sky-2"]
    assert [(r.typed, r.read) for r in results.readings] == [("khôg", "không")]


def test_a_word_typed_with_marks_no_vietnamese_word_has_is_corrected_though_its_letters_are_a_word(engine_of) -> None:
    districts = [{"id": f"d-{n}", "title": f"Quận Bắc Từ Liêm họp {n}", "body": "Quận Bắc Từ Liêm tổ chức hội nghị."} for n in range(3)]
    engine = engine_of([*districts, {"id": "via", "title": "Đi qua cầu", "body": "Đoàn đi qua cầu."}])
    results = engine.search(SearchRequest(q="Quậ Bắc"))  # "quậ" is no spelling of qua, quá or quả
    assert sorted(h.id for h in results.hits) == ["d-0", "d-1", "d-2"]
    assert [(r.typed, r.read) for r in results.readings] == [("Quậ", "quận")]


def test_a_correction_is_spelled_as_it_forms_a_word_with_a_neighbour_typed_with_marks(engine_of) -> None:
    # "từ các" is everywhere, folded the same as "tư các"; "tư cách" is a word (pyvi's compound).
    everywhere = [{"id": f"from-{n}", "title": f"Tin từ các tỉnh {n}", "body": "Tin từ các tỉnh, từ các xã."} for n in range(12)]
    character = [{"id": f"role-{n}", "title": f"Với tư cách đại biểu {n}", "body": "Phát biểu với tư cách khách mời."} for n in range(2)]
    engine = engine_of([*everywhere, *character])
    results = engine.search(SearchRequest(q="tư cácg"))
    assert [(r.typed, r.read) for r in results.readings] == [("cácg", "cách")]
    assert sorted(h.id for h in results.hits) == ["role-0", "role-1"]


def test_an_abbreviation_the_corpus_never_writes_is_not_corrected_into_another(engine_of) -> None:
    engine = engine_of([
        {"id": "order", "title": "Giữ gìn an ninh trật tự", "body": "Bảo đảm an ninh trật tự trên địa bàn."},
        {"id": "it", "title": "Ứng dụng CNTT", "body": "CNTT trong quản lý."},
    ])
    results = engine.search(SearchRequest(q="ANTT"))  # one edit from CNTT, and the expansion of its own
    assert [h.id for h in results.hits] == ["order"] and not results.readings


def test_a_phrase_typed_with_marks_ranks_that_spelling_above_the_same_letters_otherwise_marked(engine_of) -> None:
    statues = [{"id": f"statue-{n}", "title": f"Bức tượng cổ số {n}", "body": "Bức tượng đá, bức tượng đồng, tường rêu."} for n in range(6)]
    wall = {"id": "wall", "title": "Di tích", "body": "Người dân sơn lại bức tường của đình làng."}
    engine = engine_of([*statues, wall])
    assert ids(engine, "Bức tường")[0] == "wall"  # every result has bức and tường; one has them as typed, together
    assert ids(engine, "buc tuong")[0].startswith("statue-")  # without marks, any spelling


def test_a_last_word_no_corpus_word_begins_with_there_is_a_typo_not_a_word_half_typed(engine_of) -> None:
    truth = [{"id": f"truth-{n}", "title": f"Sự thật về vụ việc {n}", "body": "Sự thật đã được làm rõ."} for n in range(3)]
    codes = {"id": "codes", "title": "Mã THTP", "body": "Trường THTP và THTT công bố điểm."}  # begin with "tht"
    hall = {"id": "hall", "title": "Hội trường lớn", "body": "Hội trường chật kín người."}
    engine = engine_of([*truth, codes, hall])
    results = engine.search(SearchRequest(q="sự tht"))  # no word after "sự" begins with "tht": a typo
    assert sorted(h.id for h in results.hits) == ["truth-0", "truth-1", "truth-2"]
    assert ids(engine, "hội trườn") == ["hall"]  # "trường" follows "hội": still being typed


def test_did_you_mean_spells_the_words_as_the_articles_found_write_them_together(engine_of) -> None:
    scientists = [{"id": f"sci-{n}", "title": f"Nhà khoa học trẻ số {n}", "body": "Các nhà khoa học quốc tế họp bàn."} for n in range(10)]
    clinic = {"id": "clinic", "title": "Nha khoa Quốc tế Daisy khai trương", "body": "Phòng khám nha khoa mới."}
    food = {"id": "food", "title": "Giá cả đắt đỏ", "body": "Mọi thứ đều đắt đỏ, cắn một miếng là hết."}
    engine = engine_of([*scientists, clinic, food])
    # The corpus at large writes "nhà khoa"; the article found writes "Nha khoa".
    assert engine.search(SearchRequest(q="nha khoa quoc te daisy")).suggestion.lower() == "nha khoa quốc tế daisy"
    assert engine.search(SearchRequest(q="dat do can mot mieng")).suggestion.lower() == "đắt đỏ cắn một miếng"


SCHOOLS = [{"id": f"school-{n}", "title": f"Sở Giáo dục họp lần {n}", "body": "Sở Giáo dục và Đào tạo chỉ đạo các trường."} for n in range(40)]
LADLE = {"id": "ladle", "title": "Múc nước bằng gáo dừa", "body": "Sở thích của ông là làm gáo dừa."}


def test_a_real_word_mistyped_where_the_words_stand_together_nowhere_is_read_as_the_word_meant(engine_of) -> None:
    engine = engine_of([*SCHOOLS, LADLE])  # "sở" and "gáo" are both words here, never side by side
    results = engine.search(SearchRequest(q="Sở Gáo"))
    assert [(r.typed, fold(r.read)) for r in results.readings] == [("Gáo", "giao")]
    assert results.read_as and fold(results.read_as).lower() == "so giao"
    assert "ladle" not in {h.id for h in results.hits} and results.total == len(SCHOOLS)
    assert ids(engine, "Sở Gáo", verbatim="1") == ["ladle"]  # "Tìm chính xác": the words as typed
    assert _marks(engine.document("school-3", "Sở Gáo").title_html) == ["Sở Giáo"]  # the article marks the same


def test_a_real_word_whose_words_stand_together_somewhere_is_matched_as_typed(engine_of) -> None:
    engine = engine_of([*SCHOOLS, LADLE, {"id": "scoop", "title": "Sở gáo", "body": "Người ta gọi nó là sở gáo."}])
    results = engine.search(SearchRequest(q="Sở Gáo"))
    assert not results.readings and ids(engine, "Sở Gáo")[0] == "scoop"


def test_a_right_phrase_the_corpus_lacks_is_not_read_as_one_it_has_a_few_times(engine_of) -> None:
    # "Minh Anh" in nine articles is likelier after "Minh" than "Cảnh", but not thirty times: a name is no typo.
    names = [{"id": f"anh-{n}", "title": f"Chị Minh Anh số {n}", "body": "Chị ấy nói."} for n in range(9)]
    engine = engine_of([*names, {"id": "canh", "title": "Ông Minh họp", "body": "Ông Cảnh phát biểu."}])
    results = engine.search(SearchRequest(q="Minh Cảnh"))
    assert not results.readings and [h.id for h in results.hits] == ["canh"]
