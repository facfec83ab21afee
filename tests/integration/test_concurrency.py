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
    from app.notices import items
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
        notices = db.session.scalars(sa.select(Notification)).all()
        listed = [
            (n.user_id, line["obligation"], n.kind)
            for n in notices
            for _entry, line in items.lines_of(items.of(n))
        ]
        logged = db.session.scalars(sa.select(NotificationLog.subject)).all()
        days = {(n.user_id, n.kind, n.params["day"]) for n in notices}
    assert len(totals) == 2
    assert len(notices) > 0
    # One notice a person and kind, created by one of the two; every obligation listed once.
    assert sum(totals) == len(notices) == len(days) == sum(s.startswith("notice:") for s in logged)
    assert len(listed) == len(set(listed)) == sum(s.startswith("obligation:") for s in logged)
    assert len(listed) > len(notices)  # grouped: the 12 cases' obligations in a few notices


def test_a_sweep_that_loses_the_days_notice_adds_to_it(committed: Any) -> None:
    """A sweep finds the day's notice of a person claimed by another sweep that has not
    committed (and a case opened since, which the other did not see): it waits, then adds its
    obligation to that notice instead of making a second one."""
    from datetime import UTC, datetime

    from app.models import Notification, NotificationLog
    from app.notices import items
    from app.notices.sweep import SweepReport, sweep
    from app.plans import calendar

    app = committed
    moment = datetime(2023, 12, 13, 7, tzinfo=UTC)  # the rechecks of 30.11 are overdue
    with app.app_context():
        make = Factory()
        municipality = make.municipality(make.region())
        person = make.user(Role.MUNICIPAL, municipality)
        open_test_case(make.school(municipality))
        calendar.ensure_years(range(2023, 2026))  # no sweep writes the calendar meanwhile
        db.session.commit()
        person_id, municipality_id = person.id, municipality.id

    def in_app(work: Any) -> threading.Thread:
        def run() -> None:
            with app.app_context():
                work()
                db.session.commit()

        thread = threading.Thread(target=run)
        thread.start()
        return thread

    def open_second() -> None:
        from app.models import Organisation

        open_test_case(make.school(db.session.get(Organisation, municipality_id)))

    late: list[SweepReport] = []
    with app.app_context():
        first = sweep(moment)  # claims the day's overdue notice of the person, not committed
        assert first.sent == {"overdue": 1}
        in_app(open_second).join(timeout=60)
        second = in_app(lambda: late.append(sweep(moment)))

        def waiting() -> bool:
            with app.app_context():
                return bool(
                    db.session.scalar(
                        sa.text(
                            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                            " AND datname = current_database()"
                        )
                    )
                )

        for _ in range(600):
            if waiting():
                break
            threading.Event().wait(0.05)
        else:
            raise AssertionError("the second sweep never waited for the first")
        db.session.commit()
    second.join(timeout=60)
    with app.app_context():
        (notice,) = db.session.scalars(
            sa.select(Notification).where(Notification.user_id == person_id)
        ).all()
        rechecks = items.of(notice)
        subjects = db.session.scalars(sa.select(NotificationLog.subject)).all()
    (report,) = late
    assert (report.total, report.extended, report.listed) == (0, {"overdue": 1}, {"overdue": 1})
    assert notice.kind == "overdue" and [e["type"] for e in rechecks] == ["k_recheck"]
    assert len(rechecks[0]["cases"]) == 2  # the first sweep's case and the second's
    assert sorted(s.split(":")[0] for s in subjects) == ["notice", "obligation", "obligation"]
