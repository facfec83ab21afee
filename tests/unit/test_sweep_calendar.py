"""The sweep's working-day count in constant time answers as the day-by-day count does."""

from __future__ import annotations

import random
from datetime import date, timedelta

from app.notices.sweep import CountedCalendar
from app.plans.calendar import WorkingCalendar, production_calendar_exceptions


def test_counted_calendar_counts_as_the_day_by_day_one() -> None:
    rng = random.Random(20)
    federal = {
        day: working
        for year in (2023, 2024, 2025)
        for day, (working, _name) in production_calendar_exceptions(year).items()
    }
    for _case in range(60):
        own = {  # a region's days off and working Saturdays on top
            date(2023, 1, 1) + timedelta(days=rng.randrange(1100)): rng.random() < 0.3
            for _ in range(rng.randrange(12))
        }
        slow = WorkingCalendar({**federal, **own})
        fast = CountedCalendar.of(slow)
        for _pair in range(40):
            start = date(2022, 10, 1) + timedelta(days=rng.randrange(1300))
            end = start + timedelta(days=rng.randrange(-500, 500))
            assert fast.working_days_between(start, end) == slow.working_days_between(start, end)
            assert fast.is_working(end) == slow.is_working(end)
