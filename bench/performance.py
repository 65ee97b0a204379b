"""How fast vnsearch indexes, answers and serves, next to SQLite FTS5 and plain Whoosh, on this machine.

For each corpus size, in one run: a corpus from :mod:`bench.generate`; the real
``vnsearch index`` (time, MB/s, articles/s, CPU, peak memory, index size); a
second run on the unchanged corpus and one after 1% of the files changed; the
same queries (one, two, three words, a phrase, a district filter, newest first —
half typed with diacritics, half without) through ``SearchEngine.search`` with
ten hits, snippets and district counts, twice (the first pass with cold
caches); 20 clients searching the real ``vnsearch serve`` over HTTP on
127.0.0.1 for a bounded time; the serving process's memory. FTS5 and Whoosh
index the same articles and answer the same requests. dantri-unc plus the seed
articles is also indexed in one process and by the straightforward Whoosh +
pyvi + Unidecode build, the issue's baseline.

Each step's figures are kept as JSON in the work directory, so a step can be
re-run alone (``--steps``); ``--write`` puts the tables of every size measured
into bench/RESULTS.md. Benchmarks, not tests: nothing here asserts a time.

    .venv/bin/python -m bench.performance --sizes 10000,100000 --write
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import resource
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Sequence
from pathlib import Path

from bench import generate
from bench.articles import read_articles
from bench.faceted_peers import PEERS
from bench.load import get, run_load
from compat.cpus import usable_cpus
from indexer.article import Article
from search.engine import SearchEngine
from search.model import SearchRequest
from vietnamese.text import fold, words

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "RESULTS.md"
SECTION = "## Performance"
BEGIN, END = "<!-- bench.performance: begin -->", "<!-- bench.performance: end -->"
BIN = Path(sys.executable).parent
STEPS = ("dantri", "index", "incremental", "queries", "peers", "server")
CATEGORIES = ("one word", "two words", "three words", "phrase", "district filter", "newest first")
CHANGED_SHARE = 0.01
MiB = 1024 * 1024


# -- processes -------------------------------------------------------------------------------


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(entry.path, "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _status_kb(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants (pages they share counted once per process)."""
    tree, total, todo = _children(), 0, [pid]
    while todo:
        p = todo.pop()
        total += _status_kb(p, "VmRSS")
        todo.extend(tree.get(p, []))
    return total / 1024


