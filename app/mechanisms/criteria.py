"""The criteria of the evaluation, kept as data: 1.1 and 1.2 of seed 002 for every region, and
those a region adds for itself."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask_babel import gettext as _

from app import access, audit
from app.errors import InvalidInput, NotAllowed
from app.extensions import db
from app.models.mechanism import MechanismCriterion
from app.models.org import Organisation
from app.models.user import User

_CODE = re.compile(r"^[0-9]{1,3}(?:\.[0-9]{1,3}){0,3}$")


def criteria_of(region_id: int) -> list[MechanismCriterion]:
    """The criteria a region's reports hold: everyone's first, then its own, in order."""
    return list(
        db.session.scalars(
            sa.select(MechanismCriterion)
            .where(
                sa.or_(
                    MechanismCriterion.region_id.is_(None),
                    MechanismCriterion.region_id == region_id,
                )
            )
            .order_by(
                MechanismCriterion.region_id.is_not(None),
                MechanismCriterion.position,
                MechanismCriterion.id,
            )
        )
    )


def normalise_code(code: str) -> str:
    """«1.1.» and « 1.1 » are 1.1."""
    return code.strip().rstrip(".").strip()


def find(criteria: list[MechanismCriterion], text: str) -> MechanismCriterion | None:
    """The criterion a cell names, by its code («1.1») or its title (case aside)."""
    code = normalise_code(text)
    key = " ".join(text.split()).lower()
    for criterion in criteria:
        if criterion.code == code or " ".join(criterion.title.split()).lower() == key:
            return criterion
    return None


def add_criterion(
    region: Organisation, code: str, title: str, *, actor: User
) -> MechanismCriterion:
    """A criterion of the region's own (a code such as 1.3 and its title), after the others."""
    if not access.can_add_mechanism_criterion(actor) or actor.organisation_id != region.id:
        raise NotAllowed(_("Only the region's ministry adds criteria."))
    code, title = normalise_code(code), " ".join(title.split())
    if not _CODE.match(code):
        raise InvalidInput(_("The code is a number such as 1.3."))
    if not title or len(title) > 500:
        raise InvalidInput(_("Give the criterion's title (at most 500 characters)."))
    existing = criteria_of(region.id)
    if any(c.code == code for c in existing):
        raise InvalidInput(_("The region already has criterion %(code)s.", code=code))
    criterion = MechanismCriterion(
        region_id=region.id,
        code=code,
        title=title,
        position=1 + max((c.position for c in existing), default=0),
        created_by_id=actor.id,
    )
    db.session.add(criterion)
    db.session.flush()
    audit.record(
        "mechanisms.criterion_added",
        actor=actor,
        object_type="mechanism_criterion",
        object_id=criterion.id,
        org_id=region.id,
        after={"code": code, "title": title},
    )
    return criterion
