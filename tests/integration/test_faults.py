"""Fault tests: the real processes die by SIGKILL at the worst moments, and nothing is lost or
done twice.

The web server is gunicorn started as in production (``gunicorn.conf.py``, ``wsgi:app``) and is
killed, master and workers, in the middle of an upload's body, after the file is in the store but
before the commit, and after the commit before the browser saw the answer. The scheduler's sweep
(``flask deadlines sweep``) is killed inside its transaction and in the middle of sending the
e-mails to a real SMTP server that outlives it. Every kill point is reached by observing the
process (the store, the database, the SMTP conversation), never by guessing a delay.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from app import audit
from app.extensions import db
from app.models import AuditEvent, Notification, NotificationLog, Obligation, Role, User
from app.models.case import ObligationStatus
from app.models.document import Document, DocumentVersion, ReviewStatus
from app.models.types import utcnow
from app.notices import items
from app.notices.mail import STALE
from app.plans import calendar
from tests.conftest import BACKEND, make_app, new_database_url, upgrade_schema
from tests.helpers import Factory, hand_in, open_test_case
from tests.integration.processes import (
    Browser,
    Committed,
    MailSink,
    Process,
    gunicorn,
    settled,
    wait_for,
)

pytestmark = [pytest.mark.faults, pytest.mark.slow]


@pytest.fixture
def committed(tmp_path: Path) -> Iterator[Committed]:
    """A fresh database where every change is committed; every process started is killed at
    the end, whatever happened."""
    url, drop = new_database_url(tmp_path)
    app = make_app(url, tmp_path)
    upgrade_schema(app)
    world = Committed(app, url, tmp_path / "storage", tmp_path)
    try:
        yield world
    finally:
        for proc in world.started:
            proc.kill()
        with app.app_context():
            db.engine.dispose()
        drop()


# --- the web server killed during an upload -----------------------------------------------


def _large_pdf(size: int) -> bytes:
    """A valid PDF of about ``size`` bytes: one page of text and a large unreferenced stream of
    random bytes (so every test stores a content of its own)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length 40 >>\nstream\nBT /F1 14 Tf 72 760 Td (Prikaz) Tj ET   \nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    blob = os.urandom(size)
    objects.append(b"<< /Length %d >>\nstream\n" % len(blob) + blob + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


@dataclass
class UploadWorld:
    obligation_id: int
    case_id: int
    document_id: int
    email: str


def _seed_returned_order(app: Flask) -> UploadWorld:
    """A case whose municipal order was handed in (version 1) and returned: the municipality
    now uploads version 2."""
    from app.workflows import obligations as ops

    with app.app_context():
        make = Factory()
        region = make.region()
        municipality = make.municipality(region)
        ministry = make.user(Role.MINISTRY, region)
        municipal = make.user(Role.MUNICIPAL, municipality)
        case = open_test_case(make.school(municipality))
        order = case.obligations[0]
        hand_in(order, municipal)
        ops.review(
            order.id, accept=False, actor=ministry, expected_version=None, comment="Нет подписи"
        )
        db.session.commit()
        assert order.document_id is not None
        world = UploadWorld(order.id, case.id, order.document_id, municipal.email)
        db.session.remove()
    return world


class ChainHeld:
    """Holds the database back so that an upload stops after its file is stored and before it
    commits: the audit chain's advisory lock on PostgreSQL, the write lock on SQLite."""

    def __init__(self, world: Committed) -> None:
        self.world = world
        if BACKEND == "postgresql":
            with world.app.app_context():
                self.conn: Any = db.engine.connect()
            self.conn.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": audit.CHAIN_LOCK_KEY})
            self.conn.commit()
        else:
            self.conn = sqlite3.connect(
                sa.engine.make_url(world.url).database or "", isolation_level=None
            )
            self.conn.execute("BEGIN IMMEDIATE")

    def release(self) -> None:
        if BACKEND == "postgresql":
            self.conn.execute(sa.text("SELECT pg_advisory_unlock_all()"))
            self.conn.commit()
        else:
            self.conn.execute("ROLLBACK")
        self.conn.close()


@dataclass
class Snapshot:
    versions: list[tuple[int, str]]
    status: ObligationStatus
    submitted_events: int
    uploaded_events: int


def _snapshot(world: Committed, up: UploadWorld) -> Snapshot:
    """The upload's outcome as the database holds it, after checking the invariants: every
    version's file is complete, a submitted obligation has its version, the chain verifies."""
    with world.app.app_context():
        for version in db.session.scalars(sa.select(DocumentVersion)):
            path = world.storage / version.sha256[:2] / version.sha256[2:4] / version.sha256
            content = path.read_bytes()  # a row never points at a missing file ...
            assert hashlib.sha256(content).hexdigest() == version.sha256  # ... or a partial one
            assert len(content) == version.size
        obligation = db.session.get(Obligation, up.obligation_id)
        document = db.session.get(Document, up.document_id)
        assert obligation is not None and document is not None
        if obligation.status is ObligationStatus.SUBMITTED:
            assert document.latest is not None
            assert document.latest.review_status is ReviewStatus.PENDING
        assert audit.verify().ok

        def events(action: str) -> int:
            return int(
                db.session.scalar(
                    sa.select(sa.func.count())
                    .select_from(AuditEvent)
                    .where(AuditEvent.action == action)
                )
                or 0
            )

        snap = Snapshot(
            [(v.number, v.sha256) for v in document.versions],
            obligation.status,
            events("obligation.submitted"),
            events("document.uploaded"),
        )
        db.session.remove()
    return snap


def _stored(world: Committed, data: bytes) -> Path:
    sha = hashlib.sha256(data).hexdigest()
    return world.storage / sha[:2] / sha[2:4] / sha


def _versions(world: Committed, up: UploadWorld) -> int:
    with world.app.app_context():
        count = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(DocumentVersion)
            .where(DocumentVersion.document_id == up.document_id)
        )
        db.session.remove()
    return int(count or 0)


