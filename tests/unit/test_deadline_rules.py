"""Which notices an obligation is due, day by day, without a database."""

from __future__ import annotations

from datetime import date, timedelta

from app.notices.rules import (
    DUE_TODAY,
    ESCALATION,
    OVERDUE,
    REMINDER,
    Notice,
    Policy,
    notices_due,
)
from app.plans.calendar import WorkingCalendar, production_calendar_exceptions

CAL = WorkingCalendar({d: w for d, (w, _n) in production_calendar_exceptions(2024).items()})
POLICY = Policy((5, 1), 3)
DUE = date(2024, 11, 29)  # a Friday


def test_reminders_before_the_due_date() -> None:
    assert notices_due(DUE, date(2024, 11, 21), CAL, POLICY) == []  # 6 working days before
    assert notices_due(DUE, date(2024, 11, 22), CAL, POLICY) == [Notice(REMINDER, 5, 5)]
    # Still the 5-day reminder, saying how many working days are actually left.
    assert notices_due(DUE, date(2024, 11, 25), CAL, POLICY) == [Notice(REMINDER, 5, 4)]
    assert notices_due(DUE, date(2024, 11, 27), CAL, POLICY) == [Notice(REMINDER, 5, 2)]
    assert notices_due(DUE, date(2024, 11, 28), CAL, POLICY) == [Notice(REMINDER, 1, 1)]


def test_a_weekend_does_not_count_as_working_days() -> None:
    due = date(2024, 12, 2)  # Monday
    assert notices_due(due, date(2024, 11, 29), CAL, POLICY) == [
        Notice(REMINDER, 1, 1)
    ]  # Friday before
    assert notices_due(due, date(2024, 11, 30), CAL, POLICY) == [Notice(REMINDER, 1, 1)]


def test_due_day_overdue_and_escalation() -> None:
    assert notices_due(DUE, DUE, CAL, POLICY) == [Notice(DUE_TODAY, 0)]
    assert notices_due(DUE, date(2024, 12, 2), CAL, POLICY) == [Notice(OVERDUE, 0)]
    assert notices_due(DUE, date(2024, 12, 4), CAL, POLICY) == [
        Notice(OVERDUE, 0),
        Notice(ESCALATION, 3),
    ]


def test_catch_up_after_a_missed_week_sends_only_what_still_applies() -> None:
    # The scheduler was down from six days before the due date until the day before it.
    assert notices_due(DUE, DUE - timedelta(days=1), CAL, POLICY) == [Notice(REMINDER, 1, 1)]
    # ... or until after it: no stale reminder and no due-day notice, just the overdue one.
    assert notices_due(DUE, DUE + timedelta(days=3), CAL, POLICY) == [Notice(OVERDUE, 0)]
