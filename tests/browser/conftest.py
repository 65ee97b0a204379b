"""Real-browser fixtures: the real app over the seed corpus, served on 127.0.0.1, driven in Debian's Chromium.

Playwright's own browser download does not work here, so the system browser is
launched by its path; without it (or without Playwright) these tests skip.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from werkzeug.serving import make_server

from browsing import DESKTOP, Console
from search.engine import SearchEngine
from web import create_app

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextmanager
def serving(engine: SearchEngine) -> Iterator[str]:
    """The app over ``engine``, served by a real HTTP server on a free local port in a background thread."""
    server = make_server("127.0.0.1", 0, create_app(engine), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()


@pytest.fixture(scope="session")
def base_url(seeds: SearchEngine) -> Iterator[str]:
    """The app over the five seed articles."""
    with serving(seeds) as url:
        yield url


@pytest.fixture
def serve() -> Iterator[Callable[[SearchEngine], str]]:
    """Serve another engine for the length of one test; answers its base URL."""
    with ExitStack() as stack:
        yield lambda engine: stack.enter_context(serving(engine))


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed: pip install -e '.[test]'")
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM}: 'apt-get install -y chromium' (make test does it as root)")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def console() -> Console:
    return Console()


@pytest.fixture
def new_page(browser: Browser, base_url: str, console: Console) -> Iterator[Callable[..., Page]]:
    """Open a page in a fresh context (``viewport``, ``java_script_enabled``... as Playwright takes them).

    When the test ends, no page may have logged a CSP violation or an uncaught script error.
    """
    contexts = []

    def make(**options: Any) -> Page:
        options.setdefault("viewport", DESKTOP)
        context = browser.new_context(base_url=base_url, locale="vi-VN", **options)
        context.set_default_timeout(5000)
        contexts.append(context)
        page = context.new_page()
        console.watch(page)
        return page

    yield make
    for context in contexts:
        context.close()
    assert not console.csp_violations, console.csp_violations
    assert not console.script_errors, console.script_errors


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    return new_page()
