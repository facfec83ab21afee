"""A case's stage is a milestone summary of its obligations, never a gate: the first milestone
(in the order the work usually runs) with a required obligation still owed; «monitoring» once
nothing required is owed; «closed» for a closed case. Each change of the summary is kept as a
stay in the case's timeline."""

from __future__ import annotations

from datetime import datetime

from app.extensions import db
from app.models.case import DONE_STATUSES, Case, CaseStage, CaseStatus
from app.models.user import User
from app.plans.measures import MILESTONE_ORDER

DONE_STAGE = "monitoring"
CLOSED_STAGE = "closed"


def summary(case: Case) -> str:
    """Where the case's work stands."""
    if case.status is not CaseStatus.OPEN:
        return CLOSED_STAGE
    owed = {o.stage for o in case.obligations if o.required and o.status not in DONE_STATUSES}
    return next((key for key in MILESTONE_ORDER if key in owed), DONE_STAGE)


def refresh(case: Case, *, actor: User | None, now: datetime, reason: str | None = None) -> bool:
    """Bring the case's stage up to date with its obligations; True when it changed."""
    stage = summary(case)
    if case.stages and case.stage == stage:
        return False
    if case.stages:
        case.stages[-1].left_at = now
    case.stages.append(CaseStage(stage=stage, entered_at=now, entered_by=actor, reason=reason))
    case.stage, case.stage_entered_at = stage, now
    db.session.flush()
    return True
