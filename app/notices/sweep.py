"""One sweep: every notice the schedule implies as of a moment, each created exactly once.

Two claims in the notification log make it exactly once. Each obligation's notice to each
person is claimed (``obligation:<id>``, kind, offset, person): an obligation's reminder is never
sent twice. What a sweep has claimed for one person and kind then goes into that person's one
notice of the kind for the day, claimed as ``notice:<date>``: the sweep that wins it creates the
notice; a later sweep of the same day (or a concurrent one that lost) adds its obligations to
that notice and, when its e-mail has gone, queues the e-mail again with the new ones marked.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import joinedload

from app.accounts.users import acting_users
from app.extensions import db
from app.models.case import PENDING_STATUSES, Case, CaseStatus, Level, Obligation
from app.models.notify import Notification, NotificationLog
from app.models.types import utcnow
from app.models.user import User
from app.notices import items, rules
from app.plans import calendar
from app.workflows.clock import local_date, region_zone, user_zone
from app.workflows.derive import org_of_level

log = logging.getLogger(__name__)
SUPERVISOR = {
    Level.SCHOOL: Level.MUNICIPALITY,
    Level.LEADER_SCHOOL: Level.MUNICIPALITY,
    Level.METHOD_CENTRE: Level.MUNICIPALITY,
    Level.MUNICIPALITY: Level.REGION,
    Level.INSTITUTE: Level.REGION,
}
# The outbox states in which the notice's e-mail has gone (or may be going) without what a
# later sweep adds: such a notice is queued again.
RESEND = ("sent", "sending", "failed")


@dataclass
class SweepReport:
    today: Any = None
    sent: Counter[str] = field(default_factory=Counter)  # new notices by kind
    extended: Counter[str] = field(default_factory=Counter)  # today's notices given more
    listed: Counter[str] = field(default_factory=Counter)  # obligations listed, by kind
    already: int = 0  # obligation notices found claimed before

    @property
    def total(self) -> int:
        return sum(self.sent.values())


def policy() -> rules.Policy:
    """The notice policy from the settings."""
    cfg = current_app.config
    return rules.Policy(tuple(cfg["OKO_REMIND_DAYS"]), cfg["OKO_ESCALATE_AFTER_DAYS"])


def recipients(
    obligation: Obligation,
    kind: str,
    people_of: Callable[[int], list[User]] = acting_users,
) -> list[User]:
    """The responsible people; for an escalation, the supervising organisation's."""
    level = obligation.level
    if kind == rules.ESCALATION:
        supervisor = SUPERVISOR.get(level)
        if supervisor is None:
            return []
        above = org_of_level(obligation.case, supervisor)
        if above == obligation.responsible_org_id:
            return []  # the ministry acting for a school under the region answers to itself
        return people_of(above)
    if obligation.responsible_user is not None and obligation.responsible_user.active:
        return [obligation.responsible_user]
    return people_of(obligation.responsible_org_id)


def _remembered() -> Callable[[int], list[User]]:
    """acting_users asked once per organisation in a sweep: hundreds of a municipality's cases
    have the same people."""
    seen: dict[int, list[User]] = {}

    def people_of(org_id: int) -> list[User]:
        if org_id not in seen:
            seen[org_id] = acting_users(org_id)
        return seen[org_id]

    return people_of


def claim(subject: str, kind: str, offset: int, recipient: User) -> bool:
    """Insert the log row unless it exists; True when this sweep is the one that sends."""
    table = NotificationLog.__table__
    dialect = db.session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    stmt = (
        insert.values(
            subject=subject,
            kind=kind,
            offset_days=offset,
            recipient_id=recipient.id,
            created_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["subject", "kind", "offset_days", "recipient_id"])
        .returning(table.c.id)
    )
    return db.session.execute(stmt).first() is not None


def _pending_obligations(today: Any, pol: rules.Policy) -> list[Obligation]:
    horizon = today + timedelta(days=2 * max(pol.remind_days) + 14)  # covers N working days
    return list(
        db.session.scalars(
            sa.select(Obligation)
            .join(Case, Case.id == Obligation.case_id)
            .where(
                Obligation.status.in_(PENDING_STATUSES),
                Obligation.due_date.is_not(None),
                Obligation.due_date <= horizon,
                Case.status == CaseStatus.OPEN,
            )
            .options(
                joinedload(Obligation.case).joinedload(Case.campaign),
                joinedload(Obligation.measure),
                joinedload(Obligation.responsible_user),
            )
            .order_by(Obligation.due_date, Obligation.id)
        ).unique()
    )