def run_measured(command: Sequence[str]) -> dict:
    """Run a command; its wall and CPU time (children included), peak memory of its process tree, output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)
    peak = 0.0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.2):
            peak = max(peak, tree_rss_mb(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = process.communicate()
    done.set()
    sampler.join()
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if process.returncode not in (0, 1):  # 1: some files skipped, still indexed
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{err[-2000:]}")
    return {
        "seconds": wall,
        "cpu_seconds": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        "peak_tree_mb": peak,
        "peak_process_mb": after.ru_maxrss / 1024,
        "output": out.strip().splitlines()[-1] if out.strip() else "",
    }


def dir_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / MiB


def corpus_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*.txt")) / MiB


def machine() -> str:
    model = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
        platform.processor(),
    )
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{usable_cpus()} cores ({model}), {memory:.0f} GiB, Python {platform.python_version()}"


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# -- corpus and queries ----------------------------------------------------------------------


def sample_queries(articles: Sequence[Article], per_category: int, seed: int) -> dict[str, list[SearchRequest]]:
    """Queries people type: runs of words from titles, half with diacritics, half without."""
    rng = random.Random(seed)
    titles = [ws for a in articles if len(ws := [w.lower() for w in words(a.title) if w.isalpha()]) >= 3]
    located = [a for a in articles if a.districts]

    def run(n: int, k: int) -> str:
        ws = rng.choice(titles)
        start = rng.randrange(len(ws) - n + 1)
        text = " ".join(ws[start : start + n])
        return text if k % 2 == 0 else fold(text)

    queries: dict[str, list[SearchRequest]] = {c: [] for c in CATEGORIES}
    for k in range(per_category):
        queries["one word"].append(SearchRequest(q=run(1, k)))
        queries["two words"].append(SearchRequest(q=run(2, k)))
        queries["three words"].append(SearchRequest(q=run(3, k)))
        queries["phrase"].append(SearchRequest(q=f'"{run(rng.choice((2, 3)), k)}"'))
        article = rng.choice(located)
        word = rng.choice([w.lower() for w in words(article.title) if w.isalpha()] or ["hà"])
        queries["district filter"].append(
            SearchRequest(q=word if k % 2 == 0 else fold(word), districts=(rng.choice(article.districts),))
        )
        queries["newest first"].append(SearchRequest(q=run(2, k), sort="date"))
    return queries


def api_path(request: SearchRequest) -> str:
    params = [("q", request.q), ("sort", request.sort)] + [("district", d) for d in request.districts]
    return "/api/search?" + urllib.parse.urlencode(params)


def percentiles(values: Sequence[float]) -> dict[str, float]:
    cuts = statistics.quantiles(values, n=100, method="inclusive") if len(values) > 1 else list(values) * 99
    return {"p50": cuts[49], "p95": cuts[94], "p99": cuts[98], "mean": statistics.fmean(values)}


def time_queries(search: Callable[[SearchRequest], int], queries: dict[str, list[SearchRequest]]) -> dict:
    """Two passes over every query (the first with cold caches); latency percentiles per category, mean hits."""
    passes = []
    for _ in range(2):
        per: dict[str, dict] = {}
        for category, requests in queries.items():
            times, totals = [], []
            for request in requests:
                started = time.perf_counter()
                totals.append(search(request))
                times.append((time.perf_counter() - started) * 1000)
            per[category] = {**percentiles(times), "mean_total": statistics.fmean(totals)}
        passes.append(per)
    return {"cold": passes[0], "warm": passes[1]}


# -- steps -----------------------------------------------------------------------------------


class Run:
    """The measurements of one corpus, kept in ``work/results-<name>.json``."""

    def __init__(self, work: Path, name: str):
        self.work = work
        self.name = name
        self.path = work / f"results-{name}.json"
        self.data: dict = json.loads(self.path.read_text()) if self.path.exists() else {}

    def save(self, key: str, value) -> None:
        self.data[key] = value
        self.data["updated"] = dt.datetime.now().isoformat(timespec="seconds")
        self.path.write_text(json.dumps(self.data, ensure_ascii=False, indent=1))
        print(f"[{self.name}] {key}: done (load average {load_average()})", file=sys.stderr)


def vnsearch_index(corpus: Sequence[Path], index_dir: Path) -> tuple[list[str], dict]:
    command = [str(BIN / "vnsearch"), "index", *map(str, corpus), "--index-dir", str(index_dir)]
    return command, run_measured(command)


def step_dantri(run: Run, work: Path) -> None:
    """The issue's reference corpus, three ways: vnsearch, vnsearch in one process, Whoosh + pyvi + Unidecode."""
    from bench.peers import Corpus, WhooshPyvi

    corpus = list(generate.SOURCES)
    results = {"articles": None, "mb": sum(corpus_mb(p) for p in corpus)}
    for name, one_process in (("vnsearch", False), ("vnsearch, one process", True)):
        index_dir = work / "dantri-index"
        subprocess.run(["rm", "-rf", str(index_dir)], check=True)
        if one_process:
            code = "import sys, indexer.build as b; b.WORKERS = 1; from vnsearch.cli import main; sys.exit(main(sys.argv[1:]))"
            command = [sys.executable, "-c", code, "index", *map(str, corpus), "--index-dir", str(index_dir)]
            measured = run_measured(command)
        else:
            command, measured = vnsearch_index(corpus, index_dir)
        results[name] = {**measured, "command": " ".join(command), "index_mb": dir_mb(index_dir)}
    articles = read_articles(corpus)
    results["articles"] = len(articles)
    directory = work / "dantri-whoosh-pyvi"
    subprocess.run(["rm", "-rf", str(directory)], check=True)
    started, cpu = time.perf_counter(), time.process_time()
    WhooshPyvi.build(Corpus(tuple(corpus), tuple(articles)), directory)
    results["Whoosh + pyvi + Unidecode"] = {
        "seconds": time.perf_counter() - started,
        "cpu_seconds": time.process_time() - cpu,
        "index_mb": dir_mb(directory),
        "command": "bench.peers.WhooshPyvi.build (one process, articles already parsed)",
    }
    run.save("dantri", results)


