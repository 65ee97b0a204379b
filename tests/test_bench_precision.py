"""The precision benchmark's judgement of which articles are relevant to a query, on made-up texts."""

from __future__ import annotations

from bench.precision import Judge, Query, Widening, abbreviation_queries, collocations, precision_at_k, widenings
from bench.relevance import KEPT, write_section
from indexer.article import Article

ARTICLES = (
    Article("exact", "Bệnh viện Bạch Mai quá tải", "Người bệnh chờ khám."),
    Article("other-spelling", "Một bệnh viên được khen", "Bệnh viên là người bệnh."),
    Article("apart", "Bệnh nhân nằm viện", "Viện phí tăng, bệnh tật nhiều."),
    Article("unaccented-text", "benh vien da khoa", "Tin khong dau."),
    Article("across-fields", "Ông đi khám bệnh", "Viện trưởng nói."),
    Article("tone", "Hoà bình cho Ukraine", "Hội nghị hoà bình."),
    Article("mttq", "MTTQ phường họp", "Đại hội."),
    Article("expansion", "Ủy ban Mặt trận Tổ quốc Việt Nam", "Hội nghị."),
    Article("loose", "Ra mắt đội bóng", "Trận đấu ở Tổ quốc mới."),
    Article("gddt", "Sở GDĐT Hà Nội", "Kỳ thi."),
)
judge = Judge(ARTICLES)


def phrase(text: str, row: str, folded: bool) -> Query:
    return Query(1, row, text, (tuple(text.split()),), folded)


def test_a_query_with_diacritics_wants_the_accented_phrase_in_any_case():
    assert judge.relevant(phrase("bệnh viện", "written", folded=False)) == {"exact"}


def test_tone_placement_does_not_matter():
    assert judge.relevant(phrase("hòa bình", "written", folded=False)) == {"tone"}


def test_a_query_without_diacritics_wants_the_phrase_in_any_spelling():
    # The typo row is judged by the original words, folded, the same way.
    assert judge.relevant(phrase("benh vien", "unaccented", folded=True)) == {"exact", "other-spelling", "unaccented-text"}


def test_the_words_must_be_consecutive_and_not_run_from_title_into_body():
    assert "apart" not in judge.relevant(phrase("bệnh viện", "written", folded=False))
    assert "across-fields" not in judge.relevant(phrase("benh vien", "unaccented", folded=True))


def test_an_abbreviation_wants_itself_or_its_expansion_never_the_loose_words():
    queries = {q.text: q for q in abbreviation_queries()}
    assert judge.relevant(queries["MTTQ"]) == {"mttq", "expansion"}
    # Another abbreviation of the same expansion counts too.
    assert judge.relevant(queries["GD&ĐT"]) == {"gddt"}


def test_precision_counts_the_top_k_where_k_is_at_most_the_relevant_articles():
    assert precision_at_k(["a", "x", "b"], {"a", "b"}) == 0.5  # k = 2: a, x
    assert precision_at_k(["x"] + [str(i) for i in range(20)], {str(i) for i in range(20)}) == 0.9  # k = 10
    assert precision_at_k(None, {"a"}) == 0.0  # a rejected query finds nothing
    assert precision_at_k(["a"], set()) is None  # nothing to find: not scored


def test_a_longer_prefix_with_a_larger_total_is_a_widening_unless_either_was_partial():
    totals = {"a b": (5, False), "a b c": (9, False), "a b c d": (20, True), "x y": (3, False), "x y z": (2, False)}
    found = widenings([["a b", "a b c", "a b c d"], ["x y", "x y z"]], totals)
    assert (found.pairs, found.compared) == (3, 2)
    assert found.grew == [("a b", 5, "a b c", 9)]
    assert isinstance(found, Widening)


def test_collocations_are_noun_phrases_and_names_of_two_or_three_words_without_numbers():
    found = set(collocations("Giá vàng hôm nay tăng mạnh, Hà Nội có 20 ca"))
    assert {"Giá vàng", "Hà Nội"} <= found
    assert all(2 <= len(c.split()) <= 3 and not any(ch.isdigit() for ch in c) for c in found)


def test_rewriting_a_section_keeps_the_other_sections_and_the_notes_below_its_kept_line(tmp_path):
    results = tmp_path / "RESULTS.md"
    results.write_text(f"# Benchmarks\n\n## Precision\n\nold table\n\n{KEPT}\n\nA note by hand.\n\n## Load\n\nload table\n", encoding="utf-8")
    write_section(results, f"## Precision\n\nnew table\n\n{KEPT}\n")
    text = results.read_text(encoding="utf-8")
    assert "new table" in text and "old table" not in text
    assert text.index("new table") < text.index("A note by hand.") < text.index("## Load") < text.index("load table")
    assert text.count(KEPT) == 1
