"""The demo's clock for a case: each obligation answered on a day its term allows, in the
order of those days, so the case's history runs forward like a real one."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta

from app.demo.answers import People, complete
from app.models.case import Case, Obligation
from app.models.plan import DateKind
from app.plans import calendar

# Answers an obligation: (obligation, people, hand-in day, review day).
Answer = Callable[[Obligation, People, date, date], None]


def hand_in_day(
    obligation: Obligation, cal: calendar.WorkingCalendar, rng: random.Random
) -> date | None:
    """A day the responsible party answers on time: early in a «с … по …» window, a few
    working days before any other term; None for a measure with no term (yet)."""
    due = obligation.due_date
    if due is None:
        return None
    measure = obligation.measure
    if measure.date_kind is DateKind.PERIOD and measure.starts_on:
        start = max(measure.starts_on, obligation.opened_on)
        return min(cal.add_working_days(start, rng.randint(3, 12)), due)
    day = cal.previous_working(due - timedelta(days=rng.randint(2, 9)))
    return max(day, cal.next_working(obligation.opened_on))


def earliest_day(
    obligation: Obligation, cal: calendar.WorkingCalendar, rng: random.Random
) -> date | None:
    """The first working day the obligation can be answered: the day it opens (the first day
    of a «с … по …» window); None for a measure with no term (yet)."""
    if obligation.due_date is None:
        return None
    measure = obligation.measure
    start = obligation.opened_on
    if measure.date_kind is DateKind.PERIOD and measure.starts_on:
        start = max(measure.starts_on, start)
    return cal.next_working(start)


def work(
    case: Case,
    people: People,
    until: date,
    rng: random.Random,
    *,
    skip: frozenset[str] = frozenset(),
    late: frozenset[str] = frozenset(),
    custom: dict[str, Answer] | None = None,
    earliest: bool = False,
) -> None:
    """Answer, on time, every obligation of the case whose day comes by ``until`` (the ones a
    measure's acceptance gives a term included), except the measures in ``skip``; those in
    ``late`` are answered a few days after their term; those in ``custom`` the way it says.
    ``earliest``: each answered on the first day it can be and decided the same day."""
    day_of = earliest_day if earliest else hand_in_day
    cal = calendar.load(
        case.opened_on - timedelta(days=7), until + timedelta(days=400), case.campaign.region_id
    )
    done: set[int] = set()
    while True:
        waiting = [
            (day, o)
            for o in case.obligations
            if o.id not in done and not o.is_done() and o.obligation_type not in skip
            for day in [day_of(o, cal, rng)]
            if day is not None
        ]
        if not waiting:
            return
        day, obligation = min(waiting, key=lambda pair: (pair[0], pair[1].id))
        done.add(obligation.id)
        if obligation.obligation_type in late and obligation.due_date:
            day = cal.add_working_days(obligation.due_date, rng.randint(2, 6))
        if day > until:
            continue
        review_day = day if earliest else min(cal.add_working_days(day, rng.randint(1, 3)), until)
        answer = (custom or {}).get(obligation.obligation_type, complete)
        answer(obligation, people, day, review_day)


__all__ = ["Answer", "earliest_day", "hand_in_day", "work"]
