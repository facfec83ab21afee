"""Server-side sessions: a browser is logged in while its session row is open.

The cookie carries a random secret; the database keeps its SHA-256 with the session's end of
life. Logging out ends that row; a password change, an administrator's reset and disabling end
every row of the account, and with them its API tokens and its calendar feed, which the person
issues again when they need them. A cookie copied before any of these is refused afterwards.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from app.extensions import db
from app.models.notify import Notification
from app.models.org import Organisation
from app.models.user import ApiToken, User, UserSession


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def open_session(user: User, *, now: datetime, lifetime: timedelta) -> str:
    """A new session for the user; returns the secret the cookie carries."""
    secret = secrets.token_urlsafe(32)
    db.session.add(
        UserSession(
            user_id=user.id, secret_hash=_hash(secret), created_at=now, expires_at=now + lifetime
        )
    )
    db.session.flush()
    return secret


# The session's user and, in the same statement, their unread notices (the header shows them)
# and their region (whose time zone every page's dates and times are in).
_UNREAD = (
    sa.select(sa.func.count())
    .where(Notification.user_id == User.id, Notification.read_at.is_(None))
    .correlate(User)
    .scalar_subquery()
)
_OWN, _REGION = aliased(Organisation), aliased(Organisation)


class SignedIn(NamedTuple):
    user: User
    unread: int
    region: Organisation
    snapshot: str | None  # PostgreSQL's snapshot of the statement (app.readcache's key)


def user_of(secret: str | None, *, now: datetime) -> User | None:
    """The active user whose open, unexpired session the secret names, or None."""
    found = signed_in(secret, now=now)
    return found.user if found else None


def signed_in(secret: str | None, *, now: datetime) -> SignedIn | None:
    """user_of(), that user's unread notices and region, in one statement."""
    if not secret or not isinstance(secret, str) or len(secret) > 100:
        return None
    postgresql = db.session.get_bind().dialect.name == "postgresql"
    stmt = _SIGNED_IN_WITH_SNAPSHOT if postgresql else _SIGNED_IN
    row = db.session.execute(stmt, {"secret_hash": _hash(secret), "now": now}).first()
    if row is None:
        return None
    return SignedIn(row[0], int(row[1] or 0), row[2], row[3] if postgresql else None)


# Built once (every page runs it): the secret's hash and the moment as parameters.
_SIGNED_IN = (
    sa.select(User, _UNREAD, _REGION)
    .join(UserSession, UserSession.user_id == User.id)
    .join(_OWN, _OWN.id == User.organisation_id)
    .join(_REGION, _REGION.id == sa.func.coalesce(_OWN.region_id, _OWN.id))
    .where(
        UserSession.secret_hash == sa.bindparam("secret_hash", type_=sa.String),
        UserSession.ended_at.is_(None),
        UserSession.expires_at > sa.bindparam("now", type_=UserSession.expires_at.type),
        User.active.is_(True),
    )
)
# On PostgreSQL the same statement names the snapshot it read in: a kept page's key, so that a
# view served from app.readcache needs no other statement.
_SIGNED_IN_WITH_SNAPSHOT = _SIGNED_IN.add_columns(sa.cast(sa.func.pg_current_snapshot(), sa.Text))


def end_session(secret: str | None, *, now: datetime) -> None:
    """Logging out: the session named by the secret ends."""
    if not secret or not isinstance(secret, str):
        return
    db.session.execute(
        sa.update(UserSession)
        .where(UserSession.secret_hash == _hash(secret), UserSession.ended_at.is_(None))
        .values(ended_at=now)
    )


def end_everything(user: User, *, now: datetime) -> None:
    """End every session of the account and revoke its API tokens and calendar feed (after a
    password change, a reset or disabling: the event of that change is the history's record)."""
    db.session.execute(
        sa.update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .values(ended_at=now)
    )
    db.session.execute(
        sa.update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session="fetch")
    )
    user.calendar_token_hash = None
    user.session_version += 1
