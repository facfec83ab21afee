"""The optional daily digest: one e-mail a day listing what the user's organisation owes, grouped
into entries as every notice is (a municipality's act once, with the schools it concerns)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa

from app.extensions import db
from app.models.case import Obligation
from app.models.notify import Notification
from app.models.user import User
from app.notices import items, rules
from app.notices.sweep import claim
from app.workflows import queries
from app.workflows.clock import local_date

MOST = 100  # entries a digest lists


def _entries(owed: list[Obligation], today: date) -> list[items.Entry]:
    entries = items.added([], ((o, 0, None) for o in owed))
    late = {items.key_of(o) for o in owed if o.is_overdue(today)}
    return [{**e, "overdue": True} if items.entry_key(e) in late else e for e in entries][:MOST]


def send_digests(now: datetime | None = None) -> int:
    """Queue today's digest for every user who chose it and has something in the inbox."""
    today = local_date(now)
    created = 0
    users = db.session.scalars(
        sa.select(User).where(User.email_mode == "digest", User.active.is_(True))
    )
    for user in users:
        owed, to_review = queries.inbox(user)
        if not owed and not to_review:
            continue
        if not claim(f"digest:{today.isoformat()}", rules.DIGEST, 0, user):
            continue
        entries = _entries(owed, today)
        notification = Notification(
            user_id=user.id,
            kind=rules.DIGEST,
            email_status="pending",
            params={"day": today.isoformat(), items.ENTRIES: entries, "to_review": len(to_review)},
        )
        notification.case_id, notification.obligation_id = items.subject_ids(entries)
        db.session.add(notification)
        created += 1
    db.session.flush()
    return created
