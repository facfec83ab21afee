"""Logging to stderr, one line per record, with the request id of the request being served."""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import uuid

from flask import Flask, g, has_request_context, request
from flask.wrappers import Response

_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record ("-" outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log shippers."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def _configure_root(fmt: str, level: str) -> None:
    root = logging.getLogger()
    if any(getattr(h, "_oko", False) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler._oko = True  # type: ignore[attr-defined]
    handler.addFilter(RequestIdFilter())
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
        )
    root.addHandler(handler)
    root.setLevel(level)


def init_app(app: Flask) -> None:
    """Install the stderr handler and the request-id hooks."""
    default_fmt = "json" if app.config["OKO_ENV"] == "production" else "text"
    _configure_root(
        os.environ.get("OKO_LOG_FORMAT", default_fmt), os.environ.get("OKO_LOG_LEVEL", "INFO")
    )

    @app.before_request
    def _assign_request_id() -> None:
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _REQUEST_ID_RE.match(incoming) else uuid.uuid4().hex

    @app.after_request
    def _echo_request_id(response: Response) -> Response:
        response.headers["X-Request-ID"] = g.get("request_id", "-")
        return response
