"""Corpus files → articles: what ends up searchable, and what the user is told about the rest."""

import datetime as dt
import hashlib
import json
import unicodedata
from pathlib import Path

import pytest

from indexer.article import Article, Problem
from indexer.parse import parse
from indexer.read import MAX_FILE_BYTES, SourceFile, iter_sources
from vietnamese.text import TONE_MARKS

CORPUS = Path(__file__).parents[1] / "corpus"
DANTRI = Path(__file__).parents[2] / "shared" / "corpora" / "dantri-unc"


def ingest(*paths) -> tuple[list[Article], list[Problem]]:
    articles, problems = [], []
    for item in iter_sources(paths):
        if isinstance(item, Problem):
            problems.append(item)
        else:
            found, trouble = parse(item)
            articles += found
            problems += trouble
    return articles, problems


def reasons(problems: list[Problem]) -> list[str]:
    return [p.reason for p in problems]


# --- the five seed pages ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def seeds() -> dict[str, Article]:
    articles, problems = ingest(CORPUS)
    assert problems == []
    return {a.id: a for a in articles}


@pytest.mark.parametrize(
    "doc_id, title, date, author, url",
    [
        (
            "000_a2a52fa9db34178e",
            "Ủy ban MTTQ Việt Nam quận Hai Bà Trưng được Thành ủy Hà Nội tặng bằng khen tập thể có thành tích xuất sắc năm 2023",
            dt.date(2024, 1, 28),
            "Nguyễn Hiền Phương",
            None,
        ),
        (
            "001_5eb4c6df541e3a06",
            "Ủy ban MTTQ quận Hoàn Kiếm tổng kết công tác năm 2020, triển khai chương trình năm 2021",
            dt.date(2021, 1, 12),
            "Bích Ngọc",
            None,
        ),
        (
            "002_6ee3cc54828fb5d5",
            "Uỷ ban MTTQ Việt Nam quận Thanh Xuân tổ chức hội nghị phát động thi đua, ký kết chương trình phối hợp công tác năm 2024",
            dt.date(2024, 1, 31),
            None,  # signed by an organisation, which stays in the body
            None,
        ),
        (
            "003_8df283ffd8d0e08d",
            "Cụm Thi đua số 2, Ủy ban MTTQ Việt Nam thành phố Hà Nội triển khai nhiệm vụ năm 2023",
            dt.date(2022, 11, 9),
            "Hoàng Điệp",
            None,
        ),
        (
            "004_ec62dcd9ac68ca3c",
            "Quận Thanh Xuân: nỗ lực để công tác mặt trận luôn hướng về cơ sở",
            dt.date(2024, 6, 14),  # "Ngày 14/6" + "Đại hội … nhiệm kỳ 2024-2029"
            "Hồng Thái",
            "https://kinhtedothi.vn/quan-thanh-xuan-no-luc-de-cong-tac-mat-tran-luon-huong-ve-co-so.html",
        ),
    ],
)
def test_seed_metadata(seeds, doc_id, title, date, author, url):
    article = seeds[doc_id]
    assert (article.title, article.date, article.author, article.url) == (title, date, author, url)


@pytest.mark.parametrize(
    "doc_id, opening, closing",
    [
        ("000_a2a52fa9db34178e", "Tại hội nghị tổng kết công tác Mặt trận năm 2023,", "ngày càng giàu đẹp, văn minh, hiện đại./"),
        ("001_5eb4c6df541e3a06", "Sáng ngày 08/01/2021 tại hội trường tầng 4", "trao tặng Giấy khen đối với các tập thể xuất sắc."),
        ("002_6ee3cc54828fb5d5", "Sáng ngày 31/01/2024, Uỷ ban MTTQ Việt Nam quận Thanh Xuân", "năm 2024.\n\nUỷ ban MTTQ quận Thanh Xuân"),
        ("003_8df283ffd8d0e08d", "HNP - Ngày 9/11, tại quận Thanh Xuân", "thực hiện hiệu quả các mục tiêu, kế hoạch đã đề ra."),
        ("004_ec62dcd9ac68ca3c", "Ngày 14/6, Ủy ban MTTQ quận Thanh Xuân tổ chức Đại hội", "2 Ủy viên Thường trực cho nhiệm kỳ 2024-2029."),
    ],
)
def test_seed_body_is_the_article_text_from_lead_to_last_paragraph(seeds, doc_id, opening, closing):
    body = seeds[doc_id].body
    assert body.startswith(opening)
    assert body.endswith(closing)


