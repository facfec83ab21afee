"""Operations on organisations: finding and creating municipalities, their methodological
centres, regional institutes and schools (under a municipality, or under the region)."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask_babel import gettext as _

from app import access, audit
from app.errors import InvalidInput, NotAllowed
from app.extensions import db
from app.models.org import Organisation, OrgKind, Subordination
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


def create_serving(
    parent: Organisation, kind: OrgKind, name: str, *, actor: User | None
) -> Organisation:
    """A regional institute of a region, or a methodological centre of a municipality."""
    expected = {OrgKind.INSTITUTE: OrgKind.REGION, OrgKind.METHOD_CENTRE: OrgKind.MUNICIPALITY}
    if expected.get(kind) is not parent.kind:
        raise InvalidInput(
            _("An institute belongs to a region, a methodological centre to a municipality.")
        )
    name = normalise_name(name)
    if not name:
        raise InvalidInput(_("The name is empty."))
    org = Organisation(
        kind=kind,
        name=name,
        parent_id=parent.id,
        region_id=parent.region_id or parent.id,
        municipality_id=parent.id if kind is OrgKind.METHOD_CENTRE else None,
    )
    db.session.add(org)
    db.session.flush()
    audit.record(
        "org.created",
        actor=actor,
        object_type="organisation",
        object_id=org.id,
        org_id=org.id,
        after={"kind": kind.value, "name": org.name, "parent_id": parent.id},
    )
    return org


# The time zones of Russia's regions (the eleven of the federal law on the calculation of time).
RUSSIAN_ZONES = (
    ("Europe/Kaliningrad", "МСК−1 (Калининград)"),
    ("Europe/Moscow", "МСК (Москва)"),
    ("Europe/Samara", "МСК+1 (Самара)"),
    ("Asia/Yekaterinburg", "МСК+2 (Екатеринбург)"),
    ("Asia/Omsk", "МСК+3 (Омск)"),
    ("Asia/Krasnoyarsk", "МСК+4 (Красноярск)"),
    ("Asia/Irkutsk", "МСК+5 (Иркутск)"),
    ("Asia/Yakutsk", "МСК+6 (Якутск)"),
    ("Asia/Vladivostok", "МСК+7 (Владивосток, Хабаровск)"),
    ("Asia/Magadan", "МСК+8 (Магадан)"),
    ("Asia/Kamchatka", "МСК+9 (Петропавловск-Камчатский)"),
)


def set_region_timezone(region: Organisation, name: str, *, actor: User) -> bool:
    """The region's time zone, in which its deadlines are met or missed; recorded."""
    if not access.can_keep_region_calendar(actor, region.id):
        raise NotAllowed(_("Only the region's ministry or administrator keeps its own days."))
    if name not in dict(RUSSIAN_ZONES):
        raise InvalidInput(_("Choose one of Russia's time zones."))
    if region.timezone == name:
        return False
    audit.record(
        "org.timezone_changed",
        actor=actor,
        object_type="organisation",
        object_id=region.id,
        org_id=region.id,
        before={"timezone": region.timezone},
        after={"timezone": name},
    )
    region.timezone = name
    db.session.flush()
    return True


SCHOOL_FIELDS = ("name", "school_type", "specialised", "director", "email", "phone")


def school_snapshot(school: Organisation) -> dict[str, object]:
    """The editable facts of a school, for the history."""
    values: dict[str, object] = {f: getattr(school, f) for f in SCHOOL_FIELDS}
    values["municipality_id"] = school.municipality_id
    values["subordination"] = school.subordination.value if school.subordination else None
    values["login"] = school.login
    return values


def _place(school: Organisation, parent: Organisation, subordination: Subordination) -> None:
    """Put a school under its municipality, or under the region for a regional or private one."""
    if (parent.kind is OrgKind.MUNICIPALITY) != (subordination is Subordination.MUNICIPAL):
        raise InvalidInput(
            _(
                "A municipal school belongs to a municipality; a regional or private one to the region."
            )
        )
    school.parent_id = parent.id
    school.region_id = parent.region_id or parent.id
    school.municipality_id = parent.id if parent.kind is OrgKind.MUNICIPALITY else None
    school.subordination = subordination


def create_school(
    parent: Organisation,
    login: str,
    values: dict[str, object],
    *,
    actor: User | None,
    subordination: Subordination = Subordination.MUNICIPAL,
) -> Organisation:
    """A new school: in a municipality, or (regional or private) directly under the region."""
    school = Organisation(kind=OrgKind.SCHOOL, login=login, **values)
    _place(school, parent, subordination)
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
    parent: Organisation,
    values: dict[str, object],
    *,
    actor: User | None,
    subordination: Subordination = Subordination.MUNICIPAL,
) -> bool:
    """Apply new facts to a school; return whether anything changed."""
    before = school_snapshot(school)
    for key, value in values.items():
        setattr(school, key, value)
    _place(school, parent, subordination)
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
