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
waiting for other requests does not count): evaluation and re-ranking check it
and stop, answering with what they have and a notice, rather than running on.
Past a fair share of it, a search goes on in a slow lane, one at a time (:class:`Clock`).
"""

from __future__ import annotations

import threading
import time
from collections import deque

from whoosh import query as wq

from search.model import SearchError
from search.query import ParsedQuery

MAX_WORDS = 40
# A node is about one numpy operation over an array as long as the index: ~4 µs at dantri-unc's
# 2,653 articles (a.a.a… of 500 words made 750,000 of them, 3 s). 1,500 lets 40 plain words run and
# the near-match fallback of up to ~17 words (it grows with the square of the words).
MAX_PLAN_COST = 1500
CPU_SECONDS = 1.0
# A normal search takes 5–50 ms of CPU; past this share, a search waits its turn in the slow lane.
FAIR_SHARE_SECONDS = 0.05
LANE_WAIT_SECONDS = 2.0
LANE_SLICE_SECONDS = 0.005  # the interpreter's own switch interval
# While other searches work, the search in the slow lane pauses this many times as long as it ran:
# under one interpreter lock, what it leaves them is their share of it (3: three quarters).
LANE_YIELD = 3
# Work a search can do without (did-you-mean) is done only while it has used less CPU than this.
EXTRAS_SECONDS = 0.2


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


class _Searches:
    """How many searches are under way, and how many of them wait for the slow lane."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.running = 0
        self.waiting = 0

    def add(self, running: int = 0, waiting: int = 0) -> None:
        with self._lock:
            self.running += running
            self.waiting += waiting

    def others_busy(self) -> bool:
        """Whether a search besides the one in the slow lane is working (not waiting for the lane)."""
        return self.running - self.waiting > 1


class _Turn:
    """Whose turn it is to compute: one search at a time in a process, in the order they asked.

    Under one interpreter lock, searches running side by side only take turns at a finer grain:
    each of the many numpy operations of a search lets go of the lock and takes it back, and every
    hand-over between threads is a system call and a context switch. Measured at 10,000 articles
    on 2 cores, a search cost 11 ms of CPU alone, 17 ms with 2 threads searching, 24 ms with 4.
    Taking turns a slice at a time (:data:`LANE_SLICE_SECONDS`) costs one hand-over per slice.
    """

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._holder: int | None = None
        self._depth = 0  # a thread that has the turn may take it again (a search within a search)
        self._queue: deque[int] = deque()

    def take(self) -> None:
        me = threading.get_ident()
        with self._changed:
            if self._holder == me:
                self._depth += 1
                return
            self._queue.append(me)
            while self._holder is not None or self._queue[0] != me:
                self._changed.wait()
            self._queue.popleft()
            self._holder, self._depth = me, 1

    def give(self) -> None:
        with self._changed:
            self._depth -= 1
            if not self._depth:
                self._holder = None
                self._changed.notify_all()

    def wanted(self) -> bool:
        """Whether another search waits for its turn."""
        return bool(self._queue)


_SLOW_LANE = threading.Lock()
_SEARCHES = _Searches()
_TURN = _Turn()


class Clock:
    """One search's CPU time; use it as a context manager (it counts itself and may hold the slow lane).

    Past :data:`FAIR_SHARE_SECONDS` of CPU a search goes on only in the slow lane, one
    search at a time: two clients sending the costliest searches take turns there. And
    while other searches are working, the one in the lane pauses :data:`LANE_YIELD` times as
    long as it runs (:data:`LANE_SLICE_SECONDS` at a time): under one interpreter lock, that
    is what leaves the others their share.
    """

    def __init__(self, seconds: float | None = None):
        self.started = time.thread_time()
        self.deadline = self.started + (CPU_SECONDS if seconds is None else seconds)
        self.ran_out = False
        self._in_lane = False
        self._waited = False
        self._slice = self.started

    def check(self) -> None:
        """Raise :class:`OverBudget` once the CPU time is spent, or when the slow lane stays busy."""
        if not self.ran_out and self.pace() and time.thread_time() <= self.deadline:
            return
        self.ran_out = True
        raise OverBudget

    def pace(self) -> bool:
        """Give the turn to the next search after each slice; past the fair share, wait for the slow
        lane (at most :data:`LANE_WAIT_SECONDS`), and in it give way to other searches longer;
        whether this search may go on."""
        now = time.thread_time()
        if self._in_lane:
            if now - self._slice > LANE_SLICE_SECONDS and _SEARCHES.others_busy():
                _TURN.give()
                time.sleep(LANE_YIELD * LANE_SLICE_SECONDS)
                _TURN.take()
                self._slice = time.thread_time()
        elif not self._waited and now - self.started > FAIR_SHARE_SECONDS:
            self._waited = True
            _SEARCHES.add(waiting=1)
            _TURN.give()
            try:
                self._in_lane = _SLOW_LANE.acquire(timeout=LANE_WAIT_SECONDS)
            finally:
                _SEARCHES.add(waiting=-1)
                _TURN.take()
            self._slice = time.thread_time()
        elif now - self._slice > LANE_SLICE_SECONDS and _TURN.wanted():
            _TURN.give()
            _TURN.take()
            self._slice = time.thread_time()
        return self._in_lane or not self._waited

    def has_time_for_extras(self) -> bool:
        """Whether the search is cheap enough so far to do what it can do without (:data:`EXTRAS_SECONDS`)."""
        return not self.ran_out and time.thread_time() - self.started < EXTRAS_SECONDS

    def __enter__(self) -> "Clock":
        _SEARCHES.add(running=1)
        _TURN.take()
        self._slice = time.thread_time()
        return self

    def __exit__(self, *exc) -> None:
        _TURN.give()
        _SEARCHES.add(running=-1)
        if self._in_lane:
            self._in_lane = False
            _SLOW_LANE.release()
