"""One sweep: every notice the schedule implies as of a moment, each created exactly once.

Two claims in the notification log make it exactly once. Each obligation's notice to each
person is claimed (``obligation:<id>``, kind, offset, person): an obligation's reminder is never
sent twice. What a sweep has claimed for one person and kind then goes into that person's one
notice of the kind for the day, claimed as ``notice:<date>``: the sweep that wins it creates the
notice; a later sweep of the same day (or a concurrent one that lost) adds its obligations to
that notice and, when its e-mail has gone, queues the e-mail again with the new ones marked.

The sweep is set-based: whatever the number of obligations and people, it reads the due
obligations, their people and the calendars in a few plain-row queries, claims every obligation
notice in one ``INSERT … SELECT … ON CONFLICT DO NOTHING RETURNING`` (the rows passed as one
JSON parameter), claims the day's notices in another and inserts the new notices in a third.
Claims go in one fixed order (by their key), so two sweeps at once wait for each other instead
of deadlocking, and the one that loses a claim sends nothing for it.
"""

from __future__ import annotations

import gc
import json
import logging
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased
from sqlalchemy.orm.util import identity_key

from app.extensions import db
from app.models.case import PENDING_STATUSES, Campaign, Case, CaseStatus, Level, Obligation
from app.models.notify import Notification, NotificationLog
from app.models.org import Organisation, OrgKind
from app.models.plan import PlanMeasure, Scope
from app.models.types import UTCDateTime, utcnow
from app.models.user import ACTING_ROLE, Role, User
from app.notices import items, rules
from app.plans import calendar
from app.workflows.clock import local_date, zone

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
LOG_KEY = ["subject", "kind", "offset_days", "recipient_id"]


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


def _insert(table: sa.Table) -> Any:
    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def claim(subject: str, kind: str, offset: int, recipient: User) -> bool:
    """Insert the log row unless it exists; True when this caller is the one that sends (one
    claim: the digest and the notices of events; the sweep claims all of its own at once)."""
    table = NotificationLog.__table__
    stmt = (
        _insert(table)
        .values(
            subject=subject,
            kind=kind,
            offset_days=offset,
            recipient_id=recipient.id,
            created_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=LOG_KEY)
        .returning(table.c.id)
    )
    return db.session.execute(stmt).first() is not None


# --- many rows in one parameter -------------------------------------------------------------


def _json_rows(
    rows: Sequence[dict[str, Any]], columns: dict[str, Any], *extra: Any
) -> sa.Select[Any]:
    """A SELECT giving back ``rows`` (each a dict of the ``columns``, name → SQL type, or
    ``sa.JSON`` for a nested value, copied as its JSON text), then the ``extra`` columns, in
    the rows' order, from one JSON parameter: one statement whatever their number, and no
    limit on bound parameters."""
    nested = [name for name, kind in columns.items() if kind is sa.JSON]
    if nested:
        rows = [{**row, **{name: json.dumps(row[name]) for name in nested}} for row in rows]
    text = sa.literal(json.dumps(list(rows), ensure_ascii=False), sa.Text)
    if db.session.get_bind().dialect.name == "postgresql":
        elements = (
            sa.func.jsonb_array_elements(sa.cast(text, postgresql.JSONB))  # parsed once
            .table_valued("value", with_ordinality="n")
            .render_derived()
        )

        def value(name: str, kind: Any) -> Any:
            return sa.cast(
                elements.c.value.op("->>")(name), postgresql.JSON if kind is sa.JSON else kind
            )

        order = elements.c.n
    else:
        elements = sa.func.json_each(text).table_valued("value", "key")

        def value(name: str, kind: Any) -> Any:
            return sa.func.json_extract(elements.c.value, f"$.{name}")

        order = elements.c.key
    # WHERE true: SQLite needs a WHERE in an INSERT … SELECT with an upsert clause.
    return (
        sa.select(*(value(name, kind).label(name) for name, kind in columns.items()), *extra)
        .select_from(elements)
        .where(sa.true())
        .order_by(order)
    )


def _ids(values: Iterable[int]) -> sa.Select[Any]:
    """The ids as a one-column SELECT (one parameter however many)."""
    return _json_rows([{"id": v} for v in sorted(set(values))], {"id": sa.Integer})


# --- what is due, to whom --------------------------------------------------------------------


class _Scope(NamedTuple):
    scope: Scope


_SCOPES = {s: _Scope(s) for s in Scope}


