"""The showcase school's 2025 case, told in full: the self-analysis returned for a missing
section and handed in again, the school's roadmap with its own measures, then every other
measure of its plan answered on time by the people who own it.

The texts are what a school and a municipality in the seeds would write."""

from __future__ import annotations

import random
from datetime import date

from app.demo.answers import (
    SELF_ANALYSIS,
    People,
    at,
    decide,
)
from app.demo.walk import work
from app.models import RoadmapStatus
from app.models.case import Case, Obligation
from app.plans import calendar
from app.stages import questionnaires, shnor
from app.stages.roadmaps import ItemValues, roadmap_of, save_item

SHOWCASE_LOGIN = "edu990001"  # a demo school login printed by `flask demo seed`
ROADMAP = (
    ("Педагогический совет «Объективность оценивания»", "январь 2026", "Директор", "Протокол"),
    ("Перекрёстная проверка ВПР с другой школой", "апрель 2026", "Заместитель директора", "Акт"),
    (
        "Видеонаблюдение во всех аудиториях ВПР",
        "апрель 2026",
        "Заместитель директора",
        "Видеозаписи",
    ),
)


def _self_analysis(obligation: Obligation, people: People, day: date, review_day: date) -> None:
    """Handed in without the control of the measures, returned, completed, accepted."""
    case, cal = obligation.case, calendar.load(day, review_day, obligation.case.campaign.region_id)
    first = {k: v for k, v in SELF_ANALYSIS.items() if k != "control"}
    questionnaires.save(case, "self_analysis", first, actor=people.school, expected_version=None)
    questionnaires.submit(case, "self_analysis", actor=people.school, now=at(day))
    returned_on = cal.add_working_days(day, 1)
    decide(obligation, people, returned_on, comment="Добавьте раздел о контроле выполнения мер.")
    form = questionnaires.form_of(case, "self_analysis")
    assert form is not None
    questionnaires.save(
        case, "self_analysis", SELF_ANALYSIS, actor=people.school, expected_version=form.version
    )
    again = cal.add_working_days(returned_on, 1)
    questionnaires.submit(case, "self_analysis", actor=people.school, now=at(again))
    decide(obligation, people, max(review_day, cal.add_working_days(again, 1)))


def _roadmap(obligation: Obligation, people: People, day: date, review_day: date) -> None:
    case = obligation.case
    plan = roadmap_of(case.school, case.campaign, case.category.value, actor=people.school)
    for what, when, who, result in ROADMAP:
        values = ItemValues(what, when, who, result, RoadmapStatus.PLANNED)
        save_item(plan, None, values, actor=people.school)
    shnor.hand_in_roadmap(case, plan, actor=people.school, now=at(day))
    decide(obligation, people, review_day)


def walk_objectivity(case: Case, people: People, rng: random.Random, until: date) -> None:
    """Every measure of the case answered by ``until``, two of them the way the story goes."""
    work(
        case,
        people,
        until,
        rng,
        custom={"self_analysis": _self_analysis, "school_roadmap": _roadmap},
    )


__all__ = ["SHOWCASE_LOGIN", "walk_objectivity"]
