"""Which schools are flagged each year and how far each case has come: the plan that
``bench.national_walk`` then plays through the workflow definitions.

The calendar follows the demo region's: lists approved on 3 November, the previous campaign
closed (resolved, or escalated when the school is on the next list again), last year's cases at
the strategic session, the director evaluation or in monitoring, this year's cases at the start,
held back where the municipality has not had its order accepted yet.
"""

from __future__ import annotations

import itertools
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from app.workflows import registry
from app.workflows.definitions import Kind, Workflow
from app.workflows.years import CONTRACT_REVIEW_YEARS, consecutive_runs
from bench import national_names as nn
from bench.national import YEARS, Directory, School, apportion

NOW = datetime(2026, 11, 22, 6, tzinfo=UTC)  # the dataset is "as of" this moment
CASES_PER_YEAR = 6000
LOW_RESULTS_SHARE = 0.25
REPEAT_SHARE = 0.35  # of last year's schools, flagged again
RETURN_SHARE = 0.05  # of cases, sent back one stage once
MARKERS = ("4 РУ", "4 МА", "5 РУ", "5 МА", "6 РУ", "6 МА", "7 РУ", "8 МА")
CATEGORY_WORKFLOW = {"objectivity": "objectivity@1", "low_results": "low_results@1"}

# Entry day of each stage, counted from 3 November of the campaign's year: (earliest, latest).
PATHS = {
    "objectivity@1": (
        ("flagged", 0, 0),
        ("self_analysis", 10, 17),
        ("roadmap", 32, 42),
        ("recheck", 68, 73),
        ("strategic_session", 78, 83),
        ("director_evaluation", 132, 160),
        ("monitoring", 165, 193),
        ("closed", 214, 229),
    ),
    "low_results@1": (
        ("flagged", 0, 0),
        ("diagnostics", 10, 17),
        ("roadmap", 45, 55),
        ("mentoring", 94, 104),
        ("competence", 118, 132),
        ("monitoring", 179, 188),
        ("closed", 214, 229),
    ),
}
LAST_YEAR_STAGES = {
    "objectivity@1": {"strategic_session": 10, "director_evaluation": 55, "monitoring": 35},
    "low_results@1": {"competence": 50, "monitoring": 50},
}
# The current campaign's municipal orders: accepted, handed in and awaiting review, or missing.
ORDER_STATES = {"accepted": 70, "submitted": 15, "none": 15}


@dataclass(frozen=True)
class Step:
    """Entering a stage: at what moment, by which transition (None: the case opens), why."""

    stage: str
    at: datetime
    transition: str | None = None
    reason: str | None = None


@dataclass
class PlannedCase:
    id: int
    campaign_id: int
    year: int
    school: School
    category: str
    workflow: Workflow
    support_level: int | None
    markers: dict[str, int]
    years_on_list: int
    contract_review: bool
    steps: list[Step] = field(default_factory=list)
    # filled while walking
    status: str = "open"
    stage: str = ""
    visits: list[Any] = field(default_factory=list)
    obligations: list[Any] = field(default_factory=list)
    created_after: dict[str, Any] = field(default_factory=dict)
    updated_at: datetime | None = None
    updated_by: int | None = None
    version: int = 1

    @property
    def ended_at(self) -> datetime:
        """When the case stopped changing: its closing, or now."""
        return self.steps[-1].at if self.status != "open" else NOW


def campaign_start(year: int) -> datetime:
    """09:00 Moscow time on 3 November: the day the list is approved."""
    return datetime(year, 11, 3, 6, tzinfo=UTC)


def flag_lists(directory: Directory, rng: random.Random) -> dict[int, list[tuple[School, str]]]:
    """(school, category) per year: 6,000 a year in proportion to the regions' sizes, about a
    third of last year's schools flagged again in the same category."""
    regions = list(directory.region_names)
    shares = apportion(CASES_PER_YEAR, [len(directory.schools_of_region[r]) for r in regions])
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
                    workflow=registry.get(CATEGORY_WORKFLOW[category]),
                    support_level=3
                    if run >= CONTRACT_REVIEW_YEARS
                    else rng.choice((1, 1, 2, None)),
                    markers=_markers(category, rng),
                    years_on_list=run,
                    contract_review=run >= CONTRACT_REVIEW_YEARS,
                )
            )
    return cases


