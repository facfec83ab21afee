"""Which notices an obligation is due on a given day. Pure: no database, no clock.

A sweep at any time asks what should have gone out by now and sends what has not: a missed run
catches up, and time only moves forward, so nothing is repeated (the log enforces it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from app.plans.calendar import WorkingCalendar

REMINDER = "reminder"
DUE_TODAY = "due_today"
OVERDUE = "overdue"
ESCALATION = "escalation"
MONTHLY_REPORT = "monthly_report"
DIGEST = "digest"


# Notices of events: something happened that asks the person to act, or answers them.
RETURNED = "returned"  # a hand-in returned for correction
ACCEPTED = "accepted"  # a hand-in accepted
NEW_OBLIGATION = "new_obligation"  # the plan gave the person's organisation a new obligation
INVITED = "invited"  # a school's team invited to a strategic session
SESSION_CHANGED = "session_changed"  # the session a school's team is invited to was moved
SESSION_CANCELLED = "session_cancelled"  # … or cancelled
CASE_OPENED = "case_opened"  # a new case owes the organisation its measures
EVENT_KINDS = (
    RETURNED,
    ACCEPTED,
    NEW_OBLIGATION,
    INVITED,
    SESSION_CHANGED,
    SESSION_CANCELLED,
    CASE_OPENED,
)
DEADLINE_KINDS = (REMINDER, DUE_TODAY, OVERDUE, ESCALATION)
EMAIL_MODES = ("each", "digest", "none")


def mode_for(user: Any, kind: str) -> str:
    """How the person gets notices of this kind by e-mail: their choice for the kind, else
    their general one."""
    chosen = (getattr(user, "notice_modes", None) or {}).get(kind)
    return chosen if chosen in EMAIL_MODES else str(user.email_mode)


@dataclass(frozen=True)
class Policy:
    remind_days: tuple[int, ...] = (5, 1)  # working days before the due date
    escalate_after: int = 3  # working days overdue

    def __post_init__(self) -> None:
        if any(d < 1 for d in self.remind_days) or self.escalate_after < 1:
            raise ValueError("reminder and escalation offsets are whole working days ≥ 1")


@dataclass(frozen=True)
class Notice:
    kind: str
    offset: int  # working days before (reminder) or after (escalation) the due date
    left: int | None = None  # a reminder: the working days actually left (≤ offset)


def notices_due(due: date, today: date, calendar: WorkingCalendar, policy: Policy) -> list[Notice]:
    """The notices a still-owed obligation should have had by ``today``.

    Before the due date only the nearest reminder counts (after a missed run the 5-day one is
    not sent when the 1-day one already applies); on the day, the due-day notice; afterwards the
    overdue notice and, from ``escalate_after`` working days on, the escalation.
    """
    if today < due:
        left = calendar.working_days_between(today, due)
        passed = [d for d in policy.remind_days if left <= d]
        return [Notice(REMINDER, min(passed), left)] if passed else []
    if today == due:
        return [Notice(DUE_TODAY, 0)]
    notices = [Notice(OVERDUE, 0)]
    if calendar.working_days_between(due, today) >= policy.escalate_after:
        notices.append(Notice(ESCALATION, policy.escalate_after))
    return notices
