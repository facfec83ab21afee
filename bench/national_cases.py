"""Which schools are flagged each year and what becomes of each case: the plan that
``bench.national_walk`` then plays through the campaign plans.

The calendar follows the demo region's: each campaign's order of 28 October, its list approved on
3 November (every case opens then, with all its measures from the day of the order), the case of
the year before last closed once its measures have run (resolved, or escalated when the school is
on the next list again), last year's and this year's cases open as of ``NOW``. Now and then a
case has part of its work returned for rework.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from app.workflows.years import CONTRACT_REVIEW_YEARS, consecutive_runs
from bench.national import YEARS, Directory, School, apportion, order_date

NOW = datetime(2026, 11, 22, 6, tzinfo=UTC)  # the dataset is "as of" this moment
LOW_RESULTS_SHARE = 0.25
REPEAT_SHARE = 0.35  # of last year's schools, flagged again
RETURN_SHARE = 0.05  # of cases, part of the work returned for rework once
MARKERS = ("4 РУ", "4 МА", "5 РУ", "5 МА", "6 РУ", "6 МА", "7 РУ", "8 МА")
# When a case of the year before last is closed, in days from 3 November of its campaign's year:
# after the strategic sessions (objectivity), after the year of ШНОР support (low results).
CLOSE_DAYS = {"objectivity": (214, 229), "low_results": (420, 440)}
# The current campaign's municipal acts: accepted, handed in and awaiting review, or missing.
ORDER_STATES = {"accepted": 70, "submitted": 15, "none": 15}


@dataclass(frozen=True)
class Step:
    """Something done to the case as a whole: opening it (``action`` None), closing it
    (close_resolved, close_escalated) or returning a milestone for rework (return:<milestone>)."""

    action: str | None
    at: datetime
    reason: str | None = None


@dataclass
class PlannedCase:
    id: int
    campaign_id: int
    year: int
    school: School
    category: str
    support_level: int | None
    markers: dict[str, int]
    years_on_list: int
    contract_review: bool
    opened_on: date
    steps: list[Step] = field(default_factory=list)
    rework: bool = False  # part of its work is returned once, when there is something to return
    # filled while walking
    status: str = "open"
    stage: str = ""
    stays: list[Any] = field(default_factory=list)
    obligations: list[Any] = field(default_factory=list)
    created_after: dict[str, Any] = field(default_factory=dict)
    updated_at: datetime | None = None
    updated_by: int | None = None
    version: int = 1

    @property
    def closing(self) -> Step | None:
        return next((s for s in self.steps if s.action and s.action.startswith("close_")), None)

    @property
    def ended_at(self) -> datetime:
        """When the case stopped changing: its closing, or now."""
        closing = self.closing
        return closing.at if closing else NOW


def campaign_start(year: int) -> datetime:
    """09:00 Moscow time on 3 November: the day the list is approved."""
    return datetime(year, 11, 3, 6, tzinfo=UTC)


def flag_lists(
    directory: Directory, rng: random.Random, per_year: int
) -> dict[int, list[tuple[School, str]]]:
    """(school, category) per year: ``per_year`` in proportion to the regions' sizes, about a
    third of last year's schools flagged again in the same category."""
    regions = list(directory.region_names)
    shares = apportion(per_year, [len(directory.schools_of_region[r]) for r in regions])
    lists: dict[int, list[tuple[School, str]]] = {year: [] for year in YEARS}
    for rid, count in zip(regions, shares, strict=True):
        schools = directory.schools_of_region[rid]
        previous: dict[str, list[int]] = {"objectivity": [], "low_results": []}
        low = round(count * LOW_RESULTS_SHARE)
        for year in YEARS:
            for category, wanted in (("objectivity", count - low), ("low_results", low)):
                chosen = _choose(schools, previous[category], wanted, rng)
                previous[category] = chosen
                lists[year].extend((directory.schools[s], category) for s in chosen)
    return lists


def _choose(schools: list[int], last: list[int], count: int, rng: random.Random) -> list[int]:
    again = rng.sample(last, min(len(last), round(count * REPEAT_SHARE)))
    taken = set(again)
    fresh = [s for s in rng.sample(schools, min(len(schools), 2 * count + 5)) if s not in taken]
    return again + fresh[: count - len(again)]


def plan_cases(
    directory: Directory, lists: dict[int, list[tuple[School, str]]], rng: random.Random
) -> list[PlannedCase]:
    """One case per (campaign, school, category) with its years on the list and markers."""
    years_of: dict[tuple[int, str], list[int]] = defaultdict(list)
    for year, entries in lists.items():
        for school, category in entries:
            years_of[(school.id, category)].append(year)
    runs = {key: consecutive_runs(years) for key, years in years_of.items()}
    cases = []
    for year in YEARS:
        for school, category in lists[year]:
            run = runs[(school.id, category)][year]
            cases.append(
                PlannedCase(
                    id=len(cases) + 1,
                    campaign_id=directory.campaigns[(school.region_id, year)],
                    year=year,
                    school=school,
                    category=category,
                    support_level=3
                    if run >= CONTRACT_REVIEW_YEARS
                    else rng.choice((1, 1, 2, None)),
                    markers=_markers(category, rng),
                    years_on_list=run,
                    contract_review=category == "objectivity" and run >= CONTRACT_REVIEW_YEARS,
                    # open_case(): the day the list was approved by the campaign's order
                    opened_on=order_date(year),
                )
            )
    return cases


def _markers(category: str, rng: random.Random) -> dict[str, int]:
    if category == "low_results":
        return dict.fromkeys(MARKERS[:4], 0)
    chosen = set(rng.sample(MARKERS, rng.choice((1, 1, 2, 2, 3, 4))))
    return {m: int(m in chosen) for m in MARKERS[:4]} | dict.fromkeys(chosen, 1)


def order_states(directory: Directory, rng: random.Random) -> dict[int, str]:
    """The state of each municipality's acts in the current campaign."""
    keys, weights = list(ORDER_STATES), list(ORDER_STATES.values())
    return {mid: rng.choices(keys, weights)[0] for mid in directory.municipality_names}


def plan_paths(
    cases: list[PlannedCase], flagged_next: set[tuple[int, str, int]], rng: random.Random
) -> None:
    """Give every case its opening and, for the year before last, its closing: escalated when
    the school is on the next list again in the same category (by the time that list is
    approved at the latest), resolved otherwise."""
    for case in cases:
        opened = campaign_start(case.year) + timedelta(seconds=case.id % 3600)
        case.steps = [Step(None, opened)]
        case.rework = rng.random() < RETURN_SHARE
        if case.year != YEARS[0]:
            continue
        low, high = CLOSE_DAYS[case.category]
        closed = campaign_start(case.year) + timedelta(
            days=rng.randint(low, high), minutes=rng.randint(0, 480)
        )
        if (case.school.id, case.category, case.year + 1) in flagged_next:
            next_list = campaign_start(case.year + 1) + timedelta(days=rng.randint(1, 10))
            closed = min(closed, next_list)
            reason = f"Школа снова в списке по итогам ВПР-{case.year + 1}."
            case.steps.append(Step("close_escalated", closed, reason))
        else:
            case.steps.append(Step("close_resolved", closed))
