"""Operating the server: worker processes that follow the index, and request log lines an operator can use."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from indexer.build import build_index
from search.engine import SearchEngine
from tests.conftest import write_jsonl
from tests.test_cli import VNSEARCH, _free_port
from tests.test_hostile import answer
from vnsearch.logs import JsonLines
from vnsearch.server import gunicorn_available
from web import create_app
from web.access_log import AccessLog

ARTICLE = {"title": "Hội nghị ở Hai Bà Trưng", "body": "Ủy ban MTTQ quận Hai Bà Trưng họp tổng kết.", "date": "2024-01-02"}
REQUEST_FIELDS = {"time", "level", "logger", "event", "method", "path", "status", "took_ms", "pid"}
SEARCH_FIELDS = REQUEST_FIELDS | {"total", "partial", "corrected"}


def _lines(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]


def _get(port: int, path: str) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as response:
        return json.load(response)


@contextmanager
def _workers(tmp_path: Path) -> Iterator[tuple[subprocess.Popen, int, Path]]:
    """``vnsearch serve --workers 2`` (gunicorn) over one article, once it answers: the process, its port and its log."""
    write_jsonl(tmp_path / "corpus" / "a.jsonl", [{"id": "first", **ARTICLE}])
    build_index([tmp_path / "corpus"], tmp_path / "index", progress=False)
    port, log = _free_port(), tmp_path / "server.log"
    command = [*VNSEARCH, "serve", "--port", str(port), "--index-dir", str(tmp_path / "index"), "--workers", "2"]
    with log.open("wb") as sink:
        server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=sink)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                assert _get(port, "/health")["documents"] == 1
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail(f"server did not start: {log.read_text()[-2000:]}")
                time.sleep(0.3)
        yield server, port, log
    finally:
        server.terminate()
        server.wait(timeout=60)


@pytest.mark.skipif(not gunicorn_available(), reason="worker processes need gunicorn (POSIX)")
def test_every_worker_process_picks_up_a_new_index_generation(tmp_path: Path) -> None:
    with _workers(tmp_path) as (server, port, log):
        # A second article with a word the first lacks, in a new commit while the server runs.
        write_jsonl(tmp_path / "corpus" / "b.jsonl", [{"id": "second", "title": "Khánh thành cầu", "body": "Cầu mới khánh thành."}])
        build_index([tmp_path / "corpus"], tmp_path / "index", progress=False)

        answers: list[int] = []

        def ask() -> None:
            for _ in range(10):  # a new connection each time: the workers take turns accepting them
                answers.append(_get(port, "/api/search?q=khanh+thanh")["total"])

        deadline = time.monotonic() + 120
        while True:
            threads = [threading.Thread(target=ask) for _ in range(4)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            pids = {line["pid"] for line in _lines(log) if line.get("path") == "/api/search"}
            if len(pids) >= 2 or time.monotonic() > deadline:
                break
        assert len(pids) == 2, "the requests all went to one worker"
        assert set(answers) == {1}  # every worker, from its first request after the commit
        searches = [line for line in _lines(log) if line.get("path") == "/api/search"]
        assert all(line["total"] == 1 and line["pid"] != server.pid for line in searches)


@pytest.mark.skipif(not gunicorn_available(), reason="worker processes need gunicorn (POSIX)")
def test_gunicorn_workers_refuse_an_oversized_header_line(tmp_path: Path) -> None:
    """What README promises for gunicorn: a header line over 8,190 bytes is refused, and the worker serves on."""
    with _workers(tmp_path) as (_, port, _):
        huge = b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 10_000 + b"\r\nConnection: close\r\n\r\n"
        assert answer(port, huge).startswith(b"HTTP/1.1 431")  # Request Header Fields Too Large
        assert _get(port, "/health")["documents"] == 1


def _logged(records: list[logging.LogRecord], name: str) -> list[dict]:
    return [json.loads(JsonLines().format(r)) for r in records if r.name == name]


def test_a_search_request_line_has_its_fields_and_no_query_text_unless_asked(seed_index: Path, caplog) -> None:
    caplog.set_level(logging.INFO)
    client = create_app(SearchEngine(seed_index)).test_client()
    assert client.get("/api/search?q=Hai+B%C3%A0+Tr%C6%B0nh").status_code == 200
    assert client.get("/health").status_code == 200
    search, health = _logged(caplog.records, "vnsearch.access")
    assert set(search) == SEARCH_FIELDS
    assert search["method"] == "GET" and search["path"] == "/api/search" and search["status"] == 200
    assert search["total"] >= 1 and search["partial"] is False and search["corrected"] is True  # trưnh → trưng
    assert isinstance(search["took_ms"], float) and search["level"] == "info"
    assert set(health) == REQUEST_FIELDS
    assert "Trưnh" not in caplog.text and "Tr%C6%B0nh" not in caplog.text


def test_query_text_is_logged_when_configured_and_a_slow_search_gets_its_own_line(seed_index: Path, caplog) -> None:
    caplog.set_level(logging.INFO)
    client = create_app(SearchEngine(seed_index), log=AccessLog(log_queries=True, slow_ms=0)).test_client()
    assert client.get("/search?q=mat+tran").status_code == 200
    (request_line,) = _logged(caplog.records, "vnsearch.access")
    (slow,) = _logged(caplog.records, "vnsearch.slow")
    assert request_line["q"] == "mat tran" and request_line["path"] == "/search"
    assert slow["event"] == "slow" and slow["level"] == "warning" and slow["slow_ms"] == 0 and slow["q"] == "mat tran"


def test_a_refused_request_is_logged_with_its_status(seed_index: Path, caplog) -> None:
    caplog.set_level(logging.INFO)
    client = create_app(SearchEngine(seed_index)).test_client()
    assert client.get("/api/search?q=x&from=yesterday").status_code == 400
    (line,) = _logged(caplog.records, "vnsearch.access")
    assert line["status"] == 400 and "total" not in line


def test_the_log_level_is_honoured(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "corpus" / "a.jsonl", [{"id": "first", **ARTICLE}])
    index = ["index", str(tmp_path / "corpus"), "--index-dir", str(tmp_path / "index")]
    quiet = subprocess.run([*VNSEARCH, "--log-level", "warning", *index], capture_output=True, text=True)
    assert quiet.returncode == 0 and quiet.stderr == ""
    told = subprocess.run([*VNSEARCH, "--log-level", "info", *index], capture_output=True, text=True)
    (line,) = [json.loads(x) for x in told.stderr.splitlines()]
    assert line["event"] == "indexed" and line["unchanged"] == 1 and line["added"] == 0 and line["level"] == "info"
    assert told.stdout.strip() == "0 thêm mới, 0 cập nhật, 0 đã xoá, 1 không đổi, 0 bỏ qua"


def test_an_indexing_run_logs_its_report(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "corpus" / "a.jsonl", [{"id": "first", **ARTICLE}, {"id": "bad"}])
    done = subprocess.run([*VNSEARCH, "index", str(tmp_path / "corpus"), "--index-dir", str(tmp_path / "index")], capture_output=True, text=True)
    assert done.returncode == 1
    (line,) = [json.loads(x) for x in done.stderr.splitlines() if x.startswith("{")]
    assert {k: line[k] for k in ("added", "skipped", "removed", "updated")} == {"added": 1, "skipped": 1, "removed": 0, "updated": 0}
    assert line["seconds"] >= 0 and line["paths"] == [str(tmp_path / "corpus")]
