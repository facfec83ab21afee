"""The history is append-only and tamper-evident."""

from __future__ import annotations

import json
from pathlib import Path
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


def test_events_after_a_rolled_back_savepoint_follow_the_chain_s_real_head(
    make: Factory,
) -> None:
    kept = _three_events(make)[-1]
    with db.session.begin_nested() as savepoint:
        gone = audit.record("test.event", actor=None, object_type="user", object_id=1)
        savepoint.rollback()
    after = audit.record("test.event", actor=None, object_type="user", object_id=2)
    assert after.seq == kept.seq + 1 == gone.seq
    assert after.prev_hash == kept.hash
    assert audit.verify().ok


def _stored(seqs: list[int]) -> int:
    table = AuditEvent.__table__
    found = db.session.execute(
        sa.select(sa.func.count()).select_from(table).where(table.c.seq.in_(seqs))
    )
    return int(found.scalar_one())  # a Core read: it does not flush the session first


def test_a_batch_inserts_its_events_together_at_its_end_and_the_chain_verifies(
    make: Factory,
) -> None:
    first = _three_events(make)[-1]
    with audit.batch():
        events = [
            audit.record("test.event", actor=None, object_type="user", object_id=i)
            for i in range(4)
        ]
        assert _stored([e.seq for e in events]) == 0  # queued, not one flush each
    assert _stored([e.seq for e in events]) == 4
    assert [e.seq for e in events] == list(range(first.seq + 1, first.seq + 5))
    assert events[0].prev_hash == first.hash and events[3].prev_hash == events[2].hash
    assert audit.verify().ok


def test_a_batch_cut_short_in_a_savepoint_leaves_the_chain_at_its_real_head(
    make: Factory,
) -> None:
    kept = _three_events(make)[-1]

    def failing_loop() -> None:
        with db.session.begin_nested(), audit.batch():
            audit.record("test.event", actor=None, object_type="user", object_id=1)
            raise RuntimeError("the loop fails half-way")

    with pytest.raises(RuntimeError):
        failing_loop()
    after = audit.record("test.event", actor=None, object_type="user", object_id=2)
    assert after.seq == kept.seq + 1 and after.prev_hash == kept.hash
    assert audit.verify().ok


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


# Checkpoints kept outside: a rewrite with recomputed hashes, a truncation or a reordering fails


def _rewrite_from(seq: int, session: Any, change: Any) -> None:
    """Change the events from ``seq`` on as someone with database access would, recomputing
    every record and hash after it so that the chain alone verifies."""
    from app.models.audit import GENESIS_HASH, canonical_json

    rows = list(session.scalars(sa.select(AuditEvent).order_by(AuditEvent.seq)))
    prev = GENESIS_HASH
    for ev in rows:
        session.expunge(ev)
        if ev.seq >= seq:
            change(ev)
            ev.prev_hash = prev
            ev.hash = audit.event_digest(ev)
            session.execute(
                sa.text(
                    "UPDATE audit_event SET after = :after, prev_hash = :p, hash = :h, "
                    "canonical = :c WHERE seq = :s"
                ),
                {
                    "after": canonical_json(ev.after),
                    "p": ev.prev_hash,
                    "h": ev.hash,
                    "c": audit.canonical_bytes(ev),
                    "s": ev.seq,
                },
            )
        prev = ev.hash


@pytest.fixture
def signed(make: Factory, tmp_path: Path, app: Any) -> tuple[list[AuditEvent], Path, Path, str]:
    """Three events, the signing key and a checkpoint of the head written by the commands."""
    events = _three_events(make)
    db.session.commit()
    runner = app.test_cli_runner()
    key, point = tmp_path / "audit.key", tmp_path / "checkpoint.json"
    made = runner.invoke(args=["audit", "keygen", "--out", str(key)])
    assert made.exit_code == 0, made.output
    public = made.output.rsplit(": ", 1)[1].strip()
    taken = runner.invoke(args=["audit", "checkpoint", "--key", str(key), "--out", str(point)])
    assert taken.exit_code == 0, taken.output
    return events, key, point, public


def _verify_against(app: Any, point: Path, public: str) -> Any:
    return app.test_cli_runner().invoke(
        args=["audit", "verify", "--against", str(point), "--public-key", public]
    )


def test_the_history_verifies_against_its_checkpoint(signed: Any, app: Any, make: Factory) -> None:
    _events, _key, point, public = signed
    _three_events(make)  # history goes on after the checkpoint
    db.session.commit()
    result = _verify_against(app, point, public)
    assert result.exit_code == 0, result.output
    assert "checkpoint" in result.output


def test_a_history_rewritten_with_recomputed_hashes_fails_the_checkpoint(
    signed: Any, app: Any, db_session: Any
) -> None:
    events, _key, point, public = signed
    _disable_triggers(db_session)
    _rewrite_from(events[1].seq, db_session, lambda ev: ev.after.update(n=99))
    db_session.commit()
    assert audit.verify().ok  # the chain alone no longer tells
    result = _verify_against(app, point, public)
    assert result.exit_code == 1
    assert "rewritten" in result.output


def test_dropping_the_newest_events_fails_the_checkpoint(
    signed: Any, app: Any, db_session: Any
) -> None:
    events, _key, point, public = signed
    _disable_triggers(db_session)
    db_session.execute(sa.text("DELETE FROM audit_event WHERE seq >= :s"), {"s": events[2].seq})
    db_session.commit()
    assert audit.verify().ok
    result = _verify_against(app, point, public)
    assert result.exit_code == 1
    assert "ends at event" in result.output


def test_a_forged_checkpoint_is_refused(signed: Any, app: Any) -> None:
    _events, _key, point, public = signed
    data = json.loads(point.read_text())
    data["seq"] = 1
    point.write_text(json.dumps(data))
    result = _verify_against(app, point, public)
    assert result.exit_code == 1
    assert "signature" in result.output
    _other, other_public = audit.new_signing_key()
    assert _verify_against(app, point, other_public).exit_code == 1
