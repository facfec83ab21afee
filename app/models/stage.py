"""What people fill in inside the stages: forms, the recheck commission and its works, strategic
sessions, director evaluations, leader-school mentoring, competence assessments."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.org import Organisation
from app.models.types import UTCDateTime, utcnow
from app.models.user import User


class CaseForm(db.Model):
    """A structured form of a case (the self-analysis, the ШНОР questionnaire): its answers.
    Its state is the state of the obligation it hands in."""

    __tablename__ = "case_form"
    __table_args__ = (sa.UniqueConstraint("case_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("school_case.id"))
    kind: Mapped[str] = mapped_column(sa.String(40))
    answers: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    version: Mapped[int] = mapped_column(default=1)

    updated_by: Mapped[User | None] = relationship()
    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}


class Expert(db.Model):
    """A teacher a municipality (or, for the schools under the region, the ministry) can call
    into a recheck commission; ``municipality_id`` is the register's keeper."""

    __tablename__ = "expert"

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"))
    full_name: Mapped[str] = mapped_column(sa.String(300))
    subject: Mapped[str] = mapped_column(sa.String(100))
    position: Mapped[str | None] = mapped_column(sa.String(300))
    active: Mapped[bool] = mapped_column(default=True)

    school: Mapped[Organisation] = relationship(foreign_keys=[school_id])


class CommissionMember(db.Model):
    """An expert in the recheck commission of a case."""

    __tablename__ = "commission_member"
    __table_args__ = (sa.UniqueConstraint("case_id", "expert_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("school_case.id"), index=True)
    expert_id: Mapped[int] = mapped_column(sa.ForeignKey("expert.id"))
    chair: Mapped[bool] = mapped_column(default=False)
    # An independent observer of a school's own subject commission (seed 004), not a checker.
    observer: Mapped[bool] = mapped_column(default=False)

    expert: Mapped[Expert] = relationship()


class RecheckWork(db.Model):
    """One pupil's work: the school's score and mark, and the independent expert's."""

    __tablename__ = "recheck_work"
    __table_args__ = (sa.UniqueConstraint("case_id", "subject", "grade", "participant"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("school_case.id"), index=True)
    subject: Mapped[str] = mapped_column(sa.String(100))
    grade: Mapped[int] = mapped_column(sa.SmallInteger)
    participant: Mapped[str] = mapped_column(sa.String(64))
    score_school: Mapped[int] = mapped_column(sa.SmallInteger)
    mark_school: Mapped[int] = mapped_column(sa.SmallInteger)
    score_recheck: Mapped[int | None] = mapped_column(sa.SmallInteger)
    mark_recheck: Mapped[int | None] = mapped_column(sa.SmallInteger)
    expert_id: Mapped[int | None] = mapped_column(sa.ForeignKey("expert.id"))

    expert: Mapped[Expert | None] = relationship()


class StrategicSession(db.Model):
    """A strategic session with the management teams of flagged schools (seed 000)."""

    __tablename__ = "strategic_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id"))
    title: Mapped[str] = mapped_column(sa.String(300))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    place: Mapped[str | None] = mapped_column(sa.String(300))
    online_link: Mapped[str | None] = mapped_column(sa.String(500))
    directions: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    capacity: Mapped[int] = mapped_column(default=20)
    decisions: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # A cancelled session keeps its invitations for the record; its schools are invited anew.
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancel_reason: Mapped[str | None] = mapped_column(sa.Text)

    invites: Mapped[list[SessionInvite]] = relationship(
        back_populates="session", order_by="SessionInvite.id"
    )


class SessionInvite(db.Model):
    """A case's management team invited to a session: who comes, and whether they came."""

    __tablename__ = "session_invite"
    __table_args__ = (sa.UniqueConstraint("session_id", "case_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("strategic_session.id"), index=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("school_case.id"), index=True)
    participants: Mapped[list[dict[str, str]]] = mapped_column(sa.JSON, default=list)
    attended: Mapped[bool | None]
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    session: Mapped[StrategicSession] = relationship(back_populates="invites")


class IndicatorSet(db.Model):
    """A version of the director-effectiveness indicators with weights and result thresholds."""

    __tablename__ = "indicator_set"
    __table_args__ = (sa.UniqueConstraint("version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(300))
    # [{key, title, weight, max_score, prompt}]
    indicators: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON)
    effective_from: Mapped[float] = mapped_column(default=0.75)  # share of the maximum
    partly_from: Mapped[float] = mapped_column(default=0.5)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DirectorEvaluation(db.Model):
    """The evaluation of a case's director: the school's values, then the commission's scores."""

    __tablename__ = "director_evaluation"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("school_case.id"), unique=True)
    set_version: Mapped[int]
    school_values: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)
    scores: Mapped[dict[str, int]] = mapped_column(sa.JSON, default=dict)
    total: Mapped[int | None]
    max_total: Mapped[int | None]
    result: Mapped[str | None] = mapped_column(sa.String(20))  # effective, partly, not_effective
    decision: Mapped[str | None] = mapped_column(sa.Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}


class Mentorship(db.Model):
    """The leader school assigned to a ШНОР school (seed 003)."""

    __tablename__ = "mentorship"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("school_case.id"), unique=True)
    leader_school_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    assigned_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    leader_school: Mapped[Organisation] = relationship()


class CompetenceAssessment(db.Model):
    """One teacher's professional competence assessment in a ШНОР school."""

    __tablename__ = "competence_assessment"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("school_case.id"), index=True)
    teacher: Mapped[str] = mapped_column(sa.String(300))
    subject: Mapped[str] = mapped_column(sa.String(100))
    assessed_on: Mapped[date]
    method: Mapped[str] = mapped_column(sa.String(300))
    score: Mapped[int | None]  # percent of the maximum
    conclusion: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
