"""A case's obligations come from its campaign's plan and run in parallel: all of them from the
day the case opens, each with its own term; the stage summarises them; closing, returning for
rework and reopening are the few actions a case takes; levels and tracks decide the measures."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from app import audit
from app.demo.answers import People
from app.demo.walk import work
from app.errors import Conflict, InvalidInput, NotAllowed
from app.extensions import db
from app.models import AuditEvent, Case, CaseStatus, Category, Level, Obligation, ObligationStatus
from app.models.user import Role
from app.workflows import obligations as ops
from app.workflows.cases import act_on_case, actions_for, set_support_level
from tests.helpers import hand_in, open_test_case

KALININGRAD_2023 = {
    "k_causes": date(2023, 12, 25),
    "k_vpr_acts": date(2023, 12, 25),
    "k_control_order": date(2023, 12, 25),
    "k_prevention_acts": date(2023, 12, 25),
    "k_recheck": date(2023, 11, 30),
    "k_certificate": date(2024, 1, 16),
    "k_director_form": date(2024, 1, 16),
    "k_director_evaluation": date(2024, 1, 22),
    "k_strategic_session": date(2024, 5, 2),  # «по апрель»: 30.04.2024 was a day off
}


def _types(case: Case) -> dict[str, Obligation]:
    return {o.obligation_type: o for o in case.obligations}


def _people(world: dict[str, Any], case: Case) -> People:
    return People.of(case, world["users"]["ministry"])


def test_every_measure_is_an_obligation_from_the_day_the_case_opens(
    world: dict[str, Any],
) -> None:
    case = open_test_case(world["schools"]["a1"])  # level 2, opened 03.11.2023
    obligations = _types(case)
    dated = {k: o.due_date for k, o in obligations.items() if o.due_date is not None}
    assert dated == KALININGRAD_2023
    assert obligations["k_mmo"].due_date is None and not obligations["k_mmo"].required
    opened = {o.obligation_type: o.opened_on for o in case.obligations}
    assert opened.pop("k_strategic_session") == date(2024, 2, 15)  # «в период с 15 февраля»
    assert set(opened.values()) == {date(2023, 11, 3)}
    assert obligations["k_certificate"].due_inclusive is False  # «до 16 января»
    assert obligations["k_prevention_acts"].due_inclusive is True  # «не позднее 25 декабря»
    assert case.stage == "recheck"  # the first milestone with something owed
    assert case.opened_on == date(2023, 11, 3)


def test_a_walk_on_the_earliest_dates_has_nothing_late(world: dict[str, Any]) -> None:
    case = open_test_case(world["schools"]["a1"])
    work(case, _people(world, case), date(2024, 6, 30), random.Random(1), earliest=True)
    owed = [o.obligation_type for o in case.obligations if o.required and not o.is_done()]
    assert owed == []
    late = [o.obligation_type for o in case.obligations if o.done_on_time() is False]
    assert late == []
    assert case.stage == "monitoring"
    assert audit.verify().ok


def test_the_stage_follows_the_obligations_and_never_gates_them(world: dict[str, Any]) -> None:
    case = open_test_case(world["schools"]["a1"])
    people = _people(world, case)
    # The school hands in its certificate while the recheck is still owed: nothing waits.
    certificate = _types(case)["k_certificate"]
    hand_in(certificate, people.school)
    ops.review(certificate.id, accept=True, actor=people.municipal, expected_version=None)
    assert certificate.status is ObligationStatus.ACCEPTED and case.stage == "recheck"
    stays = [s.stage for s in case.stages]
    assert stays == ["recheck"]


def test_closing_needs_the_required_obligations_and_the_ministry(world: dict[str, Any]) -> None:
    case = open_test_case(world["schools"]["a1"])
    ministry, municipal = world["users"]["ministry"], world["users"]["municipal_a"]
    offered = {a.key: blocked for a, blocked in actions_for(ministry, case)}
    assert offered["close_resolved"] is not None  # blocked, with the count of what is owed
    assert {a.key for a, _b in actions_for(municipal, case)} == set()  # nothing accepted yet
    with pytest.raises(Conflict, match=r"\d"):
        act_on_case(case.id, "close_resolved", actor=ministry, expected_version=case.version)
    work(case, _people(world, case), date(2024, 6, 30), random.Random(2), earliest=True)
    with pytest.raises(NotAllowed):
        act_on_case(case.id, "close_resolved", actor=municipal, expected_version=case.version)
    act_on_case(case.id, "close_resolved", actor=ministry, expected_version=case.version)
    assert case.status is CaseStatus.RESOLVED and case.stage == "closed"
    assert db.session.scalars(
        sa.select(AuditEvent.action).where(
            AuditEvent.case_id == case.id, AuditEvent.action == "case.action"
        )
    ).all() == ["case.action"]


def test_returning_for_rework_reopens_with_the_reason_and_leaves_nothing_overdue(
    world: dict[str, Any],
) -> None:
    case = open_test_case(world["schools"]["a1"])
    people = _people(world, case)
    work(case, people, date(2024, 6, 30), random.Random(3), earliest=True)
    key = "return:certificate"
    assert key in {a.key for a, _b in actions_for(people.municipal, case)}
    with pytest.raises(InvalidInput):
        act_on_case(case.id, key, actor=people.municipal, expected_version=None)
    now = datetime(2024, 3, 4, 10, tzinfo=UTC)
    moved = act_on_case(
        case.id,
        key,
        actor=people.municipal,
        expected_version=None,
        reason="В справке нет корреляции с ОГЭ",
        now=now,
    )
    (certificate,) = moved.reopened
    assert certificate.obligation_type == "k_certificate"
    assert certificate.status is ObligationStatus.RETURNED
    assert certificate.comment == "В справке нет корреляции с ОГЭ"
    # Its term (16.01) had passed: rework gets ten working days from the return.
    assert certificate.due_date == date(2024, 3, 19)
    assert not certificate.is_overdue(date(2024, 3, 4))
    assert case.stage == "certificate"
    assert case.stages[-1].reason == "В справке нет корреляции с ОГЭ"


def test_escalation_closes_with_a_reason_and_reopening_gives_back_what_was_open(
    world: dict[str, Any],
) -> None:
    case = open_test_case(world["schools"]["a1"])
    ministry = world["users"]["ministry"]
    with pytest.raises(NotAllowed):
        act_on_case(
            case.id,
            "close_escalated",
            actor=world["users"]["municipal_a"],
            expected_version=None,
            reason="x",
        )
    act_on_case(
        case.id,
        "close_escalated",
        actor=ministry,
        expected_version=None,
        reason="Третий год в списке",
    )
    assert case.status is CaseStatus.ESCALATED and case.stage == "closed"
    assert {o.status for o in case.obligations} == {ObligationStatus.WAIVED}
    act_on_case(case.id, "reopen", actor=ministry, expected_version=None, reason="Ошибка")
    assert case.status is CaseStatus.OPEN and case.stage == "recheck"
    assert {o.status for o in case.obligations} == {ObligationStatus.OPEN}


def test_stale_version_names_who_changed_the_case(world: dict[str, Any]) -> None:
    case = open_test_case(world["schools"]["a1"])
    seen = case.version
    ministry = world["users"]["ministry"]
    set_support_level(case, 3, actor=ministry, expected_version=seen)
    with pytest.raises(Conflict) as err:
        act_on_case(case.id, "close_escalated", actor=ministry, expected_version=seen, reason="x")
    assert ministry.full_name in err.value.message
    assert case.status is CaseStatus.OPEN


def test_obligation_return_resubmit_accept_and_timeliness(world: dict[str, Any]) -> None:
    case = open_test_case(world["schools"]["a1"])
    act = case.obligations[0]
    municipal, ministry = world["users"]["municipal_a"], world["users"]["ministry"]
    with pytest.raises(NotAllowed):
        hand_in(act, world["users"]["municipal_b"])
    late = datetime.combine(act.due_date + timedelta(days=2), time(9), UTC)
    hand_in(act, municipal, now=late)
    with pytest.raises(InvalidInput):
        ops.review(act.id, accept=False, actor=ministry, expected_version=None, comment="  ")
    with pytest.raises(NotAllowed):
        ops.review(act.id, accept=True, actor=municipal, expected_version=None)
    ops.review(act.id, accept=False, actor=ministry, expected_version=None, comment="Нет подписи")
    assert act.status is ObligationStatus.RETURNED and act.comment == "Нет подписи"
    assert act.is_overdue(act.due_date.replace(year=act.due_date.year + 1))
    hand_in(act, municipal, now=late)
    ops.review(act.id, accept=True, actor=ministry, expected_version=None)
    assert act.status is ObligationStatus.ACCEPTED
    assert act.done_on_time() is False
    events = db.session.scalars(
        sa.select(AuditEvent.action)
        .where(AuditEvent.object_type == "obligation", AuditEvent.object_id == act.id)
        .order_by(AuditEvent.seq)
    ).all()
    assert events == [
        "obligation.created",
        "obligation.submitted",
        "obligation.returned",
        "obligation.submitted",
        "obligation.accepted",
    ]


def test_only_the_ministry_waives_and_with_a_reason(world: dict[str, Any]) -> None:
    case = open_test_case(world["schools"]["a1"])
    act = case.obligations[0]
    with pytest.raises(NotAllowed):
        ops.waive(act.id, actor=world["users"]["municipal_a"], reason="x", expected_version=None)
    with pytest.raises(InvalidInput):
        ops.waive(act.id, actor=world["users"]["ministry"], reason=" ", expected_version=None)
    ops.waive(
        act.id, actor=world["users"]["ministry"], reason="Акт принят ранее", expected_version=None
    )
    assert act.status is ObligationStatus.WAIVED
    assert not act.is_overdue(date(2100, 1, 1))


@pytest.mark.parametrize(
    ("level", "has", "lacks", "reviewers"),
    [
        (
            1,
            {"k_certificate", "k_director_form", "k_prevention_acts", "k_director_evaluation"},
            {"k_causes", "k_recheck", "k_recheck_regional"},
            {"k_certificate": Level.MUNICIPALITY, "k_director_evaluation": None},
        ),
        (
            2,
            {"k_causes", "k_recheck", "k_control_order"},
            {"k_recheck_regional"},
            {"k_certificate": Level.MUNICIPALITY, "k_director_evaluation": Level.REGION},
        ),
        (
            3,
            {"k_causes", "k_recheck_regional"},
            {"k_recheck"},
            {"k_certificate": Level.REGION, "k_director_form": Level.REGION},
        ),
    ],
)
def test_each_support_level_has_its_own_measures_and_reviewers(
    world: dict[str, Any],
    level: int,
    has: set[str],
    lacks: set[str],
    reviewers: dict[str, Level | None],
) -> None:
    case = open_test_case(world["schools"]["a1"])
    set_support_level(case, level, actor=world["users"]["ministry"], expected_version=None)
    live = {
        o.obligation_type: o for o in case.obligations if o.status is not ObligationStatus.WAIVED
    }
    assert has <= set(live) and not lacks & set(live)
    for key, reviewer in reviewers.items():
        assert live[key].reviewer_level is reviewer, key
    if level == 3:
        regional = live["k_recheck_regional"]
        assert regional.level is Level.INSTITUTE
        assert regional.responsible_org_id == world["region"].id
        waived = next(o for o in case.obligations if o.obligation_type == "k_recheck")
        assert waived.status is ObligationStatus.WAIVED and "3" in (waived.comment or "")


def test_the_shnor_track_gets_only_its_own_measures(world: dict[str, Any]) -> None:
    case = open_test_case(world["schools"]["a2"], category=Category.LOW_RESULTS)
    keys = {o.obligation_type for o in case.obligations}
    assert keys and all(k.startswith("ch_") for k in keys)
    assert {"ch_questionnaire", "ch_school_roadmap", "ch_leader", "ch_joint_plan"} <= keys
    joint = _types(case)["ch_joint_plan"]
    assert joint.due_date is None  # 15 working days after the leader school is assigned
    assert case.stage == "diagnostics"


def test_the_third_year_on_the_list_adds_the_contract_review_on_objectivity_only(
    world: dict[str, Any], make: Any
) -> None:
    from app.workflows.flags import import_flags

    school = world["schools"]["a1"]
    municipality = world["mun_a"]
    rows = ["Год;Логин;Муниципалитет;ОО;4 РУ;Количество маркеров;Категория;Уровень сопровождения"]
    for year in (2023, 2024, 2025):
        rows.append(f"{year};{school.login};{municipality.name};{school.name};1;1;;3")
        rows.append(f"{year};{school.login};{municipality.name};{school.name};0;0;ШНОР;2")
    report = import_flags(
        ("\n".join(rows) + "\n").encode(), region=world["region"], actor=world["users"]["ministry"]
    )
    assert report.ok, report.problems
    cases = db.session.scalars(sa.select(Case).where(Case.school_id == school.id)).all()
    third = {c.category: c for c in cases if c.campaign.vpr_year == 2025}
    objectivity = third[Category.OBJECTIVITY]
    assert objectivity.years_on_list == 3 and objectivity.contract_review
    assert "k_contract" in {o.obligation_type for o in objectivity.obligations}
    shnor = third[Category.LOW_RESULTS]
    assert shnor.years_on_list == 3 and not shnor.contract_review
    assert not any("contract" in o.obligation_type for o in shnor.obligations)
    earlier = next(c for c in cases if c.campaign.vpr_year == 2024)
    assert "k_contract" not in {o.obligation_type for o in earlier.obligations}


def test_one_obligation_per_measure_and_period(world: dict[str, Any]) -> None:
    case = open_test_case(world["schools"]["a1"])
    duplicate = Obligation(
        **{
            c.key: getattr(case.obligations[0], c.key)
            for c in Obligation.__table__.columns
            if c.key != "id"
        }
    )
    db.session.add(duplicate)
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        db.session.flush()


def test_a_school_user_acts_for_the_leader_school_measures_once_assigned(
    world: dict[str, Any], make: Any
) -> None:
    from app.stages import shnor

    case = open_test_case(world["schools"]["b2"], category=Category.LOW_RESULTS)
    leader = world["schools"]["b1"]
    leader_user = world["users"]["school_b1"]
    consultations = _types(case)["ch_leader_consultations"]
    assert consultations.level is Level.LEADER_SCHOOL
    with pytest.raises(NotAllowed):
        shnor.assign_leader(case, leader, actor=world["users"]["school_b1"])
    shnor.assign_leader(
        case, leader, actor=world["users"]["municipal_b"], now=datetime(2024, 3, 1, 9, tzinfo=UTC)
    )
    assert consultations.responsible_org_id == leader.id
    assert _types(case)["ch_leader"].status is ObligationStatus.ACCEPTED
    # The joint plan's term starts from the assignment: 15 working days after 01.03.2024.
    assert _types(case)["ch_joint_plan"].due_date == date(2024, 3, 25)
    assert leader_user.role is Role.SCHOOL
    ops.submit(consultations.id, actor=leader_user, expected_version=None)
    assert consultations.status is ObligationStatus.SUBMITTED


def test_a_school_on_any_list_of_the_campaign_is_never_a_leader_school(
    world: dict[str, Any],
) -> None:
    from app.stages import shnor

    case = open_test_case(world["schools"]["a2"], category=Category.LOW_RESULTS)
    open_test_case(world["schools"]["a1"])  # a1 is on the objectivity list
    with pytest.raises(InvalidInput, match=r"(?i)перечн|lists"):
        shnor.assign_leader(case, world["schools"]["a1"], actor=world["users"]["municipal_a"])
    shnor.assign_leader(case, world["schools"]["b1"], actor=world["users"]["municipal_a"])
    assert shnor.mentorship_of(case).leader_school_id == world["schools"]["b1"].id


def test_the_adverse_conditions_track_is_a_track_of_its_own(world: dict[str, Any]) -> None:
    """ШФНСУ: the flag list's category opens a case on its own list, supported under the
    Chelyabinsk concept (seed 003) with its own roadmap title, and no objectivity measures."""
    from app.stages.roadmaps import roadmap_of

    case = open_test_case(world["schools"]["a2"], category=Category.ADVERSE)
    keys = {o.obligation_type for o in case.obligations}
    assert keys and all(k.startswith("ch_") for k in keys)
    roadmap = roadmap_of(case.school, case.campaign, "adverse", actor=world["users"]["ministry"])
    assert "неблагоприятных социальных" in roadmap.title
