"""The history of the national benchmark: topping the events up to 1,000,000 with the kinds of
change a long-running case collects (responsible people assigned and reassigned, the support
level revised where that changes none of the case's obligations), the notices the sweep would
have sent, and the hash chain: each event's record made by app.audit.canonical_bytes and stored
with it (its before/after in the same canonical text), so that ``flask audit verify`` checks it
like any other."""

from __future__ import annotations

import hashlib
import random
from collections import defaultdict
from datetime import UTC, datetime, time, timedelta
from operator import itemgetter
from typing import Any

from app.audit import SYSTEM_ACTOR, canonical_bytes
from app.models.audit import GENESIS_HASH, HASHED_COLUMNS, canonical_json
from app.models.case import Category, Level
from app.notices.sweep import SUPERVISOR
from app.plans import measures as m
from app.plans.calendar import WorkingCalendar
from app.workflows.clock import local_date
from bench.national import LEVEL_ROLE, Person, apportion, as_json, naive
from bench.national_cases import NOW, PlannedCase
from bench.national_walk import PENDING, Ob, Walker, working_days_before

LEVEL_SHARE = 0.15  # of the top-up: support level revisions; the rest: assignments
AUDIT_COLUMNS = (*HASHED_COLUMNS, "hash", "canonical")


def pad_history(walker: Walker, cases: list[PlannedCase], rng: random.Random, total: int) -> int:
    """Add events to the cases until the history holds ``total``; a heavy tail of cases gets
    long histories. Returns how many were added (none when the walk made that many)."""
    deficit = total - len(walker.events)
    if deficit <= 0:
        return 0
    weights = [min(rng.paretovariate(1.3), 60.0) for _ in cases]
    for case, extra in zip(cases, apportion(deficit, weights), strict=True):
        levels = _level_changes(walker, case, round(extra * LEVEL_SHARE), rng)
        _assignments(walker, case, extra - levels, rng)
    return deficit


def _moments(start: datetime, end: datetime, count: int, rng: random.Random) -> list[datetime]:
    return sorted(start + (end - start) * rng.uniform(0.01, 0.99) for _ in range(count))


def _neutral_levels(walker: Walker, case: PlannedCase) -> list[int | None]:
    """The support levels the case may be moved between without changing its obligations
    (set_support_level() derives them again): the ones whose measures and reviewers are the
    same as its own level's."""
    plan, track = walker.directory.plans[case.campaign_id], Category(case.category)

    def shape(level: int | None) -> list[tuple[int, Level | None]]:
        effective = m.effective_level(level, plan.default_level)
        return [
            (row.id, m.reviewer_for(row, effective))
            for row in plan.measures
            if m.applies(row, track=track, level=effective, years_on_list=case.years_on_list)
        ]

    own = shape(case.support_level)
    return [v for v in (None, 1, 2, 3) if shape(v) == own]


def _level_changes(walker: Walker, case: PlannedCase, count: int, rng: random.Random) -> int:
    """Support level revisions that leave the obligations as they are; how many were made."""
    choices = _neutral_levels(walker, case)
    if not count or len(choices) < 2:
        return 0
    levels = [case.support_level]
    for _n in range(count):
        levels.append(rng.choice([v for v in choices if v != levels[-1]]))
    levels.reverse()  # ends at the case's level; the case opened with the first
    case.created_after["support_level"] = levels[0]
    actor = walker.ministry(case)
    start = case.steps[0].at + timedelta(seconds=1)
    moments = _moments(start, case.ended_at, count, rng)
    for before, after, at in zip(levels[:-1], levels[1:], moments, strict=True):
        walker.event(
            at,
            actor,
            "case.support_level_changed",
            "case",
            case.id,
            case,
            before={"support_level": before},
            after={"support_level": after},
        )
    case.version += count
    return count


def _assignments(walker: Walker, case: PlannedCase, count: int, rng: random.Random) -> None:
    # not a leader school's obligations: they change hands when the leader is assigned
    obligations = [o for o in case.obligations if o.level != Level.LEADER_SCHOOL]
    per_obligation: dict[int, int] = defaultdict(int)
    for _n in range(count if obligations else 0):
        per_obligation[rng.randrange(len(obligations))] += 1
    for index, n in per_obligation.items():
        _assign(walker, obligations[index], n, rng)


def _people(walker: Walker, level: str, org_id: int) -> list[Person]:
    """users_of_level(): the accounts acting for a level in an organisation."""
    return walker.directory.by_org_role[(org_id, LEVEL_ROLE[level])]


def _assign(walker: Walker, ob: Ob, count: int, rng: random.Random) -> None:
    people = _people(walker, ob.level, ob.responsible_org)
    choices: list[int | None] = [p.id for p in people] + [None]
    current = None
    start = ob.created + timedelta(seconds=1)
    for at in _moments(start, max(ob.ends, start + timedelta(hours=1)), count, rng):
        new = rng.choice([c for c in choices if c != current])
        walker.event(
            at,
            people[0],
            "obligation.assigned",
            "obligation",
            ob.id,
            ob.case,
            before={"responsible_user_id": current},
            after={"responsible_user_id": new},
        )
        current = new
    ob.responsible_user, ob.version = current, ob.version + count


