"""The write API a site's CMS pushes articles through: off unless a token is configured.

HTTP only: what a write means (validation, durability, taking turns with other
writers) belongs to the writer handed to :func:`web.create_app` by the composition
root (``indexer.documents.DocumentWriter``). Without a token the routes answer 404,
as paths that do not exist do. The token is compared in constant time and never
written anywhere.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable
from typing import Protocol

from flask import Blueprint, Response, abort, current_app, jsonify, request

from web.errors import error_response

bp = Blueprint("documents", __name__)

WRITER_KEY = "vnsearch.documents"
TOKEN_KEY = "vnsearch.api_token"
MAX_BODY_BYTES = 5 * 1000 * 1000
# A written document's outcome (``status``) → the HTTP status that answers it.
STATUS_CODES = {"added": 200, "updated": 200, "unchanged": 200, "deleted": 200, "not found": 404, "conflict": 409}


class Written(Protocol):
    id: str
    status: str  # a key of STATUS_CODES
    owner: str | None  # for a conflict: the file or page the id belongs to


class Writer(Protocol):
    """The writer the write API hands documents to. Invalid input raises ValueError (the message
    names the field or line); a writer that cannot get the index in time raises TimeoutError."""

    def write(self, doc_id: str, record: object) -> Written: ...

    def write_many(self, lines: list[str]) -> list[Written]: ...

    def delete(self, doc_id: str) -> Written: ...


def _authorised(token: str) -> bool:
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


def _too_large() -> Response:
    return error_response(413, f"Nội dung gửi lên lớn hơn giới hạn {MAX_BODY_BYTES // 1_000_000} MB.")


@bp.before_request
def _guard() -> Response | None:
    token = current_app.extensions.get(TOKEN_KEY)
    if not token:
        abort(404)
    if not _authorised(token):
        response = error_response(401, "Cần mã truy cập hợp lệ: Authorization: Bearer <mã>.")
        response.headers["WWW-Authenticate"] = 'Bearer realm="vnsearch"'
        return response
    if (request.content_length or 0) > MAX_BODY_BYTES:
        return _too_large()
    return None


def _written(doc: Written) -> dict:
    found = {"id": doc.id, "status": doc.status}
    if doc.status == "conflict":
        found["error"] = f"Mã '{doc.id}' đã thuộc về {doc.owner}; chỉ nguồn đó cập nhật được bài này."
    return found


def _call(write: Callable[[], Written | list[Written]]) -> Response:
    """Run a write; its outcome, or a plain 400 or 503, as JSON."""
    try:
        done = write()
    except ValueError as error:
        return error_response(400, f"Tài liệu không hợp lệ: {error}")
    except TimeoutError as error:
        response = error_response(503, str(error))
        response.headers["Retry-After"] = str(getattr(error, "retry_after", 5))
        return response
    if isinstance(done, list):
        return Response("".join(json.dumps(_written(d), ensure_ascii=False) + "\n" for d in done), mimetype="application/x-ndjson")
    response = jsonify(_written(done))
    response.status_code = STATUS_CODES[done.status]
    return response


def _body() -> bytes | None:
    """The request body, read up to the limit (a chunked upload states no length beforehand); None beyond it."""
    data = request.stream.read(MAX_BODY_BYTES + 1)
    return data if len(data) <= MAX_BODY_BYTES else None


def _writer() -> Writer:
    return current_app.extensions[WRITER_KEY]


@bp.put("/api/documents/<path:doc_id>")
def put(doc_id: str) -> Response:
    data = _body()
    if data is None:
        return _too_large()
    try:
        record = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        return error_response(400, f"Nội dung không phải JSON hợp lệ ({getattr(error, 'msg', error)}).")
    return _call(lambda: _writer().write(doc_id, record))


@bp.delete("/api/documents/<path:doc_id>")
def delete(doc_id: str) -> Response:
    return _call(lambda: _writer().delete(doc_id))


@bp.post("/api/documents")
def post() -> Response:
    data = _body()
    if data is None:
        return _too_large()
    try:
        lines = data.decode("utf-8").splitlines()
    except UnicodeDecodeError:
        return error_response(400, "Nội dung không phải văn bản UTF-8.")
    return _call(lambda: _writer().write_many(lines))
