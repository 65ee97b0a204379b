"""The web front end: a JSON API and HTML pages over one search engine, built by :func:`create_app`."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from flask import Flask, Response

from web import api, documents, errors, pages
from web.common import ENGINE_KEY, DocumentId, Engine
from web.documents import TOKEN_KEY, WRITER_KEY, Writer

SECURITY_HEADERS = {
    # Everything (styles, forms, images) comes from this site; no framing, no <base> tricks.
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def _add_security_headers(response: Response) -> Response:
    response.headers.update(SECURITY_HEADERS)
    return response


def _relative_location(response: Response) -> Response:
    """Redirects (Werkzeug's own, such as ``//search`` → ``/search``) point at this site by path
    alone: the Host header a client sent never reaches a Location."""
    location = response.headers.get("Location")
    if location:
        parts = urlsplit(location)
        path = "/" + parts.path.lstrip("/\\")  # never "//host" or "/\host": browsers read both as another site
        response.headers["Location"] = urlunsplit(("", "", path, parts.query, parts.fragment))
    return response


def create_app(engine: Engine, writer: Writer | None = None, api_token: str | None = None) -> Flask:
    """A Flask app serving ``engine``; never in debug mode, so no error can show a stack trace.

    The write API is on only with both a ``writer`` and an ``api_token``.
    """
    app = Flask(__name__)
    app.debug = False
    app.json.ensure_ascii = False  # Vietnamese stays readable in API answers
    app.json.sort_keys = False  # keep keys in the documented order
    app.extensions[ENGINE_KEY] = engine
    app.extensions[WRITER_KEY] = writer
    app.extensions[TOKEN_KEY] = api_token if writer is not None else None
    app.url_map.converters["docid"] = DocumentId
    app.register_blueprint(api.bp)
    app.register_blueprint(documents.bp)
    app.register_blueprint(pages.bp)
    errors.register(app)
    app.after_request(_add_security_headers)
    app.after_request(_relative_location)
    return app
