"""The load test: many people searching at once, and some hanging up mid-answer, against the real server.

Starts ``vnsearch serve`` (waitress) on 127.0.0.1 over the sample corpus, indexed
into a temporary directory, then runs ``--clients`` keep-alive clients for
``--seconds`` (at most ``--max-requests`` requests in all) over a mix of API
searches, result pages, article pages and the home page, while ``--rude`` more
clients send requests and close the connection without reading the answer, or
reset it after the first bytes. Every polite request must get a 200; latency is
reported. Only ever 127.0.0.1, bounded in time and count.

    .venv/bin/python -m bench.server_load --write
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlencode

from bench.load import HOST, LoadResult, get, run_load

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "RESULTS.md"
SECTION = "## Load"
STARTUP_SECONDS = 120

# What people type: accented, unaccented, Telex with the input method off, a typo, phrases, OR, exclusions.
QUERIES = [
    "Hai Bà Trưng", "hai ba trung", "Haif Baf Trwng", "mặt trận", "mat tran to quoc", '"Ủy ban MTTQ"',
    "thanh xuân -hoàn", "đại hội OR hội nghị", "thi dua khen thuong", "hoi nghi tong ket", "bằng khen",
    "nhiệm kỳ 2024-2029", "cum thi dua", "hoan kiem", "xuat sac",
]
FILTERS = [{}, {"district": "Thanh Xuân"}, {"sort": "date"}, {"from": "2024-01-01"}, {"size": "5", "page": "2"}]


def request_mix(doc_ids: list[str]) -> list[str]:
    """The paths the clients cycle through: mostly searches, some article pages, the home page."""
    paths = ["/", "/health"]
    for n, q in enumerate(QUERIES):
        params = urlencode({"q": q, **FILTERS[n % len(FILTERS)]})
        paths += [f"/api/search?{params}", f"/search?{params}", f"/api/search?{urlencode({'q': q})}"]
        doc = quote(doc_ids[n % len(doc_ids)])
        paths += [f"/doc/{doc}?{urlencode({'q': q})}", f"/api/doc/{doc}?{urlencode({'q': q})}"]
    return paths


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_server(corpus: Path, index_dir: Path, port: int, threads: int | None, log: Path) -> subprocess.Popen:
    """``vnsearch serve`` as a person starts it, its messages to ``log``; returns once it answers /health.

    Not a pipe: waitress logs as it goes, and an unread pipe would fill and stop the server.
    """
    command = [sys.executable, "-m", "vnsearch.cli", "serve", "--host", HOST, "--port", str(port),
               "--corpus", str(corpus), "--index-dir", str(index_dir)]
    command += ["--threads", str(threads)] if threads else []
    return launch(command, port, log)


def launch(command: list[str], port: int, log: Path) -> subprocess.Popen:
    """Run a server ``command``, its messages to ``log``; returns once it answers /health on ``port``."""
    with log.open("w") as messages:
        server = subprocess.Popen(command, stdout=messages, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped while starting:\n{log.read_text()}")
        try:
            if get(port, "/health", timeout=2)[0] == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    server.kill()
    raise SystemExit(f"the server did not answer within {STARTUP_SECONDS} s")


class Rude(threading.Thread):
    """Sends a request and hangs up: half the time without reading, half after the first bytes, with a reset."""

    def __init__(self, port: int, paths: list[str], deadline: float, limit: int):
        super().__init__(daemon=True)
        self.port, self.paths, self.deadline, self.limit = port, paths, deadline, limit
        self.hangups = 0

    def run(self) -> None:
        while time.perf_counter() < self.deadline and self.hangups < self.limit:
            path = self.paths[self.hangups % len(self.paths)]
            try:
                with socket.create_connection((HOST, self.port), timeout=10) as sock:
                    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode())
                    if self.hangups % 2:
                        sock.recv(200)
                        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            except OSError:
                pass  # the server may reset first; that is its business
            self.hangups += 1
            time.sleep(0.01)


def answers_health(port: int) -> bool:
    try:
        return get(port, "/health")[0] == 200
    except OSError:
        return False


def percentile(ordered: list[float], p: float) -> float:
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else 0.0


def report(
    result: LoadResult, hangups: int, args: argparse.Namespace, documents: int, healthy_after: bool, load: float
) -> str:
    ordered = sorted(result.latencies_ms)
    ms = {p: percentile(ordered, p) for p in (50, 90, 99)}
    verdict = "no errors" if result.errors == 0 and healthy_after else f"{result.errors} ERRORS"
    return f"""{SECTION}

