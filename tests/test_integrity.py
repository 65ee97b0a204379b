"""A damaged, replaced, bloated or half-written index: found, said plainly, and repaired by ``vnsearch index``.

The corpus files are the source of truth: whatever happens to the index's files, the
next ``vnsearch index`` over the corpus gives back a whole index. In between, nobody
sees a traceback or a 500: the CLI prints one line, the server answers 503 and
``/health`` says which file is damaged.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from whoosh.filedb.filestore import FileStorage

from indexer import integrity
from indexer.build import MERGE_DELETED_SHARE, build_index
from indexer.schema import INDEX_NAME
from search.engine import SearchEngine
from search.model import SearchRequest
from tests.conftest import CORPUS, write_jsonl
from vnsearch.cli import EXIT_ERROR, main
from web import create_app

RECORDS = [
    {"id": "a", "title": "Quận Hai Bà Trưng khen thưởng", "body": "Ủy ban MTTQ quận Hai Bà Trưng tổ chức hội nghị."},
    {"id": "b", "title": "Thanh Xuân đại hội", "body": "Đại hội đại biểu Mặt trận Tổ quốc quận Thanh Xuân."},
    {"id": "c", "title": "Cầu Giấy ra quân", "body": "Phường Dịch Vọng ra quân làm sạch đường phố.", "date": "2024-01-05"},
]
# One of each kind of file an index generation has, by how its name ends.
FILE_KINDS = {
    "toc": ".toc",
    "manifest": ".sums",
    "terms": ".trm",
    "postings": ".pst",
    "stored fields": "._stored.col",
    "field lengths": "._body_len.col",
    "id column": ".id.col",
    "source column": ".source.col",
    "digest column": ".digest.col",
    "date column": ".date.col",
    "flawed column": ".flawed.col",
}


def truncate(path: Path) -> None:
    os.truncate(path, path.stat().st_size // 2)


def flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    for i in range(middle, min(middle + 16, len(data))):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))


def zero(path: Path) -> None:
    path.write_bytes(bytes(path.stat().st_size))


def delete(path: Path) -> None:
    path.unlink()


DAMAGE = {"truncated": truncate, "flipped bytes": flip, "zeroed": zero, "deleted": delete}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small index of RECORDS, copied for each damage."""
    root = tmp_path_factory.mktemp("integrity")
    write_jsonl(root / "corpus" / "news.jsonl", RECORDS)
    build_index([root / "corpus"], root / "index", progress=False)
    return root


def the_file(index_dir: Path, ending: str) -> Path:
    [path] = [p for p in index_dir.iterdir() if p.name.endswith(ending)]
    return path


def ids(engine: SearchEngine) -> set[str]:
    return {hit.id for hit in engine.search(SearchRequest(size=100)).hits}


@pytest.mark.parametrize("damage", DAMAGE)
@pytest.mark.parametrize("kind", FILE_KINDS)
def test_a_damaged_index_is_reported_plainly_and_repaired_by_the_indexer(
    kind: str, damage: str, template: Path, tmp_path: Path, capsys
) -> None:
    corpus, index_dir = template / "corpus", tmp_path / "index"
    shutil.copytree(template / "index", index_dir)
    server = create_app(SearchEngine(index_dir)).test_client()  # a server running when the damage happens
    DAMAGE[damage](the_file(index_dir, FILE_KINDS[kind]))

    # The server: /health says so, then searches and pages answer 503 in plain words.
    health = server.get("/health")
    assert health.status_code == 503, health.json
    assert health.json["status"] in ("damaged", "missing")
    api = server.get("/api/search?q=hai+ba+trung")
    assert api.status_code == 503 and "vnsearch" not in api.json["error"] and "Chỉ mục" in api.json["error"]
    assert server.get("/").status_code == 503

    # The command line: one line each, no traceback.
    for command in (["check"], ["search", "hai ba trung"]):
        capsys.readouterr()
        assert main([*command, "--index-dir", str(index_dir)]) == EXIT_ERROR
        err = capsys.readouterr().err
        assert err.startswith("vnsearch: ") and "Traceback" not in err
        assert len(err.splitlines()) == 1 or command == ["check"]

    # The indexer notices, says what it did, and the index is whole again, for the running server too.
    assert main(["index", str(corpus), "--index-dir", str(index_dir)]) == 0
    out, err = capsys.readouterr()
    assert "3 thêm mới" in out
    if not (kind == "toc" and damage == "deleted"):  # no TOC: no index to speak of, simply built anew
        assert err.startswith("vnsearch: chỉ mục đã bị hỏng (")
    assert integrity.check(index_dir, full=True).problems == ()
    assert main(["check", "--index-dir", str(index_dir)]) == 0
    assert ids(SearchEngine(index_dir)) == {"a", "b", "c"}
    assert server.get("/health").json == {"status": "ok", "documents": 3}
    assert server.get("/api/search?q=hai+ba+trung").json["hits"][0]["id"] == "a"