def _markers(category: str, rng: random.Random) -> dict[str, int]:
    if category == "low_results":
        return dict.fromkeys(MARKERS[:4], 0)
    chosen = set(rng.sample(MARKERS, rng.choice((1, 1, 2, 2, 3, 4))))
    return {m: int(m in chosen) for m in MARKERS[:4]} | dict.fromkeys(chosen, 1)


def order_states(directory: Directory, rng: random.Random) -> dict[int, str]:
    """The state of each municipality's order in the current campaign."""
    keys, weights = list(ORDER_STATES), list(ORDER_STATES.values())
    return {mid: rng.choices(keys, weights)[0] for mid in directory.municipality_names}


def plan_paths(
    cases: list[PlannedCase],
    flagged_next: set[tuple[int, str, int]],
    orders: dict[int, str],
    rng: random.Random,
) -> None:
    """Give every case the stages it went through, with dates."""
    for case in cases:
        ref = case.workflow.ref
        order = [stage for stage, _lo, _hi in PATHS[ref]]
        if case.year == YEARS[0]:
            target = "closed"
        elif case.year == YEARS[1]:
            stages = LAST_YEAR_STAGES[ref]
            target = rng.choices(list(stages), list(stages.values()))[0]
        else:
            moved = orders[case.school.municipality_id] == "accepted" and rng.random() < 0.9
            target = order[1] if moved else order[0]
        escalate = (case.school.id, case.category, case.year + 1) in flagged_next
        steps = _steps(case, order[: order.index(target) + 1], escalate, rng)
        case.steps = _with_return(case.workflow, steps, rng)


def _entry_times(ref: str, year: int, rng: random.Random) -> dict[str, datetime]:
    start, times, last_day = campaign_start(year), {}, -5
    for stage, low, high in PATHS[ref]:
        day = max(rng.randint(low, high), last_day + 5) if low else 0
        times[stage] = start + timedelta(days=day, minutes=rng.randint(0, 480) if day else 0)
        last_day = day
    return times


def _steps(case: PlannedCase, stages: list[str], escalate: bool, rng: random.Random) -> list[Step]:
    times = _entry_times(case.workflow.ref, case.year, rng)
    opened = times[stages[0]] + timedelta(seconds=case.id % 3600)
    steps = [Step(stages[0], opened)]
    for previous, stage in itertools.pairwise(stages):
        if stage == "closed" and escalate:
            reason = f"Школа снова в списке по итогам ВПР-{case.year + 1}."
            steps.append(Step(stage, times[stage], f"escalate_from_{previous}", reason))
        elif stage == "closed":
            steps.append(Step(stage, times[stage], "close_resolved"))
        else:
            steps.append(Step(stage, times[stage], forward_key(case.workflow, previous, stage)))
    return steps


def forward_key(workflow: Workflow, source: str, target: str) -> str:
    """The forward transition between two stages."""
    return next(
        t.key
        for t in workflow.transitions_from(source)
        if t.target == target and t.kind == Kind.FORWARD
    )


def _has_act(workflow: Workflow, stage: str) -> bool:
    return any(spec.municipality_wide for spec in workflow.stage(stage).obligations)


def _with_return(workflow: Workflow, steps: list[Step], rng: random.Random) -> list[Step]:
    """Now and then a case is sent back one stage and comes forward again (never into a stage
    whose obligations a municipal act answers: those would be owed afresh)."""
    candidates = [
        i
        for i in range(1, len(steps) - 2)
        if steps[i + 1].stage != "closed"
        and not _has_act(workflow, steps[i].stage)
        and not _has_act(workflow, steps[i + 1].stage)
    ]
    if not candidates or rng.random() >= RETURN_SHARE:
        return steps
    i = rng.choice(candidates)
    back_to, left = steps[i].stage, steps[i + 1]
    span = steps[i + 2].at - left.at
    back = Step(
        back_to,
        left.at + span * 0.35,
        f"return_{left.stage}_to_{back_to}",
        rng.choice(nn.RETURN_REASONS),
    )
    again = Step(left.stage, left.at + span * 0.7, left.transition)
    return [*steps[: i + 2], back, again, *steps[i + 2 :]]
