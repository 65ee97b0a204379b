"""Concurrent HTTP clients against a server on 127.0.0.1, for a bounded time and number of requests.

Threads with one keep-alive ``http.client`` connection each: what a busy page of
people searching at once looks like to the server. Only ever 127.0.0.1.
"""

from __future__ import annotations

import http.client
import itertools
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

HOST = "127.0.0.1"
TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class LoadResult:
    clients: int
    seconds: float
    requests: int
    errors: int
    latencies_ms: list[float]

    @property
    def per_second(self) -> float:
        return (self.requests - self.errors) / self.seconds if self.seconds else 0.0


def get(port: int, path: str, timeout: float = TIMEOUT_SECONDS) -> tuple[int, bytes]:
    """One GET on 127.0.0.1; the status and body."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def timed_get(
    connection: http.client.HTTPConnection, port: int, path: str
) -> tuple[bool, float, http.client.HTTPConnection]:
    """One GET on a keep-alive connection: whether it answered 200, how long it took (ms), and the
    connection to go on with (a new one when this one failed)."""
    started = time.perf_counter()
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        ok = response.status == 200
    except (OSError, http.client.HTTPException):
        ok = False
        connection.close()
        connection = http.client.HTTPConnection(HOST, port, timeout=TIMEOUT_SECONDS)
    return ok, (time.perf_counter() - started) * 1000, connection


def run_load(port: int, paths: Sequence[str], clients: int, seconds: float, max_requests: int) -> LoadResult:
    """``clients`` threads GET ``paths`` in turn until ``seconds`` pass or ``max_requests`` are sent."""
    counter = itertools.count()
    deadline = time.perf_counter() + seconds
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients

    def client(k: int) -> None:
        connection = http.client.HTTPConnection(HOST, port, timeout=TIMEOUT_SECONDS)
        try:
            while time.perf_counter() < deadline and (n := next(counter)) < max_requests:
                ok, ms, connection = timed_get(connection, port, paths[(n * 7919 + k) % len(paths)])
                latencies[k].append(ms)
                if not ok:
                    errors[k] += 1
        finally:
            connection.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(k,), daemon=True) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + TIMEOUT_SECONDS + 5)
    elapsed = time.perf_counter() - started
    flat = [x for per_client in latencies for x in per_client]
    return LoadResult(clients, elapsed, len(flat), sum(errors), flat)
