"""Keeping an uploaded file between a preview and its confirmation, bound to the session.

The file is kept in the database (``upload_stash``), not on one server's disk, so that the
confirmation finds it whichever app server behind the balancer answers; the token the form
carries must be the one this session was given, and the row its user's. ``put`` and ``drop``
commit their own small change (the preview's transaction is rolled back; the confirmation's
is committed before the stash is dropped). Previews older than a day are forgotten.
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import session
from flask_login import current_user

from app.extensions import db
from app.models.stash import UploadStash
from app.models.types import utcnow

_TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")
KEPT_FOR = timedelta(days=1)


def _owner() -> int | None:
    return current_user.id if current_user.is_authenticated else None


def put(purpose: str, data: bytes) -> str:
    """Store the bytes; return the token the confirmation form carries."""
    drop(purpose, commit=False)
    db.session.execute(sa.delete(UploadStash).where(UploadStash.created_at < utcnow() - KEPT_FOR))
    token = secrets.token_hex(16)
    db.session.add(UploadStash(token=token, purpose=purpose, user_id=_owner(), data=data))
    db.session.commit()
    session[f"stash_{purpose}"] = token
    return token


def get(purpose: str, token: str | None) -> bytes | None:
    """The stored bytes, if the token is well-formed and belongs to this session and user."""
    if not token or not _TOKEN_RE.match(token) or session.get(f"stash_{purpose}") != token:
        return None
    row = db.session.get(UploadStash, token)
    if row is None or row.purpose != purpose or row.user_id != _owner():
        return None
    return row.data


def drop(purpose: str, *, commit: bool = True) -> None:
    """Forget this session's stored file for the purpose."""
    token = session.pop(f"stash_{purpose}", None)
    if token and _TOKEN_RE.match(token):
        db.session.execute(sa.delete(UploadStash).where(UploadStash.token == token))
        if commit:
            db.session.commit()
