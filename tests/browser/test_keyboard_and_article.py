"""Keyboard use of the results, and moving between the marked matches of an article."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("playwright.sync_api", reason="Playwright is not installed: pip install -e '.[test]'")
from playwright.sync_api import Page, expect  # noqa: E402

from browsing import screenshot  # noqa: E402

HOAN_KIEM = "/doc/001_5eb4c6df541e3a06"  # the longest seed; "phuong" first matches about a thousand characters in


def focused(page: Page) -> str:
    """What has the keyboard focus: the search box, ``hit N`` (1-based), or the element's tag."""
    return page.evaluate(
        """() => {
            const active = document.activeElement;
            if (active.id === "q") return "box";
            const links = [...document.querySelectorAll(".hits h2 a")];
            return links.includes(active) ? `hit ${links.indexOf(active) + 1}` : active.tagName.toLowerCase();
        }"""
    )


def test_slash_focuses_the_search_box_unless_typing(page: Page) -> None:
    page.goto("/search?q=thanh+xuan")
    assert focused(page) == "body"
    expect(page.locator("#keys-search")).to_be_visible()  # the hint names the keys that work here
    expect(page.locator("#keys-matches")).to_be_hidden()
    page.keyboard.press("/")
    assert focused(page) == "box"
    expect(page.locator("#q")).to_have_value("thanh xuan")  # the slash went to the shortcut, not into the box

    page.keyboard.press("End")
    page.keyboard.type(" 2024/01")  # inside a field a slash is just a slash
    expect(page.locator("#q")).to_have_value("thanh xuan 2024/01")
    page.locator("input[name=from]").focus()
    page.keyboard.press("/")
    assert focused(page) == "input"


def test_arrows_move_through_results_and_enter_opens_one(page: Page) -> None:
    page.goto("/search?q=thanh+xuan")
    page.keyboard.press("/")
    page.keyboard.press("ArrowDown")
    assert focused(page) == "hit 1"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert focused(page) == "hit 3"
    page.keyboard.press("ArrowUp")
    assert focused(page) == "hit 2"

    link = page.locator(".hits h2 a").nth(1)
    style = link.evaluate("a => { const s = getComputedStyle(a); return [s.outlineStyle, parseFloat(s.outlineWidth)]; }")
    assert style[0] != "none" and style[1] >= 2, "the focused result must show a visible outline"
    assert page.locator(".hit").nth(1).evaluate("li => getComputedStyle(li).backgroundColor") != "rgba(0, 0, 0, 0)"
    screenshot(page, "desktop-keyboard-focus")

    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    assert focused(page) == "box"  # up from the first result returns to the box

    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    href = link.get_attribute("href")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{href}")
    expect(page.locator("article.doc h1")).to_be_visible()


def test_arrows_work_on_results_shown_as_you_type(page: Page) -> None:
    page.goto("/")
    page.locator("#q").press_sequentially("thanh xuan", delay=20)
    expect(page.locator(".hits h2 a")).to_have_count(4)
    expect(page.locator("#q-completions")).to_be_visible()
    page.keyboard.press("Escape")  # the completions take the arrows while they are open
    page.keyboard.press("ArrowDown")
    assert focused(page) == "hit 1"


def test_article_opens_on_its_first_match_and_steps_through_them(page: Page) -> None:
    page.goto("/search?q=phuong")
    page.locator(".hits h2 a", has_text="Hoàn Kiếm").click()
    page.wait_for_url(re.compile(rf"{HOAN_KIEM}\?q=phuong&rank=\d+$"))

    marks = page.locator("article.doc mark")
    total = marks.count()
    assert total >= 4
    expect(page.locator(".matches")).to_have_text(f"{total} chỗ khớp với «phuong»")  # the server counts the same marks
    position = page.locator("#match-pos")
    expect(position).to_have_text(f"1/{total}")
    assert page.evaluate("window.scrollY") > 0, "the page opens scrolled to the first match"
    expect(page.locator("#keys-matches")).to_be_visible()
    expect(page.locator("#keys-search")).to_be_visible()  # the article has a search box too
    expect(page.locator("#keys-results")).to_be_hidden()
    assert_current(page, 0)
    screenshot(page, "desktop-article-first-match")

    page.get_by_role("button", name="Chỗ khớp tiếp theo").click()
    expect(position).to_have_text(f"2/{total}")
    page.keyboard.press("n")
    expect(position).to_have_text(f"3/{total}")
    assert_current(page, 2)
    page.keyboard.press("p")
    expect(position).to_have_text(f"2/{total}")
    page.get_by_role("button", name="Chỗ khớp trước").click()
    page.get_by_role("button", name="Chỗ khớp trước").click()
    expect(position).to_have_text(f"{total}/{total}")  # before the first comes the last
    assert_current(page, total - 1)
    page.keyboard.press("n")
    expect(position).to_have_text(f"1/{total}")


def assert_current(page: Page, index: int) -> None:
    """Match ``index`` alone is the current one, and it is on screen, below the sticky buttons."""
    current = page.locator("article.doc mark.current")
    expect(current).to_have_count(1)
    assert current.evaluate("(m, i) => m === document.querySelectorAll('article.doc mark')[i]", index)
    box = current.bounding_box()
    nav = page.locator("#match-nav").bounding_box()
    assert box and nav
    assert nav["y"] + nav["height"] <= box["y"] and box["y"] + box["height"] <= page.viewport_size["height"]


def test_article_without_a_query_has_no_match_buttons(page: Page) -> None:
    page.goto(HOAN_KIEM)
    expect(page.locator("article.doc h1")).to_contain_text("Hoàn Kiếm")
    expect(page.locator("#match-nav")).to_have_count(0)
    assert page.evaluate("window.scrollY") == 0
    page.keyboard.press("n")  # nothing to step through: nothing happens, nothing breaks
    assert page.evaluate("window.scrollY") == 0


def test_back_link_returns_to_the_same_results(page: Page) -> None:
    page.goto("/search?q=thanh+xuan&district=Qu%E1%BA%ADn+Thanh+Xu%C3%A2n&sort=date")
    page.locator(".hits h2 a").first.click()
    page.wait_for_url("**/doc/**")
    page.get_by_role("link", name="Quay lại kết quả").click()
    page.wait_for_url(re.compile(r"/search\?"))
    expect(page.locator("#facets a.facet[aria-current=true]")).to_contain_text("Quận Thanh Xuân")
    expect(page.locator("select[name=sort]")).to_have_value("date")
