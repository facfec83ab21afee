"""The obligation a stage record answers (found by what the plan's measure takes: «form:self_analysis»,
«record:recheck_protocol»…), and whether the user may fill it."""

from __future__ import annotations

from flask_babel import gettext as _

from app import access
from app.errors import Conflict, NotAllowed
from app.models.case import PENDING_STATUSES, Case, Obligation
from app.models.user import User


def current_obligation(case: Case, takes: str) -> Obligation | None:
    """The case's obligation answered by this record (the first still owed, else the newest);
    None when the case's plan has no measure that takes it."""
    found = [o for o in case.obligations if o.takes == takes]
    owed = [o for o in found if o.status in PENDING_STATUSES]
    if owed:
        return min(owed, key=lambda o: (o.due_date is None, o.due_date, o.id))
    return max(found, key=lambda o: o.id) if found else None


def editable(case: Case, takes: str) -> bool:
    """A record may be changed while its obligation still waits for a submission."""
    obligation = current_obligation(case, takes)
    return obligation is not None and obligation.status in PENDING_STATUSES


def may_fill(user: User, case: Case, takes: str) -> bool:
    """The user's organisation owes the record now and may still change it."""
    obligation = current_obligation(case, takes)
    return (
        obligation is not None
        and obligation.status in PENDING_STATUSES
        and access.is_responsible(user, obligation)
    )


def require_responsible(user: User, case: Case, takes: str) -> Obligation:
    """The pending obligation the user's organisation must answer, or a refusal saying why."""
    obligation = current_obligation(case, takes)
    if obligation is None:
        raise Conflict(_("The case's plan has no measure this record answers."))
    if not access.is_responsible(user, obligation):
        raise NotAllowed(_("Only the responsible organisation fills in this record."))
    if obligation.status not in PENDING_STATUSES:
        raise Conflict(_("The record has been handed in; it can be changed after it is returned."))
    return obligation
