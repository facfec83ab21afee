"""Organisations: region → municipality → school."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, str_enum, utcnow


class OrgKind(enum.StrEnum):
    REGION = "region"
    MUNICIPALITY = "municipality"
    SCHOOL = "school"


class Organisation(db.Model):
    """One organisation of the hierarchy.

    ``region_id`` and ``municipality_id`` are the denormalised ancestors (NULL where the level is
    the organisation itself), so that a scope check is one indexed comparison, never a walk.
    """

    __tablename__ = "organisation"
    __table_args__ = (
        sa.CheckConstraint(
            "(kind = 'region' AND parent_id IS NULL AND region_id IS NULL"
            " AND municipality_id IS NULL)"
            " OR (kind = 'municipality' AND parent_id = region_id AND municipality_id IS NULL)"
            " OR (kind = 'school' AND parent_id = municipality_id AND region_id IS NOT NULL"
            " AND login IS NOT NULL)",
            name="hierarchy",
        ),
        sa.UniqueConstraint("parent_id", "name", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[OrgKind] = mapped_column(str_enum(OrgKind, "org_kind", 16))
    name: Mapped[str] = mapped_column(sa.String(500))
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    region_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    municipality_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisation.id"), index=True
    )
    login: Mapped[str | None] = mapped_column(sa.String(16), unique=True)
    school_type: Mapped[str | None] = mapped_column(sa.String(100))
    specialised: Mapped[bool] = mapped_column(default=False)
    director: Mapped[str | None] = mapped_column(sa.String(300))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    phone: Mapped[str | None] = mapped_column(sa.String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    parent: Mapped[Organisation | None] = relationship(remote_side=[id], foreign_keys=[parent_id])

    @classmethod
    def scope_org_id(cls) -> sa.ColumnElement[int]:
        """An organisation is scoped by itself."""
        return cls.id  # type: ignore[return-value]

    @property
    def is_school(self) -> bool:
        return self.kind == OrgKind.SCHOOL

    def __repr__(self) -> str:
        return f"<Organisation {self.kind.value} {self.login or self.id} {self.name[:30]!r}>"