@dataclass(frozen=True, slots=True)
class Owed:
    """A due obligation as the sweep reads it: a plain row with its case's organisations."""

    id: int
    case_id: int
    measure_id: int
    period: str
    obligation_type: str
    level: Level
    responsible_org_id: int
    responsible_user_id: int | None
    due_date: date
    due_inclusive: bool
    region_id: int
    municipality_id: int | None
    region_zone: str | None
    scope: Scope  # the measure's

    @property
    def measure(self) -> _Scope:
        """What items.new_entry() reads of the measure."""
        return _SCOPES[self.scope]


@dataclass(frozen=True, slots=True)
class Person:
    """A recipient as the sweep reads it (what rules.mode_for() and the day need)."""

    id: int
    organisation_id: int
    role: Role
    org_kind: OrgKind | None
    email_mode: str
    modes: str | None  # notice_modes as its JSON text: decoded only for who gets a notice
    zone: str | None  # of the region the person works in

    @property
    def notice_modes(self) -> dict[str, str] | None:
        """What rules.mode_for() reads."""
        return json.loads(self.modes) if self.modes else None


def _due_obligations(today: date, pol: rules.Policy) -> list[Owed]:
    """Every owed obligation of an open case with a due date up to the horizon, one query."""
    horizon = today + timedelta(days=2 * max(pol.remind_days) + 14)  # covers N working days
    region = aliased(Organisation)
    rows = db.session.execute(
        sa.select(
            Obligation.id,
            Obligation.case_id,
            Obligation.measure_id,
            Obligation.period,
            Obligation.obligation_type,
            Obligation.level,
            Obligation.responsible_org_id,
            Obligation.responsible_user_id,
            Obligation.due_date,
            Obligation.due_inclusive,
            Campaign.region_id,
            Case.municipality_id,
            region.timezone,
            PlanMeasure.scope,
        )
        .join(Case, Case.id == Obligation.case_id)
        .join(Campaign, Campaign.id == Case.campaign_id)
        .join(PlanMeasure, PlanMeasure.id == Obligation.measure_id)
        .outerjoin(region, region.id == Campaign.region_id)
        .where(
            Obligation.status.in_(PENDING_STATUSES),
            Obligation.due_date.is_not(None),
            Obligation.due_date <= horizon,
            Case.status == CaseStatus.OPEN,
        )
        .order_by(Obligation.due_date, Obligation.id)
    ).tuples()
    return [Owed(*row) for row in rows]


@dataclass
class People:
    """The active people the due obligations may go to: by id, and each organisation's acting
    people (accounts.users.acting_users()) oldest account first."""

    by_id: dict[int, Person]
    acting: dict[int, list[Person]]

    def of(self, org_id: int) -> list[Person]:
        return self.acting.get(org_id, [])


def _people(owed: list[Owed]) -> People:
    """In one query: the named responsible people and everyone of the organisations that owe
    the obligations or supervise them."""
    orgs: set[int] = set()
    for o in owed:
        orgs |= {o.responsible_org_id, o.region_id}
        if o.municipality_id is not None:
            orgs.add(o.municipality_id)
    named = {o.responsible_user_id for o in owed if o.responsible_user_id is not None}
    org, region = aliased(Organisation), aliased(Organisation)
    rows = db.session.execute(
        sa.select(
            User.id,
            User.organisation_id,
            User.role,
            org.kind,
            User.email_mode,
            sa.cast(User.notice_modes, sa.Text),
            region.timezone,
        )
        .outerjoin(org, org.id == User.organisation_id)
        .outerjoin(region, region.id == sa.func.coalesce(org.region_id, org.id))
        .where(
            User.active.is_(True),
            sa.or_(
                sa.and_(
                    User.role.in_(ACTING_ROLE.values()),
                    User.organisation_id.in_(_ids(orgs).scalar_subquery()),
                ),
                User.id.in_(_ids(named).scalar_subquery()),
            ),
        )
        .order_by(User.id)
    ).tuples()
    people = People({}, defaultdict(list))
    for row in rows:
        person = Person(*row)
        people.by_id[person.id] = person
        if person.org_kind is not None and ACTING_ROLE[person.org_kind] == person.role:
            people.acting[person.organisation_id].append(person)
    return people


def _above(o: Owed, level: Level) -> int:
    """workflows.derive.org_of_level() for the supervising levels: the municipality (the region
    for a school under the region), the region."""
    if level is Level.MUNICIPALITY and o.municipality_id is not None:
        return o.municipality_id
    if level in (Level.MUNICIPALITY, Level.REGION):
        return o.region_id
    raise ValueError(f"no supervising organisation of level {level}")


