"""Working days by the Russian production calendar.

The exceptions to the Monday–Friday rule (holidays on weekdays, transferred days off, working
Saturdays) come from the ``holidays`` package's RU calendar and are stored in ``calendar_day``,
where an administrator can correct them; corrections survive reloading.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import holidays
import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.dialects import postgresql, sqlite

from app import access, audit
from app.errors import NotAllowed
from app.extensions import db
from app.models.case import CalendarDay, CalendarYear, RegionDay
from app.models.types import utcnow
from app.models.user import User

ADMIN_SOURCE = "admin"


@dataclass(frozen=True)
class WorkingCalendar:
    """Pure date arithmetic over a set of exceptions."""

    exceptions: dict[date, bool]

    def is_working(self, day: date) -> bool:
        if day in self.exceptions:
            return self.exceptions[day]
        return day.weekday() < 5

    def next_working(self, day: date) -> date:
        """The day itself when it is a working day, else the next working day."""
        while not self.is_working(day):
            day += timedelta(days=1)
        return day

    def previous_working(self, day: date) -> date:
        """The day itself when it is a working day, else the working day before it."""
        while not self.is_working(day):
            day -= timedelta(days=1)
        return day

    def add_working_days(self, day: date, count: int) -> date:
        """The date ``count`` working days after ``day`` (``day`` itself not counted)."""
        remaining = count
        while remaining > 0:
            day += timedelta(days=1)
            if self.is_working(day):
                remaining -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (negative if end < start)."""
        if end < start:
            return -self.working_days_between(end, start)
        return sum(
            1 for n in range(1, (end - start).days + 1) if self.is_working(start + timedelta(n))
        )


def production_calendar_exceptions(year: int) -> dict[date, tuple[bool, str]]:
    """The RU calendar's exceptions for a year: {day: (working, name)}."""
    ru = holidays.country_holidays("RU", years=year, language="ru")
    found: dict[date, tuple[bool, str]] = {}
    for day, name in ru.items():
        if day.weekday() < 5:
            found[day] = (False, name)
    for day in getattr(ru, "weekend_workdays", set()):
        if day.year == year:
            found[day] = (True, "Рабочий день (перенос)")
    return found


def _insert_missing(table: sa.Table, rows: list[dict[str, object]], keys: list[str]) -> None:
    """INSERT … ON CONFLICT DO NOTHING: safe when two processes load the same year at once."""
    if not rows:
        return
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    db.session.execute(insert(table).values(rows).on_conflict_do_nothing(index_elements=keys))


def ensure_years(years: Iterable[int]) -> None:
    """Load the production calendar for years not loaded yet. Days already stored (such as an
    administrator's corrections) are kept as they are."""
    wanted = set(years)
    loaded = set(
        db.session.scalars(sa.select(CalendarYear.year).where(CalendarYear.year.in_(wanted)))
    )
    for year in sorted(wanted - loaded):
        rows = [
            {"day": day, "working": working, "name": name, "source": "holidays"}
            for day, (working, name) in sorted(production_calendar_exceptions(year).items())
        ]
        _insert_missing(CalendarDay.__table__, rows, ["day"])
        _insert_missing(CalendarYear.__table__, [{"year": year, "loaded_at": utcnow()}], ["year"])
    db.session.flush()


def load(start: date, end: date, region_id: int | None = None) -> WorkingCalendar:
    """The calendar covering ``start``..``end`` (plus a year's margin for due-date arithmetic):
    the federal production calendar and, for a region, its own days on top."""
    ensure_years(range(start.year, end.year + 2))
    last = date(end.year + 1, 12, 31)
    rows = db.session.execute(
        sa.select(CalendarDay.day, CalendarDay.working).where(
            CalendarDay.day >= start, CalendarDay.day <= last
        )
    )
    days = dict(rows.tuples().all())
    if region_id is not None:
        own = db.session.execute(
            sa.select(RegionDay.day, RegionDay.working).where(
                RegionDay.region_id == region_id, RegionDay.day >= start, RegionDay.day <= last
            )
        )
        days.update(dict(own.tuples().all()))
    return WorkingCalendar(days)


def load_regions(start: date, end: date, region_ids: Iterable[int]) -> dict[int, WorkingCalendar]:
    """load() for several regions at once, in three statements whatever their number."""
    regions = sorted(set(region_ids))
    if not regions:
        return {}
    ensure_years(range(start.year, end.year + 2))
    last = date(end.year + 1, 12, 31)
    federal = dict(
        db.session.execute(
            sa.select(CalendarDay.day, CalendarDay.working).where(
                CalendarDay.day >= start, CalendarDay.day <= last
            )
        )
        .tuples()
        .all()
    )
    own: dict[int, dict[date, bool]] = {region: {} for region in regions}
    for region, day, working in db.session.execute(
        sa.select(RegionDay.region_id, RegionDay.day, RegionDay.working).where(
            RegionDay.region_id.in_(regions), RegionDay.day >= start, RegionDay.day <= last
        )
    ).tuples():
        own[region][day] = working
    return {region: WorkingCalendar({**federal, **own[region]}) for region in regions}


def region_days(region_id: int, year: int) -> list[RegionDay]:
    """The region's own days of a year."""
    return list(
        db.session.scalars(
            sa.select(RegionDay)
            .where(
                RegionDay.region_id == region_id,
                RegionDay.day >= date(year, 1, 1),
                RegionDay.day <= date(year, 12, 31),
            )
            .order_by(RegionDay.day)
        )
    )


def set_region_day(
    region_id: int, day: date, working: bool | None, name: str | None, *, actor: User
) -> RegionDay | None:
    """Add or change one of the region's own days (``working`` None removes it); recorded."""
    if not access.can_keep_region_calendar(actor, region_id):
        raise NotAllowed(_("Only the region's ministry or administrator keeps its own days."))
    row = db.session.get(RegionDay, (region_id, day))
    before = {"working": row.working, "name": row.name} if row is not None else None
    if working is None:
        if row is not None:
            db.session.delete(row)
    else:
        row = row or RegionDay(region_id=region_id, day=day)
        row.working, row.name = working, (name or "").strip() or None
        db.session.add(row)
    db.session.flush()
    audit.record(
        "calendar.region_day",
        actor=actor,
        object_type="region_day",
        org_id=region_id,
        before=before,
        after={"day": day, "working": working, "name": name} if working is not None else None,
    )
    return row if working is not None else None


def set_day(day: date, working: bool, name: str | None, *, actor: User) -> CalendarDay:
    """An administrator's correction of one day; recorded in the history."""
    if not access.can_correct_calendar(actor):
        raise NotAllowed(_("Only an administrator corrects the calendar."))
    ensure_years([day.year])
    row = db.session.get(CalendarDay, day)
    before = {"working": row.working, "name": row.name} if row else {"working": day.weekday() < 5}
    row = row or CalendarDay(day=day)
    row.working, row.name, row.source = working, (name or "").strip() or None, ADMIN_SOURCE
    db.session.add(row)
    db.session.flush()
    audit.record(
        "calendar.day_changed",
        actor=actor,
        object_type="calendar_day",
        org_id=actor.organisation_id,
        before={"day": day, **before},
        after={"day": day, "working": working, "name": row.name},
    )
    return row


def exceptions_of_year(year: int) -> list[CalendarDay]:
    """The stored exceptions of a year, by date."""
    ensure_years([year])
    return list(
        db.session.scalars(
            sa.select(CalendarDay)
            .where(CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31))
            .order_by(CalendarDay.day)
        )
    )
