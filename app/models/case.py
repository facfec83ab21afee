"""Campaigns, cases, the milestones they passed and their obligations, and the working-day
calendar."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.org import Organisation
from app.models.types import UTCDateTime, str_enum, utcnow
from app.models.user import User

if TYPE_CHECKING:
    from app.models.document import Document
    from app.models.plan import Plan, PlanMeasure


class Category(enum.StrEnum):
    """The track (list) a case is on."""

    OBJECTIVITY = "objectivity"  # признаки необъективности
    LOW_RESULTS = "low_results"  # ШНОР
    ADVERSE = "adverse"  # ШФНСУ: schools in adverse social conditions


class CaseStatus(enum.StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"
    ESCALATED = "escalated"


class Level(enum.StrEnum):
    """Who is responsible for (or reviews) a measure."""

    SCHOOL = "school"
    LEADER_SCHOOL = "leader_school"  # the leader school assigned to a ШНОР school
    METHOD_CENTRE = "method_centre"  # the municipal methodological centre (ИМЦ)
    MUNICIPALITY = "municipality"  # the municipal education authority (МОУО)
    INSTITUTE = "institute"  # the regional institute (РЦО, ИРО)
    REGION = "region"  # the ministry


class ObligationStatus(enum.StrEnum):
    OPEN = "open"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    ACCEPTED = "accepted"
    WAIVED = "waived"


# Statuses in which the responsible party still owes something: these can become overdue.
PENDING_STATUSES = (ObligationStatus.OPEN, ObligationStatus.RETURNED)
DONE_STATUSES = (ObligationStatus.ACCEPTED, ObligationStatus.WAIVED)


class Campaign(db.Model):
    """One cycle: the VPR year whose signs produced the list, the approving order, the schedule."""

    __tablename__ = "campaign"
    __table_args__ = (sa.UniqueConstraint("region_id", "vpr_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    vpr_year: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(200))
    # The approving order (приказ об утверждении перечня): its registration, title, issuing body
    # and who signed it; every generated document cites it.
    order_number: Mapped[str | None] = mapped_column(sa.String(50))
    order_date: Mapped[date | None]
    order_title: Mapped[str | None] = mapped_column(sa.String(500))
    order_issuer: Mapped[str | None] = mapped_column(sa.String(300))
    order_signatory_name: Mapped[str | None] = mapped_column(sa.String(200))
    order_signatory_position: Mapped[str | None] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    region: Mapped[Organisation] = relationship()
    plan: Mapped[Plan | None] = relationship(back_populates="campaign", uselist=False)

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}

    @property
    def school_year(self) -> str:
        """The school year the work happens in, e.g. 2023/2024 for VPR 2023."""
        return f"{self.vpr_year}/{self.vpr_year + 1}"


class Case(db.Model):
    """One flagged school in one campaign and category."""

    __tablename__ = "school_case"
    __table_args__ = (
        sa.UniqueConstraint("campaign_id", "school_id", "category"),
        sa.CheckConstraint("support_level IS NULL OR support_level BETWEEN 1 AND 3", name="level"),
        sa.Index("ix_case_campaign_stage", "campaign_id", "stage"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id"))
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    # None for a school under the region itself (subordinate to the ministry, or private).
    municipality_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisation.id"), index=True
    )
    category: Mapped[Category] = mapped_column(str_enum(Category, "category", 16))
    # The milestone summary of where the work stands (derived from the obligations).
    stage: Mapped[str] = mapped_column(sa.String(40))
    status: Mapped[CaseStatus] = mapped_column(
        str_enum(CaseStatus, "case_status", 16), default=CaseStatus.OPEN
    )
    support_level: Mapped[int | None]
    # The federal (ФИОКО) list's markers; the region's own analytics' markers, approved from a
    # proposed list, are kept apart and never overwrite them.
    markers: Mapped[dict[str, int]] = mapped_column(sa.JSON, default=dict)
    regional_markers: Mapped[dict[str, int]] = mapped_column(sa.JSON, default=dict)
    marker_count: Mapped[int] = mapped_column(default=0)
    years_on_list: Mapped[int] = mapped_column(default=1)
    contract_review: Mapped[bool] = mapped_column(default=False)
    # The day its measures start: the day the list was approved (the campaign's order), or the
    # day the case was opened when the list came later.
    opened_on: Mapped[date]
    stage_entered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    version: Mapped[int] = mapped_column(default=1)

    campaign: Mapped[Campaign] = relationship()
    school: Mapped[Organisation] = relationship(foreign_keys=[school_id])
    municipality: Mapped[Organisation | None] = relationship(foreign_keys=[municipality_id])
    updated_by: Mapped[User | None] = relationship()
    obligations: Mapped[list[Obligation]] = relationship(
        back_populates="case", order_by="Obligation.id"
    )
    stages: Mapped[list[CaseStage]] = relationship(order_by="CaseStage.id")

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}

    @classmethod
    def scope_org_id(cls) -> Any:
        """A case is seen by whoever sees its school …"""
        return cls.school_id

    @classmethod
    def also_visible_to(cls, org_id: int) -> Any:
        """… and by an organisation that owes one of its measures (a leader school)."""
        return cls.id.in_(
            sa.select(Obligation.case_id).where(Obligation.responsible_org_id == org_id)
        )


class CaseStage(db.Model):
    """One stay of a case at a milestone of its work: the timeline on the case page."""

    __tablename__ = "case_stage"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("school_case.id"), index=True)
    stage: Mapped[str] = mapped_column(sa.String(40))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    entered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    reason: Mapped[str | None] = mapped_column(sa.Text)

    entered_by: Mapped[User | None] = relationship()


class Obligation(db.Model):
    """What a responsible organisation owes a case under one measure of the plan (for a monthly
    measure, under one month of it), by its due date."""

    __tablename__ = "obligation"
    __table_args__ = (
        sa.UniqueConstraint("case_id", "measure_id", "period"),
        sa.Index("ix_obligation_responsible", "responsible_org_id", "status", "due_date"),
        sa.Index("ix_obligation_reviewer", "reviewer_org_id", "status"),
        sa.Index("ix_obligation_status_due", "status", "due_date"),
        # A municipal act's review decides every obligation the act answers.
        sa.Index("ix_obligation_document", "document_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("school_case.id"), index=True)
    measure_id: Mapped[int] = mapped_column(sa.ForeignKey("plan_measure.id"), index=True)
    period: Mapped[str] = mapped_column(sa.String(7), default="")  # YYYY-MM of a monthly measure
    stage: Mapped[str] = mapped_column(sa.String(40))  # the measure's milestone
    obligation_type: Mapped[str] = mapped_column(sa.String(60))  # the measure's key
    takes: Mapped[str] = mapped_column(sa.String(60), default="nothing")
    level: Mapped[Level] = mapped_column(str_enum(Level, "level", 16))
    responsible_org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"))
    responsible_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    reviewer_level: Mapped[Level | None] = mapped_column(str_enum(Level, "reviewer_level", 16))
    # The organisation whose people review it (the one acting for the reviewing level).
    reviewer_org_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id"))
    document_types: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    required: Mapped[bool] = mapped_column(default=True)
    opened_on: Mapped[date]  # from when the work counts (the case opened, a period started)
    # None: waits for the measure it follows, or ongoing («постоянно»).
    due_date: Mapped[date | None] = mapped_column(index=True)
    due_inclusive: Mapped[bool] = mapped_column(default=True)  # «не позднее» or «до»
    status: Mapped[ObligationStatus] = mapped_column(
        str_enum(ObligationStatus, "obligation_status", 16), default=ObligationStatus.OPEN
    )
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The local calendar day it was done (handed in, for accepted ones): on time or late.
    completed_on: Mapped[date | None]
    comment: Mapped[str | None] = mapped_column(sa.Text)
    # The document answering the obligation (for municipality-wide acts, shared by every case).
    document_id: Mapped[int | None] = mapped_column(sa.ForeignKey("document.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    version: Mapped[int] = mapped_column(default=1)

    case: Mapped[Case] = relationship(back_populates="obligations")
    measure: Mapped[PlanMeasure] = relationship()
    document: Mapped[Document | None] = relationship(foreign_keys=[document_id])
    responsible_org: Mapped[Organisation] = relationship(foreign_keys=[responsible_org_id])
    responsible_user: Mapped[User | None] = relationship(foreign_keys=[responsible_user_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}

    @classmethod
    def scope_joins(cls) -> list[tuple[Any, Any]]:
        """Obligations are seen through their case."""
        return [(Case, Case.id == cls.case_id)]

    @classmethod
    def scope_org_id(cls) -> Any:
        return Case.school_id

    @classmethod
    def also_visible_to(cls, org_id: int) -> Any:
        """The organisation that owes it sees it, whoever's case it is."""
        return cls.responsible_org_id == org_id

    def is_overdue(self, today: date) -> bool:
        """Still owed by the responsible party once its term has run out: after the due date
        («не позднее»), or from the due date on («до»)."""
        if self.status not in PENDING_STATUSES or self.due_date is None:
            return False
        return self.due_date < today if self.due_inclusive else self.due_date <= today

    def is_done(self) -> bool:
        return self.status in DONE_STATUSES

    def done_on_time(self) -> bool | None:
        """For accepted obligations: handed in within the term."""
        if self.status is not ObligationStatus.ACCEPTED or self.completed_on is None:
            return None
        if self.due_date is None:
            return True
        if self.due_inclusive:
            return self.completed_on <= self.due_date
        return self.completed_on < self.due_date


