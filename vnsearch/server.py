"""Serving the web app on every core: gunicorn's worker processes on POSIX, waitress where gunicorn cannot run.

A search holds the interpreter lock for its whole CPU work, so one process uses one core
however many threads it has. gunicorn forks worker processes from a master that has
loaded the app (``preload_app``): the index's vocabulary and arrays, warmed in the master,
are shared with every worker through fork. Each worker still picks up a new index
generation on its own (the engine checks for a new commit on every request) and builds
that generation's caches once. Workers are gthread workers: an idle keep-alive
connection waits in the worker's poller, not in a thread, and at most ``worker_connections``
connections are held per worker. Neither protects from clients that send a request slowly
on purpose: on the open web, a buffering reverse proxy belongs in front (README).

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

from vnsearch import logs

KEEPALIVE_SECONDS = 5
WORKER_CONNECTIONS = 200  # per worker; beyond that, new connections wait in the listen backlog
WORKER_TIMEOUT_SECONDS = 60  # a worker that stops answering its master this long is replaced
QUEUE_NOTICE_SECONDS = 60
GRACEFUL_SECONDS = 10  # on SIGTERM, requests under way get this long to finish


@dataclass(frozen=True)
class ServerOptions:
    host: str
    port: int
    workers: int
    threads: int
    log_level: str = "info"


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
    warm()
    if options.workers > 1 and gunicorn_available():
        _gunicorn(app, options, ready)
        return
    if options.workers > 1:
        logging.getLogger("vnsearch").warning(
            "gunicorn cannot run on this system: one process (waitress) serves instead of %d", options.workers
        )
    _waitress(app, options, ready)


def _waitress(app, options: ServerOptions, ready: Callable[[int], None]) -> None:
    from waitress import create_server

    logging.getLogger("waitress.queue").addFilter(_QueueNotice(options.threads))
    server = create_server(app, host=options.host, port=options.port, threads=options.threads)
    ready(server.effective_port)
    server.run()


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
        "worker_connections": WORKER_CONNECTIONS,
        "keepalive": KEEPALIVE_SECONDS,
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
