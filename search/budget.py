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
"""

from __future__ import annotations

import threading
import time

from whoosh import query as wq

from search.model import SearchError
from search.query import ParsedQuery

MAX_WORDS = 40
# Measured at 100,000 articles (bench/query_cost.py): about 40 µs of CPU per node.
MAX_PLAN_COST = 1500
CPU_SECONDS = 1.0
# A normal search takes 5–50 ms of CPU; past this share, a search waits its turn in the slow lane.
FAIR_SHARE_SECONDS = 0.05
LANE_WAIT_SECONDS = 2.0
_SLOW_LANE = threading.Lock()


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


class Clock:
    """One search's CPU time; use it as a context manager (it may hold the slow lane).

    Past :data:`FAIR_SHARE_SECONDS` of CPU a search goes on only in the slow lane, one
    search at a time: two clients sending the costliest searches take turns there, and
    every other search keeps its share of the interpreter.
    """

    def __init__(self, seconds: float | None = None):
        self.started = time.thread_time()
        self.deadline = self.started + (CPU_SECONDS if seconds is None else seconds)
        self.ran_out = False
        self._in_lane = False
        self._waited = False

    def check(self) -> None:
        """Raise :class:`OverBudget` once the CPU time is spent, or when the slow lane stays busy."""
        if not self.ran_out and self.pace() and time.thread_time() <= self.deadline:
            return
        self.ran_out = True
        raise OverBudget

    def pace(self) -> bool:
        """Past the fair share, wait for the slow lane (at most :data:`LANE_WAIT_SECONDS`);
        whether this search may go on at full speed."""
        if not self._in_lane and not self._waited and time.thread_time() - self.started > FAIR_SHARE_SECONDS:
            self._waited = True
            self._in_lane = _SLOW_LANE.acquire(timeout=LANE_WAIT_SECONDS)
        return self._in_lane or not self._waited

    def __enter__(self) -> "Clock":
        return self

    def __exit__(self, *exc) -> None:
        if self._in_lane:
            self._in_lane = False
            _SLOW_LANE.release()
