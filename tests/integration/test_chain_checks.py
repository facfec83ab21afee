"""A region's history is verified in the background, never inside a request, and the page shows
the region's own count and result (issue 17)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask.testing import FlaskClient

from app import audit
from app.extensions import db
from app.jobs.chaincheck import run_queued_checks
from app.models import AuditEvent, ChainCheck
from tests.helpers import login


def _events(world: dict[str, Any]) -> None:
    for key, org in (("ministry", world["region"]), ("ministry_x", world["other_region"])):
        for n in range(3):
            audit.record(
                "test.event",
                actor=world["users"][key],
                object_type="org",
                object_id=org.id,
                org_id=org.id,
                after={"n": n},
            )


def test_verifying_is_queued_by_the_page_and_run_by_the_job(
    world: dict[str, Any], client: FlaskClient, app: Any
) -> None:
    _events(world)
    db.session.commit()
    login(client, world["users"]["auditor"])
    queued = client.post("/audit/verify", data={})
    assert queued.status_code == 302
    check = db.session.scalars(sa.select(ChainCheck)).one()
    assert check.status == "queued" and check.region_id == world["region"].id
    assert "Проверка истории региона идёт" in client.get("/audit").text

    with app.app_context():
        run_queued_checks()

    page = client.get("/audit").text
    mine = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(AuditEvent)
        .where(audit.region_events_clause(world["region"].id))
    )
    everyone = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    assert mine < everyone  # the other region's events are neither counted nor shown
    assert f"Цепочка не нарушена: проверено {mine} событи" in page  # with its plural form


def test_a_tampered_event_of_the_region_is_found(world: dict[str, Any], db_session: Any) -> None:
    from tests.integration.test_audit_chain import _disable_triggers

    _events(world)
    target = db.session.scalars(
        sa.select(AuditEvent.seq).where(AuditEvent.org_id == world["region"].id)
    ).first()
    _disable_triggers(db_session)
    db_session.execute(
        sa.text("UPDATE audit_event SET after = :v WHERE seq = :s"), {"v": '{"n": 9}', "s": target}
    )
    db.session.expire_all()
    result = audit.verify_region(world["region"].id)
    assert result.broken_seq == target
    assert audit.verify_region(world["other_region"].id).ok


def test_a_school_cannot_ask_for_a_verification(world: dict[str, Any], client: FlaskClient) -> None:
    login(client, world["users"]["school_a1"])
    assert client.post("/audit/verify", data={}).status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ChainCheck)) == 0


def test_a_break_the_whole_chain_walk_finds_is_shown_to_the_region_it_is_in(
    world: dict[str, Any], client: FlaskClient, app: Any, db_session: Any
) -> None:
    from app.jobs.chaincheck import verify_whole_chain
    from tests.integration.test_audit_chain import _disable_triggers

    _events(world)
    target = db.session.scalars(
        sa.select(AuditEvent.seq).where(AuditEvent.org_id == world["region"].id)
    ).first()
    with app.app_context():
        verify_whole_chain()
    login(client, world["users"]["auditor"])
    assert 'id="chain-break"' not in client.get("/audit").text

    _disable_triggers(db_session)
    db_session.execute(sa.text("UPDATE audit_event SET reason = 'x' WHERE seq = :s"), {"s": target})
    db.session.expire_all()
    with app.app_context():
        verify_whole_chain()
    page = client.get("/audit").text
    assert f"Фоновая проверка всей цепочки нашла нарушение в событии № {target}" in page
    client.post("/logout", data={})
    login(client, world["users"]["ministry_x"])  # another region's ministry
    other = client.get("/audit")
    assert other.status_code == 200
    assert 'id="chain-break"' not in other.text