def overdue_clause(today: date) -> sa.ColumnElement[bool]:
    """SQL twin of Obligation.is_overdue()."""
    return sa.and_(
        Obligation.status.in_(PENDING_STATUSES),
        Obligation.due_date.is_not(None),
        sa.or_(
            Obligation.due_date < today,
            sa.and_(Obligation.due_inclusive.is_(False), Obligation.due_date == today),
        ),
    )


def on_time_clause() -> sa.ColumnElement[bool]:
    """SQL twin of Obligation.done_on_time() being True."""
    return sa.and_(
        Obligation.status == ObligationStatus.ACCEPTED,
        sa.or_(
            Obligation.due_date.is_(None),
            sa.and_(
                Obligation.due_inclusive.is_(True), Obligation.completed_on <= Obligation.due_date
            ),
            sa.and_(
                Obligation.due_inclusive.is_(False), Obligation.completed_on < Obligation.due_date
            ),
        ),
    )


class CalendarDay(db.Model):
    """An exception to the Monday–Friday rule: a holiday on a weekday or a working weekend day."""

    __tablename__ = "calendar_day"

    day: Mapped[date] = mapped_column(primary_key=True)
    working: Mapped[bool]
    name: Mapped[str | None] = mapped_column(sa.String(200))
    source: Mapped[str] = mapped_column(sa.String(16), default="holidays")  # or "admin"


class RegionDay(db.Model):
    """A non-working day of one region on top of the federal calendar (a republic's holiday)."""

    __tablename__ = "region_day"

    region_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    working: Mapped[bool] = mapped_column(default=False)
    name: Mapped[str | None] = mapped_column(sa.String(200))


class CalendarYear(db.Model):
    """A year whose exceptions have been loaded from the production calendar."""

    __tablename__ = "calendar_year"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