@pytest.mark.parametrize("moment", ["mid_body", "file_stored", "committed"])
def test_web_server_killed_during_an_upload(committed: Committed, moment: str) -> None:
    """SIGKILL gunicorn (master and workers) while an upload is under way: half-way through the
    body, after the file is in the store but before the commit, or after the commit before the
    browser saw the answer. After a restart the upload is wholly there or wholly absent (a stored
    file may stay behind, unreferenced), and sending it again gives exactly one new version."""
    if moment == "file_stored" and BACKEND == "sqlite":
        # A writing request takes SQLite's write lock as its transaction begins (BEGIN
        # IMMEDIATE), before it stores the file: nothing outside can hold it back between the
        # store and the commit. The order of the two is the same code on PostgreSQL.
        pytest.skip("on SQLite nothing can hold an upload between its store and its commit")
    world = committed
    up = _seed_returned_order(world.app)
    before = _snapshot(world, up)
    assert [n for n, _sha in before.versions] == [1]
    assert before.status is ObligationStatus.RETURNED
    data = _large_pdf(6 * 1024 * 1024)
    new_version = (2, hashlib.sha256(data).hexdigest())
    server, port = gunicorn(world)
    browser = Browser(port, up.email)
    form = browser.upload_form(up.case_id, up.obligation_id)
    conn, body = browser.start_upload(up.obligation_id, form, data)

    if moment == "mid_body":
        for start in range(0, len(body) // 2, 64 * 1024):  # a slow client, half-way through
            conn.send(body[start : start + 64 * 1024])
        server.kill()
    elif moment == "file_stored":
        held = ChainHeld(world)
        try:
            conn.send(body)
            wait_for(_stored(world, data).exists, "the file in the store", server)
            server.kill()
        finally:
            held.release()
    else:
        conn.send(body)
        wait_for(lambda: _versions(world, up) == 2, "the commit", server)
        server.kill()
    conn.close()
    settled(world)

    after_kill = _snapshot(world, up)
    if moment == "committed":
        assert after_kill.versions == [*before.versions, new_version]
        assert after_kill.status is ObligationStatus.SUBMITTED
    else:
        assert after_kill == before
        stored = _stored(world, data)
        if moment == "file_stored":  # complete (renamed after fsync), referenced by nothing
            assert stored.read_bytes() == data
        else:
            assert not stored.exists()

    _server, browser.port = gunicorn(world)
    if moment != "committed":
        form = browser.upload_form(up.case_id, up.obligation_id)
    # after "committed" the user never saw the answer and sends the very same form again
    assert browser.upload(up.obligation_id, form, data).endswith(
        f"/cases/{up.case_id}#obligation-{up.obligation_id}"
    )
    final = _snapshot(world, up)
    assert final.versions == [*before.versions, new_version]
    assert final.status is ObligationStatus.SUBMITTED
    assert final.submitted_events == before.submitted_events + 1
    assert final.uploaded_events == before.uploaded_events + 1
    assert _stored(world, data).read_bytes() == data


# --- the scheduler killed during a sweep --------------------------------------------------


Key = tuple[
    str, int
]  # an obligation a notice or an e-mail lists: (recipient's address, obligation)


@dataclass
class SweepWorld:
    day: date
    expected: set[Key]  # every obligation the due-day notices list, with its recipient
    people: set[str]  # the recipients: one due-day notice and one e-mail each


def _seed_due_obligations(app: Flask, municipalities: int = 5, schools: int = 30) -> SweepWorld:
    """150 cases whose rechecks (owed by their municipalities) fall due the same day; two people
    in each municipality: 10 due-day notices and e-mails, each listing its municipality's 30."""
    with app.app_context():
        make = Factory()
        region = make.region()
        make.user(Role.MINISTRY, region)
        expected: set[Key] = set()
        people: set[str] = set()
        days = set()
        for _ in range(municipalities):
            municipality = make.municipality(region)
            staff = [make.user(Role.MUNICIPAL, municipality) for _ in range(2)]
            people |= {person.email for person in staff}
            for _ in range(schools):
                case = open_test_case(make.school(municipality))
                # The recheck (30.11.2023): the campaign's first term, alone on its day.
                order = next(o for o in case.obligations if o.obligation_type == "k_recheck")
                days.add(order.due_date)
                expected |= {(person.email, order.id) for person in staff}
        assert len(days) == 1
        # The calendar the sweep reads is loaded now, so that its first write is its first claim.
        calendar.ensure_years(range(min(days).year, min(days).year + 3))
        db.session.commit()
        db.session.remove()
    return SweepWorld(days.pop(), expected, people)


def _sweep_writing(world: Committed) -> bool:
    """Whether another process holds an uncommitted write transaction on the database."""
    if BACKEND == "postgresql":
        with world.app.app_context():
            found = db.session.scalar(
                sa.text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid() AND backend_type = 'client backend' "
                    "AND backend_xid IS NOT NULL"
                )
            )
            db.session.remove()
        return bool(found)
    probe = sqlite3.connect(
        sa.engine.make_url(world.url).database or "", isolation_level=None, timeout=0
    )
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError as exc:
        if "locked" not in str(exc):
            raise
        return True
    finally:
        probe.close()


