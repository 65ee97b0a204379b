"""HTML pages for people: home, results and article; they work without JavaScript."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote_plus, urlencode

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from search.model import FacetCount, Hit, SearchError, SearchRequest, SearchResults
from web.common import engine, find_document, is_web_url, run_search, search_params, search_request, wants_exact
from web.errors import error_response

bp = Blueprint("pages", __name__)

# How many districts the home page and an empty result offer as ways in.
COMMON_DISTRICTS = 6
COMMON_DISTRICTS_KEY = "vnsearch.common_districts"  # (index generation, its district counts)
# The search's parameters that narrow or order it (``q``, ``page`` and ``size`` do not).
FILTER_PARAMS = ("province", "district", "ward", "from", "to", "sort", "exact", "verbatim")
# The place filters, each with its facet: URL parameter, heading, what one value is called.
PLACE_FACETS = (
    ("district", "Quận/Huyện", "quận/huyện"),
    ("ward", "Phường/Xã (từ 7/2025)", "phường/xã"),
    ("province", "Tỉnh/Thành phố", "tỉnh/thành phố"),
)
# How far back the year chooser next to the date fields goes.
YEARS_OFFERED = 15

Change = str | int | list[str] | None

# A results page links each of up to hundreds of districts, every link repeating the same
# parameters: each value is percent-encoded once, not once per link.
_quote = lru_cache(maxsize=4096)(quote_plus)


@bp.app_template_global()
def search_url(**changes: Change) -> str:
    """The results page for the current parameters with ``changes`` applied.

    The one way every link between result pages is built (facets, pagination,
    suggestion, back link), so none of them drops a filter. ``None`` removes a
    parameter; a list sets a repeatable one such as ``district``.
    """
    return _carrying_args("pages.search", changes)


bp.add_app_template_global(search_params)


@bp.app_template_global()
def doc_url(doc_id: str, rank: int | None = None) -> str:
    """An article link carrying the search it came from: ``q`` for highlighting, the rest for the back link,
    and the hit's ``rank`` in that search (1-based), from which the article finds its neighbours and its page."""
    return _carrying_args("pages.document", {"rank": rank, "page": None}, doc_id=doc_id)


def _carrying_args(endpoint: str, changes: dict[str, Change], **values: str) -> str:
    params = search_params(request.args)
    for key, value in changes.items():
        params.poplist(key)
        for item in value if isinstance(value, list) else [] if value is None else [value]:
            params.add(key, str(item))
    query = urlencode([(key, value) for key, value in params.items(multi=True) if value], quote_via=_quote)
    base = url_for(endpoint, **values)
    return f"{base}?{query}" if query else base


@bp.app_template_test("web_url")
def _web_url(url: object) -> bool:
    return is_web_url(url)


