"""The append-only, hash-chained history of every change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime

GENESIS_HASH = "0" * 64


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
    before: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    reason: Mapped[str | None] = mapped_column(sa.Text)
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64), unique=True)

    __table_args__ = (
        sa.Index("ix_audit_event_object", "object_type", "object_id"),
        # A case's history in order: its newest events without reading (or sorting) the rest.
        sa.Index("ix_audit_event_case_seq", "case_id", "seq"),
    )