def plan_notifications(walker: Walker, rng: random.Random) -> list[tuple[Any, ...]]:
    """The notices the hourly sweep sent about what is still owed in the open cases."""
    rows: list[tuple[Any, ...]] = []
    today = local_date(NOW)
    for ob in walker.obligations:
        if ob.due is None or ob.status not in PENDING or ob.case.status != "open":
            continue
        for kind, offset, day in _notices(walker.calendar, ob):
            if not local_date(ob.created) <= day <= today:
                continue
            for person in _recipients(walker, ob, kind):
                rows.append(_notification(len(rows) + 1, person, kind, offset, day, ob, rng))
    return rows


def _notices(calendar: WorkingCalendar, ob: Ob) -> list[tuple[str, int, Any]]:
    assert ob.due is not None
    due = ob.due  # «до» a date: the working day before it is the last one (the sweep's rule)
    if not ob.measure.inclusive:
        due = calendar.previous_working(due - timedelta(days=1))
    return [
        ("reminder", 5, working_days_before(calendar, due, 5)),
        ("reminder", 1, working_days_before(calendar, due, 1)),
        ("due_today", 0, due),
        ("overdue", 0, calendar.add_working_days(due, 1)),
        ("escalation", 3, calendar.add_working_days(due, 3)),
    ]


def _recipients(walker: Walker, ob: Ob, kind: str) -> list[Person]:
    """sweep.recipients(): the responsible people; for an escalation, the supervisor's."""
    if kind != "escalation":
        return _people(walker, ob.level, ob.responsible_org)
    supervisor = SUPERVISOR.get(Level(ob.level))
    if supervisor is None:
        return []
    return _people(walker, supervisor, walker.org_of(ob.case, supervisor))


def _notification(
    nid: int, person: Person, kind: str, offset: int, day: Any, ob: Ob, rng: random.Random
) -> tuple[Any, ...]:
    created = datetime.combine(day, time(4, 5), tzinfo=UTC)
    read_at = None
    if NOW - created > timedelta(days=2) and rng.random() < 0.85:
        read_at = naive(created + timedelta(hours=rng.uniform(1, 48)))
    assert ob.due is not None
    params = {
        "due_date": ob.due.isoformat(),
        "offset": offset,
        "type": ob.key,
        "school": ob.case.school.name,
    }
    sent = naive(created + timedelta(minutes=1))
    return (
        nid,
        person.id,
        kind,
        ob.case.id,
        ob.id,
        as_json(params),
        naive(created),
        read_at,
        "sent",
        sent,
        sent,
    )


class _Event:
    """The attributes canonical_bytes() reads, without building a million ORM objects."""

    __slots__ = (
        "action",
        "actor_id",
        "actor_name",
        "actor_role",
        "after",
        "before",
        "case_id",
        "object_id",
        "object_type",
        "occurred_at",
        "org_id",
        "prev_hash",
        "reason",
        "seq",
    )


def write_history(cur: Any, events: list[tuple[Any, ...]], people: list[Person]) -> int:
    """Order the events in time, chain them and COPY them; return how many."""
    events.sort(key=itemgetter(0))  # stable: equal moments keep the order they happened in
    names = {p.id: (p.name, p.role) for p in people}
    ev, prev = _Event(), GENESIS_HASH
    with cur.copy(f"COPY audit_event ({', '.join(AUDIT_COLUMNS)}) FROM STDIN") as copy:
        for seq, row in enumerate(events, start=1):
            at, actor, action, object_type, object_id, org_id, case_id, before, after, reason = row
            name, role = names[actor] if actor else (SYSTEM_ACTOR, SYSTEM_ACTOR)
            ev.seq, ev.occurred_at, ev.actor_id, ev.actor_name, ev.actor_role = (
                seq,
                at,
                actor,
                name,
                role,
            )
            ev.action, ev.object_type, ev.object_id, ev.org_id, ev.case_id = (
                action,
                object_type,
                object_id,
                org_id,
                case_id,
            )
            ev.before, ev.after, ev.reason, ev.prev_hash = before, after, reason, prev
            record = canonical_bytes(ev)  # type: ignore[arg-type]
            digest = hashlib.sha256(record).hexdigest()
            copy.write_row(
                (
                    seq,
                    naive(at),
                    actor,
                    name,
                    role,
                    action,
                    object_type,
                    object_id,
                    org_id,
                    case_id,
                    None if before is None else canonical_json(before),
                    None if after is None else canonical_json(after),
                    reason,
                    prev,
                    digest,
                    record,
                )
            )
            prev = digest
    return len(events)
