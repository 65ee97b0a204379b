"""Every failure answered in plain Vietnamese: JSON for programs, a page for people, never a stack trace."""

from __future__ import annotations

from flask import Flask, Response, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from search.model import IndexUnavailable, SearchError

MESSAGES = {
    400: "Yêu cầu không hợp lệ.",
    404: "Không tìm thấy trang bạn yêu cầu.",
    405: "Địa chỉ này không hỗ trợ phương thức HTTP đó.",
    500: "Máy chủ gặp lỗi; vui lòng thử lại sau.",
}
DEFAULT_MESSAGE = "Không thể thực hiện yêu cầu này."
# No index, or a damaged one: the operator has to run the indexer; the visitor can only wait.
UNAVAILABLE = "Chỉ mục tìm kiếm đang hỏng hoặc chưa có và cần được xây dựng lại; vui lòng thử lại sau."


def wants_json() -> bool:
    """API and health-check clients are programs: they get JSON errors, even for paths that do not exist."""
    return request.path == "/api" or request.path.startswith("/api/") or request.path == "/health"


def error_response(status: int, message: str) -> Response:
    """``{"error": message}`` for API paths, the error page otherwise."""
    if wants_json():
        response = jsonify(error=message)
    else:
        response = Response(render_template("error.html", status=status, message=message), mimetype="text/html")
    response.status_code = status
    return response


def _http_error(error: HTTPException) -> Response:
    status = error.code or 500
    response = error_response(status, MESSAGES.get(status, DEFAULT_MESSAGE))
    # Keep headers the status depends on, such as ``Allow`` on a 405.
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def _search_error(error: SearchError) -> Response:
    return error_response(400, str(error))


def _unavailable(error: IndexUnavailable) -> Response:
    """What is wrong goes to the server's log (and ``/health``), not to the visitor."""
    current_app.logger.error("%s", error)
    return error_response(503, UNAVAILABLE)


def register(app: Flask) -> None:
    """Unhandled exceptions reach the 500 handler as InternalServerError, already logged by Flask."""
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(SearchError, _search_error)
    app.register_error_handler(IndexUnavailable, _unavailable)
