"""A verification of one region's history, run in the background."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class ChainCheck(db.Model):
    """Someone asked for the region's history to be verified: queued, running or done, with
    what it found (how many of the region's events check out, the first that does not)."""

    __tablename__ = "chain_check"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(sa.String(16), default="queued")
    checked: Mapped[int] = mapped_column(default=0)
    broken_seq: Mapped[int | None] = mapped_column(sa.BigInteger)
    problem: Mapped[str | None] = mapped_column(sa.String(200))
