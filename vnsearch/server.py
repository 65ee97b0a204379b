"""Serving the web app on every core: gunicorn's worker processes on POSIX, waitress where gunicorn cannot run.

A search holds the interpreter lock for its whole CPU work, so one process uses one core
however many threads it has. gunicorn forks worker processes from a master that has
loaded the app (``preload_app``): the index's vocabulary and arrays, warmed in the master,
are shared with every worker through fork. Each worker still picks up a new index
generation on its own (the engine checks for a new commit on every request) and builds
that generation's caches once. Workers are gthread workers: an idle keep-alive
connection waits in the worker's poller, not in a thread, and the connections held are
shared out among the workers (:data:`SERVER_CONNECTIONS` in all).

Both servers get the same limits where they have them (README, "Serving on every core"): at most
:data:`SERVER_CONNECTIONS` connections, the open-file limit raised to hold them, bounded
request headers, idle connections closed. waitress also closes a connection that stops
half-way through a request after :data:`IDLE_SECONDS` and refuses bodies over
:data:`ServerOptions.max_body`; gunicorn's gthread worker does neither (a half-sent request
holds one of its threads, and so does a new connection that sends nothing, for up to 5 s),
which is why a buffering reverse proxy belongs in front on the open web.

gunicorn needs ``fork`` (not on Windows); there, and with ``--workers 1``, waitress serves
from one process.
"""

from __future__ import annotations

import gc
import logging
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from compat.cpus import usable_cpus
from compat.memory import keep_freed_memory
from vnsearch import logs

# Idle and slow clients must not lock others out (bench/idle_connections.py): waitress's own limit is
# 100 connections, after which every new one waits. Connections cost no thread while idle.
SERVER_CONNECTIONS = 1000  # in all, over every worker; beyond that, new ones wait in the listen backlog
IDLE_SECONDS = 30  # waitress: a connection that sends nothing for this long is closed (keep-alive or half a request)
CLEANUP_SECONDS = 10  # waitress: how often idle connections are looked for
KEEPALIVE_SECONDS = 5  # gunicorn: an idle keep-alive connection is closed after this long
MAX_REQUEST_HEADERS = 64 * 1024  # waitress: a search URL is at most a few kilobytes
# gunicorn: its own limits per line (its largest allowed) and on the number of header lines
MAX_REQUEST_LINE = 8190
MAX_HEADER_FIELDS = 100
MAX_HEADER_FIELD = 8190
FILES_BESIDES_CONNECTIONS = 256  # index segments per thread, logs, the listening socket
# Two threads per core in all: measured with 20 clients at 10,000 articles on 2 cores, 120 searches/s with
# 2 threads, 99 with 4, 84 with 8; but with one per core, two clients sending costly searches hold every
# thread and everyone else waits (bench/query_cost.py). Searches that have used less CPU compute first
# (search/budget.py).
THREADS_PER_CORE = 2
WORKER_TIMEOUT_SECONDS = 60  # a worker that stops answering its master this long is replaced
QUEUE_NOTICE_SECONDS = 60
GRACEFUL_SECONDS = 10  # on SIGTERM, requests under way get this long to finish


@dataclass(frozen=True)
class ServerOptions:
    host: str
    port: int
    workers: int
    max_body: int  # waitress refuses larger request bodies (413) before reading them
    threads: int | None = None  # per process; None: two per core in all (:func:`default_threads`)
    log_level: str = "info"


