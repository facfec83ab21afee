"""Notices of events: when a hand-in is returned or accepted, the plan gives an organisation a new
obligation, a school's team is invited to a strategic session (or the session is moved or
cancelled), or a new case owes an organisation its measures, the people concerned are told, in
the app and by e-mail as each of them chose. A session's notice says which session, when and
where it is now, and why it changed.

The events are the history's own (app.audit): a listener collects those that call for a notice
while the transaction runs, and before it commits they are delivered grouped, as the deadline
sweep groups its notices: one notice a person, kind and day, listing the obligations (a burst —
a whole flag list imported — is one notice for each person). What the system does by itself (a
command-line import, the scheduler) is not told."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from app import audit
from app.accounts.users import acting_users
from app.extensions import db
from app.models.audit import AuditEvent
from app.models.case import Obligation
from app.models.stage import StrategicSession
from app.models.user import User
from app.notices import items, rules
from app.notices.sweep import SweepReport, deliver
from app.workflows.clock import local_date, region_zone, user_zone

PENDING = "oko_events"  # session.info: the events of the transaction not delivered yet
BY_ACTION = {
    "obligation.returned": rules.RETURNED,
    "obligation.accepted": rules.ACCEPTED,
    "obligation.created": rules.NEW_OBLIGATION,
    "session.invited": rules.INVITED,
    "session.changed": rules.SESSION_CHANGED,
    "session.cancelled": rules.SESSION_CANCELLED,
}
SESSION_ACTIONS = ("session.invited", "session.changed", "session.cancelled")
OBLIGATION_ACTIONS = {a for a in BY_ACTION if a.startswith("obligation.")}
CHUNK = 5000  # ids a statement (SQLite takes at most 32,766 parameters)
# action, object, after, actor, reason; and kind, obligation, actor, what to say of a session
Pending = tuple[str, int | None, Any, int | None, str | None]
Found = tuple[str, int, int | None, dict[str, Any] | None]


def _collect(ev: AuditEvent) -> None:
    """Keep what an event will notify, to be delivered before the commit. Only what a person
    did is told: the system's own work (a command-line import, the scheduler) is not news."""
    if ev.actor_id is None or (ev.action not in BY_ACTION and ev.action != "case.created"):
        return
    pending: list[Pending] = db.session.info.setdefault(PENDING, [])
    pending.append((ev.action, ev.object_id, ev.after, ev.actor_id, ev.reason))


def _session_note(session_id: int | None, reason: str | None) -> dict[str, Any] | None:
    """What a session's notice says of it: its title, when (in its region's time) and where it
    is held now, whether it is cancelled, and the reason given for the change."""
    session = db.session.get(StrategicSession, session_id) if session_id else None
    if session is None:
        return None
    return {
        "title": session.title,
        "starts_at": session.starts_at.isoformat(),
        "zone": region_zone(session.region_id).key,
        "place": session.place,
        "link": session.online_link,
        "cancelled": session.cancelled_at is not None,
        "reason": reason,
    }


def _loaded(pending: list[Pending]) -> dict[int, Obligation]:
    """The obligations the events name, in a statement a few thousand (a flag list's burst
    names thousands; one look-up each cost a statement each, the session keeping no hold on
    them)."""
    ids = sorted({oid for action, oid, *_rest in pending if oid and action in OBLIGATION_ACTIONS})
    found: dict[int, Obligation] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        found.update(
            (o.id, o)
            for o in db.session.scalars(sa.select(Obligation).where(Obligation.id.in_(chunk)))
        )
    return found


def _obligations_of(pending: list[Pending], loaded: dict[int, Obligation]) -> list[Found]:
    """(kind, obligation id, actor id, session note) for each notice to give; the obligations
    of a case opened in the same transaction are its opening's."""
    opened = {oid for action, oid, *_rest in pending if action == "case.created" and oid}
    found: list[Found] = []
    for action, oid, after, actor, reason in pending:
        if action == "obligation.created" and oid:
            obligation = loaded.get(oid)
            case_id = obligation.case_id if obligation is not None else None
            kind = rules.CASE_OPENED if case_id in opened else rules.NEW_OBLIGATION
            found.append((kind, oid, actor, None))
        elif action in SESSION_ACTIONS:
            note = _session_note(oid, reason)
            for case_id in (after or {}).get("cases", []):
                attendance = db.session.scalar(
                    sa.select(Obligation.id).where(
                        Obligation.case_id == case_id, Obligation.takes == "attendance"
                    )
                )
                if attendance:
                    found.append((BY_ACTION[action], int(attendance), actor, note))
        elif action in BY_ACTION and oid:
            found.append((BY_ACTION[action], oid, actor, None))
    return found


def deliver_pending() -> SweepReport:
    """Deliver the events collected so far (the commit does it itself)."""
    session = db.session
    pending = session.info.pop(PENDING, [])
    report = SweepReport()
    if not pending:
        return report
    people: dict[int, User] = {}
    acting: dict[int, list[User]] = {}  # an organisation's people, looked up once a delivery
    grouped: dict[tuple[int, str], list[items.Found]] = defaultdict(list)
    notes: dict[tuple[int, str], list[dict[str, Any]]] = defaultdict(list)
    loaded = _loaded(pending)
    for kind, oid, actor, note in _obligations_of(pending, loaded):
        obligation = loaded.get(oid) or session.get(Obligation, oid)
        if obligation is None:
            continue
        named = obligation.responsible_user
        told = (
            [named]
            if named is not None and named.active
            else acting.get(obligation.responsible_org_id)
        )
        if told is None:
            told = acting[obligation.responsible_org_id] = acting_users(
                obligation.responsible_org_id
            )
        for person in told:
            if person.id == actor:
                continue  # one does not tell oneself what one just did
            people[person.id] = person
            grouped[(person.id, kind)].append((obligation, 0, None))
            if note is not None:
                notes[(person.id, kind)].append(note)
    for person_id, kind in sorted(grouped):
        person = people[person_id]
        day = local_date(None, user_zone(person))
        deliver(person, kind, grouped[(person_id, kind)], day, report, notes[(person_id, kind)])
    session.flush()
    return report


def _before_commit(session: Session) -> None:
    if session.info.get(PENDING):
        deliver_pending()


def _after_rollback(session: Session, _previous: Any) -> None:
    session.info.pop(PENDING, None)


def install() -> None:
    """Listen to the history and deliver before each commit (once per process)."""
    audit.listen(_collect)
    if not sa_event.contains(Session, "before_commit", _before_commit):  # every session
        sa_event.listen(Session, "before_commit", _before_commit)
        sa_event.listen(Session, "after_soft_rollback", _after_rollback)
