"""Operations on organisations: finding and creating municipalities and schools."""

from __future__ import annotations

import re

import sqlalchemy as sa

from app import audit
from app.extensions import db
from app.models.org import Organisation, OrgKind
from app.models.user import User

SCHOOL_LOGIN_RE = re.compile(r"^edu\d{6}$")


def normalise_name(name: str) -> str:
    """Names compare with collapsed spaces; the stored form keeps the file's spelling."""
    return " ".join(name.split())


def regions() -> list[Organisation]:
    """All regions, by name."""
    return list(
        db.session.scalars(
            sa.select(Organisation)
            .where(Organisation.kind == OrgKind.REGION)
            .order_by(Organisation.name)
        )
    )


def get_or_create_region(name: str, *, actor: User | None) -> Organisation:
    """The region with this name, created when missing."""
    name = normalise_name(name)
    region = db.session.scalars(
        sa.select(Organisation).where(
            Organisation.kind == OrgKind.REGION, Organisation.name == name
        )
    ).first()
    if region is None:
        region = Organisation(kind=OrgKind.REGION, name=name)
        db.session.add(region)
        db.session.flush()
        audit.record(
            "org.created",
            actor=actor,
            object_type="organisation",
            object_id=region.id,
            org_id=region.id,
            after={"kind": "region", "name": name},
        )
    return region


def municipalities_by_name(region: Organisation) -> dict[str, Organisation]:
    """The region's municipalities keyed by their normalised lower-case name."""
    rows = db.session.scalars(
        sa.select(Organisation).where(
            Organisation.kind == OrgKind.MUNICIPALITY, Organisation.region_id == region.id
        )
    )
    return {normalise_name(m.name).lower(): m for m in rows}


def create_municipality(region: Organisation, name: str, *, actor: User | None) -> Organisation:
    """A new municipality of the region."""
    municipality = Organisation(
        kind=OrgKind.MUNICIPALITY,
        name=normalise_name(name),
        parent_id=region.id,
        region_id=region.id,
    )
    db.session.add(municipality)
    db.session.flush()
    audit.record(
        "org.created",
        actor=actor,
        object_type="organisation",
        object_id=municipality.id,
        org_id=municipality.id,
        after={"kind": "municipality", "name": municipality.name},
    )
    return municipality


SCHOOL_FIELDS = ("name", "school_type", "specialised", "director", "email", "phone")


def school_snapshot(school: Organisation) -> dict[str, object]:
    """The editable facts of a school, for the history."""
    values: dict[str, object] = {f: getattr(school, f) for f in SCHOOL_FIELDS}
    values["municipality_id"] = school.municipality_id
    values["login"] = school.login
    return values


def create_school(
    municipality: Organisation, login: str, values: dict[str, object], *, actor: User | None
) -> Organisation:
    """A new school in the municipality."""
    school = Organisation(
        kind=OrgKind.SCHOOL,
        login=login,
        parent_id=municipality.id,
        municipality_id=municipality.id,
        region_id=municipality.region_id,
        **values,
    )
    db.session.add(school)
    db.session.flush()
    audit.record(
        "org.created",
        actor=actor,
        object_type="organisation",
        object_id=school.id,
        org_id=school.id,
        after=school_snapshot(school),
    )
    return school


def update_school(
    school: Organisation,
    municipality: Organisation,
    values: dict[str, object],
    *,
    actor: User | None,
) -> bool:
    """Apply new facts to a school; return whether anything changed."""
    before = school_snapshot(school)
    for key, value in values.items():
        setattr(school, key, value)
    school.parent_id = school.municipality_id = municipality.id
    school.region_id = municipality.region_id
    after = school_snapshot(school)
    if after == before:
        return False
    audit.record(
        "org.updated",
        actor=actor,
        object_type="organisation",
        object_id=school.id,
        org_id=school.id,
        before=before,
        after=after,
    )
    return True


def schools_by_login(logins: set[str]) -> dict[str, Organisation]:
    """Existing schools among the given logins."""
    found: dict[str, Organisation] = {}
    ordered = sorted(logins)
    for start in range(0, len(ordered), 1000):  # stay under every database's parameter limit
        chunk = ordered[start : start + 1000]
        rows = db.session.scalars(sa.select(Organisation).where(Organisation.login.in_(chunk)))
        found.update({s.login: s for s in rows if s.login})
    return found