def recipients(o: Owed, kind: str, people: People) -> list[Person]:
    """The responsible people; for an escalation, the supervising organisation's."""
    if kind == rules.ESCALATION:
        supervisor = SUPERVISOR.get(o.level)
        if supervisor is None:
            return []
        above = _above(o, supervisor)
        if above == o.responsible_org_id:
            return []  # the ministry acting for a school under the region answers to itself
        return people.of(above)
    named = people.by_id.get(o.responsible_user_id) if o.responsible_user_id else None
    return [named] if named is not None else people.of(o.responsible_org_id)


def _weekdays(day: date) -> int:
    """Mondays to Fridays from 1 January of year 1 (a Monday) up to and including the day."""
    weeks, rest = divmod(day.toordinal(), 7)
    return weeks * 5 + min(rest, 5)


@dataclass(frozen=True)
class CountedCalendar(calendar.WorkingCalendar):
    """A working calendar whose working_days_between() takes constant time (two bisections)
    instead of a day-by-day loop: an overdue obligation's escalation asks it across months."""

    days: tuple[date, ...] = ()  # the exceptions' days, sorted
    shifts: tuple[int, ...] = ()  # before each of them: what the exceptions so far add

    @classmethod
    def of(cls, cal: calendar.WorkingCalendar) -> CountedCalendar:
        days = tuple(sorted(cal.exceptions))
        shifts, total = [0], 0
        for day in days:  # a working Saturday adds one, a weekday off takes one away
            total += int(cal.exceptions[day]) - int(day.weekday() < 5)
            shifts.append(total)
        return cls(cal.exceptions, days, tuple(shifts))

    def _through(self, day: date) -> int:
        return _weekdays(day) + self.shifts[bisect_right(self.days, day)]

    def working_days_between(self, start: date, end: date) -> int:
        return self._through(end) - self._through(start)


@dataclass
class Clocks:
    """Each region's today and working calendar: a deadline is met or missed in the region's
    own local date, with its own days off; the notices due on a last day asked once a region."""

    now: datetime
    pol: rules.Policy
    today: dict[int, date]
    calendars: dict[int, CountedCalendar]
    known: dict[tuple[int, date, bool], list[rules.Notice]] = field(default_factory=dict)

    @classmethod
    def load(cls, now: datetime, pol: rules.Policy, owed: list[Owed]) -> Clocks:
        zones = {o.region_id: o.region_zone for o in owed}
        today = {region: local_date(now, zone(name)) for region, name in zones.items()}
        first = min(o.due_date for o in owed)
        last = max(today.values())
        cals = calendar.load_regions(first - timedelta(days=40), last + timedelta(days=60), zones)
        return cls(now, pol, today, {r: CountedCalendar.of(c) for r, c in cals.items()})

    def notices(self, o: Owed) -> list[rules.Notice]:
        key = (o.region_id, o.due_date, o.due_inclusive)
        if key not in self.known:
            cal = self.calendars[o.region_id]
            last_day = (
                o.due_date
                if o.due_inclusive
                else cal.previous_working(o.due_date - timedelta(days=1))
            )  # «до» a date: the day before is the last one
            self.known[key] = rules.notices_due(last_day, self.today[o.region_id], cal, self.pol)
        return self.known[key]


# --- the claims ----------------------------------------------------------------------------

LogKey = tuple[str, str, int, int]  # (subject, kind, offset, recipient)


def _claim_all(keys: list[LogKey], now: datetime) -> set[LogKey]:
    """Insert the log rows that do not exist yet, in the keys' order, in one statement; the
    keys this sweep won."""
    if not keys:
        return set()
    table = NotificationLog.__table__
    rows = _json_rows(
        [dict(zip(LOG_KEY, key, strict=True)) for key in keys],
        {
            "subject": sa.Text,
            "kind": sa.Text,
            "offset_days": sa.Integer,
            "recipient_id": sa.Integer,
        },
        sa.literal(now, UTCDateTime()),
    )
    stmt = (
        _insert(table)
        .from_select([*LOG_KEY, "created_at"], rows)
        .on_conflict_do_nothing(index_elements=LOG_KEY)
        .returning(*(table.c[name] for name in LOG_KEY))
    )
    return {(s, k, int(off), int(r)) for s, k, off, r in db.session.execute(stmt).tuples()}


