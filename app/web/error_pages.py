"""Friendly error pages in the user's language; every 500 is logged with its request id."""

from __future__ import annotations

from typing import Any

from flask import Flask, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.http_errors import messages, problem


def render_error(code: int, detail: str | None = None) -> tuple[str, int]:
    """The error page for an HTTP status."""
    title, text = messages().get(code, (_("Error"), _("The request could not be completed.")))
    return render_template("errors/error.html", code=code, title=title, text=detail or text), code


def init_app(app: Flask) -> None:
    """Register the handlers."""

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError) -> tuple[str, int]:
        return render_error(400, _("The form has expired. Reload the page and submit it again."))

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Any:
        if exc.code is None or exc.code < 400:
            return exc
        if request.path.startswith("/api/"):  # machines get problem details, not pages
            response = problem(exc.code, exc.description if exc.code != 500 else None)
            for name, value in exc.get_headers():
                if name.lower() == "allow":  # a 405 says which methods the resource has
                    response.headers[name] = value
            return response
        return render_error(exc.code)

    # Unhandled exceptions arrive here as InternalServerError after Flask has logged them;
    # under TESTING they propagate to the test instead.