def step_index(run: Run, size: int, seed: int) -> None:
    corpus, index_dir = run.work / f"corpus-{size}", run.work / f"index-{size}"
    generated = generate.generate(size, corpus, seed)
    subprocess.run(["rm", "-rf", str(index_dir)], check=True)
    command, measured = vnsearch_index([corpus], index_dir)
    run.save(
        "index",
        {
            **measured,
            "command": " ".join(command),
            "generate": f"{sys.executable} -m bench.generate --count {size} --out {corpus} --seed {seed}",
            "articles": size,
            "corpus_mb": generated / MiB,
            "index_mb": dir_mb(index_dir),
        },
    )


def step_incremental(run: Run, size: int, seed: int) -> None:
    corpus, index_dir = run.work / f"corpus-{size}", run.work / f"index-{size}"
    results = {}
    command, results["unchanged"] = vnsearch_index([corpus], index_dir)
    changed = generate.change(corpus, size, CHANGED_SHARE, seed)
    _, results["changed"] = vnsearch_index([corpus], index_dir)
    results["changed_files"] = len(changed)
    results["command"] = " ".join(command)
    results["index_mb"] = dir_mb(index_dir)
    run.save("incremental", results)


def step_queries(run: Run, queries: dict[str, list[SearchRequest]]) -> None:
    index_dir = run.work / f"index-{run.name}"
    started = time.perf_counter()
    engine = SearchEngine(index_dir)
    engine.search(SearchRequest(q="khởi động"))  # opens the index, reads its vocabulary
    first = time.perf_counter() - started
    measured = time_queries(lambda r: engine.search(r).total, queries)
    run.save("queries", {"vnsearch": measured, "first_search_seconds": first, "per_category": len(queries["one word"])})


def step_peers(
    run: Run, articles: Sequence[Article], queries: dict[str, list[SearchRequest]], per_kind: int | None, names: set[str]
) -> None:
    """The peers named index the same articles and answer the same queries (the first ``per_kind`` of each kind)."""
    if per_kind is not None:
        queries = {kind: requests[:per_kind] for kind, requests in queries.items()}
    results = {}
    for peer in (p for p in PEERS if p.__name__ in names):
        directory = run.work / f"peer-{peer.__name__}-{run.name}"
        subprocess.run(["rm", "-rf", str(directory)], check=True)
        started, cpu = time.perf_counter(), time.process_time()
        peer.build(articles, directory)
        built = {"seconds": time.perf_counter() - started, "cpu_seconds": time.process_time() - cpu, "index_mb": dir_mb(directory)}
        engine = peer(directory)
        results[peer.__name__] = {
            "label": peer.label,
            "setup": peer.setup,
            "index": built,
            "queries": time_queries(lambda r: engine.search(r).total, queries),
            "per_category": len(queries["one word"]),
        }
    run.save("peers", results)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def step_server(run: Run, queries: dict[str, list[SearchRequest]], clients: int, seconds: float, max_requests: int) -> None:
    index_dir = run.work / f"index-{run.name}"
    port = free_port()
    command = [str(BIN / "vnsearch"), "serve", "--host", "127.0.0.1", "--port", str(port), "--index-dir", str(index_dir)]
    # The server's log goes to a file: an unread pipe fills up under load (waitress warns of every
    # queued request) and then blocks the server mid-answer.
    log = run.work / f"server-{run.name}.log"
    with log.open("wb") as sink:
        server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=sink, cwd=REPO)
    try:
        deadline = time.perf_counter() + 120
        while True:
            try:
                if get(port, "/health", timeout=5)[0] == 200:
                    break
            except OSError:
                pass
            if time.perf_counter() > deadline or server.poll() is not None:
                raise SystemExit(f"vnsearch serve did not come up: {log.read_text()[-2000:] if server.poll() is not None else 'timeout'}")
            time.sleep(0.2)
        rss_idle = tree_rss_mb(server.pid)  # the server and its worker processes
        paths = [api_path(r) for requests in queries.values() for r in requests]
        warm_started = time.perf_counter()
        warm_errors = sum(get(port, p)[0] != 200 for p in paths)  # one pass, one client: fills caches
        warm_seconds = time.perf_counter() - warm_started
        rss_warm = tree_rss_mb(server.pid)
        load = run_load(port, paths, clients, seconds, max_requests)
        results = {
            "command": " ".join(command),
            "clients": clients,
            "seconds": load.seconds,
            "requests": load.requests,
            "errors": load.errors,
            "per_second": load.per_second,
            "latency": percentiles(load.latencies_ms) if load.latencies_ms else {},
            "warm_pass": {"requests": len(paths), "errors": warm_errors, "seconds": warm_seconds},
            "rss_mb": {
                "idle": rss_idle,
                "after one pass": rss_warm,
                "after load": tree_rss_mb(server.pid),
                "peak": _status_kb(server.pid, "VmHWM") / 1024,
            },
        }
    finally:
        server.terminate()
        server.wait(30)
    run.save("server", results)