def _claim_obligations(
    owed: list[Owed], clocks: Clocks, people: People, now: datetime, report: SweepReport
) -> dict[tuple[int, str], list[items.Found]]:
    """Claim every obligation notice due by today (each region's); what this sweep won, by
    (person, kind), each list in the obligations' order (due date, id)."""
    wanted: dict[LogKey, tuple[Owed, rules.Notice]] = {}
    for o in owed:
        for notice in clocks.notices(o):
            for person in recipients(o, notice.kind, people):
                key = (f"obligation:{o.id}", notice.kind, notice.offset, person.id)
                wanted.setdefault(key, (o, notice))
    won = _claim_all(sorted(wanted), now)  # one order in every sweep: no deadlock
    report.already += len(wanted) - len(won)
    found: dict[tuple[int, str], list[items.Found]] = defaultdict(list)
    for key, (o, notice) in wanted.items():  # in the obligations' order
        if key in won:
            found[(key[3], notice.kind)].append((o, notice.offset, notice.left))
    return found


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


@dataclass
class Today:
    """A notice of the day another sweep made, as a plain row: what extending it reads."""

    id: int
    params: dict[str, Any]
    case_id: int | None
    obligation_id: int | None
    email_status: str


def _todays_notices(wanted: list[tuple[int, str, str]]) -> dict[tuple[int, str, str], Today]:
    """todays_notice() of each (person, kind, day), in one query: the first of each, locked."""
    if not wanted:
        return {}
    keys = _json_rows(
        [{"user_id": u, "kind": k, "day": d} for u, k, d in wanted],
        {"user_id": sa.Integer, "kind": sa.Text, "day": sa.Text},
    ).subquery()
    stmt = (
        sa.select(
            Notification.id,
            Notification.user_id,
            Notification.kind,
            keys.c.day,
            Notification.params,
            Notification.case_id,
            Notification.obligation_id,
            Notification.email_status,
        )
        .join(
            keys,
            sa.and_(
                Notification.user_id == keys.c.user_id,
                Notification.kind == keys.c.kind,
                Notification.params["day"].as_string() == keys.c.day,
            ),
        )
        .order_by(Notification.id)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=Notification)
    found: dict[tuple[int, str, str], Today] = {}
    for nid, user_id, kind, day, *rest in db.session.execute(stmt).tuples():
        found.setdefault((user_id, kind, str(day)), Today(nid, *rest))
    return found


EXTENDED = {
    "id": sa.Integer,
    "case_id": sa.Integer,
    "obligation_id": sa.Integer,
    "params": sa.JSON,
    "email_status": sa.Text,
    "resend": sa.Integer,
}


def _write_extended(rows: list[dict[str, Any]]) -> None:
    """Write the extended notices back, in one UPDATE … FROM; the session's copies of them, if
    it holds any, are expired so that they read the new entries."""
    if not rows:
        return
    table = Notification.__table__
    new = _json_rows(rows, EXTENDED).subquery()
    db.session.execute(
        sa.update(table)
        .where(table.c.id == new.c.id)
        .values(
            params=new.c.params,
            case_id=new.c.case_id,
            obligation_id=new.c.obligation_id,
            email_status=new.c.email_status,
            email_attempted_at=sa.case(
                (new.c.resend == 1, sa.null()), else_=table.c.email_attempted_at
            ),
        )
    )
    for row in rows:
        held = db.session.identity_map.get(identity_key(Notification, row["id"]))
        if held is not None:
            db.session.expire(held)


def _set_entries(notification: Notification, entries: list[items.Entry]) -> None:
    notification.params = {**notification.params, items.ENTRIES: entries}  # a new dict: JSON
    notification.case_id, notification.obligation_id = items.subject_ids(entries)


def _extend(
    notification: Notification,
    person: Any,
    kind: str,
    found: list[items.Found],
    at: str,
    sessions: list[dict[str, Any]] | None = None,
) -> None:
    """Add what was claimed (and the sessions it is about) to the day's notice; queue its e-mail
    again if it has gone."""
    _set_entries(notification, items.added(items.of(notification), found, at))
    _tell_sessions(notification, sessions)
    if notification.email_status in RESEND and rules.mode_for(person, kind) == "each":
        notification.email_status, notification.email_attempted_at = "pending", None


