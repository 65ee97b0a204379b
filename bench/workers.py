"""Searches per second of ``vnsearch serve`` set up in several ways, one after another in the same run.

Each setup (``--setups``, ``;``-separated argument lists for ``vnsearch serve``; a setup
``replicas:N`` starts N separate one-process servers on the same index, the clients spread
over them) answers ``--clients`` keep-alive clients searching for ``--seconds``, after one
warming pass over every query. Queries are bench.performance's (one, two, three words, a
phrase, a district filter, newest first). The CPU time per search of the servers
and of the clients is measured too: on a machine other work shares, those do not depend on
how much CPU each got, and the cores divided by their sum estimates what the machine would
do with nothing else running. Memory is the proportional set size (PSS: pages
shared between the processes counted once in all) of every server process, idle after
start and after the load. Only ever 127.0.0.1, on ports from ``--port`` up.

    .venv/bin/python -m bench.workers --index /tmp/vnsearch-bench/index-10000 \
        --corpus /tmp/vnsearch-bench/corpus-10000 --setups "--workers 1;--workers 2"
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.articles import read_articles
from bench.load import LoadResult, get, run_load
from bench.performance import BIN, REPO, _children, api_path, load_average, percentiles, sample_queries
from compat.cpus import usable_cpus

STARTUP_SECONDS = 300


def pss_mb(root: int) -> float:
    """Proportional set size of a process and all its descendants, from /proc/PID/smaps_rollup."""
    tree, total, todo = _children(), 0, [root]
    while todo:
        pid = todo.pop()
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            pass
        todo.extend(tree.get(pid, []))
    return total / 1024


def cpu_seconds(root: int) -> float:
    """CPU time (user + system) used so far by a process and its living descendants."""
    tree, total, todo = _children(), 0, [root]
    while todo:
        pid = todo.pop()
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except OSError:
            pass
        todo.extend(tree.get(pid, []))
    return total / os.sysconf("SC_CLK_TCK")


@dataclass
class Measured:
    setup: str
    processes: int
    requests: int
    errors: int
    seconds: float
    per_second: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    server_cpu_ms_per_search: float  # what a search costs the server whatever else runs on the machine
    client_cpu_ms_per_search: float  # and the clients (this process)
    idle_machine_estimate_per_second: float  # what it would do with nothing else running (_estimate)
    idle_pss_mb: float
    loaded_pss_mb: float
    load_average: str


def _start(args: list[str], index: Path, port: int, log: Path) -> subprocess.Popen:
    command = [str(BIN / "vnsearch"), "serve", "--host", "127.0.0.1", "--port", str(port), "--index-dir", str(index), *args]
    with log.open("ab") as sink:
        server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=sink, cwd=REPO)
    deadline = time.perf_counter() + STARTUP_SECONDS
    while True:
        try:
            if get(port, "/health", timeout=5)[0] == 200:
                return server
        except OSError:
            pass
        if server.poll() is not None or time.perf_counter() > deadline:
            server.kill()
            raise SystemExit(f"{' '.join(command)} did not come up; see {log}")
        time.sleep(0.3)


def _spread_load(ports: list[int], paths: list[str], clients: int, seconds: float) -> LoadResult:
    """The clients split evenly over the ports, all at once."""
    results: list[LoadResult] = []
    shares = [clients // len(ports) + (k < clients % len(ports)) for k in range(len(ports))]
    threads = [
        threading.Thread(target=lambda p=p, n=n: results.append(run_load(p, paths, n, seconds, 10**9)))
        for p, n in zip(ports, shares)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return LoadResult(
        clients,
        max(r.seconds for r in results),
        sum(r.requests for r in results),
        sum(r.errors for r in results),
        [x for r in results for x in r.latencies_ms],
    )


def _estimate(setup: str, processes: int, requests: int, server_cpu: float, client_cpu: float) -> float:
    """Searches/s with nothing else running: the cores shared by servers and clients, and each
    searching process (not gunicorn's master) at most one core (its interpreter lock)."""
    searching = processes if setup.startswith("replicas:") or processes == 1 else processes - 1
    per_search = max(1e-9, server_cpu) / requests
    return min(usable_cpus() * requests / max(1e-9, server_cpu + client_cpu), min(searching, usable_cpus()) / per_search)


def measure(setup: str, index: Path, paths: list[str], port: int, clients: int, seconds: float, log: Path) -> Measured:
    if setup.startswith("replicas:"):
        count = int(setup.split(":", 1)[1])
        launches = [(["--workers", "1"], port + k) for k in range(count)]
    else:
        launches = [(setup.split(), port)]
    servers = []
    try:
        for args, p in launches:
            servers.append(_start(args, index, p, log))
        time.sleep(2)  # let the workers finish booting
        idle = sum(pss_mb(s.pid) for s in servers)
        ports = [p for _, p in launches]
        for k, path in enumerate(paths):  # one warming pass, spread over the servers
            get(ports[k % len(ports)], path)
        cpu_before, client_before = sum(cpu_seconds(s.pid) for s in servers), time.process_time()
        load = _spread_load(ports, paths, clients, seconds)
        cpu = sum(cpu_seconds(s.pid) for s in servers) - cpu_before
        client_cpu = time.process_time() - client_before
        loaded = sum(pss_mb(s.pid) for s in servers)
        processes = sum(1 + len(_children().get(s.pid, [])) for s in servers)
    finally:
        for s in servers:
            s.terminate()
        for s in servers:
            s.wait(30)
    cuts = percentiles(load.latencies_ms)
    return Measured(
        setup, processes, load.requests, load.errors, load.seconds, load.per_second,
        cuts["p50"], cuts["p95"], cuts["p99"], 1000 * cpu / max(1, load.requests), 1000 * client_cpu / max(1, load.requests),
        _estimate(setup, processes, load.requests, cpu, client_cpu), idle, loaded, load_average(),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.workers", description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--corpus", type=Path, required=True, help="the corpus indexed there (for the queries)")
    parser.add_argument("--setups", default="--workers 1;--workers 2")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--queries", type=int, default=50, help="queries per kind (default 50)")
    parser.add_argument("--port", type=int, default=5610)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, help="append the results here as JSON lines")
    args = parser.parse_args(argv)
    queries = sample_queries(read_articles([args.corpus]), args.queries, args.seed)
    paths = [api_path(r) for requests in queries.values() for r in requests]
    log = Path(f"/tmp/bench-workers-{args.port}.log")
    for setup in filter(None, (s.strip() for s in args.setups.split(";"))):
        m = measure(setup, args.index, paths, args.port, args.clients, args.seconds, log)
        line = {"index": str(args.index), "clients": args.clients, **asdict(m)}
        print(json.dumps(line, ensure_ascii=False), flush=True)
        if args.out:
            with args.out.open("a") as out:
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
