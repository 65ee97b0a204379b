"""Completions under the search box: a WAI-ARIA 1.2 combobox driven by keyboard, mouse and touch."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

pytest.importorskip("playwright.sync_api", reason="Playwright is not installed: pip install -e '.[test]'")
from playwright.sync_api import Page, expect  # noqa: E402

from browsing import PHONE, query_of, same_document, screenshot  # noqa: E402

DOCS = Path(__file__).resolve().parents[2] / "docs"
OPTIONS = "#q-completions [role=option]"


FIRST = {"hai ba t": "Hai Bà Trưng", "thanh x": "Thanh Xuân", "mat tran t": "Mặt trận Tổ"}


def type_into_box(page: Page, text: str) -> None:
    """Type ``text`` key by key and wait for its own completions (those of a shorter text come first)."""
    page.goto("/")
    page.locator("#q").press_sequentially(text, delay=40)
    expect(page.locator(OPTIONS).first).to_have_text(FIRST[text])


def test_typing_opens_a_listbox_of_completions_the_box_controls(page: Page) -> None:
    type_into_box(page, "hai ba t")
    box = page.locator("#q")
    listbox = page.locator("#q-completions")
    expect(box).to_have_attribute("role", "combobox")
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(box).to_have_attribute("aria-controls", "q-completions")
    expect(box).to_have_attribute("aria-autocomplete", "list")
    expect(listbox).to_have_attribute("role", "listbox")
    expect(page.locator(OPTIONS).first).to_have_text("Hai Bà Trưng")
    assert page.locator(OPTIONS).first.inner_html() == "<mark>Hai Bà T</mark>rưng"
    expect(box).to_be_focused()
    assert box.get_attribute("aria-activedescendant") is None


def test_arrow_keys_move_through_the_options_and_enter_searches(page: Page) -> None:
    type_into_box(page, "thanh x")
    box = page.locator("#q")
    options = page.locator(OPTIONS)
    unchanged = same_document(page)
    box.press("ArrowDown")
    first = options.nth(0)
    expect(first).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", first.get_attribute("id"))
    expect(box).to_be_focused()  # the focus stays in the box (aria-activedescendant)
    box.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    expect(first).to_have_attribute("aria-selected", "false")
    box.press("ArrowUp")
    expect(first).to_have_attribute("aria-selected", "true")
    chosen = first.inner_text()
    box.press("Enter")
    expect(box).to_have_value(chosen)
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#q-completions")).to_be_hidden()
    expect(page.locator(".hits h2").first).to_contain_text("Thanh Xuân")
    expect(page).to_have_url(re.compile(r"/search\?"))
    assert query_of(page.url) == {"q": [chosen]}
    assert unchanged(), "taking a completion searches in place"


def test_escape_closes_the_list_and_keeps_what_was_typed(page: Page) -> None:
    type_into_box(page, "hai ba t")
    box = page.locator("#q")
    box.press("ArrowDown")
    box.press("Escape")
    expect(page.locator("#q-completions")).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    assert box.get_attribute("aria-activedescendant") is None
    expect(box).to_have_value("hai ba t")
    expect(page.locator(".hits h2 a").first).to_be_visible()
    box.press("ArrowDown")  # closed: the arrow goes on to the results, as before
    expect(page.locator(".hits h2 a").first).to_be_focused()


def test_a_click_takes_a_completion(page: Page) -> None:
    type_into_box(page, "mat tran t")
    option = page.locator(OPTIONS).first
    text = option.inner_text()
    option.click()
    expect(page.locator("#q")).to_have_value(text)
    expect(page.locator("#q")).to_be_focused()
    expect(page.locator("#q-completions")).to_be_hidden()
    expect(page.locator(".hits h2").first).to_be_visible()


def test_a_tap_takes_a_completion_on_a_phone(new_page: Callable[..., Page]) -> None:
    page = new_page(viewport=PHONE, has_touch=True, is_mobile=True)
    type_into_box(page, "hai ba t")
    listbox = page.locator("#q-completions").bounding_box()
    assert listbox and listbox["x"] >= 0 and listbox["x"] + listbox["width"] <= PHONE["width"]
    assert page.locator(OPTIONS).first.bounding_box()["height"] >= 44  # a finger's size
    page.locator(OPTIONS).first.tap()
    expect(page.locator("#q")).to_have_value("Hai Bà Trưng")
    expect(page.locator(".hits h2").first).to_contain_text("Hai Bà Trưng")


def test_leaving_the_box_closes_the_list(page: Page) -> None:
    type_into_box(page, "hai ba t")
    page.locator("#q").press("Tab")
    expect(page.locator("#q-completions")).to_be_hidden()
    expect(page.locator("#q")).to_have_attribute("aria-expanded", "false")


@pytest.mark.parametrize(("name", "viewport"), [("desktop", None), ("phone", PHONE)])
def test_completions_for_the_readme(new_page: Callable[..., Page], name: str, viewport: dict | None) -> None:
    page = new_page(**({"viewport": viewport} if viewport else {}))
    type_into_box(page, "thanh x")
    page.locator("#q").press("ArrowDown")
    path = screenshot(page, f"{name}-completions")
    if os.environ.get("UPDATE_README_SCREENSHOT"):
        shutil.copyfile(path, DOCS / f"screenshot-completions-{name}.png")
