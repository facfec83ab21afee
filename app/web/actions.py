"""Helpers shared by the blueprints: run one operation, commit once, tell the user."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from flask import abort, flash
from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError

from app.errors import DomainError, NotAllowed
from app.extensions import db

T = TypeVar("T")
log = logging.getLogger(__name__)


def perform(operation: Callable[[], T], success: str | None = None) -> T | None:
    """Run the operation in the request's transaction and commit; on refusal roll back and flash
    the domain message (403 when the user may not do it at all). None when refused."""
    try:
        result = operation()
        db.session.commit()
    except NotAllowed:
        db.session.rollback()
        abort(403)
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
        return None
    except StaleDataError:
        db.session.rollback()
        flash(_("Someone else has changed this record. Reload and try again."), "error")
        return None
    if success:
        flash(success, "success")
    return result
