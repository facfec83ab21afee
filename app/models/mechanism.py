"""The monitoring of municipal mechanisms of managing the quality of education: per municipality
and year, each criterion's indicator (a percentage), the conclusions, and the municipal order that
approves the year's report and the next year's roadmap (seed 002)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.document import Document
from app.models.org import Organisation
from app.models.types import UTCDateTime, utcnow
from app.models.user import User

# A percentage with one decimal place: 0.0 … 100.0.
Percent = sa.Numeric(4, 1)
# The kind of the document that holds a report's approved report and roadmap.
DOCUMENT_KIND = "mechanisms_report"


class MechanismCriterion(db.Model):
    """A criterion of the evaluation (1.1 «Система оценки качества подготовки обучающихся» …);
    ``region_id`` None: a criterion of every region, else one a region added for itself."""

    __tablename__ = "mechanism_criterion"
    __table_args__ = (sa.UniqueConstraint("region_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    code: Mapped[str] = mapped_column(sa.String(20))
    title: Mapped[str] = mapped_column(sa.String(500))
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))


class MechanismReport(db.Model):
    """One municipality's report for one year: its figures, conclusions and approving order."""

    __tablename__ = "mechanism_report"
    __table_args__ = (
        sa.UniqueConstraint("municipality_id", "year"),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name="year"),
        sa.Index("ix_mechanism_report_region_year", "region_id", "year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"))
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"))
    year: Mapped[int]
    conclusions: Mapped[str] = mapped_column(sa.Text, default="")
    # The municipal order approving the report and the next year's roadmap (seed 002, пп. 1–2).
    order_number: Mapped[str | None] = mapped_column(sa.String(50))
    order_date: Mapped[date | None]
    # Who develops, collects and publishes the materials on the site (seed 002, п. 4).
    publisher: Mapped[str | None] = mapped_column(sa.String(300))
    # The approved report and roadmap as uploaded (a document owned by the municipality).
    document_id: Mapped[int | None] = mapped_column(sa.ForeignKey("document.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    version: Mapped[int] = mapped_column(default=1)

    municipality: Mapped[Organisation] = relationship(foreign_keys=[municipality_id])
    document: Mapped[Document | None] = relationship()
    updated_by: Mapped[User | None] = relationship()
    values: Mapped[list[MechanismValue]] = relationship(
        back_populates="report", cascade="all, delete-orphan"
    )

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}

    @classmethod
    def scope_org_id(cls) -> Any:
        """A report is seen by whoever sees its municipality."""
        return cls.municipality_id

    @property
    def approved(self) -> bool:
        """The report and roadmap are approved once the order's number and date are recorded."""
        return bool(self.order_number) and self.order_date is not None


class MechanismValue(db.Model):
    """A criterion's indicator in one report; ``previous`` is the year before's value as the
    municipality entered it (used only when there is no report for that year)."""

    __tablename__ = "mechanism_value"
    __table_args__ = (
        sa.UniqueConstraint("report_id", "criterion_id"),
        sa.CheckConstraint("value IS NULL OR (value >= 0 AND value <= 100)", name="value"),
        sa.CheckConstraint(
            "previous IS NULL OR (previous >= 0 AND previous <= 100)", name="previous"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("mechanism_report.id"), index=True)
    criterion_id: Mapped[int] = mapped_column(sa.ForeignKey("mechanism_criterion.id"), index=True)
    value: Mapped[Decimal | None] = mapped_column(Percent)
    previous: Mapped[Decimal | None] = mapped_column(Percent)

    report: Mapped[MechanismReport] = relationship(back_populates="values")
    criterion: Mapped[MechanismCriterion] = relationship()
