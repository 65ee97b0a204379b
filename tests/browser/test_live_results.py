"""Results as you type: the list, count, facets and suggestion update in place, and the URL stays shareable."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

pytest.importorskip("playwright.sync_api", reason="Playwright is not installed: pip install -e '.[test]'")
from playwright.sync_api import Page, expect  # noqa: E402

from browsing import hit_titles, query_of, same_document, screenshot  # noqa: E402
from search.engine import SearchEngine  # noqa: E402

TX, CG, HBT = "Quận Thanh Xuân", "Quận Cầu Giấy", "Quận Hai Bà Trưng"
CUM_THI_DUA = "Cụm Thi đua số 2"  # the one article tagged with several districts, Thanh Xuân and Cầu Giấy among them
READ = ("#hits-region", "#facets")  # what JavaScript rewrites


def count(page: Page, n: int) -> None:
    expect(page.locator("#count")).to_have_text(re.compile(rf"^{n} kết quả \(\d+(,\d+)? giây\)$"))


def assert_server_renders_the_same(page: Page) -> None:
    """The page JavaScript built and the page the server renders for its URL read the same (and keep the form)."""
    def visible_text() -> list[str]:
        return [page.locator(selector).evaluate("e => e.hidden ? '' : e.innerText") for selector in READ]

    shown = visible_text()
    form = page.locator("#search-form").evaluate("form => [...new FormData(form)].join('|')")
    page.reload()
    assert visible_text() == shown
    assert page.locator("#search-form").evaluate("form => [...new FormData(form)].join('|')") == form


def test_typing_without_diacritics_marks_the_original_spelling_in_place(page: Page) -> None:
    page.goto("/")
    unchanged = same_document(page)
    page.locator("#q").press_sequentially("hai ba trung", delay=30)

    expect(page.locator(".hits .snippet mark", has_text="Hai Bà Trưng").first).to_be_visible()
    count(page, 1)
    snippet = page.locator(".hits .snippet").first.inner_html()
    assert "<mark>Hai Bà Trưng</mark>" in snippet
    expect(page.locator(".hits h2 mark")).to_have_text(["Hai Bà Trưng"])  # the title is marked too
    assert page.locator("#count").get_attribute("aria-live") == "polite"
    assert unchanged(), "the results must appear without a page load"
    assert query_of(page.url) == {"q": ["hai ba trung"]}
    assert page.title() == "hai ba trung – Tìm kiếm tin tức"
    expect(page.locator("#intro")).to_be_hidden()
    screenshot(page, "desktop-typed-hai-ba-trung")
    assert_server_renders_the_same(page)


def test_back_after_typing_returns_to_where_typing_began(page: Page) -> None:
    page.goto("/")
    unchanged = same_document(page)
    box = page.locator("#q")
    box.press_sequentially("thanh", delay=20)
    expect(page.locator("#count")).to_contain_text("kết quả")
    assert query_of(page.url) == {"q": ["thanh"]}
    box.press_sequentially(" xuan", delay=20)
    count(page, 4)
    assert query_of(page.url) == {"q": ["thanh xuan"]}

    page.go_back()  # one bout of typing is one step back, however long it lasted
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("#intro")).to_be_visible()
    expect(box).to_have_value("")
    expect(page.locator("#count")).to_have_text("")
    expect(page.locator(".hits")).to_have_count(0)
    page.go_forward()
    count(page, 4)
    expect(box).to_have_value("thanh xuan")
    assert unchanged()


def test_suggestion_is_offered_and_followed_in_place(page: Page) -> None:
    page.goto("/")
    unchanged = same_document(page)
    page.locator("#q").press_sequentially("thanh xuan", delay=30)
    suggestion = page.locator(".suggestion a")
    expect(suggestion).to_have_text("Thanh Xuân")
    suggestion.click()
    expect(page.locator("#q")).to_have_value("Thanh Xuân")
    assert query_of(page.url) == {"q": ["Thanh Xuân"]}
    expect(page.locator(".hits .snippet mark").first).to_have_text("Thanh Xuân")
    assert unchanged()


def test_district_facets_filter_several_at_once_and_clear(page: Page) -> None:
    page.goto("/search?q=thanh+xuan")
    unchanged = same_document(page)
    count(page, 4)

    page.locator("#facets a.facet", has_text=CG).click()
    count(page, 1)
    assert hit_titles(page)[0].startswith(CUM_THI_DUA)
    chosen = page.locator("#facets a.facet[aria-current=true]")
    expect(chosen).to_have_count(1)
    expect(chosen).to_contain_text(CG)
    assert page.evaluate("document.activeElement.dataset.name") == CG  # focus stays on the facet just used

    page.locator("#facets a.facet", has_text=HBT).click()
    count(page, 2)
    expect(page.locator("#facets a.facet[aria-current=true]")).to_have_count(2)
    assert query_of(page.url)["district"] == [CG, HBT]
    assert page.locator("#search-form input[name=district]").evaluate_all("inputs => inputs.map(i => i.value)") == [CG, HBT]
    screenshot(page, "desktop-two-districts")

    page.locator("#facets a.clear").click()
    count(page, 4)
    expect(page.locator("#facets a.facet[aria-current=true]")).to_have_count(0)
    assert "district" not in query_of(page.url)

    page.go_back()  # back to the two districts, still without a page load
    count(page, 2)
    assert unchanged()
    assert_server_renders_the_same(page)


def test_date_range_narrows_the_list(page: Page) -> None:
    page.goto("/search?q=thanh+xuan")
    count(page, 4)
    unchanged = same_document(page)

    page.locator("input[name=from]").fill("2024-01-01")
    count(page, 3)
    page.locator("input[name=to]").fill("2024-01-31")
    count(page, 2)
    dates = page.locator(".hits time").evaluate_all("times => times.map(t => t.dateTime)")
    assert dates and all("2024-01-01" <= day <= "2024-01-31" for day in dates)
    assert query_of(page.url) == {"q": ["thanh xuan"], "from": ["2024-01-01"], "to": ["2024-01-31"]}
    assert unchanged()
    assert_server_renders_the_same(page)


def test_sort_by_date(page: Page) -> None:
    page.goto("/search?q=thanh+xuan")
    count(page, 4)
    relevance = page.locator(".hits time").all_inner_texts()
    newest_first = ["14/06/2024", "31/01/2024", "28/01/2024", "09/11/2022"]
    assert relevance != newest_first
    page.locator("select[name=sort]").select_option("date")
    expect(page.locator(".hits time")).to_have_text(newest_first)
    assert query_of(page.url)["sort"] == ["date"]


def test_pages_move_in_place_and_back_returns(page: Page) -> None:
    page.goto("/search?q=thanh+xuan&size=1")
    unchanged = same_document(page)
    first = hit_titles(page)
    current = page.locator(".pager [aria-current=page]")
    expect(current).to_have_text("1")

    page.locator(".pager a[rel=next]").click()
    expect(current).to_have_text("2")
    second = hit_titles(page)
    assert len(second) == 1 and second != first
    assert query_of(page.url)["page"] == ["2"] and query_of(page.url)["size"] == ["1"]
    assert page.evaluate("document.activeElement.closest('.hit') !== null")  # focus moved to the new first result

    page.locator(".pager a", has_text="4").click()
    expect(current).to_have_text("4")
    expect(page.locator(".pager a[rel=next]")).to_have_count(0)

    page.go_back()
    expect(current).to_have_text("2")
    assert hit_titles(page) == second
    page.go_back()
    expect(current).to_have_text("1")
    assert hit_titles(page) == first
    page.go_forward()
    expect(current).to_have_text("2")
    assert unchanged()
    assert_server_renders_the_same(page)


def test_empty_state_offers_the_most_common_districts(page: Page) -> None:
    page.goto("/")
    unchanged = same_document(page)
    page.locator("#q").press_sequentially("zzkhongcozz", delay=20)
    count(page, 0)
    empty = page.locator(".empty")
    expect(empty).to_contain_text("Không tìm thấy bài viết nào cho «zzkhongcozz»")
    chips = empty.locator("a.chip")
    expect(chips.first).to_contain_text(f"{TX} 3")  # the district with the most articles comes first
    expect(page.locator("#facets")).to_be_hidden()
    screenshot(page, "desktop-empty")
    assert_server_renders_the_same(page)

    page.goto("/search?q=zzkhongcozz")
    unchanged = same_document(page)
    page.locator(".empty a.chip", has_text=TX).click()
    count(page, 3)
    expect(page.locator("#q")).to_have_value("")
    assert query_of(page.url) == {"district": [TX]}
    assert unchanged()


def test_a_refused_request_says_why_in_place(page: Page) -> None:
    page.goto("/search?q=thanh+xuan")
    count(page, 4)
    page.locator("input[name=from]").fill("2024-02-01")
    page.locator("input[name=to]").fill("2024-01-01")
    error = page.locator("#error")
    expect(error).to_contain_text("Ngày bắt đầu")
    assert error.get_attribute("role") == "alert"
    expect(page.locator(".hits")).to_have_count(0)
    page.locator("input[name=to]").fill("2024-12-31")
    count(page, 1)  # 14/06/2024
    expect(error).to_be_hidden()


def test_without_javascript_the_form_and_links_still_search(new_page: Callable[..., Page]) -> None:
    page = new_page(java_script_enabled=False)
    page.goto("/")
    page.locator("#q").fill("thanh xuan")
    page.locator("#q").press("Enter")
    page.wait_for_url("**/search?q=thanh+xuan*")
    count(page, 4)
    expect(page.locator(".hits .snippet mark", has_text="Thanh Xuân").first).to_be_visible()
    expect(page.locator("#keys")).to_be_hidden()  # keyboard hints only where the keys work

    page.locator("#facets a.facet", has_text=CG).click()
    page.wait_for_url(re.compile("district="))
    count(page, 1)
    page.locator(".hits h2 a").first.click()
    page.wait_for_url("**/doc/**")
    expect(page.locator("article.doc mark").first).to_be_visible()
    expect(page.locator("#match-nav")).to_be_hidden()  # its buttons would do nothing without the script
    screenshot(page, "desktop-no-javascript-article")


HOSTILE_TITLE = '<img src=x onerror="document.title=1"> Cầu Giấy mở rộng đường'
HOSTILE_BODY = 'Quận Cầu Giấy <script>document.title=2</script> mở rộng <b>đường</b> Trần Duy Hưng.'


def test_article_text_is_shown_as_text_never_run(
    new_page: Callable[..., Page],
    engine_of: Callable[[list[dict]], SearchEngine],
    serve: Callable[[SearchEngine], str],
) -> None:
    url = serve(engine_of([{"id": "hostile", "title": HOSTILE_TITLE, "body": HOSTILE_BODY, "date": "2024-02-10"}]))
    page = new_page()
    page.goto(url + "/")
    page.locator("#q").press_sequentially("cau giay", delay=20)
    hit = page.locator(".hits .hit")
    expect(hit.locator("h2")).to_have_text(HOSTILE_TITLE)
    expect(hit.locator("h2 mark")).to_have_text(["Cầu Giấy"])
    expect(hit.locator(".snippet")).to_contain_text("<script>document.title=2</script>")
    assert hit.locator("img, script, b").count() == 0
    assert page.title() == "cau giay – Tìm kiếm tin tức"
