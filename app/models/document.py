"""Documents: uploaded and generated files with versions, templates, roadmaps."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.org import Organisation
from app.models.types import UTCDateTime, str_enum, utcnow
from app.models.user import User


class ReviewStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    RETURNED = "returned"


class Document(db.Model):
    """A document of a case or, for municipality-wide acts, of a municipality in a campaign."""

    __tablename__ = "document"
    __table_args__ = (
        sa.Index("ix_document_municipal", "owner_org_id", "campaign_id", "obligation_type"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The organisation that owns it (the case's school, or the municipality for its acts):
    # scope is decided on this column.
    owner_org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("school_case.id"), index=True)
    campaign_id: Mapped[int | None] = mapped_column(sa.ForeignKey("campaign.id"))
    obligation_type: Mapped[str | None] = mapped_column(sa.String(40))
    kind: Mapped[str] = mapped_column(sa.String(40))  # a document type or a template key
    session_id: Mapped[int | None] = mapped_column(sa.ForeignKey("strategic_session.id"))
    generated: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    owner: Mapped[Organisation] = relationship()
    versions: Mapped[list[DocumentVersion]] = relationship(
        back_populates="document", order_by="DocumentVersion.number"
    )

    @classmethod
    def scope_org_id(cls) -> Any:
        return cls.owner_org_id

    @property
    def latest(self) -> DocumentVersion | None:
        return self.versions[-1] if self.versions else None


class DocumentVersion(db.Model):
    """One stored file; its content lives in the document store under its SHA-256."""

    __tablename__ = "document_version"
    __table_args__ = (
        sa.UniqueConstraint("document_id", "number"),
        # A registration is a number with its date, never one without the other.
        sa.CheckConstraint("(reg_number IS NULL) = (reg_date IS NULL)", name="registration"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("document.id"), index=True)
    number: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    size: Mapped[int] = mapped_column(sa.BigInteger)
    mime: Mapped[str] = mapped_column(sa.String(100))
    filename: Mapped[str] = mapped_column(sa.String(200))
    note: Mapped[str | None] = mapped_column(sa.Text)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    template_key: Mapped[str | None] = mapped_column(sa.String(40))
    template_version: Mapped[int | None]
    review_status: Mapped[ReviewStatus | None] = mapped_column(
        str_enum(ReviewStatus, "review_status", 16)
    )
    review_comment: Mapped[str | None] = mapped_column(sa.Text)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    # The registration of a signed act (its number and date as the issuing organisation's
    # office gave them), entered by that organisation.
    reg_number: Mapped[str | None] = mapped_column(sa.String(50))
    reg_date: Mapped[date | None]
    registered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    registered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    # A scan of the signed paper is a version of its own, the signed copy of this one.
    signed_copy_of_id: Mapped[int | None] = mapped_column(sa.ForeignKey("document_version.id"))

    document: Mapped[Document] = relationship(back_populates="versions")
    uploaded_by: Mapped[User | None] = relationship(foreign_keys=[uploaded_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    registered_by: Mapped[User | None] = relationship(foreign_keys=[registered_by_id])
    signed_copy_of: Mapped[DocumentVersion | None] = relationship(
        remote_side=[id], foreign_keys=[signed_copy_of_id]
    )

    @property
    def is_signed_copy(self) -> bool:
        """A scan of the signed paper of another version."""
        return self.signed_copy_of_id is not None

    @property
    def registration(self) -> tuple[str, date] | None:
        """The signed act's number and date: this version's, or those of the version it is the
        signed copy of."""
        source = self.signed_copy_of or self
        if source.reg_number is None or source.reg_date is None:
            return None
        return source.reg_number, source.reg_date


class DocumentTemplate(db.Model):
    """A version of a .docx template; version 1 of each is the file shipped with the code."""

    __tablename__ = "document_template"
    __table_args__ = (sa.UniqueConstraint("key", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(40))
    version: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    filename: Mapped[str] = mapped_column(sa.String(200))
    active: Mapped[bool] = mapped_column(default=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    uploaded_by: Mapped[User | None] = relationship()


class RoadmapStatus(enum.StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    NOT_DONE = "not_done"


class Roadmap(db.Model):
    """A school's or a municipality's roadmap for a campaign."""

    __tablename__ = "roadmap"
    __table_args__ = (sa.UniqueConstraint("owner_org_id", "campaign_id", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id"))
    category: Mapped[str] = mapped_column(sa.String(16))
    title: Mapped[str] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    owner: Mapped[Organisation] = relationship()
    items: Mapped[list[RoadmapItem]] = relationship(
        back_populates="roadmap", order_by="RoadmapItem.position"
    )
    reports: Mapped[list[RoadmapReport]] = relationship(order_by="RoadmapReport.due_date")

    @classmethod
    def scope_org_id(cls) -> Any:
        return cls.owner_org_id


class RoadmapItem(db.Model):
    """One measure of a roadmap."""

    __tablename__ = "roadmap_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    roadmap_id: Mapped[int] = mapped_column(sa.ForeignKey("roadmap.id"), index=True)
    position: Mapped[int]
    measure: Mapped[str] = mapped_column(sa.Text)
    deadline: Mapped[str] = mapped_column(sa.String(200))
    due_date: Mapped[date | None]
    responsible: Mapped[str] = mapped_column(sa.String(500))
    indicator: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[RoadmapStatus] = mapped_column(
        str_enum(RoadmapStatus, "roadmap_status", 16), default=RoadmapStatus.PLANNED
    )
    progress_note: Mapped[str | None] = mapped_column(sa.Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    roadmap: Mapped[Roadmap] = relationship(back_populates="items")


class RoadmapReport(db.Model):
    """The monthly progress report on a roadmap, due on the last Monday of the month."""

    __tablename__ = "roadmap_report"
    __table_args__ = (sa.UniqueConstraint("roadmap_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    roadmap_id: Mapped[int] = mapped_column(sa.ForeignKey("roadmap.id"), index=True)
    period: Mapped[str] = mapped_column(sa.String(7))  # YYYY-MM
    due_date: Mapped[date]
    text: Mapped[str] = mapped_column(sa.Text)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    submitted_by: Mapped[User | None] = relationship()


class DocumentConclusion(db.Model):
    """The conclusions of a case's paper (the certificate, the recheck protocol) as its
    responsible person wrote them before generating it."""

    __tablename__ = "document_conclusion"
    __table_args__ = (sa.UniqueConstraint("case_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("school_case.id"))
    kind: Mapped[str] = mapped_column(sa.String(40))
    text: Mapped[str] = mapped_column(sa.Text)
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))

    updated_by: Mapped[User] = relationship()
