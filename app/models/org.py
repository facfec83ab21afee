"""Organisations: a region (its ministry) with its regional institutes; municipalities (their
education authorities) with their methodological centres; schools under a municipality, or
directly under the region (subordinate to the ministry, or private)."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from app import names
from app.extensions import db
from app.models.types import UTCDateTime, str_enum, utcnow


class OrgKind(enum.StrEnum):
    REGION = "region"
    INSTITUTE = "institute"  # a regional institute (РЦО, ИРО): serves its region
    MUNICIPALITY = "municipality"
    METHOD_CENTRE = (
        "method_centre"  # a municipal methodological centre (ИМЦ): serves its municipality
    )
    SCHOOL = "school"


class Subordination(enum.StrEnum):
    """Whom a school answers to: its municipality, or the region's ministry directly (a regional
    school, or a private one licensed by the region)."""

    MUNICIPAL = "municipal"
    REGIONAL = "regional"
    PRIVATE = "private"


# Organisations that serve the one above them and see what it sees.
SERVING_KINDS = (OrgKind.INSTITUTE, OrgKind.METHOD_CENTRE)
DEFAULT_TIMEZONE = "Europe/Moscow"


def listed_name(name: str, kind: OrgKind) -> str:
    """The name lists show for an organisation of ``kind``: a school's short name, any other's
    own (for rows read without building the organisation)."""
    return names.short_name(name) if kind == OrgKind.SCHOOL else name


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
            " OR (kind IN ('municipality', 'institute') AND parent_id = region_id"
            " AND municipality_id IS NULL)"
            " OR (kind = 'method_centre' AND parent_id = municipality_id AND region_id IS NOT NULL)"
            " OR (kind = 'school' AND region_id IS NOT NULL AND login IS NOT NULL"
            " AND (parent_id = municipality_id"
            " OR (municipality_id IS NULL AND parent_id = region_id)))",
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
    # Schools: whom they answer to (a school under the region has no municipality).
    subordination: Mapped[Subordination | None] = mapped_column(
        str_enum(Subordination, "subordination", 16)
    )
    # Regions: the IANA time zone in which its deadlines are met or missed.
    timezone: Mapped[str | None] = mapped_column(sa.String(64))
    school_type: Mapped[str | None] = mapped_column(sa.String(100))
    specialised: Mapped[bool] = mapped_column(default=False)
    director: Mapped[str | None] = mapped_column(sa.String(300))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    phone: Mapped[str | None] = mapped_column(sa.String(100))
    # The issuing body in full, as on the letterhead («Администрация муниципального образования
    # «…»», «Отдел образования администрации …»), and the place of issue («г. Озерск»).
    authority: Mapped[str | None] = mapped_column(sa.String(500))
    place: Mapped[str | None] = mapped_column(sa.String(100))
    # Who signs its acts: «Глава администрации», «Строганова Наталья Александровна».
    head_position: Mapped[str | None] = mapped_column(sa.String(300))
    head_name: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Kept from the name and login by _keep_keys (see app.names): what a search looks in, and
    # the order of a list (the short name with its numbers padded).
    search_key: Mapped[str] = mapped_column(sa.String(1100), default="", index=True)
    sort_key: Mapped[str] = mapped_column(sa.String(600), default="", index=True)

    parent: Mapped[Organisation | None] = relationship(remote_side=[id], foreign_keys=[parent_id])

    @validates("name", "login")
    def _keep_keys(self, key: str, value: str | None) -> str | None:
        name = value if key == "name" else self.name
        login = value if key == "login" else self.login
        if name is not None:
            self.search_key = names.search_key(name, login)
            self.sort_key = names.sort_key(name)
        return value

    @property
    def short_name(self) -> str:
        """The name a list shows («СОШ № 3»); the full legal name is on hover and in papers."""
        return listed_name(self.name, self.kind)

    @classmethod
    def scope_org_id(cls) -> sa.ColumnElement[int]:
        """An organisation is scoped by itself."""
        return cls.id  # type: ignore[return-value]

    @property
    def is_school(self) -> bool:
        return self.kind == OrgKind.SCHOOL

    @property
    def scope_root_id(self) -> int:
        """The organisation whose subtree its people see: its own, or for an institute or a
        methodological centre the one it serves."""
        if self.kind in SERVING_KINDS and self.parent_id is not None:
            return self.parent_id
        return self.id

    def __repr__(self) -> str:
        return f"<Organisation {self.kind.value} {self.login or self.id} {self.name[:30]!r}>"
