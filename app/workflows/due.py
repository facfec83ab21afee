"""Due dates: the default campaign schedule, the rule of each obligation, the monthly report's
days, and the arithmetic that moves a date off a non-working day."""

from __future__ import annotations

import calendar as month_calendar
from datetime import date, timedelta

from app.models.case import Campaign
from app.workflows.calendar import WorkingCalendar
from app.workflows.definitions import DueRule

# The 2023/2024 cycle of the seeds, as (month, day, offset from the VPR year).
DEFAULT_SCHEDULE: dict[str, tuple[int, int, int]] = {
    "self_analysis": (11, 30, 0),  # seed 004: by 30 November
    "recheck": (11, 30, 0),  # seed 004: November
    "risk_questionnaire": (12, 15, 0),
    "municipal_acts": (12, 25, 0),  # seed 000: by 25 December
    "information_certificate": (1, 16, 1),  # seed 001: by 16 January
    "director_indicators": (1, 16, 1),  # seed 001: by 16 January
    "director_evaluation": (1, 22, 1),  # seeds 000, 001: by 22 January
    "school_roadmap_lr": (1, 31, 1),
    "municipal_roadmap_lr": (1, 31, 1),
    "strategic_session": (4, 30, 1),  # seeds 000, 001: 15 February – April
    "competence_assessment": (4, 30, 1),
    "final_report": (5, 31, 1),
}


def default_dates(vpr_year: int) -> dict[str, date]:
    """The default schedule of a campaign whose list comes from the VPR of ``vpr_year``."""
    return {
        key: date(vpr_year + offset, month, day)
        for key, (month, day, offset) in DEFAULT_SCHEDULE.items()
    }


def due_date(
    rule: DueRule, schedule: dict[str, date], entered: date, calendar: WorkingCalendar
) -> date:
    """The due date under a rule; a date on a non-working day moves to the next working day."""
    if rule.schedule_key and rule.schedule_key in schedule:
        return calendar.next_working(schedule[rule.schedule_key])
    return calendar.add_working_days(entered, rule.working_days)


def parse_rule(encoded: str) -> DueRule:
    """The inverse of DueRule.encode()."""
    kind, _sep, value = encoded.partition(":")
    if kind == "schedule":
        return DueRule(schedule_key=value)
    return DueRule(working_days=int(value))


def last_monday(year: int, month: int) -> date:
    """The last Monday of a month: the monthly report's due day."""
    last = date(year, month, month_calendar.monthrange(year, month)[1])
    return last - timedelta(days=last.weekday())


def report_periods(campaign: Campaign) -> list[tuple[str, date]]:
    """(YYYY-MM, due date) for every month of the campaign's school year, November to May."""
    months = [(campaign.vpr_year, m) for m in (11, 12)] + [
        (campaign.vpr_year + 1, m) for m in range(1, 6)
    ]
    return [(f"{y}-{m:02d}", last_monday(y, m)) for y, m in months]
