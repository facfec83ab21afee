"""Guards: conditions a case must meet before a transition. Each returns None or a reason."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask_babel import gettext as _

from app.models.case import DONE_STATUSES
from app.workflows.registry import obligation_title

if TYPE_CHECKING:
    from app.models.case import Case


def current_visit_obligations(case: Case) -> list:  # type: ignore[type-arg]
    """Obligations created by the case's current stay in its stage."""
    visit = case.stages[-1] if case.stages else None
    if visit is None:
        return []
    return [o for o in case.obligations if o.stage_visit_id == visit.id]


def required_obligations_done(case: Case) -> str | None:
    """Every required obligation of the current stage is accepted or waived."""
    pending = [
        o for o in current_visit_obligations(case) if o.required and o.status not in DONE_STATUSES
    ]
    if pending:
        titles = "; ".join(str(obligation_title(o)) for o in pending)
        return _("Required obligations are not yet accepted: %(titles)s", titles=titles)
    return None
