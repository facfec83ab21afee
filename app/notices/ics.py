"""A secret, revocable calendar feed of each user's deadlines (the same obligations as the inbox)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from icalendar import Calendar, Event

from app import audit
from app.extensions import db
from app.models.types import utcnow
from app.models.user import User
from app.workflows import queries
from app.workflows.labels import obligation_title


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User) -> str:
    """A new secret for the user's feed URL; any earlier URL stops working. Shown once."""
    token = secrets.token_urlsafe(32)
    user.calendar_token_hash = _hash(token)
    audit.record(
        "user.calendar_feed_issued",
        actor=user,
        object_type="user",
        object_id=user.id,
        org_id=user.organisation_id,
    )
    return token


def revoke_token(user: User) -> None:
    """Turn the feed off."""
    user.calendar_token_hash = None
    audit.record(
        "user.calendar_feed_revoked",
        actor=user,
        object_type="user",
        object_id=user.id,
        org_id=user.organisation_id,
    )


def user_for_token(token: str) -> User | None:
    """The active user whose feed this is, if any."""
    if not token or len(token) > 100:
        return None
    user = db.session.scalars(
        sa.select(User).where(User.calendar_token_hash == _hash(token))
    ).first()
    return user if user is not None and user.active else None


def feed(user: User) -> bytes:
    """The ICS document: one all-day event per obligation in the user's inbox."""
    owed, to_review = queries.inbox(user)
    calendar = Calendar()
    calendar.add("prodid", "-//OKO Cases//oko//RU")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "ОКО: сроки")
    base = current_app.config["OKO_BASE_URL"]
    stamp = utcnow()
    with force_locale(user.locale or "ru"):
        for obligation in [*owed, *to_review]:
            if obligation.due_date is None:  # waits for another measure, or ongoing
                continue
            event = Event()
            event.add("uid", f"obligation-{obligation.id}@oko")
            event.add("dtstamp", stamp)
            event.add("dtstart", obligation.due_date)
            event.add("dtend", obligation.due_date + timedelta(days=1))
            event.add("summary", f"{obligation_title(obligation)} — {obligation.case.school.name}")
            event.add("url", f"{base}/cases/{obligation.case_id}#obligation-{obligation.id}")
            event.add("description", f"{base}/cases/{obligation.case_id}")
            calendar.add_component(event)
    return calendar.to_ical()