# -- report ----------------------------------------------------------------------------------


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.1f}×" if b else "–"


def render(work: Path) -> str:
    runs = {p.stem.removeprefix("results-"): json.loads(p.read_text()) for p in sorted(work.glob("results-*.json"))}
    sizes = sorted((int(k), v) for k, v in runs.items() if k.isdigit())
    out = [BEGIN, ""]
    meta = runs.get("meta", {})
    out.append(
        f"Measured on {meta.get('machine', '?')}, which other work shares: the load average when each run "
        "started is given; compare CPU seconds when wall times look noisy. The runs:\n"
    )
    for r in meta.get("runs", []):
        out.append(f"    {r['command']}    # {r['date']}, load average {r['load']}")
    out.append("")

    if dantri := runs.get("dantri", {}).get("dantri"):
        out.append(f"### Indexing dantri-unc + the 5 seeds ({dantri['articles']} articles, {dantri['mb']:.1f} MB)\n")
        out.append("| build | wall s | CPU s | MB/s | articles/s | peak memory MB (process tree / largest process) | index MB |")
        out.append("|---|--:|--:|--:|--:|--:|--:|")
        for name in ("vnsearch", "vnsearch, one process", "Whoosh + pyvi + Unidecode"):
            r = dantri[name]
            mem = f"{r['peak_tree_mb']:.0f} / {r['peak_process_mb']:.0f}" if "peak_tree_mb" in r else "(in the benchmark process)"
            out.append(
                f"| {name} | {r['seconds']:.1f} | {r['cpu_seconds']:.1f} | {dantri['mb'] / r['seconds']:.2f} | "
                f"{dantri['articles'] / r['seconds']:.0f} | {mem} | {r['index_mb']:.0f} |"
            )
        base = dantri["Whoosh + pyvi + Unidecode"]["seconds"]
        out.append(f"\nvnsearch takes {dantri['vnsearch']['seconds'] / base:.0%} of the straightforward build's time (target ≤ 20 s, under half).\n")
        out.append("Commands: " + "; ".join(f"`{dantri[n]['command']}`" for n in ("vnsearch", "vnsearch, one process")) + ".\n")

    if sizes:
        out.append("### Indexing the generated corpora\n")
        out.append("| articles | corpus MB | engine | wall s | CPU s | MB/s | articles/s | peak memory MB | index MB | index / corpus |")
        out.append("|--:|--:|---|--:|--:|--:|--:|--:|--:|--:|")
        for size, r in sizes:
            if "index" not in r:
                continue
            ix = r["index"]
            out.append(
                f"| {size:,} | {ix['corpus_mb']:.0f} | vnsearch | {ix['seconds']:.0f} | {ix['cpu_seconds']:.0f} | "
                f"{ix['corpus_mb'] / ix['seconds']:.2f} | {size / ix['seconds']:.0f} | {ix['peak_tree_mb']:.0f} / {ix['peak_process_mb']:.0f} | "
                f"{ix['index_mb']:.0f} | {ix['index_mb'] / ix['corpus_mb']:.1f} |"
            )
            for peer in r.get("peers", {}).values():
                b = peer["index"]
                out.append(
                    f"| | | {peer['label']} | {b['seconds']:.0f} | {b['cpu_seconds']:.0f} | {ix['corpus_mb'] / b['seconds']:.2f} | "
                    f"{size / b['seconds']:.0f} | – | {b['index_mb']:.0f} | {b['index_mb'] / ix['corpus_mb']:.1f} |"
                )
        out.append(
            "\nPeak memory: the sum over the indexer's processes (pages they share counted in each) / the largest one. "
            "Peers build from articles already parsed in the benchmark process; vnsearch's times include reading and parsing the files.\n"
        )
        out.append("Commands: " + "; ".join(f"`{r['index']['generate']}` then `{r['index']['command']}`" for _, r in sizes if "index" in r) + ".\n")

        out.append("### Incremental runs\n")
        out.append("| articles | run | wall s | CPU s | result |")
        out.append("|--:|---|--:|--:|---|")
        for size, r in sizes:
            if inc := r.get("incremental"):
                for key, label in (("unchanged", "nothing changed"), ("changed", f"{inc['changed_files']} files (1%) changed")):
                    m = inc[key]
                    out.append(f"| {size:,} | {label} | {m['seconds']:.2f} | {m['cpu_seconds']:.2f} | {m['output']} |")
        out.append("")

        for size, r in sizes:
            if "queries" not in r:
                continue
            q = r["queries"]
            peers = r.get("peers", {})
            out.append(f"### Queries at {size:,} articles\n")
            out.append(
                f"{q['per_category']} queries per row, each answered with 10 hits, snippets and district counts; "
                "latency in ms, second pass (first pass, cold caches, in parentheses); hits = mean number of matches. "
                f"The first search after opening the index took {q['first_search_seconds']:.1f} s."
            )
            fewer = {p["per_category"] for p in peers.values() if p.get("per_category", q["per_category"]) < q["per_category"]}
            if fewer:
                out[-1] += f" The peers answered only the first {min(fewer)} queries of each row (plain Whoosh takes seconds a query): their columns, and the ratios, are over those."
            out[-1] += "\n"
            header = "| query | vnsearch p50 | p95 | p99 | hits |"
            rule = "|---|--:|--:|--:|--:|"
            for peer in peers.values():
                header += f" {peer['label']} p50 | p95 | hits | vnsearch ÷ it, p95 |"
                rule += "--:|--:|--:|--:|"
            out += [header, rule]
            for category in CATEGORIES:
                warm, cold = q["vnsearch"]["warm"][category], q["vnsearch"]["cold"][category]
                row = (
                    f"| {category} | {warm['p50']:.1f} ({cold['p50']:.1f}) | {warm['p95']:.1f} ({cold['p95']:.1f}) | "
                    f"{warm['p99']:.1f} ({cold['p99']:.1f}) | {warm['mean_total']:.0f} |"
                )
                for peer in peers.values():
                    p = peer["queries"]["warm"][category]
                    row += f" {p['p50']:.1f} | {p['p95']:.1f} | {p['mean_total']:.0f} | {_ratio(warm['p95'], p['p95'])} |"
                out.append(row)
            out.append("")

        out.append("### Server: 20 clients over HTTP on 127.0.0.1\n")
        out.append("| articles | clients | seconds | searches | errors | searches/s | p50 ms | p95 ms | p99 ms | RSS MB idle / after one pass / after load / peak |")
        out.append("|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|")
        for size, r in sizes:
            if s := r.get("server"):
                lat, rss = s["latency"], s["rss_mb"]
                out.append(
                    f"| {size:,} | {s['clients']} | {s['seconds']:.0f} | {s['requests']} | {s['errors']} | {s['per_second']:.0f} | "
                    f"{lat.get('p50', 0):.0f} | {lat.get('p95', 0):.0f} | {lat.get('p99', 0):.0f} | "
                    f"{rss['idle']:.0f} / {rss['after one pass']:.0f} / {rss['after load']:.0f} / {rss['peak']:.0f} |"
                )
        commands = [r["server"]["command"] for _, r in sizes if "server" in r]
        if commands:
            out.append(
                "\nThe server (`vnsearch serve` as it defaults: before 2026-12-02 waitress, one process; since, one gunicorn worker process per core; RSS summed over its processes) and the 20 client threads (`bench/load.py`, one keep-alive "
                "connection each, no caching headers sent) share the 2 cores; each request is a full search. "
                f"Before the load, one pass over every query warms the caches. Command: `{commands[-1]}`.\n"
            )
    out.append(END)
    return "\n".join(out) + "\n"


