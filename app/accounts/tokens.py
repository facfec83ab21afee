"""Personal API tokens: created and revoked by their user; a token acts as exactly that user."""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from app import audit
from app.errors import InvalidInput, NotAllowed
from app.extensions import db
from app.models.types import utcnow
from app.models.user import ApiToken, User

log = logging.getLogger(__name__)
PREFIX = "oko_"
MAX_ACTIVE = 10


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create(user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for the user; the secret is returned once and never stored."""
    name = name.strip()[:100]
    if not name:
        raise InvalidInput(_("Name the token, e.g. after the script that uses it."))
    active = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    )
    if (active or 0) >= MAX_ACTIVE:
        raise InvalidInput(
            _("Revoke an unused token first: at most %(n)d may be active.", n=MAX_ACTIVE)
        )
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=_hash(secret), prefix=secret[:10])
    db.session.add(token)
    db.session.flush()
    audit.record(
        "user.api_token_created",
        actor=user,
        object_type="user",
        object_id=user.id,
        org_id=user.organisation_id,
        after={"token_id": token.id, "name": name},
    )
    return token, secret


def revoke(token: ApiToken, *, actor: User) -> None:
    """Stop a token from working."""
    if token.user_id != actor.id:
        raise NotAllowed(_("Only the token's owner revokes it."))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(
            "user.api_token_revoked",
            actor=actor,
            object_type="user",
            object_id=actor.id,
            org_id=actor.organisation_id,
            after={"token_id": token.id},
        )


def user_for(secret: str) -> User | None:
    """The active user a presented token belongs to, or None."""
    if not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    token = db.session.scalars(
        sa.select(ApiToken).where(
            ApiToken.token_hash == _hash(secret), ApiToken.revoked_at.is_(None)
        )
    ).first()
    if token is None or not token.user.active:
        return None
    _note_use(token)
    return token.user


USE_RESOLUTION = timedelta(minutes=10)


def _note_use(token: ApiToken) -> None:
    """Record when a token was last used: at most every few minutes, committed at once (the
    request has done nothing else yet), so that read-only calls otherwise stay read-only."""
    now = utcnow()
    if token.last_used_at is not None and now - token.last_used_at < USE_RESOLUTION:
        return
    token.last_used_at = now
    try:
        db.session.commit()
    except sa.exc.OperationalError:  # a busy SQLite: the note can wait for the next call
        db.session.rollback()
        log.warning("could not record the use of API token %s", token.id)


def of_user(user: User) -> list[ApiToken]:
    """The user's tokens, newest first."""
    return list(
        db.session.scalars(
            sa.select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
        )
    )
