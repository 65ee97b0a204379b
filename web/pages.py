"""HTML pages for people: home, results and article; they work without JavaScript."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, render_template, request, url_for

from search.model import FacetCount, SearchError, SearchRequest, SearchResults
from web.common import engine, find_document, is_web_url, run_search, search_params, wants_exact
from web.errors import error_response

bp = Blueprint("pages", __name__)

# How many districts the home page and an empty result offer as ways in (app.js shows as many).
COMMON_DISTRICTS = 6
COMMON_DISTRICTS_KEY = "vnsearch.common_districts"  # (index generation, its district counts)

Change = str | int | list[str] | None


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
def doc_url(doc_id: str) -> str:
    """An article link carrying the search it came from: ``q`` for highlighting, the rest for the back link."""
    return _carrying_args("pages.document", {}, doc_id=doc_id)


def _carrying_args(endpoint: str, changes: dict[str, Change], **values: str) -> str:
    params = search_params(request.args)
    for key, value in changes.items():
        params.poplist(key)
        for item in value if isinstance(value, list) else [] if value is None else [value]:
            params.add(key, str(item))
    query = urlencode([(key, value) for key, value in params.items(multi=True) if value])
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
    url: str  # the results page with this place toggled
    province: str | None = None  # current province of a district or ward


@dataclass(frozen=True)
class Facets:
    """The page's facets: each a list of links toggling one filter parameter."""

    provinces: list[FacetLink]
    districts: list[FacetLink]
    wards: list[FacetLink]

    def __bool__(self) -> bool:
        return bool(self.provinces or self.districts or self.wards)

    def districts_by_province(self) -> list[tuple[str, list[FacetLink]]]:
        """The district facet grouped by province, in the province facet's order: the province with most
        matching articles first (Hà Nội, while the corpus is mostly Hà Nội)."""
        rank = {link.name: n for n, link in enumerate(self.provinces)}
        groups: dict[str, list[FacetLink]] = {}
        for link in self.districts:
            groups.setdefault(link.province or "", []).append(link)
        return sorted(groups.items(), key=lambda g: (rank.get(g[0], len(rank)), g[0]))


def _links(param: str, chosen: tuple[str, ...], counts: list[FacetCount]) -> list[FacetLink]:
    """One link per place that adds it to, or removes it from, the ``param`` filter; chosen ones stay listed."""
    found = {facet.name: facet for facet in counts}
    links = []
    for name in list(found) + [name for name in chosen if name not in found]:
        selected = name in chosen
        values = [v for v in chosen if v != name] if selected else [*chosen, name]
        facet = found.get(name)
        links.append(
            FacetLink(
                name,
                facet.count if facet else 0,
                selected,
                search_url(**{param: values, "page": None}),
                facet.province if facet else None,
            )
        )
    return links


def facet_links(results: SearchResults) -> Facets:
    request = results.request
    return Facets(
        _links("province", request.provinces, results.provinces),
        _links("district", request.districts, results.districts),
        _links("ward", request.wards, results.wards),
    )


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


@bp.get("/search")
def search() -> str | tuple[str, int]:
    exact = False
    try:
        exact = wants_exact(request.args)
        results = run_search(request.args)
    except SearchError as error:
        # Shown above the form, which keeps what was typed so it can be corrected.
        return render_template("search.html", results=None, facets=None, error=str(error), exact=exact), 400
    common = common_districts() if results.total == 0 else []
    return render_template(
        "search.html", results=results, facets=facet_links(results), error=None, exact=exact, common=common
    )


@bp.get("/doc/<docid:doc_id>", merge_slashes=False)
def document(doc_id: str) -> str | Response:
    doc = find_document(doc_id, request.args)
    if doc is None:
        return error_response(404, "Không tìm thấy bài viết này; có thể nó đã bị xoá khỏi chỉ mục.")
    return render_template("doc.html", doc=doc)
