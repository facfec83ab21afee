"""The product's notion of "today": the local date in the configured time zone."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

from app.models.types import utcnow

DEFAULT_TZ = "Europe/Moscow"


def zone() -> ZoneInfo:
    name = current_app.config["BABEL_DEFAULT_TIMEZONE"] if has_app_context() else DEFAULT_TZ
    return ZoneInfo(name)


def local_date(moment: datetime | None = None) -> date:
    """The local calendar date of a moment (default: now)."""
    return (moment or utcnow()).astimezone(zone()).date()