@dataclass
class Outbox:
    listed: list[Key]  # what the in-app notices list
    notices: Counter[str]  # notices by recipient
    statuses: Counter[str]  # the outbox by status
    logged: list[Key]  # the obligation claims of the notification log
    days: Counter[str]  # the day's notice claims, by recipient


def _outbox(world: Committed) -> Outbox:
    """The in-app notices, the outbox by status and the notification log, sorted."""
    with world.app.app_context():
        rows = db.session.execute(
            sa.select(User.email, Notification).join(User, User.id == Notification.user_id)
        ).all()
        log = db.session.execute(
            sa.select(User.email, NotificationLog.subject, NotificationLog.kind).join(
                User, User.id == NotificationLog.recipient_id
            )
        ).all()
        listed = sorted(
            (email, line["obligation"])
            for email, notification in rows
            for _entry, line in items.lines_of(items.of(notification))
        )
        notices = Counter(email for email, _n in rows)
        statuses = Counter(notification.email_status for _e, notification in rows)
        db.session.remove()
    assert {kind for _e, _s, kind in log} <= {"due_today"}
    logged = sorted(
        (email, int(subject.removeprefix("obligation:")))
        for email, subject, _k in log
        if subject.startswith("obligation:")
    )
    days = Counter(email for email, subject, _k in log if subject.startswith("notice:"))
    return Outbox(listed, notices, statuses, logged, days)


