"""Notifications: the in-app centre, the e-mail outbox and the exactly-once log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, utcnow
from app.models.user import User


class Notification(db.Model):
    """A message to one user; its text is rendered from ``kind`` and ``params`` in the reader's
    language. ``email_status`` makes it an outbox entry: pending → sending → sent."""

    __tablename__ = "notification"
    __table_args__ = (
        sa.Index("ix_notification_inbox", "user_id", "read_at"),
        sa.Index("ix_notification_user_latest", "user_id", "id"),  # the centre, newest first
        sa.Index("ix_notification_outbox", "email_status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    kind: Mapped[str] = mapped_column(sa.String(32))
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("school_case.id"))
    obligation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("obligation.id"))
    params: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    email_status: Mapped[str] = mapped_column(sa.String(16), default="pending")
    email_attempted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class NotificationLog(db.Model):
    """One row per notice ever due: the unique key makes every notice go out exactly once,
    whichever sweep (or second scheduler) gets there first."""

    __tablename__ = "notification_log"
    __table_args__ = (sa.UniqueConstraint("subject", "kind", "offset_days", "recipient_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(sa.String(80))  # "obligation:12", "report:5:2026-11"
    kind: Mapped[str] = mapped_column(sa.String(32))
    offset_days: Mapped[int]
    recipient_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
