"""What an uploaded data table says, computed once when it is uploaded."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class DataFigures(db.Model):
    """The figures of one data table for one school, keyed by the table's content: a case page
    shows them without reading the file again, however large it is."""

    __tablename__ = "data_figures"

    sha256: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    school_login: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    figures: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
