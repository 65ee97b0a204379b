"""A results page that shows its state: the filters that are on, long facet lists, the phone's filter
button, and an article that leads on to the search's next result."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest

pytest.importorskip("playwright.sync_api", reason="Playwright is not installed: pip install -e '.[test]'")
from playwright.sync_api import Page, expect  # noqa: E402

from browsing import PHONE, hit_titles, query_of, readme_screenshot, same_document  # noqa: E402
from search.engine import SearchEngine  # noqa: E402
from vietnamese.places import all_districts  # noqa: E402

TX, CG = "Quận Thanh Xuân", "Quận Cầu Giấy"


def count(page: Page, n: int) -> None:
    expect(page.locator("#count")).to_have_text(re.compile(rf"^{n} kết quả"))


def expect_chips(page: Page, labels: list[str]) -> None:
    """The row above the results lists these filters, each with its ×, in this order."""
    chips = page.locator("#active-filters .active-filter")
    expect(chips).to_have_count(len(labels))
    if labels:
        expect(chips).to_contain_text(labels)
        for label in labels:
            expect(page.get_by_role("link", name=f"Bỏ lọc: {label}")).to_have_text("×")


def test_the_filters_that_are_on_sit_above_the_results_each_with_its_cross(page: Page) -> None:
    page.goto("/search?q=thanh+xuan")
    unchanged = same_document(page)
    count(page, 4)
    expect(page.locator("#active-filters")).to_be_hidden()

    page.locator("#facets a.facet", has_text=CG).click()
    count(page, 1)
    page.locator("select[name=sort]").select_option("date")
    page.locator("input[name=exact]").check()
    page.locator("#q").fill("Thanh Xuân")
    page.locator("#q").press("Enter")
    expect(page.locator("#active-filters")).to_be_visible()
    expect_chips(page, [CG, "Mới nhất trước", "Chỉ khớp đúng dấu"])
    readme_screenshot(page, "filters")

    page.get_by_role("link", name=f"Bỏ lọc: {CG}").click()
    count(page, 4)
    expect_chips(page, ["Mới nhất trước", "Chỉ khớp đúng dấu"])
    assert page.locator("#search-form input[name=district]").count() == 0  # the form follows

    page.get_by_role("link", name="Xoá tất cả").click()
    expect(page.locator("#active-filters")).to_be_hidden()
    expect(page.locator("select[name=sort]")).to_have_value("relevance")
    expect(page.locator("input[name=exact]")).not_to_be_checked()
    assert query_of(page.url) == {"q": ["Thanh Xuân"]}
    assert unchanged()


def test_date_shortcuts_and_a_year_fill_the_date_fields(page: Page) -> None:
    page.goto("/search?q=thanh+xuan")
    unchanged = same_document(page)
    count(page, 4)
    page.locator("select[name=year]").select_option("2024")
    count(page, 3)
    expect(page.locator("input[name=from]")).to_have_value("2024-01-01")
    expect(page.locator("input[name=to]")).to_have_value("2024-12-31")
    expect_chips(page, ["Từ 01/01/2024 đến 31/12/2024"])

    page.locator(".date-shortcuts a", has_text="30 ngày").click()
    start = dt.date.today() - dt.timedelta(days=29)
    expect(page.locator("input[name=from]")).to_have_value(start.isoformat())
    expect(page.locator("input[name=to]")).to_have_value("")
    expect(page.locator("select[name=year]")).to_have_value("")
    expect_chips(page, [f"Từ {start:%d/%m/%Y}"])
    assert query_of(page.url) == {"q": ["thanh xuan"], "from": [start.isoformat()]}
    assert unchanged()


def test_without_javascript_the_year_and_the_crosses_still_work(new_page: Callable[..., Page]) -> None:
    page = new_page(java_script_enabled=False)
    page.goto("/search?q=thanh+xuan&sort=date")
    page.locator("select[name=year]").select_option("2024")
    page.get_by_role("button", name="Chọn năm").click()
    page.wait_for_url(re.compile("to=2024-12-31"))
    count(page, 3)
    expect_chips(page, ["Từ 01/01/2024 đến 31/12/2024", "Mới nhất trước"])
    page.get_by_role("link", name="Bỏ lọc: Mới nhất trước").click()
    page.wait_for_url(lambda url: "sort" not in url)
    expect_chips(page, ["Từ 01/01/2024 đến 31/12/2024"])
    expect(page.locator("#filters-toggle")).to_be_hidden()  # without the script the filters are never folded


def many_districts(engine_of: Callable[[list[dict]], SearchEngine]) -> tuple[SearchEngine, list[str]]:
    """Fourteen districts: the first in all fourteen articles, the last in one."""
    names = [d.name for d in all_districts() if d.name.startswith("Quận")][:13] + ["Quận Hoàn Kiếm"]
    names = list(dict.fromkeys(names))[:14]
    records = [
        {"id": f"a{i}", "title": f"Tin phường số {i}", "body": "Tin phường.", "districts": names[: i + 1]}
        for i in range(len(names))
    ]
    return engine_of(records), names


def test_a_long_facet_list_shows_ten_then_xem_them_with_a_filter_box(
    new_page: Callable[..., Page], engine_of: Callable[[list[dict]], SearchEngine], serve: Callable[[SearchEngine], str]
) -> None:
    engine, names = many_districts(engine_of)
    url = serve(engine)
    page = new_page()
    page.goto(url + "/search?q=phuong")
    unchanged = same_document(page)
    facets = page.locator("#facets a.facet")
    expect(facets).to_have_count(len(names))
    assert facets.evaluate_all("links => links.filter(a => a.checkVisibility()).length") == 10
    more = page.locator("#facets summary", has_text="Xem thêm")
    expect(more).to_have_text(f"Xem thêm {len(names) - 10}")
    more.click()
    expect(facets.nth(len(names) - 1)).to_be_visible()

    # The last district (one article) is chosen: it comes first, and the list stays open as it was.
    facets.filter(has_text=names[-1]).click()
    count(page, 1)
    expect(facets.first).to_contain_text(f"✓ {names[-1]}")
    expect(page.locator("#facet-district-more")).to_have_attribute("open", "")
    assert page.evaluate("document.activeElement.dataset.name") == names[-1]

    box = page.get_by_label("Tìm trong danh sách quận/huyện")
    box.fill("hoan kiem")  # without diacritics
    visible = facets.evaluate_all("links => links.filter(a => a.checkVisibility()).map(a => a.dataset.name)")
    assert visible == ["Quận Hoàn Kiếm"]
    box.fill("zz")
    expect(page.locator("#facets .facet-none")).to_be_visible()
    box.fill("")
    assert facets.evaluate_all("links => links.filter(a => a.checkVisibility()).length") == len(names)
    box.fill("quan h")
    readme_screenshot(page.locator("#facets"), "facet-filter")
    assert unchanged()


def test_without_javascript_xem_them_still_opens(
    new_page: Callable[..., Page], engine_of: Callable[[list[dict]], SearchEngine], serve: Callable[[SearchEngine], str]
) -> None:
    engine, names = many_districts(engine_of)
    page = new_page(java_script_enabled=False)
    page.goto(serve(engine) + "/search?q=phuong")
    expect(page.locator("#facets a.facet", has_text=names[-1])).to_be_hidden()
    expect(page.locator(".facet-filter")).to_be_hidden()  # the filter box needs the script
    page.locator("#facets summary").click()
    page.locator("#facets a.facet", has_text=names[-1]).click()
    page.wait_for_url(re.compile("district="))
    count(page, 1)


def test_on_a_phone_the_filters_wait_behind_a_button_that_counts_them(new_page: Callable[..., Page]) -> None:
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto(f"/search?q=thanh+xuan&district={TX}")
    unchanged = same_document(page)
    button = page.locator("#filters-toggle")
    expect(button).to_have_text("Bộ lọc (1 đang bật)")
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#filters")).to_be_hidden()
    expect(page.locator("#facets")).to_be_hidden()
    expect(page.locator("#active-filters")).to_be_visible()  # what is on stays in sight
    above = page.locator(".hits").bounding_box()
    assert above and above["y"] < PHONE["height"], "the first result is on the first screen"

    button.tap()
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#filters")).to_be_visible()
    expect(page.locator("#facets")).to_be_visible()
    facets, hits = page.locator("#facets").bounding_box(), page.locator(".hits").bounding_box()
    assert facets and hits and facets["y"] < hits["y"], "opened, the districts come before the results"
    readme_screenshot(page, "filters-phone")

    page.locator("select[name=sort]").select_option("date")
    expect(button).to_have_text("Bộ lọc (2 đang bật)")
    page.locator("#facets a.facet", has_text=CG).tap()
    expect(button).to_have_text("Bộ lọc (3 đang bật)")
    expect(page.locator("#facets")).to_be_visible()  # still open after the update
    button.tap()
    expect(page.locator("#filters")).to_be_hidden()
    page.get_by_role("link", name="Xoá tất cả").tap()
    expect(page.locator("#filters-on")).to_be_hidden()
    expect(button).to_have_accessible_name("Bộ lọc")
    assert unchanged()


def test_desktop_shows_the_filters_without_a_button(page: Page) -> None:
    page.goto(f"/search?q=thanh+xuan&district={TX}")
    expect(page.locator("#filters-toggle")).to_be_hidden()
    expect(page.locator("#filters")).to_be_visible()
    expect(page.locator("#facets")).to_be_visible()


def test_live_results_carry_the_same_title_marks_as_a_reload(page: Page) -> None:
    page.goto("/")
    # The script asks the server for the rendered region, not for JSON to build it from.
    with page.expect_response(lambda response: response.url.endswith("/results?q=mat+tran+thanh+xuan")):
        page.locator("#q").press_sequentially("mat tran thanh xuan", delay=20)
    expect(page.locator("#results")).not_to_have_attribute("aria-busy", "true")  # and it is swapped in
    total = page.locator("#count").inner_text().split(" ")[0]
    live = page.locator(".hits h2").evaluate_all("titles => titles.map(t => t.innerHTML)")
    assert live and any("<mark>" in title for title in live)
    page.reload()
    expect(page.locator("#count")).to_have_text(re.compile(rf"^{total} kết quả"))
    assert page.locator(".hits h2").evaluate_all("titles => titles.map(t => t.innerHTML)") == live


def test_an_article_leads_on_to_the_next_result_and_has_its_own_search_box(page: Page) -> None:
    page.goto("/search?q=thanh+xuan&size=2")
    titles = hit_titles(page)
    page.locator(".hits h2 a").first.click()
    page.wait_for_url(re.compile(r"/doc/.*rank=1"))
    expect(page.locator("a[rel=prev]")).to_have_count(0)
    following = page.locator(".neighbours a[rel=next]")
    expect(following).to_contain_text(titles[1])
    following.click()
    page.wait_for_url(re.compile(r"rank=2"))
    expect(page.locator("article.doc h1")).to_have_text(titles[1])
    page.locator(".neighbours a[rel=next]").click()  # the third result is on the search's second page
    page.wait_for_url(re.compile(r"rank=3"))
    expect(page.locator(".neighbours a[rel=prev]")).to_contain_text(titles[1])
    readme_screenshot(page.locator(".neighbours"), "article-neighbours")

    page.get_by_role("link", name="Quay lại kết quả").click()
    page.wait_for_url(re.compile(r"/search\?"))
    expect(page.locator(".pager [aria-current=page]")).to_have_text("2")  # the page this result is on
    page.go_back()
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.press("Control+A")
    page.keyboard.type("hai ba trung")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=hai\+ba\+trung&size=2$"))
    count(page, 1)


def test_article_neighbours_on_a_phone(new_page: Callable[..., Page]) -> None:
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto("/search?q=thanh+xuan")
    page.locator(".hits h2 a").nth(1).tap()
    page.wait_for_url(re.compile(r"rank=2"))
    neighbours = page.locator(".neighbours a")
    expect(neighbours).to_have_count(2)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    neighbours.last.scroll_into_view_if_needed()
    readme_screenshot(page, "article-neighbours-phone")
