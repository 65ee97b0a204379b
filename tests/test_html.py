"""Saved web pages (.html, .htm): the article is indexed, the page around it is not."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from collections import Counter
from pathlib import Path

import lxml.html
import pytest

from indexer.build import build_index
from indexer.parse import parse
from indexer.read import iter_sources
from search.engine import SearchEngine
from tests.conftest import SHARED, ids

DATA = Path(__file__).parent / "data" / "pages"
FIXTURE = DATA / "thanh-xuan-hoi-nghi.html"
VNEXPRESS = SHARED / "pages" / "vnexpress-2025-10-22.html"
VNEXPRESS_GOLD = SHARED / "pages" / "vnexpress-2025-10-22.gold.json"


def article_of(path: Path):
    (source,) = iter_sources([path])
    articles, problems = parse(source)
    assert not problems
    (article,) = articles
    return article


def token_f1(found: str, expected: str) -> float:
    def tokens(text: str) -> Counter:
        return Counter(re.findall(r"\w+", text.lower()))

    got, want = tokens(found), tokens(expected)
    common = sum((got & want).values())
    if not common:
        return 0.0
    precision, recall = common / sum(got.values()), common / sum(want.values())
    return 2 * precision * recall / (precision + recall)


@pytest.mark.skipif(not VNEXPRESS.exists(), reason="../shared/pages is not here")
def test_a_real_vnexpress_page_gives_its_article_and_none_of_the_page_around_it() -> None:
    gold = json.loads(VNEXPRESS_GOLD.read_text(encoding="utf-8"))["V1"]
    article = article_of(VNEXPRESS)
    assert article.title == gold["title"]
    assert article.date == dt.date.fromisoformat(gold["publishing_date"][:10])
    assert [article.author] == gold["authors"]
    assert article.url == "https://vnexpress.net/dau-bung-keo-dai-phat-hien-ung-thu-lymphoma-ruot-non-4954454.html"
    paragraphs = [p for section in gold["body"]["sections"] for p in section["paragraphs"]]
    assert token_f1(article.body, "\n".join(paragraphs)) >= 0.95
    # No link of the page's menus, section lists and footer is in the article, unless the article says it.
    page = lxml.html.fromstring(VNEXPRESS.read_text(encoding="utf-8"))
    links = {" ".join(a.text_content().split()) for a in page.iter("a")} - {""}
    navigation = {text for text in links if text not in "\n".join(paragraphs)}
    assert len(navigation) > 20
    assert [text for text in navigation if text in article.body] == []


def test_a_saved_page_gives_title_date_author_and_canonical_url() -> None:
    article = article_of(FIXTURE)
    assert article.title == "Quận Thanh Xuân tổ chức hội nghị tổng kết công tác Mặt trận"
    assert article.date == dt.date(2023, 12, 15)
    assert article.author == "Minh Anh"
    assert article.url == "https://thanhxuan.example.vn/tin-tuc/hoi-nghi-tong-ket-cong-tac-mat-tran-1234.html"
    assert article.districts == ("Quận Thanh Xuân",)
    assert article.body.startswith("Sáng ngày 15/12, Ủy ban Mặt trận Tổ quốc quận Thanh Xuân")
    assert article.body.endswith("được khen thưởng.")


@pytest.mark.parametrize(
    "boilerplate",
    ["Trang chủ", "Văn bản chỉ đạo", "Chia sẻ", "In bài viết", "Tin liên quan", "Đống Đa ra quân", "bình luận",
     "Họ và tên", "Bản quyền", "Khuất Duy Tiến"],
)
def test_menus_related_links_share_bars_comment_forms_and_footers_stay_out(boilerplate: str) -> None:
    assert boilerplate.lower() not in article_of(FIXTURE).body.lower()


def test_a_page_with_a_printed_vietnamese_date_and_no_metadata_gets_that_date(tmp_path: Path) -> None:
    page = tmp_path / "trang.htm"
    page.write_text(
        "<html lang='vi'><body><h1>Phường Khương Mai trao quà</h1>"
        "<p>Ngày 14/6, Ủy ban phường Khương Mai trao quà cho các gia đình chính sách nhân dịp kỷ niệm, "
        "với sự tham dự của đại diện các tổ dân phố và hội cựu chiến binh phường trong năm 2024.</p>"
        "<p>Theo kế hoạch ban hành ngày 14/6/2024, đại diện phường trao tặng ba mươi suất quà. "
        "Hoạt động này được tổ chức thường xuyên hằng năm nhằm tri ân những người có công với cách mạng.</p>"
        "</body></html>",
        encoding="utf-8",
    )
    article = article_of(page)
    assert article.title == "Phường Khương Mai trao quà"
    assert article.date == dt.date(2024, 6, 14)  # the event's day, its year written in the text


def test_a_page_in_another_language_is_skipped_but_a_template_saying_en_does_not_hide_vietnamese(tmp_path: Path) -> None:
    english = tmp_path / "english.html"
    english.write_text(
        "<html lang='en'><body><article><h1>City council meets</h1><p>The city council met on Monday to "
        "discuss the budget for the coming year, and agreed on new spending for schools and roads.</p>"
        "<p>Members also heard residents speak about parking in the old quarter.</p></article></body></html>",
        encoding="utf-8",
    )
    corpus_page = tmp_path / "template-en.html"
    corpus_page.write_text(FIXTURE.read_text(encoding="utf-8").replace('lang="vi"', 'lang="en-US"'), encoding="utf-8")
    (source,) = iter_sources([english])
    assert parse(source)[1][0].reason == "trang không viết bằng tiếng Việt (lang=en)"
    assert article_of(corpus_page).title == "Quận Thanh Xuân tổ chức hội nghị tổng kết công tác Mặt trận"


def test_html_pages_are_indexed_and_searchable_next_to_text_files(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "trang").mkdir(parents=True)
    shutil.copy(FIXTURE, corpus / "trang" / "hoi-nghi.html")
    (corpus / "bai.txt").write_text("Tiêu đề bài\nNội dung bài viết về phường Bạch Mai.\n", encoding="utf-8")
    report = build_index([corpus], tmp_path / "index", progress=False)
    assert (report.added, report.problems) == (2, [])
    engine = SearchEngine(tmp_path / "index")
    assert ids(engine, "quy vi nguoi ngheo") == ["trang/hoi-nghi"]
    assert "Đống Đa" not in engine.document("trang/hoi-nghi").body  # the related links were not indexed
    again = build_index([corpus], tmp_path / "index", progress=False)
    assert (again.added, again.unchanged) == (0, 2)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "tệp rỗng"),
        (b"<html>\x00\x01\x02</html>", "tệp nhị phân"),
        (b"<html><body><nav><a href='/'>Trang ch\xe1\xbb\xa7</a></nav></body></html>", "không tìm thấy tiêu đề"),
        (b"<html><body>" + b"<p>x</p>" * (1024 * 1024) + b"</body></html>", "lớn hơn giới hạn 5 MiB"),
    ],
)
def test_an_unusable_html_file_is_reported_and_skipped(tmp_path: Path, content: bytes, reason: str) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "bad.html").write_bytes(content)
    shutil.copy(FIXTURE, corpus / "good.html")
    report = build_index([corpus], tmp_path / "index", progress=False)
    assert report.added == 1
    (problem,) = report.problems
    assert problem.path.endswith("bad.html") and reason in problem.reason
