"""A killed indexer, two indexers at once, searching during a rebuild: nothing lost, nothing to clean up.

These run the real ``vnsearch index`` command in a subprocess on a corpus made
from the seed pages, big enough that a run takes seconds, and kill it or race it
at moments observed from outside (its lock held, index files appearing), never
at guessed delays alone. A Whoosh commit is a new table of contents renamed into
place, so whatever the moment, the index must be exactly the old one or the new one.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import pytest

from whoosh import index

from indexer.build import build_index
from indexer.schema import INDEX_NAME
from search.engine import IndexMissing, SearchEngine
from search.model import MAX_PAGE_SIZE, SearchRequest
from web import create_app

SEEDS = sorted((Path(__file__).parents[1] / "corpus").glob("*.txt"))
# A run over this many new pages takes seconds, in one process (the indexer starts worker
# processes only from 200 new documents on, indexer.build.PARALLEL_FROM) ...
SERIAL = 120
# ... and over this many, with its worker processes.
PARALLEL = 240
EXIT_ERROR = 2


def write_articles(directory: Path, count: int) -> set[str]:
    """``count`` scraped-style pages made from the seeds, each findable by its own word ``vnsNNNN``; their ids."""
    directory.mkdir(parents=True, exist_ok=True)
    texts = [seed.read_text(encoding="utf-8").split("\n", 1) for seed in SEEDS]
    for n in range(count):
        title, rest = texts[n % len(texts)]
        (directory / f"gen_{n:04d}.txt").write_text(f"{title} (vns{n:04d})\n{rest}", encoding="utf-8")
    return {f"{directory.name}/gen_{n:04d}" for n in range(count)}


def indexed_ids(index_dir: Path) -> set[str]:
    """Every document id the index answers with, paging through an empty query as a person could."""
    engine = SearchEngine(index_dir)
    ids: set[str] = set()
    for page in range(1, engine.document_count() // MAX_PAGE_SIZE + 2):
        ids |= {hit.id for hit in engine.search(SearchRequest(page=page, size=MAX_PAGE_SIZE)).hits}
    assert len(ids) == engine.document_count()
    return ids


def vnsearch_index(corpus: Path, index_dir: Path) -> list[str]:
    return [sys.executable, "-m", "vnsearch.cli", "index", str(corpus), "--index-dir", str(index_dir)]


def start(corpus: Path, index_dir: Path) -> subprocess.Popen:
    # No pipes: worker processes would inherit them, and reading them would wait for the workers.
    return subprocess.Popen(vnsearch_index(corpus, index_dir), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def lock_holders(index_dir: Path) -> set[int]:
    """Every process that has one of the index's lock files open."""
    holders = set()
    for fd in Path("/proc").glob("[0-9]*/fd/*"):
        try:
            target = os.readlink(fd)
        except OSError:  # gone meanwhile, or not ours to look at
            continue
        if target.startswith(f"{index_dir}/") and "LOCK" in target:
            holders.add(int(fd.parts[2]))
    return holders


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if parent == pid:
            found.append(int(stat.parent.name))
    return found


def new_file(index_dir: Path, ending: str) -> Callable[[], bool]:
    """Whether a file ending in ``ending`` has appeared since now (a killed run leaves some behind)."""
    before = set(os.listdir(index_dir))
    return lambda: any(name.endswith(ending) for name in set(os.listdir(index_dir)) - before)


def wait_for(condition: Callable[[], bool], process: subprocess.Popen, what: str) -> None:
    """Poll ``condition`` while ``process`` runs; fail if the process ends first or never gets there."""
    deadline = time.monotonic() + 120
    while not condition():
        assert process.poll() is None, f"the indexer ended (status {process.returncode}) before {what}"
        assert time.monotonic() < deadline, f"the indexer never got to {what}"
        time.sleep(0.002)


