"""Walking cases through their stages: the right roles only, guards, reasons, history."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from app import audit
from app.errors import Conflict, InvalidInput, NotAllowed
from app.extensions import db
from app.models import AuditEvent, Case, CaseStatus, Category, Obligation, ObligationStatus, User
from app.workflows import campaigns, registry
from app.workflows import obligations as ops
from app.workflows.cases import advance_case
from app.workflows.definitions import Kind
from tests.helpers import hand_in, open_test_case


def _people(world: dict[str, Any]) -> dict[str, User]:
    u = world["users"]
    return {
        "school": u["school_a1"],
        "municipality": u["municipal_a"],
        "region": u["ministry"],
        "municipal": u["municipal_a"],
        "ministry": u["ministry"],
    }


def _complete_stage(case: Case, people: dict[str, User]) -> None:
    for obligation in case.obligations:
        if obligation.status is ObligationStatus.OPEN:
            hand_in(obligation, people[obligation.level.value])
            ops.review(
                obligation.id,
                accept=True,
                actor=people[obligation.reviewer_role],
                expected_version=obligation.version,
            )


def _forward(case: Case) -> Any:
    workflow = registry.of_case(case)
    return next(
        t
        for t in workflow.transitions_from(case.stage)
        if t.kind != Kind.BACK and not t.needs_reason
    )


def test_case_walks_from_flagged_to_closed_by_the_right_roles_only(world: dict[str, Any]) -> None:
    case = open_test_case(world["schools"]["a1"])
    people = _people(world)
    outsiders = [
        world["users"][k] for k in ("auditor", "admin", "school_a1", "municipal_b", "ministry_x")
    ]
    visited = [case.stage]
    while case.stage != "closed":
        transition = _forward(case)
        # Before the stage's obligations are accepted, the guard blocks even the right role.
        if case.obligations and any(o.status is ObligationStatus.OPEN for o in case.obligations):
            actor = people["ministry"]
            with pytest.raises(Conflict, match=r"(?i)не приняты|not yet accepted"):
                advance_case(case.id, transition.key, actor=actor, expected_version=case.version)
        _complete_stage(case, people)
        for outsider in outsiders:
            with pytest.raises(NotAllowed):
                advance_case(case.id, transition.key, actor=outsider, expected_version=case.version)
        actor = (
            people["municipal"]
            if "municipal" in {r.value for r in transition.roles}
            else people["ministry"]
        )
        moved = advance_case(case.id, transition.key, actor=actor, expected_version=case.version)
        assert moved.case.stage == transition.target
        visited.append(case.stage)
    assert visited == [s.key for s in registry.of_case(case).stages]
    assert case.status is CaseStatus.RESOLVED
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(
            AuditEvent.case_id == case.id, AuditEvent.action == "case.transition"
        )
    ).all()
    assert len(actions) == len(visited) - 1
    assert audit.verify().ok


def test_returning_needs_a_reason_and_creates_fresh_obligations(world: dict[str, Any]) -> None:
    case = open_test_case(world["schools"]["a1"])
    people = _people(world)
    _complete_stage(case, people)
    advance_case(
        case.id, "start_self_analysis", actor=people["municipal"], expected_version=case.version
    )
    with pytest.raises(InvalidInput):
        advance_case(
            case.id,
            "return_self_analysis_to_flagged",
            actor=people["municipal"],
            expected_version=case.version,
        )
    advance_case(
        case.id,
        "return_self_analysis_to_flagged",
        actor=people["municipal"],
        expected_version=case.version,
        reason="Приказ издан не по форме",
    )
    assert case.stage == "flagged"
    orders = [o for o in case.obligations if o.obligation_type == "municipal_order"]
    assert [o.status for o in orders] == [ObligationStatus.ACCEPTED, ObligationStatus.OPEN]
    assert case.stages[-1].reason == "Приказ издан не по форме"


def test_escalation_closes_with_a_reason(world: dict[str, Any]) -> None:
    case = open_test_case(world["schools"]["a1"])
    with pytest.raises(NotAllowed):
        advance_case(
            case.id,
            "escalate_from_flagged",
            actor=world["users"]["municipal_a"],
            expected_version=case.version,
            reason="x",
        )
    advance_case(
        case.id,
        "escalate_from_flagged",
        actor=world["users"]["ministry"],
        expected_version=case.version,
        reason="Третий год в списке",
    )
    assert case.stage == "closed" and case.status is CaseStatus.ESCALATED


def test_stale_version_names_who_changed_the_case(world: dict[str, Any]) -> None:
    case = open_test_case(world["schools"]["a1"])
    seen = case.version
    ministry = world["users"]["ministry"]
    from app.workflows.cases import set_support_level

    set_support_level(case, 3, actor=ministry, expected_version=seen)
    with pytest.raises(Conflict) as err:
        advance_case(
            case.id, "escalate_from_flagged", actor=ministry, expected_version=seen, reason="x"
        )
    assert ministry.full_name in err.value.message
    assert case.stage == "flagged"


def test_obligation_return_resubmit_accept_and_timeliness(world: dict[str, Any]) -> None:
    case = open_test_case(world["schools"]["a1"])
    order = case.obligations[0]
    municipal, ministry = world["users"]["municipal_a"], world["users"]["ministry"]
    with pytest.raises(NotAllowed):
        hand_in(order, world["users"]["municipal_b"])
    late = datetime.combine(order.due_date + timedelta(days=2), time(9), UTC)
    hand_in(order, municipal, now=late)
    with pytest.raises(InvalidInput):
        ops.review(order.id, accept=False, actor=ministry, expected_version=None, comment="  ")
    with pytest.raises(NotAllowed):
        ops.review(order.id, accept=True, actor=municipal, expected_version=None)
    ops.review(order.id, accept=False, actor=ministry, expected_version=None, comment="Нет подписи")
    assert order.status is ObligationStatus.RETURNED and order.comment == "Нет подписи"
    assert order.is_overdue(order.due_date.replace(year=order.due_date.year + 1))
    hand_in(order, municipal, now=late)
    ops.review(order.id, accept=True, actor=ministry, expected_version=None)
    assert order.status is ObligationStatus.ACCEPTED
    assert order.done_on_time() is False
    events = db.session.scalars(
        sa.select(AuditEvent.action)
        .where(AuditEvent.object_type == "obligation", AuditEvent.object_id == order.id)
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
    order = case.obligations[0]
    with pytest.raises(NotAllowed):
        ops.waive(order.id, actor=world["users"]["municipal_a"], reason="x", expected_version=None)
    with pytest.raises(InvalidInput):
        ops.waive(order.id, actor=world["users"]["ministry"], reason=" ", expected_version=None)
    ops.waive(
        order.id,
        actor=world["users"]["ministry"],
        reason="Приказ издан ранее",
        expected_version=None,
    )
    assert order.status is ObligationStatus.WAIVED
    assert not order.is_overdue(date(2100, 1, 1))


def test_schedule_change_moves_open_obligations_only(world: dict[str, Any]) -> None:
    ministry = world["users"]["ministry"]
    first = open_test_case(world["schools"]["a1"])
    second = open_test_case(world["schools"]["b1"])
    for case, municipal in ((first, "municipal_a"), (second, "municipal_b")):
        order = case.obligations[0]
        hand_in(order, world["users"][municipal])
        ops.review(order.id, accept=True, actor=ministry, expected_version=None)
        advance_case(case.id, "start_self_analysis", actor=ministry, expected_version=None)
    done = next(o for o in first.obligations if o.obligation_type == "self_analysis")
    hand_in(done, world["users"]["school_a1"])
    ops.review(done.id, accept=True, actor=world["users"]["municipal_a"], expected_version=None)
    pending = next(o for o in second.obligations if o.obligation_type == "self_analysis")
    assert pending.due_date == date(2023, 11, 30)
    moved = campaigns.set_deadline(
        first.campaign, "self_analysis", date(2023, 12, 31), actor=ministry
    )
    assert moved == 1
    assert pending.due_date == date(2024, 1, 9)  # 31.12 is a holiday: the next working day
    assert done.due_date == date(2023, 11, 30)
    with pytest.raises(NotAllowed):
        campaigns.set_deadline(
            first.campaign, "self_analysis", date(2024, 1, 1), actor=world["users"]["municipal_a"]
        )
    change = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "campaign.deadline_changed")
    ).one()
    assert change.before["due_date"] == "2023-11-30" and change.after["due_date"] == "2023-12-31"


def test_low_results_track_has_its_own_stages(world: dict[str, Any]) -> None:
    case = open_test_case(world["schools"]["a2"], category=Category.LOW_RESULTS)
    assert [o.obligation_type for o in case.obligations] == ["municipal_order_lr"]
    assert [s.key for s in registry.of_case(case).stages][1:3] == ["diagnostics", "roadmap"]


def test_one_obligation_per_type_and_stage_visit(world: dict[str, Any]) -> None:
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
