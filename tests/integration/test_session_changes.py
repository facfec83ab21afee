"""A strategic session is moved or cancelled with a reason before it takes place; attendance is
recorded only once it has begun."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from app.errors import Conflict, InvalidInput, NotAllowed
from app.extensions import db
from app.models.audit import AuditEvent
from app.models.case import ObligationStatus
from app.stages import sessions
from app.stages.records import current_obligation
from tests.helpers import login, open_test_case


def _planned(world: dict[str, Any], starts_at: datetime) -> tuple[Any, Any, Any]:
    case = open_test_case(world["schools"]["a1"])
    session = sessions.plan(
        case.campaign,
        title="Стратегическая сессия № 2",
        starts_at=starts_at,
        place="Приозёрск, ул. Ленина, 1",
        online_link=None,
        directions=list(sessions.DIRECTIONS[:1]),
        capacity=5,
        actor=world["users"]["ministry"],
    )
    (invite,) = sessions.invite(session, [case], actor=world["users"]["ministry"])
    db.session.commit()
    return case, session, invite


def test_attendance_waits_for_the_session_and_a_change_needs_a_reason(
    world: dict[str, Any],
) -> None:
    ministry = world["users"]["ministry"]
    now = datetime.now(UTC)
    case, session, invite = _planned(world, now + timedelta(days=7))
    with pytest.raises(Conflict):  # it has not happened yet
        sessions.record_attendance(invite, True, actor=ministry, now=now)
    assert current_obligation(case, "attendance").status is ObligationStatus.OPEN

    later = now + timedelta(days=14)
    with pytest.raises(InvalidInput):
        sessions.reschedule(
            session, starts_at=later, place="Онлайн", online_link=None, reason=" ", actor=ministry
        )
    with pytest.raises(NotAllowed):
        sessions.reschedule(
            session,
            starts_at=later,
            place="x",
            online_link=None,
            reason="x",
            actor=world["users"]["municipal_a"],
        )
    sessions.reschedule(
        session,
        starts_at=later,
        place=None,
        online_link="https://vks.example/room",
        reason="Совпадает с ВПР",
        actor=ministry,
    )
    db.session.commit()
    assert session.starts_at == later and session.place is None
    moved = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "session.changed")
    ).one()
    assert moved.reason == "Совпадает с ВПР" and moved.after["cases"] == [case.id]

    # Once it has begun, the ministry records who came; then it can no longer be moved.
    sessions.record_attendance(invite, True, actor=ministry, now=later + timedelta(hours=1))
    db.session.commit()
    assert current_obligation(case, "attendance").status is ObligationStatus.ACCEPTED
    with pytest.raises(Conflict):
        sessions.cancel(session, reason="поздно", actor=ministry, now=later)


def test_a_cancelled_session_takes_no_invitations_and_no_attendance(
    world: dict[str, Any], client: FlaskClient
) -> None:
    ministry = world["users"]["ministry"]
    now = datetime.now(UTC)
    case, session, invite = _planned(world, now - timedelta(hours=1))
    login(client, ministry)
    page = client.get(f"/sessions/{session.id}").text
    assert "Перенести или отменить сессию" in page
    response = client.post(
        f"/sessions/{session.id}/cancel", data={"reason": "Карантин"}, follow_redirects=True
    )
    assert "Сессия отменена" in response.text
    db.session.refresh(session)
    assert session.cancelled_at is not None and session.cancel_reason == "Карантин"
    page = client.get(f"/sessions/{session.id}").text
    assert "Отменена" in page and "/attendance" not in page
    with pytest.raises(Conflict):
        sessions.record_attendance(invite, True, actor=ministry, now=now)
    with pytest.raises(Conflict):
        sessions.invite(session, [case], actor=ministry)
    assert current_obligation(case, "attendance").status is ObligationStatus.OPEN
