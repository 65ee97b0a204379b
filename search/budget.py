"""What one search may cost: counted on what the engine will evaluate, and timed while it runs.

A query's clauses say little about its cost: ``a.a.a…`` is one token of 500
words, a quoted phrase can hold 200, an abbreviation expands into several words,
a typo into its corrections, and the fallback for a query that nothing matches in
full ANDs all words but one, once per word. So the cost is counted twice:

- the words: every syllable the query analyses into, quoted, joined by dots or
  excluded (:data:`MAX_WORDS`), before any of them is looked up;
- the plan: every node the evaluation will visit, as the engine built it: each
  index term (per field, spelling, correction and expansion), each word of a
  phrase and its word pairs, each part of an And or an Or (:data:`MAX_PLAN_COST`).
  The required plan over it is refused; a fallback plan over it is not run.

And each search has a CPU clock (:data:`CPU_SECONDS` of this thread's time, so
waiting for other requests does not count, nor does the cyclic garbage
collector, which pauses whichever thread happens to allocate when it is due):
evaluation and re-ranking check it and stop, answering with what they have and
a notice, rather than running on.
Searches take turns, the one that has used the least CPU first (:class:`_Turn`, :class:`Clock`).
"""

from __future__ import annotations

import gc
import heapq
import itertools
import threading
import time

from whoosh import query as wq

from search.model import SearchError
from search.query import ParsedQuery

MAX_WORDS = 40
# A node is about one numpy operation over an array as long as the index: ~4 µs at dantri-unc's
# 2,653 articles (a.a.a… of 500 words made 750,000 of them, 3 s). 1,500 lets 40 plain words run and
# the near-match fallback of up to ~17 words (it grows with the square of the words).
MAX_PLAN_COST = 1500
CPU_SECONDS = 1.0
TURN_SLICE_SECONDS = 0.005  # the interpreter's own switch interval
# Of the wall time since it began, the share of a core a search is owed: however many cheaper
# searches come, a costly one still makes progress (each of two attackers at least a tenth).
OWED_SHARE = 0.1
# Work a search can do without (did-you-mean) is done only while it has used less CPU than this.
EXTRAS_SECONDS = 0.2


class _Collections(threading.local):
    """This thread's time in the cyclic garbage collector (class attributes: each thread's start)."""

    began: float | None = None
    spent = 0.0


_COLLECTIONS = _Collections()


def _count_collection(phase: str, info: dict) -> None:
    now = time.thread_time()
    if phase == "start":
        _COLLECTIONS.began = now
    elif _COLLECTIONS.began is not None:
        _COLLECTIONS.spent += now - _COLLECTIONS.began
        _COLLECTIONS.began = None


gc.callbacks.append(_count_collection)


def _own_cpu() -> float:
    """This thread's CPU time, less its pauses in the collector: a full collection of a large heap
    takes hundreds of milliseconds (measured in the test process: up to 390 ms), and is owed by
    everything that allocated since the last one, not by the search it happens to interrupt."""
    return time.thread_time() - _COLLECTIONS.spent


class OverBudget(Exception):
    """The search's CPU time ran out; whoever catches it answers with what it has."""


def word_count(parsed: ParsedQuery) -> int:
    """Every word the query will look up: required, alternatives of OR, inside quotes, excluded."""
    return len(parsed.positive_words()) + sum(len(part.words) for part in parsed.excluded)


def check_words(parsed: ParsedQuery) -> None:
    if word_count(parsed) > MAX_WORDS:
        raise SearchError(
            f"Câu tìm kiếm có quá nhiều từ: tối đa {MAX_WORDS} từ, tính cả từng từ trong ngoặc kép "
            "và từng phần của từ nối bằng dấu chấm hay gạch nối."
        )


def plan_cost(query: wq.Query) -> int:
    """The nodes evaluating ``query`` visits; a phrase also reads each word's positions and each pair."""
    own = 2 * len(query.words) if isinstance(query, wq.Phrase) else 1
    return own + sum(plan_cost(child) for child in query.children())