def test_damage_to_one_segment_costs_only_its_documents_a_rebuild(tmp_path: Path) -> None:
    corpus, index_dir = tmp_path / "corpus", tmp_path / "index"
    write_jsonl(corpus / "one.jsonl", RECORDS[:2])
    build_index([corpus], index_dir, progress=False)
    write_jsonl(corpus / "two.jsonl", RECORDS[2:])
    build_index([corpus], index_dir, progress=False)
    second = max((p for p in index_dir.glob("*.pst")), key=lambda p: p.stat().st_mtime_ns)
    flip(second)
    report = build_index([corpus], index_dir, progress=False)
    assert (report.added, report.unchanged) == (1, 2)
    assert "1 bài của những phần hỏng được lập chỉ mục lại" in report.repaired
    assert ids(SearchEngine(index_dir)) == {"a", "b", "c"}


# --- an index of an earlier schema version ----------------------------------------------------


def _as_version(index_dir: Path, version: str) -> set[str]:
    """Copies of the index's files under another schema version's names: an index as an earlier vnsearch left it."""
    made = set()
    for path in index_dir.iterdir():
        if INDEX_NAME in path.name and not path.name.endswith("LOCK"):
            made.add(name := path.name.replace(INDEX_NAME, version))
            shutil.copy(path, index_dir / name)
    return made


def test_an_index_of_another_schema_version_is_removed_by_the_next_indexing_run(tmp_path: Path) -> None:
    """An upgrade that changes the schema builds a new index beside the old one, which it never reads:
    the old one goes, or the folder needs twice the disk; while an indexer of that version runs, it stays."""
    corpus, index_dir = tmp_path / "corpus", tmp_path / "index"
    write_jsonl(corpus / "news.jsonl", RECORDS)
    build_index([corpus], index_dir, progress=False)
    old = _as_version(index_dir, "vnsearch-v1")
    held = FileStorage(str(index_dir)).lock("vnsearch-v1_BUILDLOCK")
    assert held.acquire(blocking=False)
    build_index([corpus], index_dir, progress=False)
    assert old <= set(os.listdir(index_dir))  # an indexer of that version is at work
    held.release()
    report = build_index([corpus], index_dir, progress=False)
    assert report.unchanged == len(RECORDS)
    assert not old & set(os.listdir(index_dir))
    assert ids(SearchEngine(index_dir)) == {r["id"] for r in RECORDS}


# --- an index folder replaced under a running server ---------------------------------------------


def test_a_server_notices_its_index_folder_was_replaced(tmp_path: Path) -> None:
    """``rm -rf idx && vnsearch index … --index-dir idx``: the same generation number, another index."""
    corpus, index_dir = tmp_path / "corpus", tmp_path / "index"
    write_jsonl(corpus / "news.jsonl", RECORDS[:1])
    build_index([corpus], index_dir, progress=False)
    engine = SearchEngine(index_dir)
    server = create_app(engine).test_client()
    before = server.get("/api/search?q=")
    assert [hit["id"] for hit in before.json["hits"]] == ["a"]

    shutil.rmtree(index_dir)
    write_jsonl(corpus / "news.jsonl", RECORDS[1:2])
    build_index([corpus], index_dir, progress=False)
    after = server.get("/api/search?q=")
    assert [hit["id"] for hit in after.json["hits"]] == ["b"]
    assert after.headers["ETag"] != before.headers["ETag"]
    assert server.get("/api/search?q=", headers={"If-None-Match": before.headers["ETag"]}).status_code == 200


# --- merging away deleted documents --------------------------------------------------------------


def segments(index_dir: Path) -> list[tuple[int, int]]:
    """(documents, deleted documents) of each segment of the latest generation."""
    with SearchEngine(index_dir)._current().ix.reader() as reader:
        return [(leaf.doc_count_all(), leaf.doc_count_all() - leaf.doc_count()) for leaf, _ in reader.leaf_readers()]


