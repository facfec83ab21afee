"""VPR results, their test specifications, import jobs and computed signs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, utcnow
from app.models.user import User


class VprSpec(db.Model):
    """The specification of one test work (DATA_FORMATS.md §2), as imported."""

    __tablename__ = "vpr_spec"
    __table_args__ = (sa.UniqueConstraint("year", "subject", "grade"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(sa.SmallInteger)
    subject: Mapped[str] = mapped_column(sa.String(100))
    grade: Mapped[int] = mapped_column(sa.SmallInteger)
    code: Mapped[str] = mapped_column(sa.String(16))
    spec: Mapped[dict[str, Any]] = mapped_column(sa.JSON)


class VprResult(db.Model):
    """One participant's result in one test work. Task scores are kept as text, one value per
    task id of the spec in order ("" where the work has no such task), which reads back into a
    vectorised frame quickly."""

    __tablename__ = "vpr_result"
    __table_args__ = (sa.Index("ix_vpr_result_work", "year", "subject", "grade", "school_id"),)

    id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True
    )
    year: Mapped[int] = mapped_column(sa.SmallInteger)
    subject: Mapped[str] = mapped_column(sa.String(100))
    code: Mapped[str] = mapped_column(sa.String(16))
    grade: Mapped[int] = mapped_column(sa.SmallInteger)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"))
    participant: Mapped[str] = mapped_column(sa.String(64))
    class_name: Mapped[str] = mapped_column(sa.String(16))
    variant: Mapped[str] = mapped_column(sa.String(16))
    score: Mapped[int] = mapped_column(sa.SmallInteger)
    mark: Mapped[int] = mapped_column(sa.SmallInteger)
    journal_mark: Mapped[int | None] = mapped_column(sa.SmallInteger)
    tasks: Mapped[str] = mapped_column(sa.Text)


class ExamResult(db.Model):
    """One participant's result in one state exam (ОГЭ or ЕГЭ, DATA_FORMATS §7)."""

    __tablename__ = "exam_result"
    __table_args__ = (sa.Index("ix_exam_result_unit", "year", "exam", "subject", "school_id"),)

    id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True
    )
    year: Mapped[int] = mapped_column(sa.SmallInteger)
    exam: Mapped[str] = mapped_column(sa.String(8))
    subject: Mapped[str] = mapped_column(sa.String(100))
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"))
    participant: Mapped[str] = mapped_column(sa.String(64))
    score: Mapped[int] = mapped_column(sa.SmallInteger)
    test_score: Mapped[int | None] = mapped_column(sa.SmallInteger)
    mark: Mapped[int | None] = mapped_column(sa.SmallInteger)


class VprImport(db.Model):
    """An upload of a results file and its processing (status and progress for the page)."""

    __tablename__ = "vpr_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"))
    filename: Mapped[str] = mapped_column(sa.String(200))
    sha256: Mapped[str] = mapped_column(sa.String(64))
    size: Mapped[int] = mapped_column(sa.BigInteger)
    status: Mapped[str] = mapped_column(sa.String(16), default="queued")  # running, done, failed
    progress: Mapped[int] = mapped_column(default=0)
    message: Mapped[str | None] = mapped_column(sa.Text)
    rows: Mapped[int] = mapped_column(default=0)
    works: Mapped[int] = mapped_column(default=0)
    report: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    created_by: Mapped[User | None] = relationship()


class SignRun(db.Model):
    """One computation of the signs for a year, with the rule versions and parameters used."""

    __tablename__ = "sign_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    year: Mapped[int] = mapped_column(sa.SmallInteger)
    rules: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    # the whole region's markers and evidence: loaded only when read (a case page reads its
    # school's part from SignRunSchool instead)
    markers: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, deferred=True)
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, deferred=True)
    schools: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    # login -> {"decision": "added" | "dropped", "reason", "by", "at"}: approval school by school
    decisions: Mapped[dict[str, dict[str, Any]]] = mapped_column(sa.JSON, default=dict)


class SignRunSchool(db.Model):
    """One school's part of a sign run: its fired signs' evidence and its works' markers, so a
    case page reads one row instead of the region's whole run."""

    __tablename__ = "sign_run_school"

    run_id: Mapped[int] = mapped_column(
        sa.ForeignKey("sign_run.id", ondelete="CASCADE"), primary_key=True
    )
    school_login: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON)
    markers: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON)