def affordable(query: wq.Query) -> bool:
    return plan_cost(query) <= MAX_PLAN_COST


def check_plan(query: wq.Query) -> None:
    if not affordable(query):
        raise SearchError(
            "Câu tìm kiếm quá phức tạp (quá nhiều từ, cách viết hoặc từ viết tắt cần dò): "
            "hãy bớt từ hoặc tách thành vài lần tìm."
        )


class _Turn:
    """Whose turn it is to compute: one search at a time in a process, the one that has used the
    least CPU first.

    Under one interpreter lock, searches running side by side only take turns at a finer grain:
    each of the many numpy operations of a search lets go of the lock and takes it back, and every
    hand-over between threads is a system call and a context switch. Measured at 10,000 articles
    on 2 cores, a search cost 11 ms of CPU alone, 17 ms with 2 threads searching, 24 ms with 4.
    Taking turns a slice at a time (:data:`TURN_SLICE_SECONDS`) costs one hand-over per slice.

    The turn goes to the search that has run least (least attained service): costs are as skewed
    as searches' (most take milliseconds, the costliest the limits allow a second), and nobody
    knows in advance which is which, so a search arriving while costly ones run waits one slice,
    not their turns. In the order they asked, among equals.
    """

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._holder: int | None = None
        self._depth = 0  # a thread that has the turn may take it again (a search within a search)
        self._queue: list[tuple[float, int, int]] = []  # a heap of (CPU used, order, thread)
        self._order = itertools.count()

    def take(self, used: float = 0.0) -> None:
        """Wait for the turn, having used ``used`` seconds of CPU so far."""
        me = threading.get_ident()
        with self._changed:
            if self._holder == me:
                self._depth += 1
                return
            entry = (used, next(self._order), me)
            heapq.heappush(self._queue, entry)
            while self._holder is not None or self._queue[0] is not entry:
                self._changed.wait()
            heapq.heappop(self._queue)
            self._holder, self._depth = me, 1

    def give(self) -> None:
        with self._changed:
            self._depth -= 1
            if not self._depth:
                self._holder = None
                self._changed.notify_all()

    def wanted(self, used: float) -> bool:
        """Whether a search that has used less CPU than ``used`` waits for its turn."""
        with self._changed:
            return bool(self._queue) and self._queue[0][0] < used


_TURN = _Turn()


class Clock:
    """One search's CPU time; use it as a context manager (it counts itself and takes turns).

    A search computes only when it has the turn (:class:`_Turn`), and hands it on after every
    slice to a search that has used less CPU: two clients sending the costliest searches the
    limits allow take turns with each other, while everyone else's searches go first.
    """

    def __init__(self, seconds: float | None = None):
        self.started = _own_cpu()
        self.deadline = self.started + (CPU_SECONDS if seconds is None else seconds)
        self.ran_out = False
        self._slice = self.started
        self._began = time.monotonic()

    def _used(self) -> float:
        """The CPU this search has used, less what it is owed (:data:`OWED_SHARE` of its wall time)."""
        return _own_cpu() - self.started - OWED_SHARE * (time.monotonic() - self._began)

    def check(self) -> None:
        """Raise :class:`OverBudget` once the CPU time is spent."""
        self.pace()
        if not self.ran_out and _own_cpu() <= self.deadline:
            return
        self.ran_out = True
        raise OverBudget

    def pace(self) -> None:
        """After each slice, give the turn to a search that has used less CPU, if one waits."""
        if _own_cpu() - self._slice > TURN_SLICE_SECONDS and _TURN.wanted(used := self._used()):
            _TURN.give()
            _TURN.take(used)
            self._slice = _own_cpu()

    def has_time_for_extras(self) -> bool:
        """Whether the search is cheap enough so far to do what it can do without (:data:`EXTRAS_SECONDS`)."""
        return not self.ran_out and _own_cpu() - self.started < EXTRAS_SECONDS

    def __enter__(self) -> "Clock":
        _TURN.take()
        self._slice = _own_cpu()
        return self

    def __exit__(self, *exc) -> None:
        _TURN.give()
