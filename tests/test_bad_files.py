"""Bad corpus files: each reported by path and reason, every other document indexed, a rerun the same.

Scraped corpora arrive broken, in pre-Unicode Vietnamese encodings, or twice
under two roots; one bad file must never cost the others, nor go unmentioned.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import unicodedata
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.article import Problem
from indexer.build import IndexReport, build_index
from indexer.decode import DecodeError, decode
from indexer.parse import parse
from indexer.read import MAX_FILE_BYTES, SourceFile
from search.engine import SearchEngine
from search.model import SearchRequest
from vnsearch.cli import EXIT_SKIPPED, main

CORPUS = Path(__file__).parents[1] / "corpus"
DANTRI = Path(__file__).parents[2] / "shared" / "corpora" / "dantri-unc"
SEED = CORPUS / "000_a2a52fa9db34178e.txt"

TITLE = "Cộng hòa xã hội chủ nghĩa Việt Nam"
BODY = "Độc lập - Tự do - Hạnh phúc, thành phố Hà Nội, quận Cầu Giấy."
# The same page as pre-Unicode fonts stored it, spelled as any Windows-1252 viewer shows
# such files: written down independently of the conversion table, so they check it.
LEGACY_PAGES = {
    "tcvn3": "Céng hßa x· héi chñ nghÜa ViÖt Nam\n§éc lËp - Tù do - H¹nh phóc, thµnh phè Hµ Néi, quËn CÇu GiÊy.\n",
    "vni": "Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam\nÑoäc laäp - Töï do - Haïnh phuùc, thaønh phoá Haø Noäi, quaän Caàu Giaáy.\n",
}
# Windows-1258 writes a tone as a combining mark after the letter: "Hà" is H, a, U+0300 (0xCC).
CP1258_PAGE = (
    b"C\xf4\xf2ng ho\xcca xa\xde h\xf4\xf2i chu\xd2 nghi\xdea Vi\xea\xf2t Nam\n"
    b"\xd0\xf4\xf2c l\xe2\xf2p - T\xfd\xf2 do - Ha\xf2nh phu\xecc, tha\xccnh ph\xf4\xec Ha\xcc N\xf4\xf2i, "
    b"qu\xe2\xf2n C\xe2\xccu Gi\xe2\xecy.\n"
)
UNREADABLE = "không phải văn bản UTF-8, cũng không phải tiếng Việt mã Windows-1258, VNI hay TCVN3"


def source(data: bytes, name: str = "a.txt") -> SourceFile:
    return SourceFile(Path("/corpus") / name, Path("/corpus"), Path(name).stem, data, "0" * 64)


# --- legacy encodings ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [LEGACY_PAGES["tcvn3"].encode("cp1252"), LEGACY_PAGES["vni"].encode("cp1252"), CP1258_PAGE],
    ids=["tcvn3", "vni", "windows-1258"],
)
def test_legacy_vietnamese_is_converted(data: bytes) -> None:
    [article], problems = parse(source(data))
    assert problems == []
    assert (article.title, article.body) == (TITLE, BODY)


def _legacy_encoder(column: int):
    """An encoder built from the conversion table: letter → legacy bytes, the rest as Windows-1252.

    TCVN3 has no capitals with a tone (fonts drew them from the lowercase codes),
    so those are written lowercase and come back lowercase.
    """
    table = {}
    text = resources.files("indexer").joinpath("data", "legacy_encodings.tsv").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line and not line.startswith("#"):
            fields = line.split("\t")
            if fields[column] != "-":
                table[fields[0]] = bytes.fromhex(fields[column])

    def encode(text: str) -> tuple[bytes, str]:
        data, kept = [], []
        for ch in unicodedata.normalize("NFC", text):
            if ch not in table and not ch.isascii() and ch.lower() in table:
                ch = ch.lower()
            data.append(table.get(ch) or ch.encode("cp1252"))
            kept.append(ch)
        return b"".join(data), "".join(kept)

    return encode


@pytest.mark.parametrize("column, name", [(1, "tcvn3"), (2, "vni")])
def test_whole_articles_survive_a_legacy_encoding(column: int, name: str) -> None:
    """Every seed page (and every Dân trí article when ../shared is here) comes back letter for letter."""
    encode = _legacy_encoder(column)
    pages = sorted(CORPUS.glob("*.txt")) + (sorted(DANTRI.glob("*.txt"))[:200] if DANTRI.is_dir() else [])
    converted = 0
    for page in pages:
        text = page.read_text(encoding="utf-8").replace("\r\n", "\n")
        try:
            data, expected = encode(text)
        except UnicodeEncodeError:
            continue  # a character Windows-1252 cannot write: such a page cannot exist in this encoding
        # ñ, ö, ® in a foreign name are letters of the legacy encoding too: no converter can tell.
        if any(ch in expected for ch in "ñÑöÖ®üÜæÆ"):
            continue
        assert decode(data) == unicodedata.normalize("NFC", expected), f"{page.name} in {name}"
        converted += 1
    # One seed page holds U+FFFD (its scraper's replacement character), which no legacy encoding can write.
    assert converted >= len(list(CORPUS.glob("*.txt"))) - 1


@given(st.binary(max_size=300))
@settings(max_examples=300, deadline=None)
def test_any_bytes_decode_to_clean_text_or_a_plain_refusal(data: bytes) -> None:
    try:
        text = decode(data)
    except DecodeError as error:
        assert str(error)
        return
    assert unicodedata.is_normalized("NFC", text) and "\r" not in text


@given(st.binary(max_size=400), st.sampled_from(["a.txt", "a.jsonl"]))
@settings(max_examples=300, deadline=None)
def test_parsing_any_bytes_gives_articles_or_problems_never_an_exception(data: bytes, name: str) -> None:
    articles, problems = parse(source(data, name))
    assert all(a.id and a.title and a.body for a in articles)
    assert all(p.path.startswith(f"/corpus/{name}") and p.reason for p in problems)


# --- a corpus with every kind of bad file ------------------------------------------------------


def jsonl(**record: str) -> str:
    return json.dumps({"title": "Tin Hà Nội", "body": "Nội dung bài viết về quận Cầu Giấy.", **record}, ensure_ascii=False)


@pytest.fixture
def corpus(tmp_path: Path) -> tuple[list[Path], dict[str, str], set[str]]:
    """Two roots of good and bad files: (roots, {path: reason} expected, ids expected in the index)."""
    one, two = tmp_path / "one", tmp_path / "two"
    files: dict[str, bytes] = {
        "one/good.txt": SEED.read_bytes(),
        "one/legacy/tcvn3.txt": LEGACY_PAGES["tcvn3"].encode("cp1252"),
        "one/legacy/vni.txt": LEGACY_PAGES["vni"].encode("cp1252"),
        "one/legacy/cp1258.txt": CP1258_PAGE,
        "one/bad/invalid-utf8.txt": "Tin Hà Nội\nNội dung bài viết.".encode().replace(b"\xe1", b"\xe1\xff"),
        "one/bad/russian-koi8.txt": "Новости Москвы\nСегодня в городе прошёл праздник.".encode("koi8-r"),
        "one/bad/picture.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        "one/bad/empty.txt": b"",
        "one/bad/huge.txt": b"Tin\n" + b"x" * MAX_FILE_BYTES[".txt"],
        "one/news.jsonl": "\n".join(
            [jsonl(id="j1"), jsonl(id="j2", title="Tin Ba Đình"), '{"id": "j3", "title": broken', jsonl(id="j4")]
        ).encode(),
        "one/shared/same.txt": "Tin ở gốc một\nBài viết ở thư mục thứ nhất.\n".encode(),
        "two/shared/same.txt": "Tin ở gốc hai\nBài viết ở thư mục thứ hai.\n".encode(),
    }
    for name, data in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    (tmp_path / os.fsdecode(b"one/bad/name-\xff.txt")).write_bytes(SEED.read_bytes())

    def at(name: str) -> str:
        return str(tmp_path / name)

    problems = {
        at("one/bad/invalid-utf8.txt"): UNREADABLE,
        at("one/bad/russian-koi8.txt"): UNREADABLE,
        at("one/bad/picture.txt"): "tệp nhị phân, không phải văn bản",
        at("one/bad/empty.txt"): "tệp rỗng",
        at("one/bad/huge.txt"): "lớn hơn giới hạn 2 MiB cho tệp .txt",
        at("one/news.jsonl") + ":3": "không phải JSON hợp lệ (lỗi ở cột 23)",
        at("two/shared/same.txt"): f"mã bài 'shared/same' đã được dùng ở {at('one/shared/same.txt')}; bỏ qua",
        at("one/bad/name-\\xff.txt"): "tên tệp không phải UTF-8 hợp lệ; hãy đổi tên tệp",
    }
    ids = {"good", "legacy/tcvn3", "legacy/vni", "legacy/cp1258", "j1", "j2", "j4", "shared/same"}
    return [one, two], problems, ids


def reported(report: IndexReport) -> dict[str, str]:
    assert len({p.path for p in report.problems}) == len(report.problems), "each problem reported once"
    return {p.path: p.reason for p in report.problems}


def indexed(index_dir: Path) -> dict[str, str]:
    """Every document in the index: id → title."""
    engine = SearchEngine(index_dir)
    results = engine.search(SearchRequest(size=100))
    assert results.total == engine.document_count()
    return {hit.id: hit.title for hit in results.hits}


def test_each_bad_file_is_reported_and_every_other_document_indexed(corpus, tmp_path: Path) -> None:
    roots, problems, ids = corpus
    report = build_index(roots, tmp_path / "index", progress=False)
    assert reported(report) == problems
    assert (report.added, report.skipped) == (len(ids), len(problems))
    titles = indexed(tmp_path / "index")
    assert set(titles) == ids
    assert titles["legacy/tcvn3"] == titles["legacy/vni"] == titles["legacy/cp1258"] == TITLE
    assert titles["shared/same"] == "Tin ở gốc một"  # the first root wins, the second is reported


def test_a_second_run_finds_the_same_documents_and_writes_nothing(corpus, tmp_path: Path) -> None:
    roots, problems, ids = corpus
    build_index(roots, tmp_path / "index", progress=False)
    before = indexed(tmp_path / "index")
    report = build_index(roots, tmp_path / "index", progress=False)
    assert (report.added, report.updated, report.removed, report.unchanged) == (0, 0, 0, len(ids))
    assert indexed(tmp_path / "index") == before


def test_a_second_run_leaves_the_index_generation_alone(corpus, tmp_path: Path) -> None:
    roots, _, _ = corpus
    build_index(roots, tmp_path / "index", progress=False)
    generation = SearchEngine(tmp_path / "index").generation()
    build_index(roots, tmp_path / "index", progress=False)
    assert SearchEngine(tmp_path / "index").generation() == generation


def test_a_second_run_reports_the_same_problems(corpus, tmp_path: Path) -> None:
    roots, problems, _ = corpus
    build_index(roots, tmp_path / "index", progress=False)
    assert reported(build_index(roots, tmp_path / "index", progress=False)) == problems


def test_the_command_names_every_skipped_file_and_exits_1(corpus, tmp_path: Path, capsys) -> None:
    roots, problems, ids = corpus
    status = main(["index", *map(str, roots), "--index-dir", str(tmp_path / "index")])
    out, err = capsys.readouterr()
    assert status == EXIT_SKIPPED
    assert f"{len(ids)} thêm mới" in out and f"{len(problems)} bỏ qua" in out
    lines = err.splitlines()
    for path, reason in problems.items():
        assert f"bỏ qua {path}: {reason}" in lines


def test_a_file_that_turns_bad_is_reported_and_its_old_document_removed(tmp_path: Path) -> None:
    shutil.copy(SEED, tmp_path / "a.txt")
    build_index([tmp_path], tmp_path / ".index", progress=False)
    (tmp_path / "a.txt").write_bytes(b"\x00\x01binary now")
    report = build_index([tmp_path], tmp_path / ".index", progress=False)
    assert report.problems == [Problem(str(tmp_path / "a.txt"), "tệp nhị phân, không phải văn bản")]
    assert report.removed == 1 and indexed(tmp_path / ".index") == {}


# --- special files and symbolic links ----------------------------------------------------------


def index_command(*args: str) -> subprocess.CompletedProcess:
    """``vnsearch index`` in a subprocess, bounded in time: a FIFO or a device once made it wait forever."""
    command = [sys.executable, "-m", "vnsearch.cli", "index", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


@pytest.fixture
def special(tmp_path: Path) -> Path:
    """A corpus folder with one good page and every kind of file that is not one."""
    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    shutil.copy(SEED, corpus / "good.txt")
    os.mkfifo(corpus / "fifo.txt")
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(corpus / "socket.txt"))
    (corpus / "zero.txt").symlink_to("/dev/zero")
    (corpus / "loop1.txt").symlink_to("loop2.txt")
    (corpus / "loop2.txt").symlink_to("loop1.txt")
    (corpus / "sub" / "up").symlink_to("..")
    (corpus / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    return corpus


def test_special_files_and_link_loops_are_reported_and_the_run_goes_on(special: Path, tmp_path: Path) -> None:
    for extra in ([], ["--follow-links"]):
        done = index_command(str(special), "--index-dir", str(tmp_path / f"index{len(extra)}"), *extra)
        assert done.returncode == EXIT_SKIPPED, done.stderr
        assert "Traceback" not in done.stderr
        assert done.stdout.startswith("1 thêm mới")
        lines = done.stderr.splitlines()
        assert f"bỏ qua {special}/fifo.txt: không phải tệp thường (một FIFO)" in lines
        assert f"bỏ qua {special}/socket.txt: không phải tệp thường (một socket)" in lines
        assert f"bỏ qua {special}/loop1.txt: liên kết tượng trưng vòng; không theo" in lines
        assert f"bỏ qua {special}/sub/up: liên kết tượng trưng vòng (một thư mục đã duyệt); không theo" in lines
        assert f"bỏ qua {special}/gone.txt: liên kết tượng trưng hỏng (đích của nó không tồn tại)" in lines
        # A link to /dev/zero is refused unread: as leading outside, or, followed, as a device.
        zero = "không phải tệp thường (một thiết bị)" if extra else "liên kết tượng trưng tới /dev/zero, ngoài"
        assert any(line.startswith(f"bỏ qua {special}/zero.txt: {zero}") for line in lines)


def test_links_leading_outside_the_folder_are_followed_only_when_asked(tmp_path: Path) -> None:
    corpus, outside = tmp_path / "corpus", tmp_path / "outside"
    corpus.mkdir()
    outside.mkdir()
    (outside / "secret.txt").write_text("Mật khẩu\nKhông được đưa lên mạng.\n", encoding="utf-8")
    shutil.copy(SEED, corpus / "good.txt")
    (corpus / "inside.txt").symlink_to(corpus / "good.txt")  # the same file twice: indexed once
    (corpus / "secret.txt").symlink_to(outside / "secret.txt")
    index_dir = tmp_path / "index"

    report = build_index([corpus], index_dir, progress=False)
    assert set(indexed(index_dir)) == {"good"}
    assert report.problems == [
        Problem(
            str(corpus / "secret.txt"),
            f"liên kết tượng trưng tới {outside / 'secret.txt'}, ngoài {corpus}; không theo (xem --follow-links)",
        )
    ]
    build_index([corpus], index_dir, progress=False, follow_links=True)
    assert set(indexed(index_dir)) == {"good", "secret"}


@pytest.mark.parametrize("change", ["deleted", "no longer followed"])
def test_a_document_leaves_the_index_with_its_link(change: str, tmp_path: Path) -> None:
    corpus, elsewhere = tmp_path / "corpus", tmp_path / "elsewhere"
    corpus.mkdir()
    elsewhere.mkdir()
    shutil.copy(SEED, elsewhere / "page.txt")
    (corpus / "link.txt").symlink_to(elsewhere / "page.txt")
    index_dir = tmp_path / "index"
    build_index([corpus], index_dir, progress=False, follow_links=True)
    assert set(indexed(index_dir)) == {"link"}

    if change == "deleted":
        (corpus / "link.txt").unlink()
    report = build_index([corpus], index_dir, progress=False)  # without --follow-links: it now leads outside
    assert report.removed == 1
    assert indexed(index_dir) == {}


# --- a bounded cost per file -----------------------------------------------------------------


def test_a_flood_of_combining_marks_is_cut_before_normalising() -> None:
    """800,000 marks in a row once stalled NFC for hours; no letter needs more than a few."""
    text = decode(("Hà Nội\nNội dung a" + "\u0301\u0323" * 400_000 + " tiếp").encode())
    assert text.startswith("Hà Nội\nNội dung ") and text.endswith(" tiếp")
    assert len(text) < 40
    assert unicodedata.is_normalized("NFC", text)


def test_combining_marks_escaped_in_json_are_cut_too() -> None:
    record = {"id": "j", "title": "Tin", "body": "a" + "\u0301\u0323" * 100_000 + " Hà Nội"}
    [article], _ = parse(source(json.dumps(record).encode(), "a.jsonl"))
    assert len(article.body) < 20 and article.body.endswith("Hà Nội")


def test_pyvi_sees_long_runs_without_a_space_in_bounded_pieces() -> None:
    """pyvi's syllable pattern is quadratic in a run's length: ``a.a.a.…`` reaches it cut up."""
    from vietnamese.segment import MAX_RUN, segment

    words = segment("Ủy ban Mặt trận " + "a." * 20_000 + " " + "x" * 1000 + " Tổ quốc")
    assert words[:2] == ["Ủy_ban", "Mặt_trận"] and words[-1] == "Tổ_quốc"
    assert max(map(len, words)) <= MAX_RUN


def test_an_article_over_the_analysis_budget_is_skipped_and_the_run_goes_on(tmp_path: Path) -> None:
    from indexer.parse import MAX_ARTICLE_TOKENS

    shutil.copy(SEED, tmp_path / "good.txt")
    (tmp_path / "long.txt").write_text("Tiêu đề\n" + "a." * MAX_ARTICLE_TOKENS, encoding="utf-8")
    lines = [jsonl(id="ok"), jsonl(id="long", body="Hà Nội " * MAX_ARTICLE_TOKENS)]
    (tmp_path / "news.jsonl").write_text("\n".join(lines), encoding="utf-8")
    report = build_index([tmp_path], tmp_path / ".index", progress=False)
    too_long = f"hơn {MAX_ARTICLE_TOKENS:,} từ và dấu: quá dài cho một bài báo".replace(",", ".")
    assert reported(report) == {str(tmp_path / "long.txt"): too_long, f"{tmp_path / 'news.jsonl'}:2": too_long}
    assert set(indexed(tmp_path / ".index")) == {"good", "ok"}