{args.clients} keep-alive clients for {args.seconds:.0f} s (at most {args.max_requests:,} requests) against
`vnsearch serve --threads {args.threads}` (waitress) on 127.0.0.1, serving the sample corpus
({documents} articles), over a mix of {len(request_mix(['x']))} paths: API searches and result pages
(accented, unaccented, Telex, phrases, OR, exclusions, district and date filters, page 2), article
pages with highlighting, the home page. Meanwhile {args.rude} rude clients sent requests and hung
up, half without reading, half with a reset after the first bytes ({hangups:,} hang-ups).
Clients and server share the 2-core machine; the clients are Python threads. The machine's load
average when the run started was {load:.1f} (other work running makes every number here worse).

    .venv/bin/python -m bench.server_load --write

Run on {dt.date.today().isoformat()}: **{verdict}**; the server answered /health afterwards: {"yes" if healthy_after else "NO"}.

| requests | errors | requests/s | p50 | p90 | p99 | max |
|--:|--:|--:|--:|--:|--:|--:|
| {result.requests:,} | {result.errors} | {result.per_second:.0f} | {ms[50]:.0f} ms | {ms[90]:.0f} ms | {ms[99]:.0f} ms | {ordered[-1] if ordered else 0:.0f} ms |

Latency is queueing for the most part: {args.clients} clients share {args.threads} server threads and
one Python process, so each request waits for those ahead of it (Little's law: clients ÷ throughput
≈ {args.clients / result.per_second * 1000 if result.per_second else 0:.0f} ms).
"""


def write_section(section: str, title: str = SECTION) -> None:
    """Replace the section headed ``title`` of RESULTS.md, leaving the others as they are."""
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmarks\n"
    start = text.find(f"\n{title}\n")
    if start < 0:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        end = text.find("\n## ", start + 1)
        text = text[: start + 1] + section + ("\n" + text[end + 1 :] if end >= 0 else "")
    RESULTS.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--max-requests", type=int, default=200_000)
    parser.add_argument("--rude", type=int, default=5, help="clients that hang up mid-answer")
    parser.add_argument("--threads", type=int, default=8, help="server threads")
    parser.add_argument("--corpus", type=Path, default=REPO / "corpus")
    parser.add_argument("--write", action="store_true", help=f"write the result into {RESULTS.name}")
    args = parser.parse_args(argv)

    port = free_port()
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="vnsearch-load-") as tmp:
        server = start_server(args.corpus, Path(tmp) / "index", port, args.threads, Path(tmp) / "server.log")
        try:
            listing = json.loads(get(port, "/api/search?size=100")[1])
            paths = request_mix([hit["id"] for hit in listing["hits"]])
            deadline = time.perf_counter() + args.seconds
            rude = [Rude(port, paths, deadline, args.max_requests) for _ in range(args.rude)]
            for client in rude:
                client.start()
            result = run_load(port, paths, args.clients, args.seconds, args.max_requests)
            for client in rude:
                client.join(args.seconds + 30)
            healthy_after = answers_health(port)
        finally:
            server.terminate()
            server.wait(30)
    section = report(result, sum(c.hangups for c in rude), args, listing["total"], healthy_after, load)
    print(section)
    if args.write:
        write_section(section)
    return 0 if result.errors == 0 and healthy_after else 1


if __name__ == "__main__":
    sys.exit(main())
