"""Campaign plans: the measures of the regional order (and of municipalities on top of it), the
obligations each case derives from them, and every version of the plan as it was approved."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, str_enum, utcnow

if TYPE_CHECKING:
    from app.models.case import Campaign


class Scope(enum.StrEnum):
    """Who one hand-in answers for: the school's own case, every case of the municipality (its
    act), or every case of the campaign (a regional measure)."""

    SCHOOL = "school"
    MUNICIPALITY = "municipality"
    REGION = "region"


class DateKind(enum.StrEnum):
    FIXED = "fixed"  # до / не позднее a date of the order
    PERIOD = "period"  # с … по …
    MONTHLY = "monthly"  # every month of a span, on a rule (the last working Monday)
    AFTER_OPEN = "after_open"  # N working days after the case opens
    AFTER_MEASURE = "after_measure"  # N working days after another measure is accepted
    ONGOING = "ongoing"  # постоянно, в течение года: no due date


class NextListRule(enum.StrEnum):
    """What the next year's list does to this campaign's cases that are still open."""

    ESCALATE = "escalate"  # flagged again: closed as escalated; the others work on
    ESCALATE_AND_CLOSE = "escalate_and_close"  # and the others are closed, what is open waived


class Plan(db.Model):
    """A campaign's plan of measures; ``version`` counts its approved versions."""

    __tablename__ = "campaign_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id"), unique=True)
    template_key: Mapped[str] = mapped_column(sa.String(200))
    title: Mapped[str] = mapped_column(sa.String(500))
    version: Mapped[int] = mapped_column(default=1)
    # The level a case is supported at while the list gives it none.
    default_level: Mapped[int | None]
    next_list_rule: Mapped[NextListRule] = mapped_column(
        str_enum(NextListRule, "next_list_rule", 24), default=NextListRule.ESCALATE
    )
    assumptions: Mapped[str | None] = mapped_column(sa.Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    campaign: Mapped[Campaign] = relationship(back_populates="plan")
    measures: Mapped[list[PlanMeasure]] = relationship(
        back_populates="plan", order_by="PlanMeasure.position"
    )


class PlanMeasure(db.Model):
    """One measure: who does what by when, for which cases, reviewed by whom, answered how."""

    __tablename__ = "plan_measure"
    __table_args__ = (sa.UniqueConstraint("plan_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign_plan.id"), index=True)
    key: Mapped[str] = mapped_column(sa.String(60))
    position: Mapped[int]
    number: Mapped[str] = mapped_column(sa.String(20))
    title: Mapped[str] = mapped_column(sa.Text)
    result: Mapped[str] = mapped_column(sa.Text, default="")
    responsible: Mapped[str] = mapped_column(sa.String(16))  # a Level value
    # The reviewing level for cases supported at level 1, 2 and 3 (None: done when handed in).
    reviewers: Mapped[list[str | None]] = mapped_column(sa.JSON, default=list)
    tracks: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    levels: Mapped[list[int]] = mapped_column(sa.JSON, default=list)
    min_years: Mapped[int] = mapped_column(default=1)
    school_kinds: Mapped[list[str]] = mapped_column(sa.JSON, default=list)  # empty: any school
    scope: Mapped[Scope] = mapped_column(str_enum(Scope, "measure_scope", 16), default=Scope.SCHOOL)
    # What answers it: document:<type>, form:<kind>, record:<kind>, roadmap:<kind>, attendance,
    # or nothing (a plain submission).
    takes: Mapped[str] = mapped_column(sa.String(60), default="nothing")
    milestone: Mapped[str] = mapped_column(sa.String(40))
    seed: Mapped[str] = mapped_column(sa.String(200), default="")
    required: Mapped[bool] = mapped_column(default=True)
    date_kind: Mapped[DateKind] = mapped_column(str_enum(DateKind, "date_kind", 16))
    due_on: Mapped[date | None]  # fixed: the date; period and monthly: the last day
    starts_on: Mapped[date | None]  # period and monthly: the first day
    days: Mapped[int | None]  # after_open / after_measure: working days
    after_key: Mapped[str | None] = mapped_column(sa.String(60))
    inclusive: Mapped[bool] = mapped_column(default=True)  # «не позднее» (True) or «до» (False)
    monthly_rule: Mapped[str | None] = mapped_column(sa.String(30))  # app.plans.dates
    reminders: Mapped[list[int]] = mapped_column(sa.JSON, default=list)  # working days before
    # A municipality's own measure for its schools (None: the region's).
    municipality_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id"))
    # A municipality's earlier internal date for a regional measure, for its schools.
    overrides_id: Mapped[int | None] = mapped_column(sa.ForeignKey("plan_measure.id"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_reason: Mapped[str | None] = mapped_column(sa.Text)

    plan: Mapped[Plan] = relationship(back_populates="measures")

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None


class PlanVersion(db.Model):
    """The whole plan as one approved version stood (its export), with the reason for it."""

    __tablename__ = "plan_version"
    __table_args__ = (sa.UniqueConstraint("plan_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign_plan.id"), index=True)
    version: Mapped[int]
    data: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    reason: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
