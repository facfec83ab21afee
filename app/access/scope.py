"""Who sees what: the one rule, applied to lists and to single objects alike.

A user sees their own organisation and everything below it: a ministry or auditor user (whose
organisation is a region) the whole region, a municipal user their municipality and its schools,
a school user their school. An institute serves its region and a methodological centre its
municipality: their people see what the organisation they serve sees. Every model that belongs to an organisation says how to reach it
(``scope_org_id()``); lists and single objects both go through :func:`scoped`.
"""

from __future__ import annotations

from typing import Any, TypeVar

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import aliased

from app.extensions import db
from app.models.org import Organisation
from app.models.user import User

T = TypeVar("T")


def lineage(org: Organisation) -> tuple[int | None, ...]:
    """The organisation itself and its ancestors."""
    return (org.id, org.municipality_id, org.region_id)


def scope_root(user: User) -> int:
    """The organisation whose subtree the user sees."""
    return int(user.organisation.scope_root_id)


def can_view_org(user: User, org: Organisation) -> bool:
    """True when the organisation is in the user's scope (the scope root or below it)."""
    return user.is_active and scope_root(user) in lineage(org)


def visible_orgs_clause(viewer: User | int, org: Any = Organisation) -> sa.ColumnElement[bool]:
    """SQL twin of can_view_org() over an Organisation entity or alias. ``viewer`` is a user or
    the id of the organisation whose view is wanted (commands acting for a region)."""
    uid = viewer if isinstance(viewer, int) else scope_root(viewer)
    return sa.or_(org.id == uid, org.municipality_id == uid, org.region_id == uid)


def visible_orgs_by_params(org: Any = Organisation) -> sa.ColumnElement[bool]:
    """visible_orgs_clause() for a statement built once: the viewer comes as the parameter
    ``scope_root`` (scope_params() gives it)."""
    root = sa.bindparam("scope_root", type_=sa.Integer)
    return sa.or_(org.id == root, org.municipality_id == root, org.region_id == root)


def scoped(
    model: type[T], viewer: User | int, stmt: sa.Select[Any] | None = None
) -> sa.Select[Any]:
    """``stmt`` (default: select the model) limited to the rows the viewer may see."""
    stmt = sa.select(model) if stmt is None else stmt
    org = aliased(Organisation)
    for target, onclause in getattr(model, "scope_joins", lambda: [])():
        stmt = stmt.join(target, onclause)
    visible = visible_orgs_clause(viewer, org)
    also = getattr(model, "also_visible_to", None)
    if also is not None and not isinstance(viewer, int) and viewer.organisation.is_school:
        # A school also sees what it works on for another (a leader school, its ШНОР school's
        # case); everyone above a school sees those cases in their subtree already.
        visible = sa.or_(visible, also(viewer.organisation_id))
    return stmt.join(org, org.id == model.scope_org_id()).where(  # type: ignore[attr-defined]
        visible
    )


def scope_kind(viewer: User | int) -> bool:
    """Whether scoped() adds what a school also sees for this viewer (a school's user)."""
    return not isinstance(viewer, int) and viewer.organisation.is_school


def scoped_by_params(model: type[T], stmt: sa.Select[Any], *, school: bool) -> sa.Select[Any]:
    """scoped() for a statement built once and run for many viewers: the viewer comes as the
    parameters scope_params() gives (``school``: scope_kind() of the viewers it serves)."""
    org = aliased(Organisation)
    for target, onclause in getattr(model, "scope_joins", lambda: [])():
        stmt = stmt.join(target, onclause)
    visible = visible_orgs_by_params(org)
    also = getattr(model, "also_visible_to", None)
    if also is not None and school:
        visible = sa.or_(visible, also(sa.bindparam("viewer_org", type_=sa.Integer)))
    return stmt.join(org, org.id == model.scope_org_id()).where(  # type: ignore[attr-defined]
        visible
    )


def scope_params(viewer: User | int) -> dict[str, int]:
    """The parameters of a scoped_by_params() statement for a viewer."""
    if isinstance(viewer, int):
        return {"scope_root": viewer}
    return {"scope_root": scope_root(viewer), "viewer_org": viewer.organisation_id}


def get_scoped_or_404(model: type[T], object_id: int, user: User) -> T:
    """One object by id, or 404 when it does not exist or lies outside the user's scope."""
    pk = sa.inspect(model).primary_key[0]  # type: ignore[union-attr]
    obj = db.session.scalars(scoped(model, user).where(pk == object_id)).first()
    if obj is None:
        abort(404)
    return obj


def region_id_of(user: User) -> int:
    """The region a user works in (a region user's own organisation)."""
    org = user.organisation
    return org.region_id if org.region_id is not None else org.id


def in_users_region(region_id: int, user: User) -> bool:
    """Region-wide records (campaigns, schedules) are visible to every user of that region."""
    return user.is_active and region_id == region_id_of(user)
