"""How the pages look and weigh: phone and desktop, contrast, labels, nothing from outside, under 100 KB."""

from __future__ import annotations

from collections.abc import Callable

import pytest

pytest.importorskip("playwright.sync_api", reason="Playwright is not installed: pip install -e '.[test]'")
from playwright.sync_api import Page, Response, expect  # noqa: E402

from browsing import PHONE, Console, readme_screenshot, screenshot  # noqa: E402

PAGES = {
    "home": "/",
    "results": "/search?q=thanh+xuan",
    "filters": "/search?q=thanh+xuan&district=Qu%E1%BA%ADn+Thanh+Xu%C3%A2n&sort=date&exact=1",
    "empty": "/search?q=zzkhongcozz",
    "article": "/doc/003_8df283ffd8d0e08d?q=thanh+xuan",
}
FIRST_PAGE_BUDGET = 100_000  # bytes of HTML, CSS and script together

# Contrast of every piece of visible text against the background it sits on (WCAG 2 relative luminance).
CONTRAST_SCRIPT = """() => {
    const channel = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    const rgba = text => text.match(/[\\d.]+/g).map(Number);
    const luminance = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
    const background = node => {
        for (; node; node = node.parentElement) {
            const color = rgba(getComputedStyle(node).backgroundColor);
            if (color.length < 4 || color[3] > 0) return color;
        }
        return [255, 255, 255];
    };
    const failures = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let text = walker.nextNode(); text; text = walker.nextNode()) {
        const element = text.parentElement;
        if (!text.textContent.trim() || !element.checkVisibility() || element.closest(".visually-hidden, .skip")) continue;
        const [a, b] = [luminance(rgba(getComputedStyle(element).color)), luminance(background(element))];
        const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
        if (ratio < 4.5) failures.push(`${text.textContent.trim().slice(0, 30)}: ${ratio.toFixed(2)}`);
    }
    return failures;
}"""

UNLABELLED_SCRIPT = """() => [...document.querySelectorAll("input:not([type=hidden]), select, textarea, button")]
    .filter(control => !(control.labels && control.labels.length) && !control.textContent.trim()
                       && !control.getAttribute("aria-label"))
    .map(control => control.outerHTML)"""


@pytest.mark.parametrize("name", PAGES)
def test_phone_shows_everything_without_sideways_scrolling(new_page: Callable[..., Page], name: str) -> None:
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto(PAGES[name])
    expect(page.locator("main")).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{name}: {overflow}px wider than a 360 px phone"
    screenshot(page, f"phone-{name}", full_page=True)


@pytest.mark.parametrize("name", PAGES)
def test_text_contrast_labels_and_language(page: Page, name: str) -> None:
    page.goto(PAGES[name])
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.evaluate(CONTRAST_SCRIPT) == [], "text below WCAG AA contrast (4.5:1)"
    assert page.evaluate(UNLABELLED_SCRIPT) == [], "form controls without a label"
    screenshot(page, f"desktop-{name}", full_page=True)


@pytest.mark.parametrize("url", ["/", "/search?q=thanh+xuan"])
def test_first_page_is_light_and_all_local(page: Page, base_url: str, url: str) -> None:
    responses: list[Response] = []
    page.on("response", lambda response: responses.append(response))
    page.goto(url)
    page.wait_for_load_state("networkidle")
    assert all(r.url.startswith(base_url) for r in responses), "nothing may come from outside the app"
    kinds = {r.request.resource_type: r for r in responses}
    assert {"document", "stylesheet", "script"} <= set(kinds)
    weight = sum(len(r.body()) for r in responses if r.request.resource_type in ("document", "stylesheet", "script"))
    assert weight < FIRST_PAGE_BUDGET, f"{url} weighs {weight} bytes"
    assert not page.evaluate("[...document.querySelectorAll('script:not([src]), [style]')].length"), "inline code"


def test_console_watch_catches_csp_violations(page: Page, console: Console) -> None:
    """The CSP check that every browser test ends with is not vacuous: an inline style is refused and seen."""
    page.goto("/")
    with page.expect_console_message(lambda message: "Content Security Policy" in message.text):
        page.evaluate("document.body.setAttribute('style', 'color: red')")
    expect(page.locator("body")).not_to_have_css("color", "rgb(255, 0, 0)")
    assert console.csp_violations
    console.errors.clear()


def test_results_page_for_the_readme(page: Page) -> None:
    page.goto("/search?q=thanh+xuan")
    expect(page.locator(".hits h2 a")).to_have_count(4)
    readme_screenshot(page, "results")
