"""Idle and slow connections against the real server: does a normal client still get through?

Starts ``vnsearch serve`` on 127.0.0.1, measures one normal client (one request at a
time over the load test's searches) for ``--seconds`` alone, then opens ``--idle``
connections and holds them: a third connect and send nothing, a third send half a request
and stall (slowloris), a third finish one keep-alive request and go quiet; the normal
client is measured again while they are held. Target (issue 13): with 500 idle
connections its p95 stays under 100 ms. ``--waitress-defaults`` runs waitress as it comes
(100 connections), for comparison. Only ever 127.0.0.1, bounded in time.

    .venv/bin/python -m bench.idle_connections --index-dir DIR --port 5202 --write
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import socket
import sys
import tempfile
import time
from pathlib import Path

from bench.load import HOST
from bench.query_cost import Client, measure
from bench.server_load import REPO, launch, percentile, start_server, write_section

SECTION = "## Idle and slow connections"
# The same app on waitress as it comes, for comparison (needs an index: --index-dir).
PLAIN_WAITRESS = """
import sys
from pathlib import Path
from waitress import serve
from search.engine import SearchEngine
from web import create_app
serve(create_app(SearchEngine(Path(sys.argv[1]))), host="127.0.0.1", port=int(sys.argv[2]), threads=2)
"""


def hold(port: int, count: int) -> list[socket.socket]:
    """``count`` connections left open: silent, half a request, or quiet after one keep-alive request."""
    held = []
    for n in range(count):
        try:
            sock = socket.create_connection((HOST, port), timeout=5)
        except OSError:
            break
        kind = n % 3
        if kind == 1:
            sock.sendall(b"GET /search?q=ha HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        elif kind == 2:
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        held.append(sock)
    deadline = time.monotonic() + 10
    for sock in held[2::3]:  # read the keep-alive answers so they sit idle, not half-read (10 s in all)
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            sock.recv(65536)
        except OSError:
            pass
    return held


def still_open(held: list[socket.socket]) -> int:
    """How many of the held connections the server has not closed."""
    count = 0
    for sock in held:
        sock.setblocking(False)
        try:
            count += sock.recv(1, socket.MSG_PEEK) != b""
        except BlockingIOError:
            count += 1
        except OSError:
            pass
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index-dir", type=Path, help="an existing index (else --corpus is indexed first)")
    parser.add_argument("--corpus", type=Path, default=REPO / "corpus")
    parser.add_argument("--port", type=int, default=5202)
    parser.add_argument("--idle", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--label", default="")
    parser.add_argument("--waitress-defaults", action="store_true", help="serve with waitress's own limits")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args(argv)

    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="vnsearch-idle-") as tmp:
        index_dir = args.index_dir or Path(tmp) / "index"
        log = Path(tmp) / "server.log"
        if args.waitress_defaults:
            server = launch([sys.executable, "-c", PLAIN_WAITRESS, str(index_dir), str(args.port)], args.port, log)
        else:
            server = start_server(args.corpus, index_dir, args.port, None, log)
        held: list[socket.socket] = []
        try:
            alone, _ = measure(args.port, args.seconds, [])
            held = hold(args.port, args.idle)
            opened = len(held)
            loaded, _ = measure(args.port, args.seconds, [])
            remaining = still_open(held)
        finally:
            for sock in held:
                sock.close()
            server.terminate()
            server.wait(30)

    def row(name: str, client: Client) -> str:
        ordered = sorted(client.latencies_ms)
        return (f"| {name} | {len(ordered)} | {client.errors} | {percentile(ordered, 50):.0f} ms "
                f"| {percentile(ordered, 95):.0f} ms | {ordered[-1] if ordered else 0:.0f} ms |")

    server_kind = "waitress with its defaults (100 connections)" if args.waitress_defaults else "`vnsearch serve`"
    section = f"""{SECTION}

One normal client (one request at a time, the load test's searches) against {server_kind}
on 127.0.0.1 over {args.label or index_dir}, {args.seconds:.0f} s alone, then {args.seconds:.0f} s while
{opened} connections are held open ({args.idle} asked for): a third silent, a third stalled halfway
through their headers, a third quiet after one keep-alive request. {remaining} of them were still open
at the end. Load average {load:.1f} when the run started (other agents' work included).

    .venv/bin/python -m bench.idle_connections --index-dir DIR --label "…" --write{' --waitress-defaults' if args.waitress_defaults else ''}

Run on {dt.date.today().isoformat()}.

| normal client | requests | errors | p50 | p95 | max |
|---|--:|--:|--:|--:|--:|
{row("alone", alone)}
{row(f"with {opened} idle connections", loaded)}

Target: p95 under 100 ms with 500 idle connections.
"""
    print(section)
    if args.write:
        write_section(section, SECTION)
    return 0


if __name__ == "__main__":
    sys.exit(main())
