"""The write API: a CMS pushes articles; they are durable once acknowledged and found soon after."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from compat.internals import read_toc
from indexer.build import TIDY_AFTER, build_index, index_lock, open_or_create
from indexer.documents import DocumentWriter
import search.engine
from search.engine import SearchEngine
from search.model import SearchRequest
from tests.conftest import CORPUS, ids
from tests.serving import Server
from web import create_app

TOKEN = "s3cret-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
HTTP = httpx.Client(timeout=60)  # a server's first search loads models: generous on a busy machine
ARTICLE = {
    "title": "Phường Bạch Mai ra mắt mô hình dân vận khéo",
    "body": "Ngày 5/3/2025, phường Bạch Mai, quận Hai Bà Trưng ra mắt mô hình dân vận khéo tại tổ dân phố số 4.",
    "date": "2025-03-05",
    "url": "https://haibatrung.example.vn/tin/dan-van-kheo",
    "author": "Thu Hà",
}


@pytest.fixture
def index_dir(tmp_path: Path) -> Path:
    build_index([CORPUS], tmp_path / "index", progress=False)
    return tmp_path / "index"


@pytest.fixture
def client(index_dir: Path):
    app = create_app(SearchEngine(index_dir), DocumentWriter(index_dir), TOKEN)
    return app.test_client()


def test_without_a_token_the_write_routes_do_not_exist(index_dir: Path) -> None:
    client = create_app(SearchEngine(index_dir), DocumentWriter(index_dir), None).test_client()
    assert client.put("/api/documents/a", json=ARTICLE, headers=AUTH).status_code == 404
    assert client.delete("/api/documents/a", headers=AUTH).status_code == 404
    assert client.post("/api/documents", data="{}", headers=AUTH).status_code == 404


@pytest.mark.parametrize("authorization", [None, "Bearer wrong", f"Basic {TOKEN}", f"Bearer {TOKEN}x", "Bearer "])
def test_a_missing_or_wrong_token_gets_401_and_writes_nothing(client, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = client.put("/api/documents/a", json=ARTICLE, headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/api/doc/a").status_code == 404


def test_put_adds_then_updates_and_delete_removes(client) -> None:
    response = client.put("/api/documents/dan-van-kheo", json=ARTICLE, headers=AUTH)
    assert (response.status_code, response.json) == (200, {"id": "dan-van-kheo", "status": "added"})
    doc = client.get("/api/doc/dan-van-kheo").json
    assert (doc["title"], doc["date"], doc["author"], doc["url"]) == (ARTICLE["title"], "2025-03-05", "Thu Hà", ARTICLE["url"])
    assert doc["districts"] == ["Quận Hai Bà Trưng"]
    assert client.put("/api/documents/dan-van-kheo", json=ARTICLE, headers=AUTH).json["status"] == "unchanged"
    edited = {**ARTICLE, "title": "Phường Bạch Mai nhân rộng mô hình dân vận khéo"}
    assert client.put("/api/documents/dan-van-kheo", json=edited, headers=AUTH).json["status"] == "updated"
    hits = client.get('/api/search?q="nhân rộng mô hình"').json["hits"]
    assert [h["id"] for h in hits] == ["dan-van-kheo"]  # the new version, and only it
    assert client.delete("/api/documents/dan-van-kheo", headers=AUTH).json == {"id": "dan-van-kheo", "status": "deleted"}
    assert client.get("/api/doc/dan-van-kheo").status_code == 404
    assert client.delete("/api/documents/dan-van-kheo", headers=AUTH).status_code == 404


def test_reindexing_the_corpus_keeps_the_documents_written_through_the_api(client, index_dir: Path) -> None:
    assert client.put("/api/documents/giu-lai", json=ARTICLE, headers=AUTH).status_code == 200
    report = build_index([CORPUS], index_dir, progress=False)
    assert (report.removed, report.unchanged) == (0, 5)
    assert client.get("/api/doc/giu-lai").status_code == 200


def test_a_document_of_a_corpus_file_cannot_be_overwritten_through_the_api(client) -> None:
    seed = client.get("/api/search?q=thanh+xuan&size=1").json["hits"][0]["id"]
    assert client.put(f"/api/documents/{seed}", json=ARTICLE, headers=AUTH).status_code == 409
    assert client.delete(f"/api/documents/{seed}", headers=AUTH).status_code == 409
    assert client.get(f"/api/doc/{seed}").json["title"] != ARTICLE["title"]


@pytest.mark.parametrize(
    ("body", "named"),
    [
        (b"{not json", "JSON"),
        (b"[1, 2]", "không phải một đối tượng JSON"),
        (json.dumps({**ARTICLE, "title": None}).encode(), "thiếu title"),
        (json.dumps({**ARTICLE, "body": 5}).encode(), "body phải là một chuỗi"),
        (json.dumps({**ARTICLE, "date": "05/03/2025x"}).encode(), "date"),
        (json.dumps({**ARTICLE, "url": "javascript:alert(1)"}).encode(), "url"),
        (json.dumps({**ARTICLE, "id": "another"}).encode(), "id"),
    ],
)
def test_a_bad_document_gets_400_naming_the_field(client, body: bytes, named: str) -> None:
    response = client.put("/api/documents/x", data=body, headers={**AUTH, "Content-Type": "application/json"})
    assert response.status_code == 400
    assert named in response.json["error"]


def test_a_batch_is_written_whole_with_a_result_per_line_or_refused_naming_the_line(client) -> None:
    lines = [json.dumps({**ARTICLE, "id": f"lo-{n}", "title": f"Tin số {n} của phường Bạch Mai"}, ensure_ascii=False) for n in range(5)]
    bad = lines[:2] + ['{"id": "lo-x", "title": "Không có nội dung"}'] + lines[2:]
    response = client.post("/api/documents", data="\n".join(bad), headers=AUTH)
    assert response.status_code == 400 and "dòng 3: thiếu body" in response.json["error"]
    assert client.get("/api/doc/lo-0").status_code == 404

    response = client.post("/api/documents", data="\n".join(lines) + "\n", headers=AUTH)
    assert response.status_code == 200 and response.mimetype == "application/x-ndjson"
    results = [json.loads(line) for line in response.get_data(as_text=True).splitlines()]
    assert results == [{"id": f"lo-{n}", "status": "added"} for n in range(5)]
    assert client.get("/api/search?q=bach+mai&size=10").json["total"] == 5


def test_a_batch_of_more_than_1000_documents_is_refused(client) -> None:
    lines = (json.dumps({"id": f"d{n}", "title": "t", "body": "b"}) for n in range(1001))
    response = client.post("/api/documents", data="\n".join(lines), headers=AUTH)
    assert response.status_code == 400 and "more than 1000 documents" in response.json["error"]


def test_a_body_over_5_mb_gets_413(client) -> None:
    huge = json.dumps({**ARTICLE, "body": "x" * 5_000_001})
    assert client.put("/api/documents/big", data=huge, headers=AUTH).status_code == 413
    assert client.post("/api/documents", data=huge, headers=AUTH).status_code == 413


def test_a_write_that_cannot_get_the_index_gets_503_with_retry_after(client, index_dir: Path) -> None:
    with index_lock(index_dir):  # as a long `vnsearch index` run holds it
        response = client.put("/api/documents/cho", json=ARTICLE, headers=AUTH)
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert client.put("/api/documents/cho", json=ARTICLE, headers=AUTH).status_code == 200


# -- against a real `vnsearch serve` ---------------------------------------------------------


@pytest.fixture
def serve(index_dir: Path) -> Iterator:
    servers: list[Server] = []

    def start(token_file: Path | None = None) -> Server:
        servers.append(Server(index_dir, token_file, TOKEN))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


def visible(url: str, doc_id: str, query: str, bound: float = 10.0) -> bool:
    """Whether a search finds ``doc_id`` within a generous bound."""
    deadline = time.monotonic() + bound
    while time.monotonic() < deadline:
        hits = HTTP.get(f"{url}/api/search", params={"q": query, "size": 100}).json()["hits"]
        if doc_id in [h["id"] for h in hits]:
            return True
        time.sleep(0.05)
    return False


def test_an_acknowledged_write_survives_a_sigkill_a_moment_later(serve, index_dir: Path) -> None:
    server = serve()
    acknowledged = []
    for n in range(5):
        doc = {**ARTICLE, "title": f"Bài giữ lại số {n}", "body": f"Nội dung bài số {n} về phường Bạch Mai."}
        response = HTTP.put(f"{server.url}/api/documents/giu-{n}", json=doc, headers=AUTH)
        assert response.status_code == 200
        acknowledged.append(f"giu-{n}")
    assert visible(server.url, "giu-4", "bai giu lai")
    server.kill()  # right after the last 200
    assert set(acknowledged) <= set(ids(SearchEngine(index_dir), "bai giu lai", size="100"))
    again = serve()
    assert HTTP.get(f"{again.url}/api/doc/giu-4").json()["title"] == "Bài giữ lại số 4"


def test_a_token_file_turns_the_api_on_and_the_token_is_never_logged(serve, tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n", encoding="utf-8")
    server = serve(token_file)
    assert HTTP.put(f"{server.url}/api/documents/t", json=ARTICLE, headers={"Authorization": "Bearer sai"}).status_code == 401
    assert HTTP.put(f"{server.url}/api/documents/t", json=ARTICLE, headers=AUTH).status_code == 200
    assert HTTP.put(f"{server.url}/api/documents/t", content=b"{", headers=AUTH).status_code == 400
    assert visible(server.url, "t", "dan van kheo")
    assert TOKEN not in server.stop()


def test_writes_from_many_clients_while_others_search_are_all_kept(serve, index_dir: Path) -> None:
    server = serve()
    errors: list[str] = []
    written: list[str] = []

    def writer(w: int) -> None:
        with httpx.Client(base_url=server.url, headers=AUTH, timeout=60) as http:
            for n in range(8):
                doc_id = f"w{w}-{n}"
                response = http.put(f"/api/documents/{doc_id}", json={**ARTICLE, "title": f"Bài {doc_id} nhiều người viết"})
                (written if response.status_code == 200 else errors).append(doc_id)

    def reader() -> None:
        with httpx.Client(base_url=server.url, timeout=60) as http:
            for _ in range(20):
                if http.get("/api/search", params={"q": "nhieu nguoi viet"}).status_code != 200:
                    errors.append("search")

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(6)] + [threading.Thread(target=reader) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(written) == 48
    found = HTTP.get(f"{server.url}/api/search", params={"q": '"nhiều người viết"', "size": 100}).json()
    assert sorted(h["id"] for h in found["hits"]) == sorted(written)  # each once


def test_one_write_after_another_are_each_searchable_at_once_and_leave_few_segments(index_dir: Path) -> None:
    """Each answered write is found by the next search; the commits merge nothing, and the small segments
    they leave are merged after the answers, so they never pile up."""
    writer, engine = DocumentWriter(index_dir), SearchEngine(index_dir)

    def segments() -> list:
        with index_lock(index_dir, wait=10):  # after the tidying that follows an answer, if any
            return read_toc(open_or_create(index_dir)).segments

    before = len(segments())
    for n in range(3 * TIDY_AFTER):
        writer.write(f"w{n}", {"title": f"Tin số zq{n}x", "body": f"Bài zq{n}x của phường Bạch Mai."})
        assert ids(engine, f"zq{n}x") == [f"w{n}"]
        if before + n + 1 < TIDY_AFTER:  # nothing merged yet: each commit added its segment
            assert len(segments()) == before + n + 1
    assert len(segments()) <= TIDY_AFTER


def test_a_search_answers_while_a_commit_merges_away_the_segments_it_reads(index_dir: Path, monkeypatch) -> None:
    """Whoosh opens a segment's stored fields only when first asked: a commit that merges the segment
    away meanwhile deletes the file under the search, which must still answer (a 500 under load)."""
    writer, engine = DocumentWriter(index_dir), SearchEngine(index_dir)
    for n in range(TIDY_AFTER - 1):  # each its own small segment, not merged yet
        writer.write(f"w{n}", {"title": f"Tin zq{n}x", "body": "Bài của phường Bạch Mai."})
    real_rescore = search.engine.rescore

    def rescore_after_a_merge(*args, **kwargs):
        with index_lock(index_dir, wait=10):
            pass  # the last tidying done
        writer.write("last", {"title": "Tin cuối", "body": "Bài của phường Bạch Mai."})  # the tidying merges
        with index_lock(index_dir, wait=10):
            pass
        monkeypatch.setattr(search.engine, "rescore", real_rescore)
        return real_rescore(*args, **kwargs)

    monkeypatch.setattr(search.engine, "rescore", rescore_after_a_merge)
    results = engine.search(SearchRequest(q="bài của phường bạch mai", size=20))
    assert {f"w{n}" for n in range(TIDY_AFTER - 1)} <= {h.id for h in results.hits}
