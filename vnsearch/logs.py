"""Logs as JSON lines on stderr: one object a line, which log collectors read without a parser of their own."""

from __future__ import annotations

import datetime as dt
import json
import logging
import logging.config

LEVELS = ("debug", "info", "warning", "error")


class JsonLines(logging.Formatter):
    """``{"time", "level", "logger", …}``: a record's ``fields`` (see web/access_log.py) or its message."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": dt.datetime.fromtimestamp(record.created, dt.timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
        }
        fields = getattr(record, "fields", None)
        if fields is not None:
            line.update(fields)
        else:
            line["message"] = record.getMessage()
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def settings(level: str) -> dict:
    """``logging.config.dictConfig`` settings: every logger of the process (vnsearch's, waitress's,
    gunicorn's, Flask's) writes JSON lines to stderr at ``level`` and above."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonLines}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
        "root": {"level": level.upper(), "handlers": ["stderr"]},
        # gunicorn's own loggers hand their lines to the root's handler; the app writes the request lines.
        "loggers": {
            "gunicorn.error": {"level": level.upper(), "handlers": [], "propagate": True},
            "gunicorn.access": {"handlers": [], "propagate": False},
        },
    }


def configure(level: str) -> None:
    logging.config.dictConfig(settings(level))
