"""Each event's hashed record is stored with it; verification ties the columns pages show to it,
and a case page re-checks only what the background check has not verified (issue 20)."""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade

from app import audit
from app.extensions import db
from app.jobs.chaincheck import verify_whole_chain
from app.models import AuditEvent, Role, VerifiedUpTo
from app.models.audit import GENESIS_HASH, canonical_json
from app.web.cases.page import HISTORY_SHOWN
from tests.conftest import BACKEND, make_app, new_database_url
from tests.helpers import Factory, login
from tests.integration.test_audit_chain import _disable_triggers

# Text a serialiser could get wrong: quotes, backslashes, control characters, Cyrillic, emoji.
AWKWARD = 'Кавычки «» "двойные" \\ обратная\nстрока\tтаб \x01 \x1f \x7f \u2028 😀 & <b>'


def _events(make: Factory, n: int = 4, case_id: int | None = None) -> list[AuditEvent]:
    region = make.region()
    actor = make.user(Role.ADMIN, region)
    return [
        audit.record(
            "test.event",
            actor=actor,
            object_type="case" if case_id else "user",
            object_id=case_id or actor.id,
            org_id=region.id,
            case_id=case_id,
            before={"n": i, "note": AWKWARD} if i else None,
            after={"n": i + 1, "list": [1, 2.5, None, True], "text": AWKWARD},
            reason=AWKWARD if i % 2 else None,
        )
        for i in range(n)
    ]


def _cli_verify(app: Flask) -> Any:
    return app.test_cli_runner().invoke(args=["audit", "verify", "--workers", "1"])


def test_the_stored_record_is_what_was_hashed_and_what_the_columns_say(
    make: Factory, app: Flask
) -> None:
    events = _events(make)
    db.session.flush()
    rows = db.session.execute(
        sa.select(
            AuditEvent.seq,
            AuditEvent.hash,
            AuditEvent.canonical,
            sa.cast(AuditEvent.after, sa.Text),
        ).where(AuditEvent.seq.in_([ev.seq for ev in events]))
    ).all()
    for seq, digest, record, after_text in rows:
        assert hashlib.sha256(record).hexdigest() == digest
        content = json.loads(record)
        assert content["seq"] == seq
        assert content["after"]["text"] == AWKWARD
        assert after_text == canonical_json(content["after"])  # the very text inside the record
    assert audit.verify().ok  # the database's own rebuild of each record agrees (PostgreSQL)
    assert audit.verify_region(events[0].org_id or 0).checked == len(events)
    result = _cli_verify(app)
    assert result.exit_code == 0, result.output
    assert "chain intact" in result.output


# A column pages show, edited behind the application's back; the record and hash left alone.
EDITS: dict[str, Any] = {
    "actor_name": "Подставной Ревизор",
    "action": "case.forged",
    "reason": "другая причина",
    "after": '{"n":99}',
    "case_id": 424242,
    "occurred_at": "2020-01-01 00:00:00",
}


@pytest.mark.parametrize("column", sorted(EDITS))
def test_a_shown_column_edited_in_the_database_fails_every_verification(
    column: str, make: Factory, db_session: Any, app: Flask
) -> None:
    events = _events(make, case_id=None if column == "case_id" else 77)
    target = events[2]
    _disable_triggers(db_session)
    db_session.execute(
        sa.text(f"UPDATE audit_event SET {column} = :v WHERE seq = :s"),  # noqa: S608
        {"v": EDITS[column], "s": target.seq},
    )
    db.session.expire_all()
    record, digest = db.session.execute(
        sa.select(AuditEvent.canonical, AuditEvent.hash).where(AuditEvent.seq == target.seq)
    ).one()
    assert hashlib.sha256(record).hexdigest() == digest  # the bytes alone still check out

    whole = audit.verify()
    assert (whole.broken_seq, whole.checked) == (target.seq, target.seq - 1)
    assert "record" in (whole.problem or "")
    assert audit.verify(span=2).broken_seq == target.seq  # checked in spans: the same answer
    assert audit.verify_region(target.org_id or 0).broken_seq == target.seq
    if column != "case_id":
        assert audit.verify_case(77).broken_seq == target.seq
    result = _cli_verify(app)
    assert result.exit_code == 1
    assert f"BROKEN at event {target.seq}" in result.output


def test_spans_are_joined_at_their_links(make: Factory, db_session: Any) -> None:
    """An event rewritten with a consistent record and hash, but linked to a forged
    predecessor, breaks at its link wherever the spans begin."""
    events = _events(make, n=6)
    target = events[2]
    _disable_triggers(db_session)
    ev = db_session.get(AuditEvent, target.seq)
    db_session.expunge(ev)
    ev.prev_hash = "f" * 64
    forged = audit.canonical_bytes(ev)
    db_session.execute(
        sa.text("UPDATE audit_event SET prev_hash = :p, canonical = :c, hash = :h WHERE seq = :s"),
        {"p": ev.prev_hash, "c": forged, "h": hashlib.sha256(forged).hexdigest(), "s": ev.seq},
    )
    db.session.expire_all()
    for span in (1, 2, 3, 1000):
        result = audit.verify(span=span)
        assert (result.broken_seq, result.problem) == (target.seq, audit.LINK), span
        assert result.checked == target.seq - 1


