"""What the API and the pages share: the engine they talk to and how a URL becomes a SearchRequest."""

from __future__ import annotations

from typing import Protocol

from flask import current_app
from werkzeug.datastructures import MultiDict

from search.model import DocumentView, Hit, SearchRequest, SearchResults

ENGINE_KEY = "vnsearch.engine"


class Engine(Protocol):
    """The part of ``search.engine.SearchEngine`` the web layer relies on (a test stub may stand in)."""

    def search(self, request: SearchRequest) -> SearchResults: ...

    def hits_around(self, request: SearchRequest, rank: int) -> dict[int, Hit]: ...

    def document(self, doc_id: str, q: str = "", exact: bool = False, verbatim: bool = False) -> DocumentView | None: ...

    def document_count(self) -> int: ...

    def generation(self) -> str: ...


def engine() -> Engine:
    """The engine handed to ``create_app``; looked up per request so blueprints hold no global state."""
    return current_app.extensions[ENGINE_KEY]


def search_request(args: MultiDict[str, str]) -> SearchRequest:
    """The search a query string asks for; raises SearchError (a 400) when a parameter is malformed.

    The parameter names (``q``, repeatable ``district``, ``province`` and ``ward``, ``from``, ``to``,
    ``sort``, ``page``, ``size``, ``exact``, ``verbatim``) are shared by the API and the result pages.
    """
    return SearchRequest.from_strings(
        q=args.get("q"),
        districts=args.getlist("district"),
        provinces=args.getlist("province"),
        wards=args.getlist("ward"),
        date_from=args.get("from"),
        date_to=args.get("to"),
        sort=args.get("sort"),
        page=args.get("page"),
        size=args.get("size"),
        exact=args.get("exact"),
        verbatim=args.get("verbatim"),
    )


def is_web_url(url: object) -> bool:
    """Whether a stored source URL may become a link: only http(s), never ``javascript:`` or ``data:``."""
    return isinstance(url, str) and url[:8].lower().startswith(("http://", "https://"))


def wants_exact(args: MultiDict[str, str]) -> bool:
    """``?exact=`` read exactly as a search reads it, for places that have no SearchRequest."""
    return SearchRequest.from_strings(exact=args.get("exact")).exact


def find_document(doc_id: str, args: MultiDict[str, str]) -> DocumentView | None:
    """The article ``doc_id`` with the matches of ``?q=`` highlighted, read as the search read it."""
    flags = SearchRequest.from_strings(exact=args.get("exact"), verbatim=args.get("verbatim"))
    return engine().document(doc_id, args.get("q", ""), flags.exact, flags.verbatim)
