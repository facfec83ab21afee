"""Twenty people press the same button at once: exactly one wins (PostgreSQL, real threads)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from app.errors import DomainError
from app.extensions import db
from app.models import AuditEvent, Case, CaseStage, Obligation, Role, User
from app.workflows import obligations as ops
from app.workflows.cases import act_on_case
from tests.conftest import BACKEND, make_app, new_database_url, upgrade_schema
from tests.helpers import Factory, hand_in, open_test_case

pytestmark = pytest.mark.postgres_only
ATTEMPTS = 20


@pytest.fixture
def committed(tmp_path: Path) -> Any:
    """An app on its own database where every change is committed for real."""
    if BACKEND != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    url, drop = new_database_url(tmp_path)
    # One connection per thread: the default pool (5 + 10 overflow) would starve the barrier.
    app = make_app(url, tmp_path, SQLALCHEMY_ENGINE_OPTIONS={"pool_size": ATTEMPTS + 5})
    upgrade_schema(app)
    yield app
    with app.app_context():
        db.engine.dispose()
    drop()


def test_twenty_concurrent_closings_one_wins(committed: Any) -> None:
    app = committed
    with app.app_context():
        make = Factory()
        region = make.region()
        municipality = make.municipality(region)
        school = make.school(municipality)
        ministry = make.user(Role.MINISTRY, region)
        municipal = make.user(Role.MUNICIPAL, municipality)
        case = open_test_case(school)
        order = case.obligations[0]
        hand_in(order, municipal)
        ops.review(order.id, accept=True, actor=ministry, expected_version=None)
        db.session.commit()
        case_id, version, ministry_id = case.id, case.version, ministry.id

    barrier = threading.Barrier(ATTEMPTS, timeout=30)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt() -> None:
        with app.app_context():
            actor = db.session.get(User, ministry_id)
            barrier.wait()
            try:
                act_on_case(
                    case_id,
                    "close_escalated",
                    actor=actor,
                    expected_version=version,
                    reason="Школа снова в перечне",
                )
                db.session.commit()
                result = "ok"
            except DomainError as err:
                db.session.rollback()
                result = f"refused: {err.message}"
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=attempt) for _ in range(ATTEMPTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert len(outcomes) == ATTEMPTS
    assert outcomes.count("ok") == 1, outcomes
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case is not None and case.stage == "closed"
        assert case.version > version
        visits = db.session.scalars(
            sa.select(CaseStage.stage).where(CaseStage.case_id == case_id).order_by(CaseStage.id)
        ).all()
        assert visits == ["recheck", "closed"]
        waivers = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.case_id == case_id, AuditEvent.action == "obligation.waived")
        )
        owed = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Obligation)
            .where(Obligation.case_id == case_id, Obligation.status == "waived")
        )
        assert waivers == owed > 0  # waived once each, by the one closing that won
        from app import audit

        assert audit.verify().ok


def test_two_concurrent_sweeps_send_each_notice_once(committed: Any) -> None:
    """A second scheduler started by mistake, or a manual rerun at the same moment."""
    from datetime import UTC, datetime, time, timedelta

    from app.models import Notification, NotificationLog
    from app.notices.sweep import sweep

    app = committed
    with app.app_context():
        make = Factory()
        region = make.region()
        municipalities = [make.municipality(region) for _ in range(3)]
        for municipality in municipalities:
            make.user(Role.MUNICIPAL, municipality)
            make.user(Role.MUNICIPAL, municipality)
            for _ in range(4):
                open_test_case(make.school(municipality))
        make.user(Role.MINISTRY, region)
        db.session.commit()
        moment = datetime.combine(datetime(2023, 11, 3).date() + timedelta(days=40), time(7), UTC)

    barrier = threading.Barrier(2, timeout=30)
    totals: list[int] = []

    def run() -> None:
        with app.app_context():
            barrier.wait()
            report = sweep(moment)
            db.session.commit()
            totals.append(report.total)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    with app.app_context():
        notices = db.session.scalar(sa.select(sa.func.count()).select_from(Notification))
        logged = db.session.scalar(sa.select(sa.func.count()).select_from(NotificationLog))
        distinct = db.session.execute(
            sa.select(
                Notification.user_id, Notification.obligation_id, Notification.kind
            ).distinct()
        ).all()
    assert len(totals) == 2
    assert notices > 0
    assert sum(totals) == notices == logged == len(distinct)
