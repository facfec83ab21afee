"""What every request passes through around the views.

- Input that no database can store (a NUL byte in a field, a query or a path) is refused with
  400 before a page's view reads it.
- On SQLite a writing request (POST, PUT, PATCH, DELETE) takes the write lock when its
  transaction begins (``BEGIN IMMEDIATE``), so that concurrent writers queue on the busy
  timeout instead of failing when a reader turns into a writer; a database still busy after
  the timeout answers 409 «someone changed it», never 500.
- A value the database refuses (too long, out of range, badly encoded: PostgreSQL's class 22)
  is 400 with a message, and a domain refusal that reached no view's handler its own status.
- Every response carries the security headers: a content security policy without inline
  script, no framing, the referrer kept to the site, no content sniffing, and HSTS in
  production.
"""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest
from werkzeug.wrappers import Response

from app.dbsetup import IMMEDIATE
from app.errors import DomainError
from app.extensions import db
from app.http_errors import problem
from app.web.error_pages import render_error

log = logging.getLogger(__name__)

WRITING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
HSTS = "max-age=31536000; includeSubDomains"


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _unstorable() -> bool:
    """The request carries a NUL byte in its path or in a value a page's view would read. The
    API validates its own parameters against its schema (a field it does not know is ignored,
    whatever its name), and its stored values pass the flush's check like any other."""
    if "\x00" in request.path:
        return True
    if request.path.startswith("/api/"):
        return False
    if any(_has_nul(v) for v in request.args.values()):
        return True
    if request.method in WRITING_METHODS:
        if request.mimetype == "application/json":
            return _has_nul(request.get_json(silent=True))
        if any(_has_nul(v) for v in request.form.values()):
            return True
        return any(_has_nul(f.filename or "") for f in request.files.values())
    return False


def _refuse(status: int, message: str) -> Any:
    if request.path.startswith("/api/"):
        return problem(status, message)
    return render_error(status, message)


def refuse_unstorable_input() -> Any:
    """Before the views: 400 for a NUL byte in the path, or in a page's query, form or JSON
    body."""
    try:
        bad = _unstorable()
    except BadRequest:
        return None  # a malformed body: the view's own parsing answers it
    if bad:
        return _refuse(400, _("The request contains a character that cannot be stored (NUL)."))
    return None


def writers_take_the_lock() -> None:
    """On SQLite a writing request's transaction begins with the write lock."""
    if request.method in WRITING_METHODS and db.engine.dialect.name == "sqlite":
        db.session.connection(execution_options={IMMEDIATE: True})


def security_headers(response: Response) -> Response:
    """The headers every response carries (HSTS only in production)."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    if current_app.config["OKO_ENV"] == "production":
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def _domain_error(err: DomainError) -> Any:
    db.session.rollback()
    return _refuse(err.status, err.message)


def _data_error(err: sa.exc.DataError) -> Any:
    db.session.rollback()
    log.info("the database refused a value: %s", str(err.orig).splitlines()[0])
    return _refuse(400, _("A value is too long, out of range or badly encoded."))


def _operational_error(err: sa.exc.OperationalError) -> Any:
    db.session.rollback()
    if "locked" not in str(err.orig) and "busy" not in str(err.orig):
        raise err
    return _refuse(409, _("Someone else has changed this record. Reload and try again."))


def init_app(app: Flask) -> None:
    """Register the guards, the error mappings and the headers."""
    app.before_request(refuse_unstorable_input)
    app.before_request(writers_take_the_lock)
    app.after_request(security_headers)
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(sa.exc.DataError, _data_error)
    app.register_error_handler(sa.exc.OperationalError, _operational_error)
