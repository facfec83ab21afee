"""The history is append-only and tamper-evident."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from app import audit
from app.audit import AuditTamperingRefused
from app.extensions import db
from app.models import AuditEvent, Role
from tests.helpers import Factory


def _three_events(make: Factory) -> list[AuditEvent]:
    region = make.region()
    actor = make.user(Role.ADMIN, region)
    return [
        audit.record(
            "test.event",
            actor=actor,
            object_type="user",
            object_id=actor.id,
            before={"n": i},
            after={"n": i + 1, "text": "«кавычки» & <теги>"},
        )
        for i in range(3)
    ]


def test_chain_verifies_and_links(make: Factory) -> None:
    events = _three_events(make)
    assert events[1].prev_hash == events[0].hash
    assert events[2].seq == events[1].seq + 1
    result = audit.verify()
    assert result.ok
    assert result.checked >= 3


def test_orm_refuses_update_and_delete(make: Factory, db_session: Any) -> None:
    event = _three_events(make)[0]
    event.reason = "changed"
    with pytest.raises(AuditTamperingRefused):
        db_session.flush()
    db_session.rollback()
    with pytest.raises(AuditTamperingRefused):
        db_session.execute(sa.update(AuditEvent).values(reason="x"))
    with pytest.raises(AuditTamperingRefused):
        db_session.execute(sa.delete(AuditEvent))


def test_database_trigger_refuses_raw_update(make: Factory, db_session: Any) -> None:
    event = _three_events(make)[1]
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), db_session.begin_nested():
        db_session.execute(
            sa.text("UPDATE audit_event SET reason = 'x' WHERE seq = :s"), {"s": event.seq}
        )


def _disable_triggers(session: Any) -> None:
    """What an attacker with database rights would do first."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("ALTER TABLE audit_event DISABLE TRIGGER USER"))
    else:
        session.execute(sa.text("DROP TRIGGER audit_event_no_update"))
        session.execute(sa.text("DROP TRIGGER audit_event_no_delete"))


def test_verify_names_the_row_edited_behind_the_apps_back(make: Factory, db_session: Any) -> None:
    events = _three_events(make)
    _disable_triggers(db_session)
    db_session.execute(
        sa.text("UPDATE audit_event SET after = :v WHERE seq = :s"),
        {"v": '{"n": 99}', "s": events[1].seq},
    )
    db.session.expire_all()
    result = audit.verify()
    assert not result.ok
    assert result.broken_seq == events[1].seq
    assert "content" in (result.problem or "")


def test_verify_notices_a_deleted_event(make: Factory, db_session: Any) -> None:
    deleted_seq = _three_events(make)[1].seq
    _disable_triggers(db_session)
    db_session.execute(sa.text("DELETE FROM audit_event WHERE seq = :s"), {"s": deleted_seq})
    db.session.expire_all()
    result = audit.verify()
    assert result.broken_seq == deleted_seq
    assert "missing" in (result.problem or "")
