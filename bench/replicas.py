"""Shipping a new index generation to replicas that serve one read-only copy, while they answer.

Two ``vnsearch serve`` processes (replicas) serve the same index folder. The indexer writes
the next generation elsewhere (a staging folder); it is shipped the way Whoosh commits:
segment files first (new names; nothing serving reads them yet), the table of contents
(``_*.toc``) last, each file copied under a temporary name and renamed into place, so a
replica sees the old generation or the new one, never a mix. Files the new generation no
longer uses are removed after a grace period. What ``rsync -a --exclude='_*.toc'`` then
``rsync -a`` of the TOC then ``rsync -a --delete`` does; here in Python, rsync not being
installed. Clients search both replicas throughout; reported: errors, and how long after
the TOC landed each replica answered from the new generation.

    .venv/bin/python -m bench.replicas --staging /tmp/ship/staging --live /tmp/ship/live \
        --corpus corpus --more /tmp/vnsearch-bench/corpus-10000/00
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from bench.load import get
from bench.workers import _start

GRACE_SECONDS = 5.0


def ship(staging: Path, live: Path, grace: float = GRACE_SECONDS) -> float:
    """Copy the staging index into the live folder, TOC last; the moment the TOC landed (perf_counter)."""
    live.mkdir(parents=True, exist_ok=True)
    files = sorted(p for p in staging.iterdir() if p.is_file() and not p.name.endswith("LOCK"))
    tocs = [p for p in files if p.name.endswith(".toc")]
    for source in [p for p in files if p not in tocs] + tocs:
        target = live / source.name
        if target.exists() and target.stat().st_size == source.stat().st_size and source.suffix != ".toc":
            continue  # a segment file never changes once written: already shipped
        temporary = live / f".{source.name}.part"
        shutil.copy2(source, temporary)
        os.replace(temporary, target)
    landed = time.perf_counter()
    time.sleep(grace)  # requests under way on the old generation finish
    wanted = {p.name for p in files}
    for old in live.iterdir():
        if old.is_file() and old.name not in wanted and not old.name.endswith("LOCK"):
            old.unlink()
    return landed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.replicas", description=__doc__.split("\n\n")[0])
    parser.add_argument("--staging", type=Path, required=True)
    parser.add_argument("--live", type=Path, required=True)
    parser.add_argument("--corpus", type=Path, required=True, help="the first generation's corpus")
    parser.add_argument("--more", type=Path, required=True, help="added for the second generation")
    parser.add_argument("--port", type=int, default=5620)
    parser.add_argument("--query", default="hà nội")
    args = parser.parse_args(argv)
    vnsearch = str(Path(sys.executable).parent / "vnsearch")
    for folder in (args.staging, args.live):
        shutil.rmtree(folder, ignore_errors=True)
    subprocess.run([vnsearch, "index", str(args.corpus), "--index-dir", str(args.staging)], check=True, capture_output=True)
    ship(args.staging, args.live, grace=0)
    log = Path(f"/tmp/bench-replicas-{args.port}.log")
    ports = [args.port, args.port + 1]
    servers = [_start(["--workers", "1"], args.live, port, log) for port in ports]
    before = [json.loads(get(p, "/health")[1])["documents"] for p in ports]
    answers: list[tuple[float, int, int, int]] = []  # (time, port, status, documents)
    stop = threading.Event()

    def client(port: int) -> None:
        while not stop.is_set():
            status, body = get(port, "/health")
            search_status, _ = get(port, "/api/search?" + urlencode({"q": args.query}))
            answers.append((time.perf_counter(), port, max(status, search_status), json.loads(body)["documents"] if status == 200 else -1))

    threads = [threading.Thread(target=client, args=(p,)) for p in ports for _ in range(2)]
    try:
        for t in threads:
            t.start()
        started = time.perf_counter()
        subprocess.run([vnsearch, "index", str(args.corpus), str(args.more), "--index-dir", str(args.staging)], check=True, capture_output=True)
        indexed = time.perf_counter() - started
        landed = ship(args.staging, args.live)
        time.sleep(1)
        stop.set()
        for t in threads:
            t.join()
    finally:
        for s in servers:
            s.terminate()
            s.wait(30)
    after = max(n for _, _, _, n in answers)
    picked = {p: min((t - landed for t, q, _, n in answers if q == p and n == after), default=None) for p in ports}
    mixed = [a for a in answers if a[0] >= landed and a[3] not in (after,)]
    print(json.dumps({
        "documents_before": before, "documents_after": after, "requests": len(answers),
        "errors": sum(a[2] != 200 for a in answers), "indexing_seconds": round(indexed, 1),
        "seconds_from_toc_to_new_generation": {str(p): round(s, 3) if s is not None else None for p, s in picked.items()},
        "old_generation_answers_after_toc": len(mixed),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
