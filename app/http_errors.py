"""What an HTTP error says: the title and text of each status in the user's language, and the
RFC 9457 problem details the API answers with."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from flask_babel import force_locale
from flask_babel import gettext as _
from pydantic import BaseModel

PROBLEM_TYPE = "application/problem+json"


def messages() -> dict[int, tuple[str, str]]:
    """(title, text) of each HTTP error status, in the current language."""
    return {
        400: (_("Bad request"), _("The request could not be understood. Go back and try again.")),
        401: (_("Authentication required"), _("Log in to continue.")),
        403: (_("Access denied"), _("You do not have permission to open this page.")),
        404: (_("Page not found"), _("The page does not exist or is not available to you.")),
        405: (_("Method not allowed"), _("This action cannot be performed this way.")),
        409: (_("Conflict"), _("Someone else has changed this record. Reload and try again.")),
        413: (_("File too large"), _("The file exceeds the upload size limit.")),
        429: (_("Too many requests"), _("Wait a little and try again.")),
        500: (_("Something went wrong"), _("The error has been logged. Try again later.")),
    }


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[dict[str, Any]] | None = None
    changed_by: str | None = None
    changed_at: str | None = None


def problem(status: int, detail: str | None = None, **extra: Any) -> Response:
    """A problem-details response; the title is always Russian."""
    with force_locale("ru"):
        title = str(messages().get(status, ("Ошибка", ""))[0])
    body = Problem(title=title, status=status, detail=detail, instance=request.path, **extra)
    response = jsonify(body.model_dump(exclude_none=True))
    response.status_code = status
    response.mimetype = PROBLEM_TYPE
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="oko"'
    return response