LEFTOVERS = [
    "Các tin tức khác",
    "danh mục tin tức",
    "Bình chọn",
    "Kết quả bình chọn",
    "Theo bạn Hà Nội có nên xây dựng thành phố thông minh",
    "Latest news",
    "Other news",
    "view Search",
    "Write your comment",
    "Full name",
    "Phone number",
    "Content:(*)",
    "Capcha",
    "Thông tin hoạt động Đảng",
    "Lượt xem",
    "06:20 PM",
    "16:14",
    "21:14",
    "Nguyễn Hiền Phương",
    "Bích Ngọc",
    "(UBMTTQ quận)",
    "Hoàng Điệp",
    "Hồng Thái",
    "Nguồn KTĐT",
    "kinhtedothi.vn",
]


@pytest.mark.parametrize("leftover", LEFTOVERS)
def test_boilerplate_date_byline_and_source_are_not_in_the_text(seeds, leftover):
    assert all(leftover not in a.body and leftover not in a.title for a in seeds.values())


def test_photo_captions_shown_twice_are_kept_once(seeds):
    body = seeds["004_ec62dcd9ac68ca3c"].body
    for caption in [
        "Đại diện các tầng lớp Nhân dân trên địa bàn quận chúc mừng Đại hội",
        "Ban Chấp hành Đảng bộ quận Thanh Xuân chúc mừng Đại hội",
        "Ủy ban MTTQ TP Hà Nội tặng hoa, chúc mừng Đại hội",
        "Bí thư Quận ủy Thanh Xuân Bùi Huyền Mai phát biểu tại Đại hội",
    ]:
        assert body.count(caption) == 1


def test_body_is_stripped_paragraphs_separated_by_a_blank_line(seeds):
    for article in seeds.values():
        paragraphs = article.body.split("\n\n")
        assert all(p and p == p.strip() and "\n" not in p for p in paragraphs)


def test_seed_districts_come_from_the_text(seeds):
    assert "Quận Hai Bà Trưng" in seeds["000_a2a52fa9db34178e"].districts
    assert "Quận Thanh Xuân" in seeds["004_ec62dcd9ac68ca3c"].districts


# --- .txt with "# key = value" header lines -----------------------------------------------------

HEADED = """# doc_id = news_society_002
# url = https://dantri.com.vn/xa-hoi/ha-noi-thanh-nien-20201218141249485.htm
# date = 20201218
Hà Nội: Thanh niên 20 tuổi đột tử trong quán game
Sự việc xảy ra vào khoảng 10h sáng nay 18/12.
Cơ quan chức năng đang điều tra.
"""


def test_headed_file_gives_metadata_title_and_body(tmp_path):
    (tmp_path / "society").mkdir()
    (tmp_path / "society" / "a.txt").write_text(HEADED, encoding="utf-8")
    [article], problems = ingest(tmp_path)
    assert problems == []
    assert article.id == "society/a"  # the file's path, not the doc_id header
    assert article.title == "Hà Nội: Thanh niên 20 tuổi đột tử trong quán game"
    assert article.body == "Sự việc xảy ra vào khoảng 10h sáng nay 18/12.\n\nCơ quan chức năng đang điều tra."
    assert article.date == dt.date(2020, 12, 18)
    assert article.url == "https://dantri.com.vn/xa-hoi/ha-noi-thanh-nien-20201218141249485.htm"


@pytest.mark.parametrize(
    "header, reason",
    [
        ("# date = 20201332", "dòng đầu date '20201332' không phải ngày hợp lệ"),
        ("# url = javascript:alert(1)", "dòng đầu url 'javascript:alert(1)' không phải địa chỉ http(s)"),
    ],
)
def test_headed_file_with_bad_metadata_is_refused(tmp_path, header, reason):
    (tmp_path / "a.txt").write_text(f"{header}\nTiêu đề\nNội dung.\n", encoding="utf-8")
    assert ingest(tmp_path) == ([], [Problem(str(tmp_path / "a.txt"), reason)])


def test_dantri_corpus_parses_completely():
    if not DANTRI.is_dir():
        pytest.skip("../shared/corpora/dantri-unc is not here")
    articles, problems = ingest(DANTRI)
    assert problems == []
    assert len(articles) == len(list(DANTRI.glob("*.txt")))
    assert all(a.date and a.url and a.title and a.body for a in articles)


# --- .jsonl -------------------------------------------------------------------------------------


def jsonl_line(**record) -> str:
    return json.dumps({"id": "x", "title": "Tiêu đề", "body": "Nội dung.", **record}, ensure_ascii=False)


