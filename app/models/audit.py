"""The append-only, hash-chained history of every change."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, deferred, mapped_column
from sqlalchemy.types import TypeDecorator

from app.extensions import db
from app.models.types import UTCDateTime

GENESIS_HASH = "0" * 64
# the columns an event's hash covers (its hashed record holds exactly these, by name)
HASHED_COLUMNS = (
    "seq",
    "occurred_at",
    "actor_id",
    "actor_name",
    "actor_role",
    "action",
    "object_type",
    "object_id",
    "org_id",
    "case_id",
    "before",
    "after",
    "reason",
    "prev_hash",
)


def canonical_json(value: Any) -> str:
    """The one serialisation of the history: sorted keys, no spaces, UTF-8 as it is. An event's
    hashed record and its ``before``/``after`` columns are both written with it, so that the
    columns are the very text inside the record."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


class CanonicalJSON(TypeDecorator[Any]):
    """A JSON column written in the canonical serialisation (read back as any JSON column)."""

    impl = sa.JSON
    cache_ok = True

    def bind_processor(self, dialect: Any) -> Any:
        def process(value: Any) -> str | None:
            return None if value is None else canonical_json(value)

        return process


class AuditEvent(db.Model):
    """One event. ``seq`` is assigned by app.audit.record(); rows are never updated or deleted."""

    __tablename__ = "audit_event"

    seq: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    actor_name: Mapped[str] = mapped_column(sa.String(300))
    actor_role: Mapped[str] = mapped_column(sa.String(16))
    action: Mapped[str] = mapped_column(sa.String(64), index=True)
    object_type: Mapped[str] = mapped_column(sa.String(32))
    object_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    # The organisation the event concerns: scopes who may read it.
    org_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    # Plain column, no foreign key: the history outlives anything it describes.
    case_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    before: Mapped[dict[str, Any] | None] = mapped_column(CanonicalJSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(CanonicalJSON)
    reason: Mapped[str | None] = mapped_column(sa.Text)
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # The bytes that were hashed (app.audit.canonical_bytes), stored when the event is written:
    # verifying is sha256 over them, and the columns above must be what they say. Deferred:
    # pages that list events never load them.
    canonical: Mapped[bytes | None] = deferred(mapped_column(sa.LargeBinary))

    __table_args__ = (
        sa.Index("ix_audit_event_object", "object_type", "object_id"),
        # A case's history in order: its newest events without reading (or sorting) the rest.
        sa.Index("ix_audit_event_case_seq", "case_id", "seq"),
    )


class VerifiedUpTo(db.Model):
    """How far a chain has been verified in full, in order, by the background check: every
    event up to ``seq`` matched its hash, its record and its link. A view re-checks only what
    came after (and what it shows). ``scope``: "chain" for the whole history."""

    __tablename__ = "audit_verified"

    scope: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    seq: Mapped[int] = mapped_column(sa.BigInteger)
    hash: Mapped[str] = mapped_column(sa.String(64))
    checked: Mapped[int] = mapped_column(sa.BigInteger)
    verified_at: Mapped[datetime] = mapped_column(UTCDateTime())
    verified_by: Mapped[str] = mapped_column(sa.String(64))
    # The first event that did not check out on the last run (the checkpoint stops before it).
    broken_seq: Mapped[int | None] = mapped_column(sa.BigInteger)
    problem: Mapped[str | None] = mapped_column(sa.String(200))