@dataclass
class Claimed:
    """What one sweep won: the obligations (with the notice's offset) by person and kind."""

    found: dict[tuple[int, str], list[items.Found]] = field(
        default_factory=lambda: defaultdict(list)
    )
    people: dict[int, User] = field(default_factory=dict)

    def add(
        self, person: User, kind: str, obligation: Obligation, offset: int, left: int | None
    ) -> None:
        self.found[(person.id, kind)].append((obligation, offset, left))
        self.people[person.id] = person


@dataclass
class RegionClock:
    """Each region's today and working calendar: a deadline is met or missed in the region's
    own local date, with its own days off."""

    now: datetime
    first: date
    known: dict[int, tuple[date, calendar.WorkingCalendar]] = field(default_factory=dict)

    def of(self, region_id: int) -> tuple[date, calendar.WorkingCalendar]:
        if region_id not in self.known:
            today = local_date(self.now, region_zone(region_id))
            cal = calendar.load(
                self.first - timedelta(days=40), today + timedelta(days=60), region_id
            )
            self.known[region_id] = (today, cal)
        return self.known[region_id]


def _claim_obligations(now: datetime, pol: rules.Policy, report: SweepReport) -> Claimed:
    """Claim every obligation notice due by today (each region's); what this sweep won, by
    (person, kind)."""
    latest = (now + timedelta(hours=14)).date()  # no region's today is later than this
    obligations = _pending_obligations(latest, pol)
    won = Claimed()
    if not obligations:
        return won
    first = min(o.due_date for o in obligations if o.due_date is not None)
    clock = RegionClock(now, first)
    people_of = _remembered()
    for obligation in obligations:
        assert obligation.due_date is not None  # the query keeps only dated ones
        today, cal = clock.of(obligation.case.campaign.region_id)
        last_day = (
            obligation.due_date
            if obligation.due_inclusive
            else cal.previous_working(obligation.due_date - timedelta(days=1))
        )  # «до» a date: the day before is the last one
        for notice in rules.notices_due(last_day, today, cal, pol):
            for person in recipients(obligation, notice.kind, people_of):
                if claim(f"obligation:{obligation.id}", notice.kind, notice.offset, person):
                    won.add(person, notice.kind, obligation, notice.offset, notice.left)
                else:
                    report.already += 1
    return won


def todays_notice(user_id: int, kind: str, day: str) -> Notification | None:
    """The person's notice of the kind for the day, locked until the transaction ends (its
    entries are read, extended and written back whole)."""
    stmt = (
        sa.select(Notification)
        .where(
            Notification.user_id == user_id,
            Notification.kind == kind,
            Notification.params["day"].as_string() == day,
        )
        .order_by(Notification.id)
        .limit(1)
        .execution_options(populate_existing=True)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return db.session.scalars(stmt).first()


def _set_entries(notification: Notification, entries: list[items.Entry]) -> None:
    notification.params = {**notification.params, items.ENTRIES: entries}  # a new dict: JSON
    notification.case_id, notification.obligation_id = items.subject_ids(entries)


def deliver(
    person: User, kind: str, found: list[items.Found], today: date, report: SweepReport
) -> None:
    """Put what was claimed into the person's one notice of the kind for today."""
    day = today.isoformat()
    report.listed[kind] += len(found)
    existing = (
        None if claim(f"notice:{day}", kind, 0, person) else todays_notice(person.id, kind, day)
    )
    if existing is None:
        notification = Notification(
            user_id=person.id,
            kind=kind,
            params={"day": day},
            email_status="pending" if rules.mode_for(person, kind) == "each" else "skipped",
        )
        _set_entries(notification, items.added([], found))
        db.session.add(notification)
        report.sent[kind] += 1
        return
    _set_entries(existing, items.added(items.of(existing), found, utcnow().isoformat()))
    if existing.email_status in RESEND and rules.mode_for(person, kind) == "each":
        existing.email_status, existing.email_attempted_at = "pending", None
    report.extended[kind] += 1


def sweep(now: datetime | None = None) -> SweepReport:
    """Create every notice due as of ``now`` that has not been created before (one transaction,
    committed by the caller; e-mails go out after the commit)."""
    now = now or utcnow()
    today = local_date(now)
    report = SweepReport(today=today)
    won = _claim_obligations(now, policy(), report)
    for person_id, kind in sorted(won.found):  # one order in every sweep: no deadlock
        person = won.people[person_id]
        day = local_date(now, user_zone(person))  # the day of the person's region
        deliver(person, kind, won.found[(person_id, kind)], day, report)
    db.session.flush()
    log.info(
        "sweep %s: %s new notices, %s extended, %s obligations listed, %s already sent",
        today,
        dict(report.sent),
        dict(report.extended),
        dict(report.listed),
        report.already,
    )
    return report


__all__ = ["SweepReport", "sweep"]
