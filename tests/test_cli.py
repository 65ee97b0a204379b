"""The vnsearch command end to end, as a person runs it: real processes, real files."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from indexer.build import build_index
from tests.conftest import CORPUS, write_jsonl
from vnsearch.cli import main

VNSEARCH = [sys.executable, "-c", "import sys; from vnsearch.cli import main; sys.exit(main())"]


def run(*args: str, env: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*VNSEARCH, *args], capture_output=True, text=True, timeout=120, env={**os.environ, **(env or {})}, cwd=cwd
    )


def test_index_then_search(tmp_path: Path) -> None:
    index = str(tmp_path / "index")
    first = run("index", str(CORPUS), "--index-dir", index)
    assert first.returncode == 0, first.stderr
    assert "5 thêm mới, 0 cập nhật, 0 đã xoá, 0 không đổi, 0 bỏ qua" in first.stdout

    again = run("index", str(CORPUS), "--index-dir", index)
    assert "0 thêm mới, 0 cập nhật, 0 đã xoá, 5 không đổi, 0 bỏ qua" in again.stdout

    found = run("search", "hai ba trung", "--index-dir", index)
    assert found.returncode == 0
    assert "Có phải bạn muốn tìm: Hai Bà Trưng" in found.stdout
    assert "[Hai Bà Trưng]" in found.stdout  # marks shown in brackets on a terminal


def test_search_json_is_the_api_shape(tmp_path: Path) -> None:
    index = str(tmp_path / "index")
    run("index", str(CORPUS), "--index-dir", index)
    out = run(
        "search", "MTTQ", "--district", "thanh xuan", "--from", "2024-01-01", "--sort", "date", "--json",
        "--index-dir", index,
    )
    data = json.loads(out.stdout)
    assert list(data) == ["query", "total", "page", "size", "took_ms", "hits", "facets", "suggestion", "partial", "read_as", "corrections", "notice"]
    assert "title_html" in data["hits"][0]
    assert [h["id"] for h in data["hits"]] == ["004_ec62dcd9ac68ca3c", "002_6ee3cc54828fb5d5"]


def test_last_word_is_read_as_a_prefix_unless_no_prefix(tmp_path: Path) -> None:
    index = str(tmp_path / "index")
    assert run("index", str(CORPUS), "--index-dir", index).returncode == 0

    def first_snippet(*args: str) -> str:
        found = run("search", "hai ba tr", "--json", "--limit", "1", "--index-dir", index, *args)
        assert found.returncode == 0, found.stderr
        return json.loads(found.stdout)["hits"][0]["snippet"]

    assert "<mark>Hai Bà Trưng</mark>" in first_snippet()
    assert "<mark>Hai Bà</mark> Trưng" in first_snippet("--no-prefix")  # "tr" is no word: partial matches


def test_search_filters_by_province_and_current_ward(tmp_path: Path) -> None:
    corpus = write_jsonl(
        tmp_path / "corpus" / "a.jsonl",
        [
            {"id": "old", "title": "Dân vận", "body": "Phường Hàng Trống, quận Hoàn Kiếm tổng kết.", "date": "2021-03-10"},
            {"id": "new", "title": "Lễ hội", "body": "Lễ hội tại phường Hàm Rồng, tỉnh Thanh Hóa.", "date": "2026-02-03"},
        ],
    )
    index = str(tmp_path / "index")
    assert run("index", str(corpus.parent), "--index-dir", index).returncode == 0
    by_ward = json.loads(run("search", "", "--ward", "Hoàn Kiếm", "--json", "--index-dir", index).stdout)
    assert [h["id"] for h in by_ward["hits"]] == ["old"]
    by_province = run("search", "", "--province", "Thanh Hóa", "--index-dir", index)
    assert "1 kết quả" in by_province.stdout and "Phường Hàm Rồng, Thành phố Thanh Hóa" in by_province.stdout
    unknown = run("search", "", "--ward", "Không Có Đâu", "--index-dir", index)
    assert unknown.returncode != 0 and "Không biết phường/xã" in unknown.stderr


def test_default_index_dir_comes_from_the_environment(tmp_path: Path) -> None:
    env = {"VNSEARCH_INDEX_DIR": str(tmp_path / "env-index")}
    assert run("index", str(CORPUS), env=env).returncode == 0
    assert (tmp_path / "env-index").is_dir()
    assert "1 kết quả" in run("search", "Hoàn Kiếm", env=env).stdout


def test_skipped_files_are_reported_and_set_the_exit_status(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write_jsonl(corpus / "good.jsonl", [{"id": "a", "title": "Tin", "body": "Nội dung."}])
    (corpus / "empty.txt").write_text("")
    out = run("index", str(corpus), "--index-dir", str(tmp_path / "index"))
    assert out.returncode == 1
    assert "1 thêm mới" in out.stdout and "1 bỏ qua" in out.stdout
    assert "empty.txt" in out.stderr and "Traceback" not in out.stderr


def test_bad_input_is_a_plain_message(tmp_path: Path) -> None:
    index = str(tmp_path / "index")
    run("index", str(CORPUS), "--index-dir", index)
    out = run("search", "x", "--from", "hôm qua", "--index-dir", index)
    assert out.returncode == 2 and "YYYY-MM-DD" in out.stderr and "Traceback" not in out.stderr
    missing = run("search", "x", "--index-dir", str(tmp_path / "nothing"))
    assert missing.returncode == 2 and "vnsearch index" in missing.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_builds_the_index_when_there_is_none_and_serves(tmp_path: Path) -> None:
    port = _free_port()
    server = subprocess.Popen(
        [*VNSEARCH, "serve", "--port", str(port), "--index-dir", str(tmp_path / "index"), "--corpus", str(CORPUS)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as response:
                    assert json.load(response) == {"status": "ok", "documents": 5}
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail(f"server did not start: {server.stderr.read().decode() if server.poll() is not None else ''}")
                time.sleep(0.2)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/search?q=hai+ba+trung", timeout=10) as response:
            assert json.load(response)["hits"][0]["id"] == "000_a2a52fa9db34178e"
    finally:
        server.terminate()
        server.wait(timeout=10)
    said = server.stderr.read().decode()
    assert f"Chưa có chỉ mục trong {tmp_path / 'index'}: lập chỉ mục {CORPUS} trước…" in said
    assert f"Đang phục vụ 5 bài tại http://127.0.0.1:{port}/" in said


ARGPARSE_ENGLISH = ("usage", "options", "positional", "arguments", "show this help", "error", "invalid", "required")


@pytest.mark.parametrize(
    "args, says",
    [
        (["--help"], "Tìm kiếm toàn văn tin tức tiếng Việt."),
        (["index", "--help"], "tệp hoặc thư mục"),
        (["search", "--help"], "chỉ khớp đúng dấu"),
        (["serve", "--help"], "số luồng xử lý yêu cầu"),
        ([], "lỗi: thiếu tham số bắt buộc"),
        (["search"], "lỗi: thiếu tham số bắt buộc: TỪ_KHOÁ"),
        (["search", "x", "--limit", "mười"], "lỗi: tham số --limit: giá trị không hợp lệ: 'mười'"),
        (["search", "x", "--sort", "hot"], "lựa chọn không hợp lệ: 'hot' (chọn một trong 'relevance', 'date')"),
        (["serach", "x"], "lựa chọn không hợp lệ: 'serach'"),
        (["index", "--bogus"], "lỗi: không hiểu các tham số: --bogus"),
    ],
)
def test_the_command_speaks_vietnamese_help_and_errors_included(args: list[str], says: str, capsys) -> None:
    with pytest.raises(SystemExit):
        main(args)
    out, err = capsys.readouterr()
    said = out + err
    assert says in said and "cách dùng: vnsearch" in said
    assert not [word for word in ARGPARSE_ENGLISH if word in said.lower()], said


def test_index_problems_and_counts_are_in_vietnamese(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write_jsonl(corpus / "good.jsonl", [{"id": "a", "title": "Tin", "body": "Nội dung."}, {"id": "a", "title": "T", "body": "B"}])
    (corpus / "empty.txt").write_text("")
    out = run("index", str(corpus), str(tmp_path / "missing"), "--index-dir", str(tmp_path / "index"), "--log-level", "warning")
    assert out.stdout.strip() == "1 thêm mới, 0 cập nhật, 0 đã xoá, 0 không đổi, 3 bỏ qua"
    assert sorted(out.stderr.splitlines()) == [
        f"bỏ qua {corpus / 'empty.txt'}: tệp rỗng",
        f"bỏ qua {corpus / 'good.jsonl'}:2: id 'a' đã được dùng ở dòng 1",
        f"bỏ qua {tmp_path / 'missing'}: không có tệp hay thư mục này",
    ]
    unwritable = run("index", str(corpus), "--index-dir", "/proc/vnsearch-index")
    assert unwritable.returncode == 2 and unwritable.stderr.startswith("vnsearch: ")
    assert "Traceback" not in unwritable.stderr and "No such" not in unwritable.stderr


def test_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    """`vnsearch search … | head`: the reader leaves early, and the command ends with 0 and says nothing."""
    index = str(tmp_path / "index")
    run("index", str(CORPUS), "--index-dir", index)
    for output in ([], ["--json"]):
        reader, writer = os.pipe()
        os.close(reader)  # gone before the first line is written
        search = subprocess.run(
            [*VNSEARCH, "search", "thanh xuan", "--index-dir", index, *output],
            stdout=writer, stderr=subprocess.PIPE, text=True, timeout=120,
        )
        os.close(writer)
        assert (search.returncode, search.stderr) == (0, "")


def test_the_indexing_bar_shows_the_total_and_the_commit(tmp_path: Path, capsys) -> None:
    build_index([CORPUS], tmp_path / "index", progress=True)
    lines = capsys.readouterr().err.replace("\r", "\n").splitlines()
    assert any("Đọc và phân tích" in line and "0/5" in line and "0%" in line for line in lines)
    assert any("Đọc và phân tích" in line and "5/5" in line and "100%" in line for line in lines)
    assert any(line.startswith("Phân tích nốt và ghi chỉ mục… 00:") for line in lines)
