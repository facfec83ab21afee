"""Workflow definitions, working days and years on the list, without a database."""

from __future__ import annotations

from datetime import date

import pytest

from app.models.case import Level
from app.models.user import Role
from app.workflows import calendar, registry
from app.workflows.calendar import WorkingCalendar
from app.workflows.definitions import DueRule, Kind, Stage, Transition, Workflow
from app.workflows.due import default_dates, due_date, parse_rule
from app.workflows.years import consecutive_runs


@pytest.fixture(scope="module")
def ru_2024() -> WorkingCalendar:
    exceptions = {}
    for year in (2023, 2024, 2025):
        exceptions.update(
            {d: w for d, (w, _n) in calendar.production_calendar_exceptions(year).items()}
        )
    return WorkingCalendar(exceptions)


def test_both_tracks_are_registered_with_versions() -> None:
    refs = {w.ref for w in registry.all_workflows()}
    assert refs == {"objectivity@1", "low_results@1"}


def test_objectivity_track_has_the_stages_of_the_domain_in_order() -> None:
    workflow = registry.get("objectivity@1")
    assert [s.key for s in workflow.stages] == [
        "flagged",
        "self_analysis",
        "roadmap",
        "recheck",
        "strategic_session",
        "director_evaluation",
        "monitoring",
        "closed",
    ]
    forward = [t.target for t in workflow.transitions if t.kind == Kind.FORWARD]
    assert forward == [s.key for s in workflow.stages[1:-1]]


@pytest.mark.parametrize("workflow", registry.all_workflows(), ids=lambda w: w.ref)
def test_every_stage_but_the_last_can_be_left_and_returning_needs_a_reason(
    workflow: Workflow,
) -> None:
    for stage in workflow.stages:
        moves = workflow.transitions_from(stage.key)
        assert bool(moves) != stage.terminal, stage.key
    for t in workflow.transitions:
        if t.kind == Kind.BACK:
            assert t.needs_reason
            assert workflow.stage_index[t.target] < workflow.stage_index[t.source]
        assert Role.AUDITOR not in t.roles and Role.SCHOOL not in t.roles


@pytest.mark.parametrize("workflow", registry.all_workflows(), ids=lambda w: w.ref)
def test_every_obligation_has_a_reviewer_of_a_higher_level(workflow: Workflow) -> None:
    for stage in workflow.stages:
        for spec in stage.obligations:
            assert spec.reviewer is not None, spec.key
            if spec.level is Level.SCHOOL:
                assert spec.reviewer in (Role.MUNICIPAL, Role.MINISTRY)
            if spec.level is Level.MUNICIPALITY:
                assert spec.reviewer is Role.MINISTRY


def test_a_malformed_definition_is_refused() -> None:
    stages = (Stage("a", "A"), Stage("b", "B", terminal=True))
    with pytest.raises(ValueError, match="unknown stage"):
        Workflow("x", 1, "X", stages, (Transition("go", "a", "nowhere", "Go", frozenset()),))
    with pytest.raises(ValueError, match="reason"):
        Workflow(
            "x",
            1,
            "X",
            stages,
            (Transition("back", "b", "a", "Back", frozenset(), kind=Kind.BACK),),
        )


def test_production_calendar_knows_transfers_and_working_saturdays(
    ru_2024: WorkingCalendar,
) -> None:
    assert not ru_2024.is_working(date(2024, 12, 30))  # transferred day off (Monday)
    assert ru_2024.is_working(date(2024, 12, 28))  # working Saturday
    assert ru_2024.is_working(date(2024, 11, 2))  # working Saturday
    assert not ru_2024.is_working(date(2024, 11, 4))  # Unity Day
    assert not ru_2024.is_working(date(2024, 1, 8))


def test_due_date_on_a_holiday_moves_to_the_next_working_day(ru_2024: WorkingCalendar) -> None:
    schedule = {"municipal_acts": date(2023, 12, 31), "x": date(2024, 1, 1)}
    assert due_date(DueRule("municipal_acts"), schedule, date(2023, 11, 1), ru_2024) == date(
        2024, 1, 9
    )
    # No date in the schedule: fall back to working days after entering the stage.
    assert due_date(DueRule("missing", 2), schedule, date(2024, 12, 26), ru_2024) == date(
        2024, 12, 28
    )
    assert due_date(DueRule("missing", 3), schedule, date(2024, 12, 26), ru_2024) == date(
        2025, 1, 9
    )


def test_counting_working_days_skips_the_new_year_holidays(ru_2024: WorkingCalendar) -> None:
    assert ru_2024.add_working_days(date(2023, 12, 29), 1) == date(2024, 1, 9)
    assert ru_2024.add_working_days(date(2024, 5, 8), 1) == date(2024, 5, 13)
    assert ru_2024.working_days_between(date(2023, 12, 29), date(2024, 1, 9)) == 1


def test_default_schedule_follows_the_seeds() -> None:
    dates = default_dates(2023)
    assert dates["self_analysis"] == date(2023, 11, 30)
    assert dates["municipal_acts"] == date(2023, 12, 25)
    assert dates["information_certificate"] == date(2024, 1, 16)
    assert dates["director_evaluation"] == date(2024, 1, 22)


def test_due_rules_round_trip() -> None:
    for rule in (DueRule("self_analysis", 5), DueRule(working_days=7)):
        assert parse_rule(rule.encode()).encode() == rule.encode()


def test_consecutive_years() -> None:
    assert consecutive_runs([2023, 2024, 2025]) == {2023: 1, 2024: 2, 2025: 3}
    assert consecutive_runs([2021, 2023, 2024]) == {2021: 1, 2023: 1, 2024: 2}