def write_results(text: str, path: Path = RESULTS) -> None:
    """Replace the measured part of this section (between its markers), keeping the prose around it and other sections."""
    old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    if BEGIN in old and END in old:
        new = old[: old.index(BEGIN)] + text.rstrip("\n") + old[old.index(END) + len(END) :]
    elif SECTION in old.splitlines():
        lines = old.splitlines(keepends=True)
        start = lines.index(SECTION + "\n") if SECTION + "\n" in lines else lines.index(SECTION)
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        new = "".join(lines[: start + 1]) + "\n" + text + "\n" + "".join(lines[end:])
    else:
        new = old.rstrip("\n") + f"\n\n{SECTION}\n\n{text}"
    path.write_text(new, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.performance", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="corpus sizes, comma-separated (default 10000,100000)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/vnsearch-bench"), help="corpora, indexes, results (outside the repository)")
    parser.add_argument("--steps", default=",".join(STEPS), help=f"steps to run (default all: {','.join(STEPS)})")
    parser.add_argument("--queries", type=int, default=100, help="queries per kind (default 100)")
    parser.add_argument(
        "--peer-queries", type=int, default=None, metavar="N",
        help="the peers answer only the first N queries of each kind (default all; plain Whoosh takes seconds a query at 100,000)",
    )
    parser.add_argument(
        "--peers", default=",".join(p.__name__ for p in PEERS),
        help=f"peer engines to measure (default all: {','.join(p.__name__ for p in PEERS)})",
    )
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0, help="how long the clients search the server (default 30)")
    parser.add_argument("--max-requests", type=int, default=100_000, help="and at most this many requests")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--write", action="store_true", help="update bench/RESULTS.md from every result in --work")
    args = parser.parse_args(argv)
    steps = [s.strip() for s in args.steps.split(",") if s.strip()]
    if unknown := set(steps) - set(STEPS):
        parser.error(f"unknown steps {', '.join(sorted(unknown))}; choose from {', '.join(STEPS)}")
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    args.work.mkdir(parents=True, exist_ok=True)
    python = Path(sys.executable)
    python = python.relative_to(REPO) if python.is_relative_to(REPO) else python
    meta = Run(args.work, "meta")
    command = f"{python} -m bench.performance " + " ".join(argv if argv is not None else sys.argv[1:])
    runs = meta.data.get("runs", [])
    runs.append({"date": dt.datetime.now().isoformat(timespec="minutes"), "load": load_average(), "command": command})
    meta.data["machine"] = machine()
    meta.save("runs", runs)

    if "dantri" in steps:
        step_dantri(Run(args.work, "dantri"), args.work)
    for size in sizes:
        run = Run(args.work, str(size))
        if "index" in steps:
            step_index(run, size, args.seed)
        if "incremental" in steps:
            step_incremental(run, size, args.seed)
        wants_queries = {"queries", "peers", "server"} & set(steps)
        if wants_queries:
            articles = read_articles([args.work / f"corpus-{size}"])
            queries = sample_queries(articles, args.queries, args.seed)
            if "queries" in steps:
                step_queries(run, queries)
            if "peers" in steps:
                step_peers(run, articles, queries, args.peer_queries, set(args.peers.split(",")))
            if "server" in steps:
                step_server(run, queries, args.clients, args.seconds, args.max_requests)
    if args.write:
        write_results(render(args.work))
        print(f"wrote {RESULTS}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
