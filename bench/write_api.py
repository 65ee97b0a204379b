"""The write API under load, and killed mid-stream.

1. Load: ``--writers`` clients PUT new documents for ``--seconds`` while ``--readers`` clients
   search; each writer, once answered 200, searches for its document until it is found (the
   time from sending the PUT to that is "PUT → visible", from the 200 "200 → visible", and how
   many documents the first search after the 200 found is counted). Afterwards every
   acknowledged document must be in the index.
2. Kills: ``--rounds`` times, a server gets a stream of PUTs from 4 clients and is SIGKILLed at a
   random moment (0.2–2 s after its first 200); every document answered 200 must be in the index
   afterwards.

    .venv/bin/python -m bench.write_api --writers 20 --readers 20 --seconds 30 --rounds 20
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import threading
import time
from pathlib import Path

import httpx

from indexer.build import build_index
from search.engine import SearchEngine
from tests.serving import Server

REPO = Path(__file__).resolve().parents[1]
TOKEN = "bench-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
QUERIES = ["hai ba trung", "mat tran to quoc", "thanh xuan dai hoi", "khen thuong", "Hà Nội", "phường"]


def document(tag: str) -> dict:
    return {
        "title": f"Tin {tag} phường Bạch Mai",
        "body": f"Nội dung bài {tag}: phường Bạch Mai, quận Hai Bà Trưng tổ chức hội nghị dân vận.",
        "date": "2025-03-05",
    }


def missing(index_dir: Path, acknowledged: list[str]) -> list[str]:
    engine = SearchEngine(index_dir)
    return [doc_id for doc_id in acknowledged if engine.document(doc_id) is None]


def load(index_dir: Path, writers: int, readers: int, seconds: float, threads: int) -> None:
    server = Server(index_dir, token=TOKEN, threads=threads)
    stop = time.monotonic() + seconds
    acknowledged: list[str] = []
    visible_after: list[float] = []
    visible_after_answer: list[float] = []
    searches_to_find: list[int] = []
    errors: list[str] = []
    searches = [0]

    def write(w: int) -> None:
        with httpx.Client(base_url=server.url, headers=AUTH, timeout=60) as http:
            n = 0
            while time.monotonic() < stop:
                tag = f"bench{w}x{n}"
                started = time.perf_counter()
                response = http.put(f"/api/documents/{tag}", json=document(tag))
                if response.status_code != 200:
                    errors.append(f"PUT {response.status_code}")
                    continue
                acknowledged.append(tag)
                answered = time.perf_counter()
                searches_to_find.append(1)
                while tag not in [h["id"] for h in http.get("/api/search", params={"q": tag}).json()["hits"]]:
                    searches_to_find[-1] += 1
                    time.sleep(0.01)
                visible_after.append(time.perf_counter() - started)
                visible_after_answer.append(time.perf_counter() - answered)
                n += 1

    def read() -> None:
        with httpx.Client(base_url=server.url, timeout=60) as http:
            while time.monotonic() < stop:
                response = http.get("/api/search", params={"q": random.choice(QUERIES)})
                if response.status_code != 200:
                    errors.append(f"GET {response.status_code}")
                searches[0] += 1

    clients = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
    clients += [threading.Thread(target=read) for _ in range(readers)]
    for t in clients:
        t.start()
    for t in clients:
        t.join()
    server.stop()
    lost = missing(index_dir, acknowledged)
    q = statistics.quantiles(visible_after, n=100)
    a = statistics.quantiles(visible_after_answer, n=100)
    print(
        f"load: {writers} writers + {readers} readers for {seconds:.0f} s, --threads {threads}: {len(acknowledged)} documents acknowledged "
        f"({len(acknowledged) / seconds:.1f}/s), {searches[0]} searches, {len(errors)} errors {sorted(set(errors))}, "
        f"{len(lost)} acknowledged documents missing; PUT → visible: p50 {q[49] * 1000:.0f} ms, "
        f"p95 {q[94] * 1000:.0f} ms, max {max(visible_after) * 1000:.0f} ms; 200 → visible: p50 {a[49] * 1000:.0f} ms, "
        f"p95 {a[94] * 1000:.0f} ms, max {max(visible_after_answer) * 1000:.0f} ms (found by the first search "
        f"after the 200: {searches_to_find.count(1)} of {len(searches_to_find)})"
    )


def kills(index_dir: Path, rounds: int) -> None:
    total_acknowledged, total_lost = 0, 0
    for round_ in range(rounds):
        server = Server(index_dir, token=TOKEN)
        acknowledged: list[str] = []
        killed = threading.Event()

        def stream(w: int) -> None:
            with httpx.Client(base_url=server.url, headers=AUTH, timeout=60) as http:
                n = 0
                while not killed.is_set():
                    tag = f"kill{round_}x{w}x{n}"
                    try:
                        response = http.put(f"/api/documents/{tag}", json=document(tag))
                    except httpx.HTTPError:
                        return
                    if response.status_code == 200:
                        acknowledged.append(tag)
                    n += 1

        threads = [threading.Thread(target=stream, args=(w,)) for w in range(4)]
        for t in threads:
            t.start()
        while not acknowledged:  # the stream is flowing: kill it at a random moment from now
            time.sleep(0.01)
        time.sleep(random.uniform(0.2, 2.0))
        server.kill()
        killed.set()
        for t in threads:
            t.join()
        lost = missing(index_dir, acknowledged)
        total_acknowledged += len(acknowledged)
        total_lost += len(lost)
        print(f"  round {round_ + 1}: {len(acknowledged)} acknowledged before SIGKILL, {len(lost)} missing after")
    print(f"kills: {rounds} rounds, {total_acknowledged} documents acknowledged, {total_lost} missing after restart")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=20)
    parser.add_argument("--readers", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument(
        "--threads", type=int, default=16, help="server threads: a write waits for its commit in one, so writers need many"
    )
    parser.add_argument("--corpus", type=Path, default=REPO / "corpus")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vnsearch-write-bench-") as tmp:
        index_dir = Path(tmp) / "index"
        report = build_index([args.corpus], index_dir, progress=False)
        print(f"index: {args.corpus} ({report.added} articles)")
        started = time.perf_counter()
        load(index_dir, args.writers, args.readers, args.seconds, args.threads)
        kills(index_dir, args.rounds)
        print(f"{time.perf_counter() - started:.0f} s in all; load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
