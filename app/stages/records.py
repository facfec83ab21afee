"""The obligation a stage record answers: which one it is, and whether the user may fill it."""

from __future__ import annotations

from flask_babel import gettext as _

from app import access
from app.errors import Conflict, NotAllowed
from app.models.case import PENDING_STATUSES, Case, Obligation
from app.models.user import User


def current_obligation(case: Case, obligation_type: str) -> Obligation | None:
    """The case's newest obligation of a type (from its latest stay in the stage)."""
    found = [o for o in case.obligations if o.obligation_type == obligation_type]
    return max(found, key=lambda o: o.id) if found else None


def editable(case: Case, obligation_type: str) -> bool:
    """A record may be changed while its obligation still waits for a submission."""
    obligation = current_obligation(case, obligation_type)
    return obligation is not None and obligation.status in PENDING_STATUSES


def may_fill(user: User, case: Case, obligation_type: str) -> bool:
    """The user's organisation owes the record now and may still change it."""
    obligation = current_obligation(case, obligation_type)
    return (
        obligation is not None
        and obligation.status in PENDING_STATUSES
        and access.is_responsible(user, obligation)
    )


def require_responsible(user: User, case: Case, obligation_type: str) -> Obligation:
    """The pending obligation the user's organisation must answer, or a refusal saying why."""
    obligation = current_obligation(case, obligation_type)
    if obligation is None:
        raise Conflict(_("The case has not reached the stage of this record yet."))
    if not access.is_responsible(user, obligation):
        raise NotAllowed(_("Only the responsible organisation fills in this record."))
    if obligation.status not in PENDING_STATUSES:
        raise Conflict(_("The record has been handed in; it can be changed after it is returned."))
    return obligation