def test_a_deleted_event_is_missing_whatever_the_spans(make: Factory, db_session: Any) -> None:
    events = _events(make, n=5)
    _disable_triggers(db_session)
    db_session.execute(sa.text("DELETE FROM audit_event WHERE seq = :s"), {"s": events[3].seq})
    for span in (1, 2, 4, 1000):
        result = audit.verify(span=span)
        assert result.broken_seq == events[3].seq and "missing" in (result.problem or ""), span


def test_the_background_check_records_how_far_the_chain_verifies(
    make: Factory, db_session: Any, app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    events = _events(make, n=5)
    with app.app_context():
        verify_whole_chain()
    point = db.session.get(VerifiedUpTo, audit.CHAIN)
    assert point is not None
    assert (point.seq, point.hash, point.broken_seq) == (events[-1].seq, events[-1].hash, None)
    assert point.verified_by == "scheduler: chain_verify"

    _disable_triggers(db_session)
    db_session.execute(
        sa.text("UPDATE audit_event SET reason = 'x' WHERE seq = :s"), {"s": events[1].seq}
    )
    db.session.expire_all()
    with caplog.at_level(logging.ERROR), app.app_context():
        verify_whole_chain()
    db.session.expire_all()
    point = db.session.get(VerifiedUpTo, audit.CHAIN)
    assert point is not None
    assert (point.seq, point.hash) == (events[0].seq, events[0].hash)  # stops before the break
    assert point.broken_seq == events[1].seq
    assert f"BROKEN at event {events[1].seq}" in caplog.text


def _case_history(world: dict[str, Any], n: int) -> Any:
    case = world["cases"]["a1"]
    for i in range(n):
        audit.record(
            "case.note",
            actor=world["users"]["ministry"],
            object_type="case",
            object_id=case.id,
            org_id=case.school_id,
            case_id=case.id,
            after={"note": f"запись {i:03d}"},
        )
    db.session.flush()
    return case


def _status(client: FlaskClient, case_id: int) -> str:
    page = client.get(f"/cases/{case_id}").text
    return page.split('id="chain-status"', 1)[1].split("</p>", 1)[0]


def test_the_case_page_rechecks_only_what_the_background_check_has_not(
    client: FlaskClient, case_world: dict[str, Any], app: Flask
) -> None:
    case = _case_history(case_world, HISTORY_SHOWN + 40)
    with app.app_context():
        verify_whole_chain()
    _case_history(case_world, 3)  # after the background check
    total = len(audit.case_events(case.id))
    point = db.session.get(VerifiedUpTo, audit.CHAIN)
    assert point is not None
    login(client, case_world["users"]["auditor"])

    status = _status(client, case.id)
    assert f"История сопровождения проверена: {total} событи" in status
    assert "Сейчас провер" in status and f" {HISTORY_SHOWN} событи" in status  # those shown
    assert f"Ещё {total - HISTORY_SHOWN} событи" in status
    assert f"фоновой проверкой всей цепочки до события № {point.seq}" in status

    # however long the history, a view re-checks what it shows and what came after the point
    for longer in (HISTORY_SHOWN + 100, HISTORY_SHOWN + 400):
        _case_history(case_world, longer - len(audit.case_events(case.id)))
        with app.app_context():
            verify_whole_chain()
        shown = audit.case_events(case.id)[-HISTORY_SHOWN:]
        assert audit.verify_case(case.id, shown).checked == HISTORY_SHOWN
    # the whole history, asked for, is checked in full
    whole = client.get(f"/cases/{case.id}?history=all").text.split('id="chain-status"', 1)[1]
    events = len(audit.case_events(case.id))
    assert f"История сопровождения проверена: {events} событи" in whole
    assert "фоновой проверкой" not in whole.split("</p>", 1)[0]


def test_a_break_the_background_check_finds_is_shown_on_the_case_page(
    client: FlaskClient, case_world: dict[str, Any], app: Flask, db_session: Any
) -> None:
    case = _case_history(case_world, HISTORY_SHOWN + 20)
    with app.app_context():
        verify_whole_chain()
    old = audit.case_events(case.id)[5]  # verified, not shown: the page vouches for it
    _disable_triggers(db_session)
    db_session.execute(
        sa.text('UPDATE audit_event SET after = \'{"note":"подделка"}\' WHERE seq = :s'),
        {"s": old.seq},
    )
    db.session.expire_all()
    login(client, case_world["users"]["auditor"])
    assert "фоновой проверкой" in _status(client, case.id)  # not re-checked until the job runs

    with app.app_context():
        verify_whole_chain()
    status = _status(client, case.id)
    assert f"нарушение в событии № {old.seq}" in status


def test_a_new_event_after_the_point_is_checked_on_the_page(
    client: FlaskClient, case_world: dict[str, Any], app: Flask, db_session: Any
) -> None:
    case = _case_history(case_world, HISTORY_SHOWN + 5)
    with app.app_context():
        verify_whole_chain()
    newest = audit.case_events(case.id)[-1]
    _disable_triggers(db_session)
    db_session.execute(
        sa.text("UPDATE audit_event SET actor_name = 'Другой' WHERE seq = :s"), {"s": newest.seq}
    )
    db.session.expire_all()
    login(client, case_world["users"]["auditor"])
    assert f"нарушение в событии № {newest.seq}" in _status(client, case.id)


# The backfill of revision 0021 ---------------------------------------------------------------

OLD_ROWS = [
    {"before": None, "after": {"status": "open", "Имя": "Школа №1"}, "reason": None},
    {"before": {"status": "open"}, "after": {"status": "closed", "x": 1.5}, "reason": AWKWARD},
    {"before": {"a": [1, {"b": None}]}, "after": None, "reason": "ok"},
]


def _old_style(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Events as the code before revision 0021 wrote them: hashed the same way, but no record
    stored and before/after in the ORM's default JSON (spaces, Cyrillic escaped)."""
    prev, out = GENESIS_HASH, []
    for seq, row in enumerate(rows, start=1):
        at = f"2026-11-0{seq}T10:00:00.123456Z"
        content = {
            "seq": seq,
            "occurred_at": at,
            "actor_id": None,
            "actor_name": "system",
            "actor_role": "system",
            "action": "test.old",
            "object_type": "case",
            "object_id": seq,
            "org_id": None,
            "case_id": 5,
            "before": row["before"],
            "after": row["after"],
            "reason": row["reason"],
            "prev_hash": prev,
        }
        digest = hashlib.sha256(canonical_json(content).encode()).hexdigest()
        out.append(
            {
                **content,
                "occurred_at": at[:-1].replace("T", " "),
                "before": None if row["before"] is None else json.dumps(row["before"]),
                "after": None if row["after"] is None else json.dumps(row["after"]),
                "hash": digest,
            }
        )
        prev = digest
    return out


def test_the_migration_stores_the_records_of_existing_events(tmp_path: Path) -> None:
    url, drop = new_database_url(tmp_path)
    scratch = make_app(url, tmp_path)
    try:
        with scratch.app_context():
            upgrade(revision="0017")
            rows = _old_style(OLD_ROWS)
            rows[2]["reason"] = "изменено до миграции"  # tampered before: must stay broken
            db.session.execute(
                sa.text(
                    "INSERT INTO audit_event (seq, occurred_at, actor_id, actor_name, actor_role,"
                    " action, object_type, object_id, org_id, case_id, before, after, reason,"
                    " prev_hash, hash) VALUES (:seq, :occurred_at, :actor_id, :actor_name,"
                    " :actor_role, :action, :object_type, :object_id, :org_id, :case_id,"
                    " :before, :after, :reason, :prev_hash, :hash)"
                ),
                rows,
            )
            db.session.commit()
            upgrade()
            result = audit.verify()
            assert (result.checked, result.broken_seq) == (2, 3)
            assert audit.verify_case(5).broken_seq == 3
            after = db.session.scalar(
                sa.select(sa.cast(AuditEvent.after, sa.Text)).where(AuditEvent.seq == 1)
            )
            assert after == '{"status":"open","Имя":"Школа №1"}'
            with pytest.raises(sa.exc.DatabaseError, match="append-only"):
                db.session.execute(sa.text("UPDATE audit_event SET reason = 'y' WHERE seq = 1"))
            db.session.rollback()
            db.engine.dispose()
    finally:
        drop()


@pytest.mark.skipif(BACKEND != "postgresql", reason="parallel workers are PostgreSQL's")
def test_worker_processes_check_the_spans_of_a_committed_history(tmp_path: Path) -> None:
    url, drop = new_database_url(tmp_path)
    scratch = make_app(url, tmp_path)
    try:
        with scratch.app_context():
            upgrade()
            for n in range(7):
                audit.record("test.event", actor=None, object_type="x", after={"n": n})
            db.session.commit()
            result = audit.verify(workers=2, span=2)
            assert (result.ok, result.checked) == (True, 7)
            db.session.execute(sa.text("ALTER TABLE audit_event DISABLE TRIGGER USER"))
            db.session.execute(
                sa.text("UPDATE audit_event SET after = :v WHERE seq = 6"), {"v": '{"n":9}'}
            )
            db.session.commit()
            broken = audit.verify(workers=2, span=2)
            assert (broken.broken_seq, broken.checked) == (6, 5)
            db.session.remove()
            db.engine.dispose()
    finally:
        drop()
