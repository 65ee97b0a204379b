"""Helpers for the browser tests: viewports, screenshots, telling an in-place update from a page load."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage, Locator, Page

SCREENSHOTS = Path(__file__).resolve().parents[1] / "screenshots"
# `make screenshot` sets UPDATE_README_SCREENSHOT to refresh the README's pictures here.
README_PICTURES = Path(__file__).resolve().parents[2] / "docs"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}


class Console:
    """What the pages of one test logged: CSP violations and script errors must never appear."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def watch(self, page: Page) -> None:
        page.on("console", self._message)
        page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))

    def _message(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    @property
    def csp_violations(self) -> list[str]:
        return [text for text in self.errors if "Content Security Policy" in text]

    @property
    def script_errors(self) -> list[str]:
        return [text for text in self.errors if text.startswith("uncaught")]


def screenshot(target: Page | Locator, name: str, full_page: bool = False) -> Path:
    """Save what the page (or one element of it) looks like to tests/screenshots/ (git-ignored) for a person to look at."""
    path = SCREENSHOTS / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    target.screenshot(path=str(path), **({"full_page": True} if full_page else {}))
    return path


def readme_screenshot(target: Page | Locator, name: str, full_page: bool = False) -> Path:
    """A screenshot the README shows: saved as any other, and copied to docs/ by `make screenshot`."""
    path = screenshot(target, name, full_page)
    if os.environ.get("UPDATE_README_SCREENSHOT"):
        README_PICTURES.mkdir(exist_ok=True)
        shutil.copyfile(path, README_PICTURES / f"screenshot-{name}.png")
    return path


def same_document(page: Page) -> Callable[[], bool]:
    """A check that the page has not been reloaded since this call: JavaScript updated it in place."""
    page.evaluate("window.__sameDocument = true")
    return lambda: page.evaluate("window.__sameDocument === true")


def hit_titles(page: Page) -> list[str]:
    return page.locator(".hits h2").all_inner_texts()


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)