def test_jsonl_good_lines_are_articles_and_each_bad_line_a_problem(tmp_path):
    lines = [
        jsonl_line(id=7, date="2024-01-28", url="https://example.vn/a", author="Hồng Thái", body="Đoạn một.\r\n\r\n  Đoạn hai.  "),
        "{not json",
        "[1, 2]",
        json.dumps({"title": "T", "body": "B"}),
        jsonl_line(id="b", title="  "),
        jsonl_line(id="c", body=3),
        jsonl_line(id="d", date="2024-02-30"),
        jsonl_line(id=True),
        jsonl_line(id="e", url="javascript:alert(1)"),
        jsonl_line(id="f", districts="Quận Thanh Xuân"),
        "",
        jsonl_line(id="7"),
        jsonl_line(id="g"),
    ]
    path = tmp_path / "news.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    articles, problems = ingest(path)

    assert [a.id for a in articles] == ["7", "g"]
    first = articles[0]
    assert (first.title, first.body, first.date, first.url, first.author) == (
        "Tiêu đề", "Đoạn một.\n\nĐoạn hai.", dt.date(2024, 1, 28), "https://example.vn/a", "Hồng Thái",
    )
    where = {p.path.rsplit(":", 1)[1]: p.reason for p in problems}
    assert all(p.path.startswith(str(path) + ":") for p in problems)
    assert where == {
        "2": where["2"],
        "3": "không phải một đối tượng JSON",
        "4": "thiếu id",
        "5": "title để trống",
        "6": "body phải là một chuỗi",
        "7": "date '2024-02-30' không phải ngày hợp lệ",
        "8": "id phải là một chuỗi hoặc một số nguyên",
        "9": "url 'javascript:alert(1)' không phải địa chỉ http(s)",
        "10": "districts phải là một danh sách tên",
        "12": "id '7' đã được dùng ở dòng 1",
    }
    assert where["2"].startswith("không phải JSON hợp lệ")


def test_jsonl_line_that_is_not_text_spoils_only_itself(tmp_path):
    path = tmp_path / "news.jsonl"
    path.write_bytes(jsonl_line(id="a").encode() + b"\n" + b'{"id": "b", \xff\xfe\x81}\n' + jsonl_line(id="c").encode())
    articles, problems = ingest(path)
    assert [a.id for a in articles] == ["a", "c"]
    assert [p.path for p in problems] == [f"{path}:2"]


def test_jsonl_line_over_2_mib_is_refused(tmp_path):
    path = tmp_path / "big.jsonl"
    path.write_text(jsonl_line(id="big", body="x" * (2 * 1024 * 1024)) + "\n" + jsonl_line(id="ok"), encoding="utf-8")
    articles, problems = ingest(path)
    assert [a.id for a in articles] == ["ok"]
    assert reasons(problems) == ["dòng lớn hơn giới hạn 2 MiB cho một bài"]


def test_jsonl_districts_are_made_canonical(tmp_path):
    path = tmp_path / "news.jsonl"
    path.write_text(jsonl_line(districts=["Quận Thanh Xuân"]), encoding="utf-8")
    [article], _ = ingest(path)
    assert article.districts == ("Quận Thanh Xuân",)


def test_character_references_left_in_plain_text_are_decoded(tmp_path):
    """Scraped text keeps some of its page's HTML references: shown as they are, ``&quot;`` is noise,
    and ``lúc&nbsp11h`` hides "11h" from a search. Text that only looks like one stays (AT&T, R&D)."""
    text = "# date = 20210429\nGiá vàng &quot;đảo chiều&quot;\nCụ thể, lúc&nbsp11h hôm nay, AT&T và R&D &amp; M&A.\n"
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    (tmp_path / "b.jsonl").write_text(jsonl_line(title="Giá vàng &#8220;đảo chiều&#8221;", body="lúc&nbsp;11h"), encoding="utf-8")
    [headed, record], problems = ingest(tmp_path)
    assert problems == []
    assert headed.title == 'Giá vàng "đảo chiều"'
    assert headed.body == "Cụ thể, lúc\xa011h hôm nay, AT&T và R&D & M&A."
    assert record.title == "Giá vàng “đảo chiều”" and record.body == "lúc\xa011h"


# --- finding and reading files ------------------------------------------------------------------