def kill(process: subprocess.Popen, index_dir: Path) -> None:
    """SIGKILL the indexer, as ``kill -9`` or the OOM killer does: no handler runs, nothing is cleaned up.

    Then no process may still hold the index's lock. The kernel drops a dead process's
    locks at once; a little grace is left for its worker processes to notice and exit.
    """
    assert process.poll() is None, "the indexer had already finished: the kill tested nothing"
    workers = children(process.pid)
    process.kill()
    assert process.wait() == -signal.SIGKILL
    try:
        deadline = time.monotonic() + 5
        while lock_holders(index_dir) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not lock_holders(index_dir), "processes of the killed indexer still hold the index lock"
    finally:
        for pid in workers:  # whatever the verdict, leave no process of ours behind
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def stray_files(index_dir: Path) -> list[str]:
    """Files in the index folder that belong to no segment of its last commit."""
    with index.open_dir(str(index_dir), indexname=INDEX_NAME).reader() as reader:
        live = {leaf.segment().segment_id() for leaf, _ in reader.leaf_readers()}
    return [
        name
        for name in os.listdir(index_dir)
        if name.endswith(".tmp") or "." in name and name.startswith(f"{INDEX_NAME}_") and name.split(".")[0] not in live
    ]


def run_to_completion(corpus: Path, index_dir: Path) -> subprocess.CompletedProcess:
    done = subprocess.run(vnsearch_index(corpus, index_dir), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    directory = tmp_path / "corpus"
    directory.mkdir()
    for seed in SEEDS:
        shutil.copy(seed, directory)
    return directory


# --- killed at any point -----------------------------------------------------------------------


def test_a_killed_first_run_leaves_nothing_in_the_way(corpus: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    process = start(corpus, index_dir)
    wait_for(lambda: bool(lock_holders(index_dir)), process, "taking the index lock")
    kill(process, index_dir)
    try:
        assert SearchEngine(index_dir).document_count() == 0  # created empty, nothing committed
    except IndexMissing:
        pass  # or killed before the empty index was written
    run_to_completion(corpus, index_dir)
    assert indexed_ids(index_dir) == {seed.stem for seed in SEEDS}


def test_a_killed_run_leaves_the_last_commit_whole_and_the_next_run_completes(corpus: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    build_index([corpus], index_dir, progress=False)
    old = indexed_ids(index_dir)
    new = old | write_articles(corpus / "more", SERIAL)

    # Moments seen from outside: the lock taken; a segment's term file created (analysis under
    # way); a segment's stored fields written (only at commit, before the new table of contents).
    moments = [("reading files", "LOCK", 0), ("analysing", ".trm", 0.5), ("committing", "_stored.col", 0)]
    for moment, sign, then in moments:
        appeared = new_file(index_dir, sign)
        process = start(corpus, index_dir)
        wait_for(lambda: bool(lock_holders(index_dir)) if sign == "LOCK" else appeared(), process, moment)
        time.sleep(then)
        kill(process, index_dir)
        assert indexed_ids(index_dir) == old, f"killed while {moment}"
        assert SearchEngine(index_dir).search(SearchRequest(q="Hai Bà Trưng")).total > 0

    done = run_to_completion(corpus, index_dir)
    assert f"{SERIAL} thêm mới" in done.stdout
    assert indexed_ids(index_dir) == new
    [hit] = SearchEngine(index_dir).search(SearchRequest(q="vns0107")).hits
    assert hit.id == "more/gen_0107"
    # What the killed runs had half-written is gone: only the last commit's files are left.
    assert stray_files(index_dir) == []


def test_a_run_killed_while_its_workers_index_leaves_no_lock_behind(corpus: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    build_index([corpus], index_dir, progress=False)
    write_articles(corpus / "more", PARALLEL)
    appeared = new_file(index_dir, ".trm")
    process = start(corpus, index_dir)
    wait_for(lambda: appeared() and bool(children(process.pid)), process, "starting its workers")
    kill(process, index_dir)
    assert indexed_ids(index_dir) == {seed.stem for seed in SEEDS}
    assert f"{PARALLEL} thêm mới" in run_to_completion(corpus, index_dir).stdout
    assert stray_files(index_dir) == []


# --- two at once -------------------------------------------------------------------------------


class Searcher(threading.Thread):
    """Searches in a loop, as a server thread would, recording every answer and every error."""

    def __init__(self, engine: SearchEngine):
        super().__init__(daemon=True)
        self.engine = engine
        self.stop = threading.Event()
        self.totals: list[int] = []
        self.errors: list[BaseException] = []

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                self.totals.append(self.engine.search(SearchRequest(q="Ủy ban MTTQ")).total)
                self.engine.document(SEEDS[0].stem, "Hai Bà Trưng")
            except BaseException as error:  # anything at all is a failure here
                self.errors.append(error)
            time.sleep(0.01)  # leave the indexer some CPU: this is a busy server, not a benchmark


class Rebuild(NamedTuple):
    old_total: int
    new_total: int  # as a searcher opened after the run sees it
    seen_totals: list[int]  # as the thread searching during the run saw them
    errors: list[BaseException]
    first: subprocess.CompletedProcess
    second: subprocess.CompletedProcess
    health_after: dict
    search_after: dict


@pytest.fixture(scope="module")
def rebuild(tmp_path_factory: pytest.TempPathFactory) -> Rebuild:
    """Re-index a served corpus whose every page changed or is new, while a thread searches the
    running engine and a second indexer is started; record what everyone saw."""
    tmp_path = tmp_path_factory.mktemp("rebuild")
    corpus, index_dir = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    for seed in SEEDS:
        shutil.copy(seed, corpus)
    build_index([corpus], index_dir, progress=False)
    engine = SearchEngine(index_dir)
    client = create_app(engine).test_client()
    old_total = engine.search(SearchRequest(q="Ủy ban MTTQ")).total

    write_articles(corpus / "more", SERIAL)
    for seed in SEEDS:  # changed pages: their documents are deleted and written anew
        (corpus / seed.name).write_text(seed.read_text(encoding="utf-8") + "\nBổ sung.\n", encoding="utf-8")
    searcher = Searcher(engine)
    searcher.start()
    process = subprocess.Popen(vnsearch_index(corpus, index_dir), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for(lambda: bool(lock_holders(index_dir)), process, "taking the index lock")
    second = subprocess.run(vnsearch_index(corpus, index_dir), capture_output=True, text=True, timeout=120)
    out, err = process.communicate(timeout=300)
    searcher.stop.set()
    searcher.join()
    return Rebuild(
        old_total=old_total,
        new_total=SearchEngine(index_dir).search(SearchRequest(q="Ủy ban MTTQ")).total,
        seen_totals=searcher.totals + [engine.search(SearchRequest(q="Ủy ban MTTQ")).total],
        errors=searcher.errors,
        first=subprocess.CompletedProcess(process.args, process.returncode, out, err),
        second=second,
        health_after=client.get("/health").json,
        search_after=client.get("/api/search?q=vns0042").json,
    )


def test_a_second_indexer_stops_with_a_clear_message_and_the_first_completes(rebuild: Rebuild) -> None:
    assert rebuild.second.returncode == EXIT_ERROR
    assert re.fullmatch(
        r"vnsearch: Một tiến trình lập chỉ mục khác đang ghi vào \S+; hãy thử lại khi nó xong.\n", rebuild.second.stderr
    )
    assert rebuild.first.returncode == 0, rebuild.first.stderr
    assert rebuild.new_total == rebuild.old_total + SERIAL


def test_searching_during_a_rebuild_never_fails(rebuild: Rebuild) -> None:
    assert rebuild.errors == []
    assert rebuild.seen_totals.count(rebuild.old_total) > 1  # it did search while the indexer ran


def test_searching_during_a_rebuild_sees_the_old_or_the_new_index(rebuild: Rebuild) -> None:
    assert set(rebuild.seen_totals) <= {rebuild.old_total, rebuild.new_total}
    assert rebuild.seen_totals[-1] == rebuild.new_total


def test_the_running_server_serves_the_new_index_without_a_restart(rebuild: Rebuild) -> None:
    assert rebuild.health_after["documents"] == len(SEEDS) + SERIAL
    assert [hit["id"] for hit in rebuild.search_after["hits"]] == ["more/gen_0042"]


def test_a_server_started_on_an_empty_index_answers_and_picks_up_the_first_documents(corpus: Path, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    index_dir = tmp_path / "index"
    build_index([tmp_path / "empty"], index_dir, progress=False)
    client = create_app(SearchEngine(index_dir)).test_client()
    for _ in range(3):  # one server thread, several requests: the searcher is reused
        assert client.get("/api/search?q=Hai Bà Trưng").status_code == 200
    build_index([corpus], index_dir, progress=False)
    assert client.get("/health").json["documents"] == len(SEEDS)