@bp.app_template_filter("vndate")
def vndate(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


@bp.app_template_filter("vnnumber")
def vnnumber(n: int) -> str:
    """Vietnamese groups thousands with dots: 12.345."""
    return f"{n:,}".replace(",", ".")


@bp.app_template_filter("seconds")
def seconds(ms: float) -> str:
    """Milliseconds as seconds with a decimal comma: 0,03 (two significant digits below a second, never 0,00)."""
    s = ms / 1000
    return (f"{s:.2f}" if s >= 1 else f"{s:.2g}").replace(".", ",")


@dataclass(frozen=True)
class FacetLink:
    name: str
    count: int
    selected: bool
    url: str  # the results page with this value toggled
    province: str | None = None  # current province of a district or ward


Group = tuple[str | None, list[FacetLink]]


@dataclass(frozen=True)
class FacetBox:
    """One facet as the results page shows it; the ``facet_box`` macro renders any kind of facet from this."""

    key: str  # the URL parameter its links set, and the element ids
    title: str
    noun: str  # what one value is called ("Bỏ lọc quận/huyện", "Tìm quận/huyện…")
    links: list[FacetLink]  # chosen values first
    clear_url: str | None  # the results page without this facet's filter, when one is on
    grouped: bool = False  # shown under the heading of each link's province

    def split(self, shown: int) -> tuple[list[Group], list[Group], int]:
        """The groups of the first ``shown`` links, those of the rest (behind "Xem thêm"), and how many the rest has."""
        return self._groups(self.links[:shown]), self._groups(self.links[shown:]), len(self.links[shown:])

    def _groups(self, links: list[FacetLink]) -> list[Group]:
        if not self.grouped:
            return [(None, links)] if links else []
        groups: dict[str, list[FacetLink]] = {}
        for link in links:
            groups.setdefault(link.province or "Khác", []).append(link)
        return list(groups.items())


def _links(param: str, chosen: tuple[str, ...], counts: list[FacetCount]) -> list[FacetLink]:
    """One link per place that adds it to, or removes it from, the ``param`` filter; chosen ones first."""
    found = {facet.name: facet for facet in counts}
    links = []
    for name in [*chosen, *(name for name in found if name not in chosen)]:
        selected = name in chosen
        values = [v for v in chosen if v != name] if selected else [*chosen, name]
        facet = found.get(name)
        url = search_url(**{param: values, "page": None})
        links.append(FacetLink(name, facet.count if facet else 0, selected, url, facet.province if facet else None))
    return links


def facet_boxes(results: SearchResults) -> list[FacetBox]:
    """The district, ward and province facets; districts (before 7/2025) under their current province,
    the province with most hits first (after those holding a chosen district)."""
    asked = {"district": results.request.districts, "ward": results.request.wards, "province": results.request.provinces}
    counts = {"district": results.districts, "ward": results.wards, "province": results.provinces}
    rank = {facet.name: n for n, facet in enumerate(results.provinces)}
    boxes = []
    for key, title, noun in PLACE_FACETS:
        links = _links(key, asked[key], counts[key])
        if key == "district":
            links.sort(key=lambda link: (not link.selected, rank.get(link.province or "", len(rank))))
        clear = search_url(**{key: None, "page": None}) if asked[key] else None
        boxes.append(FacetBox(key, title, noun, links, clear, grouped=key == "district"))
    return boxes


@dataclass(frozen=True)
class ActiveFilter:
    label: str
    url: str  # the results page without this filter


def active_filters() -> list[ActiveFilter]:
    """Every filter the URL turns on, each with a link that turns it off: read from the URL itself, so a
    filter the engine refused (a malformed date) can be removed too."""
    args = request.args
    chips = []
    for param in ("province", "district", "ward"):
        values = [v for v in args.getlist(param) if v.strip()]
        chips += [
            ActiveFilter(name, search_url(**{param: [v for v in values if v != name], "page": None}))
            for name in dict.fromkeys(values)
        ]
    start, end = (_shown_date(args.get(name, "")) for name in ("from", "to"))
    if start or end:
        label = f"Từ {start} đến {end}" if start and end else f"Từ {start}" if start else f"Đến {end}"
        chips.append(ActiveFilter(label, search_url(**{"from": None, "to": None, "page": None})))
    if args.get("sort", "").strip() == "date":
        chips.append(ActiveFilter("Mới nhất trước", search_url(sort=None, page=None)))
    flags = SearchRequest.from_strings(exact=args.get("exact"), verbatim=args.get("verbatim"))
    if flags.exact:
        chips.append(ActiveFilter("Chỉ khớp đúng dấu", search_url(exact=None, page=None)))
    if flags.verbatim:
        chips.append(ActiveFilter("Đúng như đã gõ", search_url(verbatim=None, page=None)))
    return chips


def _shown_date(value: str) -> str:
    """A date parameter as people read it (31/01/2024); a malformed one as it was typed."""
    try:
        return vndate(dt.date.fromisoformat(value.strip()))
    except ValueError:
        return value.strip()


def clear_filters_url() -> str:
    return search_url(**dict.fromkeys((*FILTER_PARAMS, "page")))


@dataclass(frozen=True)
class DateShortcut:
    label: str
    start: dt.date
    end: dt.date | None

    @property
    def url(self) -> str:
        return search_url(**{"from": self.start.isoformat(), "to": self.end and self.end.isoformat(), "page": None})


@bp.app_template_global()
def date_shortcuts() -> list[DateShortcut]:
    """Ranges people pick most, counted back from today: links, so they work without JavaScript."""
    today = dt.date.today()
    return [
        DateShortcut("7 ngày", today - dt.timedelta(days=6), None),
        DateShortcut("30 ngày", today - dt.timedelta(days=29), None),
        DateShortcut("Năm nay", today.replace(month=1, day=1), None),
    ]


@bp.app_template_global()
def offered_years() -> list[int]:
    this_year = dt.date.today().year
    return list(range(this_year, this_year - YEARS_OFFERED, -1))


@bp.app_template_global()
def chosen_year(args: MultiDict[str, str]) -> int | None:
    """The year the date fields cover exactly, if they do: the year chooser shows it selected."""
    start, end = args.get("from", ""), args.get("to", "")
    if start[:4].isdigit() and start[4:] == "-01-01" and end == f"{start[:4]}-12-31":
        return int(start[:4])
    return None


def common_districts() -> list[FacetLink]:
    """The districts with the most articles, each linking to its latest news: a way in when a search has none.
    Counted once per index generation (per process), not for every view of the home page."""
    generation = engine().generation()
    known = current_app.extensions.get(COMMON_DISTRICTS_KEY)
    if known is None or known[0] != generation:
        facets = engine().search(SearchRequest(size=1)).districts[:COMMON_DISTRICTS]
        known = current_app.extensions[COMMON_DISTRICTS_KEY] = (generation, facets)
    return [FacetLink(f.name, f.count, False, url_for("pages.search", district=f.name)) for f in known[1]]


@bp.get("/")
def index() -> str:
    return render_template("index.html", documents=engine().document_count(), common=common_districts())


def _results_page(template: str) -> tuple[str, int]:
    """``template`` with the results of the URL's search: the whole page, or the results region alone."""
    exact = False
    filters = active_filters()
    shared = {"filters": filters, "clear_all": clear_filters_url() if filters else None}
    try:
        exact = wants_exact(request.args)
        results = run_search(request.args)
    except SearchError as error:
        # Shown above the results; the form keeps what was typed so it can be corrected.
        return render_template(template, results=None, facets=[], error=str(error), exact=exact, **shared), 400
    common = common_districts() if results.total == 0 else []
    facets = facet_boxes(results)
    return render_template(template, results=results, facets=facets, error=None, exact=exact, common=common, **shared), 200


@bp.get("/search")
def search() -> tuple[str, int] | Response:
    year = request.args.get("year", "").strip()
    if year:  # the year chooser, without JavaScript: the year becomes the two date fields
        whole = year.isascii() and year.isdigit() and len(year) == 4
        dates = {"from": f"{year}-01-01", "to": f"{year}-12-31"} if whole else {}
        return redirect(search_url(year=None, page=None, **dates))
    return _results_page("search.html")


@bp.get("/results")
def results_region() -> tuple[str, int]:
    """The results region of ``/search`` alone, from the same template: what app.js swaps in as you type,
    so the live page and a reload are the same markup."""
    return _results_page("_results.html")


@dataclass(frozen=True)
class Neighbour:
    hit: Hit
    url: str


def _rank(args: MultiDict[str, str]) -> int | None:
    """The ``rank`` a result link carries; None for anything else (a link edited by hand)."""
    value = args.get("rank", "")
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 9 and int(value) >= 1 else None


@bp.get("/doc/<docid:doc_id>", merge_slashes=False)
def document(doc_id: str) -> str | Response:
    doc = find_document(doc_id, request.args)
    if doc is None:
        return error_response(404, "Không tìm thấy bài viết này; có thể nó đã bị xoá khỏi chỉ mục.")
    before = after = None
    back = search_url(rank=None)
    rank = _rank(request.args)
    if rank is not None:
        try:
            asked = search_request(request.args)
            around = engine().hits_around(asked, rank)
        except SearchError:  # a link edited by hand: the article still shows, without neighbours
            around = {}
        if rank in around and around[rank].id == doc_id:  # else the index changed since the search
            before, after = (
                Neighbour(around[n], doc_url(around[n].id, n)) if n in around else None for n in (rank - 1, rank + 1)
            )
            page = (rank - 1) // asked.size + 1
            back = search_url(rank=None, page=page if page > 1 else None)
    return render_template("doc.html", doc=doc, before=before, after=after, back=back)