def test_walk_finds_txt_and_jsonl_in_sorted_order_skipping_hidden_and_other_files(tmp_path):
    for name in ["b.txt", "a/c.jsonl", "a/z.txt", ".hidden.txt", ".git/d.txt", "notes.md", "e.TXT"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("Tiêu đề\nNội dung.\n", encoding="utf-8")
    sources = list(iter_sources([tmp_path, tmp_path / "b.txt"]))  # b.txt twice: read once
    assert [s.doc_id for s in sources] == ["a/c", "a/z", "b", "e"]
    source = sources[0]
    assert isinstance(source, SourceFile)
    assert source.path == (tmp_path / "a" / "c.jsonl").resolve() and source.path.is_absolute()
    assert source.root == tmp_path.resolve()
    assert source.digest == hashlib.sha256(source.data).hexdigest()


def test_a_file_named_directly_has_its_directory_as_root(tmp_path):
    (tmp_path / "a.txt").write_text("Tiêu đề\nNội dung.\n", encoding="utf-8")
    [source] = iter_sources([tmp_path / "a.txt"])
    assert (source.doc_id, source.root) == ("a", tmp_path.resolve())


@pytest.mark.parametrize(
    "name, data, reason",
    [
        ("empty.txt", b"", "tệp rỗng"),
        ("blank.txt", b"  \n\n", "tệp rỗng"),
        ("image.txt", b"GIF89a\x00\x01\x00", "tệp nhị phân, không phải văn bản"),
        ("big.txt", b"x" * (MAX_FILE_BYTES[".txt"] + 1), "lớn hơn giới hạn 2 MiB cho tệp .txt"),
        ("big.jsonl", b"x" * (MAX_FILE_BYTES[".jsonl"] + 1), "lớn hơn giới hạn 20 MiB cho tệp .jsonl"),
    ],
)
def test_unusable_files_are_reported(tmp_path, name, data, reason):
    (tmp_path / name).write_bytes(data)
    assert list(iter_sources([tmp_path])) == [Problem(str(tmp_path / name), reason)]


def test_missing_unreadable_and_wrong_kind_of_paths_are_reported(tmp_path):
    (tmp_path / "broken.txt").symlink_to(tmp_path / "nowhere")
    (tmp_path / "notes.md").write_text("x", encoding="utf-8")
    items = list(iter_sources([tmp_path / "missing", tmp_path, tmp_path / "notes.md"]))
    assert reasons(items) == [
        "không có tệp hay thư mục này",
        "liên kết tượng trưng hỏng (đích của nó không tồn tại)",
        "không phải tệp .txt, .jsonl hay .html",
    ]


# --- encodings ----------------------------------------------------------------------------------

PAGE = "Quận Thanh Xuân: nỗ lực để công tác mặt trận luôn hướng về cơ sở\nNgày 14/6, Ủy ban MTTQ quận tổ chức Đại hội.\n"


def cp1258(text: str) -> bytes:
    """Text as Windows-1258 writes it: base letter (with its own diacritic) plus a combining tone mark."""
    letters = []
    for ch in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", ch)
        tone = "".join(c for c in parts if c in TONE_MARKS)
        letters.append(unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONE_MARKS)) + tone)
    return "".join(letters).encode("cp1258")


@pytest.mark.parametrize(
    "data",
    [
        PAGE.encode("utf-8"),
        b"\xef\xbb\xbf" + PAGE.replace("\n", "\r\n").encode("utf-8"),
        PAGE.encode("utf-16"),
        unicodedata.normalize("NFD", PAGE).encode("utf-8"),
        cp1258(PAGE),
    ],
    ids=["utf-8", "utf-8 with BOM and CRLF", "utf-16", "utf-8 NFD", "windows-1258"],
)
def test_vietnamese_text_is_read_in_every_encoding_it_comes_in(tmp_path, data):
    (tmp_path / "a.txt").write_bytes(data)
    [article], problems = ingest(tmp_path)
    assert problems == []
    assert article.title == "Quận Thanh Xuân: nỗ lực để công tác mặt trận luôn hướng về cơ sở"
    assert article.body == "Ngày 14/6, Ủy ban MTTQ quận tổ chức Đại hội."


@pytest.mark.parametrize(
    "data",
    [
        bytes(range(0x80, 0x100)) * 8,  # gibberish
        "Le café est très bon à Paris.\nÇa coûte cher.".encode("latin-1"),  # not Vietnamese
        "Nội dung".encode("utf-8").replace(b"\xe1", b"\xe1\xff"),  # damaged UTF-8
    ],
    ids=["gibberish", "latin-1 French", "damaged utf-8"],
)
def test_text_in_no_known_encoding_is_refused(tmp_path, data):
    (tmp_path / "a.txt").write_bytes(data)
    articles, problems = ingest(tmp_path)
    assert articles == []
    assert [p.path for p in problems] == [str((tmp_path / "a.txt").resolve())]
    assert reasons(problems)[0].startswith("không phải văn bản UTF-8")