def _tell_sessions(notification: Notification, sessions: list[dict[str, Any]] | None) -> None:
    """Add to a notice what it says of the sessions it is about, each session once however
    many of its cases or saves of the same change the day brings."""
    params = notification.params or {}
    told = list(params.get(items.SESSIONS, []))
    for session in sessions or []:
        if session not in told:
            told.append(session)
    if told != params.get(items.SESSIONS, []):
        notification.params = {**params, items.SESSIONS: told}


def deliver(
    person: User,
    kind: str,
    found: list[items.Found],
    today: date,
    report: SweepReport,
    sessions: list[dict[str, Any]] | None = None,
) -> None:
    """Put what was claimed into the person's one notice of the kind for today (one person's:
    the notices of events; the sweep delivers all of its own at once). ``sessions``: what a
    session's notice says of the sessions it is about (app.notices.events)."""
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
        _tell_sessions(notification, sessions)
        db.session.add(notification)
        report.sent[kind] += 1
        return
    _extend(existing, person, kind, found, utcnow().isoformat(), sessions)
    report.extended[kind] += 1


NEW_NOTICE = {
    "user_id": sa.Integer,
    "kind": sa.Text,
    "case_id": sa.Integer,
    "obligation_id": sa.Integer,
    "params": sa.JSON,
    "email_status": sa.Text,
}


def _deliver_all(
    found: dict[tuple[int, str], list[items.Found]],
    people: People,
    now: datetime,
    report: SweepReport,
) -> None:
    """Put what was claimed into each person's one notice of the kind for the day (of the
    person's region): the day's notices claimed at once, the new ones inserted at once, the
    ones another sweep made extended."""
    groups = sorted(found)  # one order in every sweep: no deadlock
    days = {
        (pid, kind): local_date(now, zone(people.by_id[pid].zone)).isoformat()
        for pid, kind in groups
    }
    keys = {g: (f"notice:{days[g]}", g[1], 0, g[0]) for g in groups}
    won = _claim_all([keys[g] for g in groups], now)
    lost = [(pid, kind, days[(pid, kind)]) for pid, kind in groups if keys[(pid, kind)] not in won]
    existing = _todays_notices(lost)
    at = utcnow().isoformat()
    new: list[dict[str, Any]] = []
    extended: list[dict[str, Any]] = []
    for pid, kind in groups:
        person, day, listed = people.by_id[pid], days[(pid, kind)], found[(pid, kind)]
        report.listed[kind] += len(listed)
        today = None if keys[(pid, kind)] in won else existing.get((pid, kind, day))
        if today is not None:
            entries = items.added(items.of(today), listed, at)
            case_id, obligation_id = items.subject_ids(entries)
            resend = today.email_status in RESEND and rules.mode_for(person, kind) == "each"
            extended.append(
                {
                    "id": today.id,
                    "case_id": case_id,
                    "obligation_id": obligation_id,
                    "params": {**today.params, items.ENTRIES: entries},
                    "email_status": "pending" if resend else today.email_status,
                    "resend": int(resend),
                }
            )
            report.extended[kind] += 1
            continue
        entries = items.added([], listed)
        case_id, obligation_id = items.subject_ids(entries)
        new.append(
            {
                "user_id": pid,
                "kind": kind,
                "case_id": case_id,
                "obligation_id": obligation_id,
                "params": {"day": day, items.ENTRIES: entries},
                "email_status": "pending" if rules.mode_for(person, kind) == "each" else "skipped",
            }
        )
        report.sent[kind] += 1
    _write_extended(extended)
    if new:
        rows = _json_rows(new, NEW_NOTICE, sa.literal(now, UTCDateTime()))
        table = Notification.__table__
        db.session.execute(_insert(table).from_select([*NEW_NOTICE, "created_at"], rows))


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector paused: a national sweep holds tens of thousands of small
    rows, keys and entries, none in a cycle (reference counting frees them), and the full
    collections their allocation triggers would take about half of its Python time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def sweep(now: datetime | None = None) -> SweepReport:
    """Create every notice due as of ``now`` that has not been created before (one transaction,
    committed by the caller; e-mails go out after the commit)."""
    with _collector_paused():
        return _sweep(now)


def _sweep(now: datetime | None) -> SweepReport:
    now = now or utcnow()
    today = local_date(now)
    report = SweepReport(today=today)
    pol = policy()
    latest = (now + timedelta(hours=14)).date()  # no region's today is later than this
    owed = _due_obligations(latest, pol)
    if owed:
        people = _people(owed)
        found = _claim_obligations(owed, Clocks.load(now, pol, owed), people, now, report)
        _deliver_all(found, people, now, report)
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