def _sweep(world: Committed, sink: MailSink, day: date) -> Process:
    return world.start(
        "sweep",
        ["flask", "deadlines", "sweep", "--now", day.isoformat()],
        OKO_SMTP_HOST="127.0.0.1",
        OKO_SMTP_PORT=str(sink.port),
    )


@pytest.fixture
def sink() -> Iterator[MailSink]:
    server = MailSink()
    yield server
    server.stop()


def _finish_and_check(world: Committed, sink: MailSink, seeded: SweepWorld) -> None:
    """A sweep to completion leaves every obligation listed once, in one notice a person, and
    every e-mail delivered once; one more sweep creates and sends nothing."""
    _sweep(world, sink, seeded.day).finish()
    outbox = _outbox(world)
    assert outbox.listed == outbox.logged == sorted(seeded.expected)  # each exactly once
    assert outbox.notices == outbox.days == Counter(seeded.people)  # one notice a person
    assert outbox.statuses == {"sent": len(seeded.people)}
    assert sink.recipients() == Counter(seeded.people)  # each e-mail arrived exactly once
    assert sink.received() == Counter(seeded.expected)  # listing each obligation once
    output = _sweep(world, sink, seeded.day).finish()
    assert "0 new notices" in output and "0 of today's extended" in output, output
    assert "E-mails sent: 0." in output, output
    assert _outbox(world).listed == outbox.listed
    assert len(sink.messages) == len(seeded.people)


def test_scheduler_killed_inside_the_sweep_transaction(
    committed: Committed, sink: MailSink
) -> None:
    """SIGKILL the sweep while it has claimed notices but not committed: none of them counts,
    and the next sweep creates and sends every one."""
    world = committed
    seeded = _seed_due_obligations(world.app)
    sweep = _sweep(world, sink, seeded.day)
    wait_for(lambda: _sweep_writing(world), "the sweep to start writing", sweep)
    sweep.kill()
    settled(world)
    assert _outbox(world) == Outbox([], Counter(), Counter(), [], Counter())
    assert sink.messages == []
    _finish_and_check(world, sink, seeded)


def test_scheduler_killed_while_sending_the_emails(committed: Committed, sink: MailSink) -> None:
    """SIGKILL the sweep after 4 of its 10 e-mails: the notices stand, the 4 are not sent
    again and the other 6 go out once when the outbox retries the stale claims."""
    world = committed
    seeded = _seed_due_obligations(world.app)
    sent_before_kill = 4
    sink.hold_before(sent_before_kill)
    sweep = _sweep(world, sink, seeded.day)
    wait_for(sink.holding.is_set, "the sweep to be sending", sweep)
    sweep.kill()
    sink.release()
    settled(world)
    outbox = _outbox(world)
    assert outbox.listed == outbox.logged == sorted(seeded.expected)
    assert len(sink.messages) == sent_before_kill
    assert outbox.statuses == {
        "sent": sent_before_kill,
        "sending": len(seeded.people) - sent_before_kill,
    }
    # The outbox retries a claim once it is STALE old (the scheduler's minutely job would, ten
    # minutes later); move the dead process's claims into the past instead of waiting.
    with world.app.app_context():
        db.session.execute(
            sa.update(Notification)
            .where(Notification.email_status == "sending")
            .values(email_attempted_at=utcnow() - STALE - timedelta(minutes=1))
        )
        db.session.commit()
        db.session.remove()
    _finish_and_check(world, sink, seeded)