def test_segments_of_deleted_documents_are_merged_away_as_the_corpus_changes(tmp_path: Path) -> None:
    corpus, index_dir = tmp_path / "corpus", tmp_path / "index"

    def write(name: str, count: int) -> None:
        write_jsonl(corpus / f"{name}.jsonl", [{**RECORDS[n % 3], "id": f"{name}-{n}"} for n in range(count)])

    for run in range(4):  # a corpus that changes completely each time: always one segment, nothing deleted
        write_jsonl(corpus / "news.jsonl", [{**r, "id": f"{r['id']}{run}"} for r in RECORDS])
        build_index([corpus], index_dir, progress=False)
        assert segments(index_dir) == [(3, 0)]
    for name, count in (("m1", 4), ("m2", 2), ("m3", 1)):
        write(name, count)
    build_index([corpus], index_dir, progress=False)
    assert sorted(segments(index_dir)) == [(3, 0), (7, 0)]
    (corpus / "m3.jsonl").unlink()  # fewer than a third of a segment deleted: kept as it is
    build_index([corpus], index_dir, progress=False)
    assert sorted(segments(index_dir)) == [(3, 0), (7, 1)]
    (corpus / "news.jsonl").unlink()  # a segment with nothing left: dropped
    build_index([corpus], index_dir, progress=False)
    assert segments(index_dir) == [(7, 1)]
    (corpus / "m2.jsonl").unlink()  # three of seven deleted: the live four are merged into the new segment
    write("n", 1)
    build_index([corpus], index_dir, progress=False)
    assert segments(index_dir) == [(5, 0)]
    assert ids(SearchEngine(index_dir)) == {"m1-0", "m1-1", "m1-2", "m1-3", "n-0"}


# --- a full disk ---------------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path):
    """A 384 KiB file system of its own (tmpfs; needs root, as the test machines run)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=384k", "tmpfs", str(disk)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (not root)")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def test_a_full_disk_leaves_nothing_in_the_way_and_deleting_still_works(small_disk: Path, tmp_path: Path) -> None:
    corpus, index_dir = tmp_path / "corpus", small_disk / "index"
    write_jsonl(corpus / "news.jsonl", RECORDS[:2])
    write_jsonl(corpus / "c.jsonl", RECORDS[2:])
    build_index([corpus], index_dir, progress=False)
    before = set(os.listdir(index_dir))
    # Far more than the disk can hold, but few enough to be written by this process alone.
    body = " ".join(f"từ{n} Hà Nội" for n in range(3000))
    write_jsonl(corpus / "big.jsonl", [{"id": f"big{n}", "title": f"Tin {n}", "body": body} for n in range(60)])
    failed = subprocess.run(
        [sys.executable, "-m", "vnsearch.cli", "index", str(corpus), "--index-dir", str(index_dir)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert failed.returncode == EXIT_ERROR
    assert failed.stderr.startswith("vnsearch: ổ đĩa đã đầy") and len(failed.stderr.splitlines()) == 1
    assert set(os.listdir(index_dir)) - before, "the failed run left half-written files"

    (corpus / "big.jsonl").unlink()
    (corpus / "c.jsonl").unlink()  # a run that only deletes
    report = build_index([corpus], index_dir, progress=False)
    assert (report.removed, report.unchanged) == (1, 2)
    assert integrity.check(index_dir, full=True).problems == ()
    leftovers = {name for name in os.listdir(index_dir) if name.endswith((".trm", ".pst"))}
    assert len(leftovers) <= 2, leftovers  # the one segment in use, and nothing half-written
    assert ids(SearchEngine(index_dir)) == {"a", "b"}


@pytest.mark.skipif(not hasattr(os, "fork"), reason="worker processes are forked on POSIX only")
def test_a_worker_forked_while_the_full_check_runs_still_answers_health(tmp_path: Path, monkeypatch) -> None:
    """gunicorn forks workers from the master; a forked process has the check's pending result but
    not its thread, and /health waited on it forever (each such request held a worker thread)."""
    build_index([CORPUS], tmp_path / "index", progress=False)
    engine = SearchEngine(tmp_path / "index")
    real_check, slow = integrity.check, threading.Event()

    def slow_check(index_dir, full=False):
        if full:
            slow.wait(5)  # still running when the worker is forked
        return real_check(index_dir, full=full)

    monkeypatch.setattr(integrity, "check", slow_check)
    engine.search(SearchRequest(q="hà nội"))  # opens the generation; its full check starts
    pid = os.fork()
    if pid == 0:  # the worker
        try:
            os._exit(0 if engine.health() == 5 else 1)
        finally:
            os._exit(2)
    slow.set()
    for _ in range(300):
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        time.sleep(0.1)
    else:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        pytest.fail("the forked worker's health check never answered")
    assert os.waitstatus_to_exitcode(status) == 0
