"""When a measure is due: its date rule, the arithmetic of working days, and the Russian text
of the rule as orders write it («до 30.11.2023», «не позднее 25.12.2023», «с 15.02.2024 по
30.04.2024», «ежемесячно, в последний рабочий понедельник месяца»).

A date that falls on a non-working day moves to the next working day (Article 193 of the Civil
Code), by the production calendar. «До» a date means before it: done on the date itself is late;
«не позднее» a date means on or before it.
"""

from __future__ import annotations

import calendar as month_calendar
import re
from dataclasses import dataclass, replace
from datetime import date, timedelta

from app.i18n import RU_MONTHS_GENITIVE
from app.models.plan import DateKind
from app.plans.calendar import WorkingCalendar
from app.russian import counted

MONTHLY_RULES = {
    "last_working_monday": "в последний рабочий понедельник месяца",
    "last_working_day": "в последний рабочий день месяца",
}


@dataclass(frozen=True)
class DateRule:
    """A measure's term. ``due`` is the date of a fixed rule and the last day of a period or a
    monthly span; ``start`` the first day of a period or span."""

    kind: DateKind
    due: date | None = None
    start: date | None = None
    days: int | None = None
    after: str | None = None  # the key of the measure an AFTER_MEASURE rule follows
    inclusive: bool = True
    monthly: str | None = None  # a key of MONTHLY_RULES

    def with_due(self, due: date) -> DateRule:
        return replace(self, due=due)


def by(day: date) -> DateRule:
    """«не позднее» the date."""
    return DateRule(DateKind.FIXED, due=day, inclusive=True)


def before(day: date) -> DateRule:
    """«до» the date."""
    return DateRule(DateKind.FIXED, due=day, inclusive=False)


def between(start: date, end: date) -> DateRule:
    """«с … по …»: the work happens in the period, by its last day."""
    return DateRule(DateKind.PERIOD, due=end, start=start, inclusive=True)


def monthly(start: date, end: date, rule: str = "last_working_monday") -> DateRule:
    """Every month from ``start`` to ``end`` on ``rule``."""
    return DateRule(DateKind.MONTHLY, due=end, start=start, monthly=rule)


def after_open(days: int) -> DateRule:
    """N working days after the case opens."""
    return DateRule(DateKind.AFTER_OPEN, days=days)


def after(key: str, days: int) -> DateRule:
    """N working days after the measure ``key`` is accepted."""
    return DateRule(DateKind.AFTER_MEASURE, days=days, after=key)


ONGOING = DateRule(DateKind.ONGOING)


def due_date(
    rule: DateRule, calendar: WorkingCalendar, *, opened: date, accepted: date | None = None
) -> date | None:
    """The due date under a rule, on a working day; None while it waits for the measure it
    follows (or for an ongoing measure)."""
    if rule.kind in (DateKind.FIXED, DateKind.PERIOD, DateKind.MONTHLY):
        return calendar.next_working(rule.due) if rule.due else None
    if rule.kind is DateKind.AFTER_OPEN:
        return calendar.add_working_days(opened, rule.days or 0)
    if rule.kind is DateKind.AFTER_MEASURE and accepted is not None:
        return calendar.add_working_days(accepted, rule.days or 0)
    return None


def last_working_weekday(year: int, month: int, weekday: int, calendar: WorkingCalendar) -> date:
    """The last day of the month that is that weekday (0 = Monday) and a working day."""
    day = date(year, month, month_calendar.monthrange(year, month)[1])
    day -= timedelta(days=(day.weekday() - weekday) % 7)
    while not calendar.is_working(day):
        day -= timedelta(days=7)
    return day


def last_working_day(year: int, month: int, calendar: WorkingCalendar) -> date:
    day = date(year, month, month_calendar.monthrange(year, month)[1])
    while not calendar.is_working(day):
        day -= timedelta(days=1)
    return day


def months(rule: DateRule, calendar: WorkingCalendar) -> list[tuple[str, date, date]]:
    """(YYYY-MM, first day, due date) for every month a monthly rule spans."""
    if rule.kind is not DateKind.MONTHLY or rule.start is None or rule.due is None:
        return []
    out = []
    year, month = rule.start.year, rule.start.month
    while (year, month) <= (rule.due.year, rule.due.month):
        if rule.monthly == "last_working_day":
            due = last_working_day(year, month, calendar)
        else:
            due = last_working_weekday(year, month, 0, calendar)
        out.append((f"{year}-{month:02d}", date(year, month, 1), due))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def words(day: date) -> str:
    """«30 ноября 2023 г.»"""
    return f"{day.day} {RU_MONTHS_GENITIVE[day.month - 1]} {day.year} г."


def describe(rule: DateRule, numbers: dict[str, str] | None = None) -> str:
    """The rule as the «Сроки» column of a roadmap writes it."""
    if rule.kind is DateKind.FIXED and rule.due:
        return f"{'не позднее' if rule.inclusive else 'до'} {rule.due:%d.%m.%Y}"
    if rule.kind is DateKind.PERIOD and rule.start and rule.due:
        return f"с {rule.start:%d.%m.%Y} по {rule.due:%d.%m.%Y}"
    if rule.kind is DateKind.MONTHLY and rule.start and rule.due:
        when = MONTHLY_RULES.get(rule.monthly or "last_working_monday", "")
        return f"ежемесячно, {when} (с {rule.start:%m.%Y} по {rule.due:%m.%Y})"
    if rule.kind is DateKind.AFTER_OPEN:
        return f"в течение {counted(rule.days or 0, 'рабочий день', 'gent')} после включения в перечень"
    if rule.kind is DateKind.AFTER_MEASURE:
        ref = (numbers or {}).get(rule.after or "", rule.after or "")
        return f"в течение {counted(rule.days or 0, 'рабочий день', 'gent')} после принятия мероприятия {ref}"
    return "постоянно"


_DATE = r"(\d{1,2})\.(\d{1,2})\.(\d{4})"
_PATTERNS = (
    (re.compile(rf"^не позднее {_DATE}$"), "by"),
    (re.compile(rf"^до {_DATE}$"), "before"),
    (re.compile(rf"^с {_DATE} по {_DATE}$"), "between"),
)


def _date(groups: tuple[str, ...]) -> date:
    day, month, year = (int(g) for g in groups)
    return date(year, month, day)


def parse(text: str) -> DateRule | None:
    """The rule a person wrote in the «Сроки» column, for the simple forms: «до …», «не позднее
    …», «с … по …», «постоянно» / «в течение года»; None for anything else."""
    cleaned = " ".join(text.strip().lower().replace("г.", "").split())
    if cleaned in ("постоянно", "в течение года", "в течение учебного года"):
        return ONGOING
    for pattern, kind in _PATTERNS:
        match = pattern.match(cleaned)
        if match is None:
            continue
        try:
            if kind == "between":
                return between(_date(match.groups()[:3]), _date(match.groups()[3:]))
            day = _date(match.groups())
        except ValueError:
            return None
        return by(day) if kind == "by" else before(day)
    return None
