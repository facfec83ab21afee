"""The product's notion of "today": the local date in a region's time zone. A deadline is met or
missed in the region's own local time (Kaliningrad UTC+2 … Kamchatka UTC+12); the installation's
time zone (OKO_TIMEZONE) is only the fallback for a region that names none."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app, has_app_context

from app.extensions import db
from app.models.case import Case
from app.models.org import DEFAULT_TIMEZONE, Organisation
from app.models.types import utcnow
from app.models.user import User


def zone(name: str | None = None) -> ZoneInfo:
    """The named zone, or the installation's default."""
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    default = current_app.config["BABEL_DEFAULT_TIMEZONE"] if has_app_context() else None
    return ZoneInfo(default or DEFAULT_TIMEZONE)


def region_zone(region: Organisation | int | None) -> ZoneInfo:
    """The time zone of a region (given or by id)."""
    if isinstance(region, int):
        region = db.session.get(Organisation, region)
    return zone(region.timezone if region is not None else None)


def case_zone(case: Case) -> ZoneInfo:
    return region_zone(case.campaign.region_id)


def user_zone(user: User) -> ZoneInfo:
    """The time zone of the region a user works in."""
    org = user.organisation
    return region_zone(org.region_id if org.region_id is not None else org.id)


def local_date(moment: datetime | None = None, tz: ZoneInfo | None = None) -> date:
    """The local calendar date of a moment (default: now) in a zone (default: the fallback)."""
    return (moment or utcnow()).astimezone(tz or zone()).date()


def case_date(case: Case, moment: datetime | None = None) -> date:
    """The date of a moment in the case's region."""
    return local_date(moment, case_zone(case))


def today_for(user: User) -> date:
    """Today in the region the user works in."""
    return local_date(None, user_zone(user))
