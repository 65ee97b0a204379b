"""What the API and the pages share: the engine they talk to and how a URL becomes a SearchRequest."""

from __future__ import annotations

from typing import Protocol
from urllib.parse import quote

from flask import current_app
from werkzeug.datastructures import MultiDict
from werkzeug.routing import PathConverter

from search.model import MAX_PLACE_FILTERS, Completion, DocumentView, Hit, SearchError, SearchRequest, SearchResults
from web.access_log import note_search

ENGINE_KEY = "vnsearch.engine"
# The parameters of a search, shared by the API and the result pages; all but the places once.
SINGLE_VALUED = ("q", "from", "to", "sort", "page", "size", "exact", "verbatim", "prefix", "explain")
REPEATABLE = ("district", "province", "ward")


class Engine(Protocol):
    """The part of ``search.engine.SearchEngine`` the web layer relies on (a test stub may stand in)."""

    def search(self, request: SearchRequest) -> SearchResults: ...

    def hits_around(self, request: SearchRequest, rank: int) -> dict[int, Hit]: ...

    def document(
        self, doc_id: str, q: str = "", exact: bool = False, verbatim: bool = False, prefix: bool = True
    ) -> DocumentView | None: ...

    def complete(self, q: str, size: int) -> list[Completion]: ...

    def document_count(self) -> int: ...

    def health(self) -> int: ...

    def generation(self) -> str: ...


class DocumentId(PathConverter):
    """A document id in a URL, as one path segment: a ``/`` in it is written ``%2F``.

    Ids are anything a corpus names (``../x``, ``/x``, ``a/../b``); written with
    bare slashes, a browser would resolve their dot segments and leave /doc/, and a
    leading ``/`` would be merged away. The server decodes ``%2F`` back into the id.
    """

    regex = ".+?"
    part_isolating = False  # the id may hold slashes

    def to_url(self, value: str) -> str:
        return quote(value, safe="")


def engine() -> Engine:
    """The engine handed to ``create_app``; looked up per request so blueprints hold no global state."""
    return current_app.extensions[ENGINE_KEY]


def search_request(args: MultiDict[str, str]) -> SearchRequest:
    """The search a query string asks for; raises SearchError (a 400) when a parameter is malformed.

    The parameter names (``q``, repeatable ``district``, ``province`` and ``ward``, ``from``, ``to``,
    ``sort``, ``page``, ``size``, ``exact``, ``verbatim``, ``prefix``, ``explain``) are shared by the API and the result pages.
    """
    return SearchRequest.from_strings(
        q=single(args, "q"),
        districts=args.getlist("district"),
        provinces=args.getlist("province"),
        wards=args.getlist("ward"),
        date_from=single(args, "from"),
        date_to=single(args, "to"),
        sort=single(args, "sort"),
        page=single(args, "page"),
        size=single(args, "size"),
        exact=single(args, "exact"),
        verbatim=single(args, "verbatim"),
        prefix=single(args, "prefix"),
        explain=single(args, "explain"),
    )


def run_search(args: MultiDict[str, str]) -> SearchResults:
    """The search a query string asks for, noted for the request's log line."""
    results = engine().search(search_request(args))
    note_search(results)
    return results


def single(args: MultiDict[str, str], name: str) -> str | None:
    """The one value of a single-valued parameter; given twice, it is a mistake (or a way to
    multiply the page, whose every link would carry each copy), answered with a 400."""
    values = args.getlist(name)
    if len(values) > 1:
        raise SearchError(f"Tham số '{name}' chỉ được dùng một lần trong một yêu cầu.")
    return values[0] if values else None


def search_params(args: MultiDict[str, str]) -> MultiDict[str, str]:
    """The search parameters of ``args`` that a link carries on: each single-valued one once, at
    most MAX_PLACE_FILTERS of each place filter, nothing else, so no link grows with what a URL piles up."""
    params: MultiDict[str, str] = MultiDict()
    for name in SINGLE_VALUED:
        if args.get(name):
            params.add(name, args[name])
    for name in REPEATABLE:
        for place in args.getlist(name)[:MAX_PLACE_FILTERS]:
            params.add(name, place)
    return params


def is_web_url(url: object) -> bool:
    """Whether a stored source URL may become a link: only http(s), never ``javascript:`` or ``data:``."""
    return isinstance(url, str) and url[:8].lower().startswith(("http://", "https://"))


def wants_exact(args: MultiDict[str, str]) -> bool:
    """``?exact=`` read exactly as a search reads it, for places that have no SearchRequest."""
    return SearchRequest.from_strings(exact=single(args, "exact")).exact


def find_document(doc_id: str, args: MultiDict[str, str]) -> DocumentView | None:
    """The article ``doc_id`` with the matches of ``?q=`` highlighted, read as the search read it."""
    flags = SearchRequest.from_strings(
        exact=single(args, "exact"), verbatim=single(args, "verbatim"), prefix=single(args, "prefix")
    )
    return engine().document(doc_id, single(args, "q") or "", flags.exact, flags.verbatim, flags.prefix)
