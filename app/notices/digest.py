"""The optional daily digest: one e-mail a day listing what the user's organisation owes."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import force_locale, gettext

from app.extensions import db
from app.i18n import short_date
from app.models.notify import Notification
from app.models.user import User
from app.notices import rules
from app.notices.sweep import claim
from app.workflows import queries
from app.workflows.clock import local_date
from app.workflows.labels import obligation_title


def _items(user: User, today: object) -> list[str]:
    owed, to_review = queries.inbox(user)
    items = []
    with force_locale(user.locale or "ru"):
        for o in owed:
            late = gettext(" (overdue)") if o.is_overdue(today) else ""  # type: ignore[arg-type]
            items.append(
                f"{short_date(o.due_date)} — {obligation_title(o)} — {o.case.school.name}{late}"
            )
        if to_review:
            items.append(gettext("Awaiting your review: %(n)d", n=len(to_review)))
    return items


def send_digests(now: datetime | None = None) -> int:
    """Queue today's digest for every user who chose it and has something in the inbox."""
    today = local_date(now)
    created = 0
    users = db.session.scalars(
        sa.select(User).where(User.email_mode == "digest", User.active.is_(True))
    )
    for user in users:
        items = _items(user, today)
        if not items or not claim(f"digest:{today.isoformat()}", rules.DIGEST, 0, user):
            continue
        db.session.add(
            Notification(
                user_id=user.id,
                kind=rules.DIGEST,
                email_status="pending",
                params={"date": short_date(today), "items": items[:100]},
            )
        )
        created += 1
    db.session.flush()
    return created
