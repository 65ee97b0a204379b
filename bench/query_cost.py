"""The cost budget under attack: a normal client's latency while two clients send the costliest searches the limits allow.

Starts ``vnsearch serve`` on 127.0.0.1 over an existing index (or indexes ``--corpus``
first), times each candidate request below alone (all within the documented limits:
40 words, page 1,000, size 100), then measures one normal client (one request at a time
over the load test's queries) for ``--seconds``: first alone, then while two clients send
the two costliest candidates back to back. Target (issue 13): p95 under load stays under
3× the idle p95. Only ever 127.0.0.1, bounded in time.

    .venv/bin/python -m bench.query_cost --index-dir DIR --port 5201 --write
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import os
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from bench.load import HOST, TIMEOUT_SECONDS, timed_get
from bench.server_load import QUERIES, REPO, percentile, start_server, write_section

SECTION = "## Query cost budget"
COMMON = "của và các có là trong với cho được công không năm đã một tại để từ về người những".split() * 2
RARE = "nghiêm thưởng trường quốc người đường thành xuân".split() * 5


def _search(q: str, **params: str) -> str:
    return "/api/search?" + urlencode({"q": q, **params})


# The costliest requests a client can make within the limits, as far as we know.
CANDIDATES = {
    "40 commonest words, 100 hits": _search(" ".join(COMMON), size="100"),
    "40 commonest words, page 1,000": _search(" ".join(COMMON), size="100", page="1000"),
    "40 commonest words, exact": _search(" ".join(COMMON), size="100", exact="1"),
    "a quoted phrase of 40 common words": _search('"' + " ".join(COMMON) + '"', size="100"),
    "20 quoted two-word phrases": _search(" ".join(f'"{a} {b}"' for a, b in zip(COMMON[:20], COMMON[1:21])), size="100"),
    "40 words joined by dots": _search(".".join(COMMON), size="100"),
    "40 words joined by OR": _search(" OR ".join(COMMON), size="100"),
    "40 mistyped words": _search(" ".join(w + "x" for w in RARE), size="100"),
    "15 words, one absent (near matches)": _search(" ".join(COMMON[:14] + ["xyzzyq"]), size="100"),
    "abbreviations": _search(" ".join(["MTTQ", "UBND", "HĐND", "TP"] * 3), size="100"),
    # One word the corpus lacks, as long as a query may be: every one-edit neighbour a candidate.
    "a word and 990 letters": _search("hà " + "b" * 990, size="100"),
    "everything by date, 100 hits": _search("", sort="date", size="100"),
}


class Client(threading.Thread):
    """One keep-alive connection sending ``paths`` in turn, one at a time, until ``stop`` is set."""

    def __init__(self, port: int, paths: list[str], stop: threading.Event):
        super().__init__(daemon=True)
        self.port, self.paths, self.stop = port, paths, stop
        self.latencies_ms: list[float] = []
        self.errors = 0

    def run(self) -> None:
        connection = http.client.HTTPConnection(HOST, self.port, timeout=TIMEOUT_SECONDS)
        n = 0
        while not self.stop.is_set():
            ok, ms, connection = timed_get(connection, self.port, self.paths[n % len(self.paths)])
            self.latencies_ms.append(ms)
            self.errors += not ok
            n += 1
        connection.close()


def measure(port: int, seconds: float, attack: list[str]) -> tuple[Client, list[Client]]:
    stop = threading.Event()
    normal = Client(port, [_search(q) for q in QUERIES], stop)
    attackers = [Client(port, [path], stop) for path in attack]
    for client in [*attackers, normal]:
        client.start()
    time.sleep(seconds)
    stop.set()
    for client in [normal, *attackers]:
        client.join(TIMEOUT_SECONDS + 5)
    return normal, attackers


def cost_of(port: int, path: str, repeats: int = 3) -> tuple[float, int, bool]:
    """The fastest of ``repeats`` answers (ms), its status, and whether it says it is incomplete."""
    best, status, incomplete = float("inf"), 0, False
    for _ in range(repeats):
        connection = http.client.HTTPConnection(HOST, port, timeout=TIMEOUT_SECONDS)
        started = time.perf_counter()
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        best = min(best, (time.perf_counter() - started) * 1000)
        status, incomplete = response.status, response.getheader("X-Search-Incomplete") == "1"
        connection.close()
    return best, status, incomplete


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index-dir", type=Path, help="an existing index (else --corpus is indexed first)")
    parser.add_argument("--corpus", type=Path, default=REPO / "corpus")
    parser.add_argument("--port", type=int, default=5201)
    parser.add_argument("--threads", type=int, default=None, help="server threads (default: serve's)")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--label", default="", help="what the index holds, for the report")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args(argv)

    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="vnsearch-cost-") as tmp:
        index_dir = args.index_dir or Path(tmp) / "index"
        server = start_server(args.corpus, index_dir, args.port, args.threads, Path(tmp) / "server.log")
        try:
            costs = {name: cost_of(args.port, path) for name, path in CANDIDATES.items()}
            costliest = sorted(costs, key=lambda name: -costs[name][0])[:2]
            idle, _ = measure(args.port, args.seconds, [])
            loaded, attackers = measure(args.port, args.seconds, [CANDIDATES[name] for name in costliest])
        finally:
            server.terminate()
            server.wait(30)

    def p(client: Client, q: float) -> float:
        return percentile(sorted(client.latencies_ms), q)

    ratio = p(loaded, 95) / p(idle, 95) if p(idle, 95) else float("inf")
    rows = "\n".join(
        f"| {name} | {ms:.0f} ms | {status}{' (incomplete: near matches too costly)' if incomplete else ''} |"
        for name, (ms, status, incomplete) in sorted(costs.items(), key=lambda kv: -kv[1][0])
    )
    threads = f" --threads {args.threads}" if args.threads else ""
    section = f"""{SECTION}

The costliest searches the limits allow (search/budget.py: 40 words counted after analysis, a
plan of at most 1,500 evaluation nodes, 1 s of CPU per search; page ≤ 1,000, size ≤ 100), each
timed alone, then one normal client (the load test's {len(QUERIES)} queries, one request at a time)
for {args.seconds:.0f} s alone and {args.seconds:.0f} s while two clients send the two costliest back to back.
`vnsearch serve{threads}` on 127.0.0.1 over {args.label or index_dir}; clients and server share
the 2-core machine; load average {load:.1f} when the run started (other agents' work included).

    .venv/bin/python -m bench.query_cost --index-dir DIR --label "…" --write

Run on {dt.date.today().isoformat()}.

| request (alone) | time | status |
|---|--:|--:|
{rows}

| normal client | requests | p50 | p95 | p99 |
|---|--:|--:|--:|--:|
| alone | {len(idle.latencies_ms)} | {p(idle, 50):.0f} ms | {p(idle, 95):.0f} ms | {p(idle, 99):.0f} ms |
| with two clients sending the costliest | {len(loaded.latencies_ms)} | {p(loaded, 50):.0f} ms | {p(loaded, 95):.0f} ms | {p(loaded, 99):.0f} ms |

p95 under attack / p95 alone: **{ratio:.1f}×** (target: under 3×); the attackers got
{sum(len(a.latencies_ms) for a in attackers)} answers; errors: normal {idle.errors + loaded.errors}, attackers {sum(a.errors for a in attackers)}.
"""
    print(section)
    if args.write:
        write_section(section, SECTION)
    return 0


if __name__ == "__main__":
    sys.exit(main())