def default_threads(workers: int, cores: int) -> int:
    """Request threads per process: :data:`THREADS_PER_CORE` per core over all processes, at least that many each."""
    return max(THREADS_PER_CORE, THREADS_PER_CORE * cores // max(1, workers))


def open_files_for(connections: int) -> int:
    """Raise this process's open-file limit so ``connections`` fit (within the hard limit);
    how many connections fit in the end. (No such limit to raise on Windows.)"""
    try:
        import resource
    except ImportError:
        return connections
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = connections + FILES_BESIDES_CONNECTIONS
    if soft != resource.RLIM_INFINITY and soft < wanted:
        soft = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    return connections if soft == resource.RLIM_INFINITY else max(1, min(connections, soft - FILES_BESIDES_CONNECTIONS))


def gunicorn_available() -> bool:
    try:
        import gunicorn.app.base  # noqa: F401  (imports fcntl: fails on Windows)
    except ImportError:
        return False
    return True


def check_port(host: str, port: int) -> int:
    """The port to listen on (port 0: a free one); OSError when ``host:port`` cannot be listened on."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as both servers bind
        probe.bind((host, port))
        return probe.getsockname()[1]


def serve(app, options: ServerOptions, warm: Callable[[], None], ready: Callable[[int], None]) -> None:
    """Serve ``app`` until stopped; ``warm`` fills the caches a first search would, before any worker
    starts; ``ready`` is told the port once the server listens."""
    options = replace(options, port=check_port(options.host, options.port))
    cores = usable_cpus()
    keep_freed_memory()  # before the workers are forked, which inherit it
    warm()
    if options.workers > 1 and gunicorn_available():
        _gunicorn(app, replace(options, threads=options.threads or default_threads(options.workers, cores)), ready)
        return
    if options.workers > 1:
        logging.getLogger("vnsearch").warning(
            "gunicorn cannot run on this system: one process (waitress) serves instead of %d", options.workers
        )
    threads = options.threads or default_threads(1, cores)
    logging.getLogger("waitress.queue").addFilter(_QueueNotice(threads))
    server = make_server(app, options.host, options.port, threads, options.max_body)
    ready(server.effective_port)
    server.run()


def make_server(app, host: str, port: int, threads: int, max_body: int):
    """The waitress server ``serve`` runs, with explicit limits for idle, slow and greedy clients.

    poll() rather than select(), which fails beyond 1,024 open files.
    """
    from waitress import create_server

    return create_server(
        app,
        host=host,
        port=port,
        threads=threads,
        connection_limit=open_files_for(SERVER_CONNECTIONS),
        channel_timeout=IDLE_SECONDS,
        cleanup_interval=CLEANUP_SECONDS,
        asyncore_use_poll=True,
        max_request_header_size=MAX_REQUEST_HEADERS,
        max_request_body_size=max_body,
    )


class _QueueNotice(logging.Filter):
    """Waitress warns of every request that waits for a thread ("Task queue depth is 3"): under load,
    hundreds of lines saying nothing new. This keeps one line a minute that says what it means."""

    def __init__(self, threads: int):
        super().__init__()
        self.threads = threads
        self.last = -QUEUE_NOTICE_SECONDS

    def filter(self, record: logging.LogRecord) -> bool:
        now = time.monotonic()
        if now - self.last < QUEUE_NOTICE_SECONDS:
            return False
        self.last = now
        record.msg = (
            f"all {self.threads} request threads are busy and requests are waiting ({record.getMessage()}); "
            "more processes (--workers) or a larger machine would answer them sooner; "
            f"said at most once every {QUEUE_NOTICE_SECONDS} s"
        )
        record.args = ()
        return True


def _gunicorn(app, options: ServerOptions, ready: Callable[[int], None]) -> None:
    from gunicorn.app.base import BaseApplication

    settings = {
        "bind": f"[{options.host}]:{options.port}" if ":" in options.host else f"{options.host}:{options.port}",
        "workers": options.workers,
        "worker_class": "gthread",
        "threads": options.threads,
        "worker_connections": max(1, open_files_for(SERVER_CONNECTIONS) // options.workers),  # raised before fork
        "keepalive": KEEPALIVE_SECONDS,
        "limit_request_line": MAX_REQUEST_LINE,
        "limit_request_fields": MAX_HEADER_FIELDS,
        "limit_request_field_size": MAX_HEADER_FIELD,
        "timeout": WORKER_TIMEOUT_SECONDS,
        "graceful_timeout": GRACEFUL_SECONDS,
        "preload_app": True,
        "accesslog": None,  # the app writes its own request lines (web/access_log.py)
        "loglevel": options.log_level,
        "logconfig_dict": logs.settings(options.log_level),
        "control_socket_disable": True,  # no shared control socket in $HOME for several servers to fight over
        "proc_name": "vnsearch",
        "when_ready": lambda arbiter: ready(options.port),
    }

    class Application(BaseApplication):
        def load_config(self) -> None:
            for key, value in settings.items():
                self.cfg.set(key, value)

        def load(self):
            return app

    gc.freeze()  # the warmed caches stay in pages shared with the workers: their collector leaves them alone
    Application().run()
