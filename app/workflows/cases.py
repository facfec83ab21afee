"""Operations on cases: opening one (with every obligation its plan gives it), the few actions a
case itself takes (closing it, returning part of its work for rework, reopening it), and its
level of management support."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app import access, audit
from app.errors import Conflict, InvalidInput, NotAllowed
from app.extensions import db
from app.models.audit import AuditEvent
from app.models.case import (
    DONE_STATUSES,
    Campaign,
    Case,
    CaseStatus,
    Category,
    Obligation,
    ObligationStatus,
)
from app.models.org import Organisation
from app.models.types import utcnow
from app.models.user import Role, User
from app.plans import calendar
from app.plans.measures import MILESTONES
from app.workflows import labels, stages
from app.workflows.clock import case_date, local_date, region_zone
from app.workflows.derive import derive
from app.workflows.locking import locked

# A reopened obligation whose term has run out gets this many working days from the day it is
# returned: rework never starts overdue.
REWORK_DAYS = 10

MINISTRY = frozenset({Role.MINISTRY})
MINISTRY_OR_MUNICIPAL = frozenset({Role.MINISTRY, Role.MUNICIPAL})


@dataclass(frozen=True)
class CaseAction:
    """Something done to a case as a whole. ``milestone`` names the part of the work a return
    sends back for rework."""

    key: str
    title: LazyString | str
    roles: frozenset[Role]
    kind: str  # close, return, reopen
    needs_reason: bool = False
    milestone: str | None = None
    resolution: CaseStatus | None = None


CLOSE_RESOLVED = CaseAction(
    "close_resolved", _l("Close as resolved"), MINISTRY, "close", resolution=CaseStatus.RESOLVED
)
CLOSE_ESCALATED = CaseAction(
    "close_escalated",
    _l("Close as escalated"),
    MINISTRY,
    "close",
    needs_reason=True,
    resolution=CaseStatus.ESCALATED,
)
REOPEN = CaseAction("reopen", _l("Reopen the case"), MINISTRY, "reopen", needs_reason=True)


def case_action_title(key: str) -> str | None:
    """The title of a case action by its key, as the history names it («Закрыть: …»)."""
    for action in (CLOSE_RESOLVED, CLOSE_ESCALATED, REOPEN):
        if action.key == key:
            return str(action.title)
    if key.startswith("return:"):
        return f"{_l('Return for rework')}: {labels.stage_title(key.split(':', 1)[1])}"
    return None


def _return_to(milestone: str) -> CaseAction:
    return CaseAction(
        f"return:{milestone}",
        _l("Return for rework"),
        MINISTRY_OR_MUNICIPAL,
        "return",
        needs_reason=True,
        milestone=milestone,
    )


def actions_of(case: Case) -> list[CaseAction]:
    """The actions a case offers in its state (before asking who may take them)."""
    if case.status is not CaseStatus.OPEN:
        return [REOPEN]
    done = sorted(
        {o.stage for o in case.obligations if o.status is ObligationStatus.ACCEPTED},
        key=list(MILESTONES).index,
    )
    return [CLOSE_RESOLVED, CLOSE_ESCALATED, *(_return_to(m) for m in done)]


def action(case: Case, key: str) -> CaseAction | None:
    return next((a for a in actions_of(case) if a.key == key), None)


def blocked(case: Case, case_action: CaseAction) -> str | None:
    """Why the case cannot take the action now (None when it can)."""
    if case_action is CLOSE_RESOLVED:
        owed = [o for o in case.obligations if o.required and o.status not in DONE_STATUSES]
        if owed:
            return _("Required obligations are not yet done: %(n)d.", n=len(owed))
    return None


def actions_for(user: User, case: Case) -> list[tuple[CaseAction, str | None]]:
    """The actions this user may take now, each with the reason it is blocked (or None)."""
    return [(a, blocked(case, a)) for a in actions_of(case) if access.can_take(user, case, a)]


def _new_case(
    action: str,
    case: Case,
    school: Organisation,
    markers: dict[str, int],
    actor: User | None,
    now: datetime,
    told: dict[str, Any],
) -> Case:
    """Add the case (its markers, municipality and times filled in) and record its creation."""
    case.municipality_id = school.municipality_id
    case.markers, case.marker_count = dict(markers), sum(markers.values())
    case.stage_entered_at = case.created_at = case.updated_at = now
    case.updated_by_id = actor.id if actor else None
    db.session.add(case)
    db.session.flush()
    audit.record(
        action,
        actor=actor,
        object_type="case",
        object_id=case.id,
        org_id=school.id,
        case_id=case.id,
        after={
            "campaign_id": case.campaign_id,
            "school": school.login,
            "category": case.category.value,
            "markers": case.markers,
            "support_level": case.support_level,
            **told,
        },
    )
    return case


def open_case(
    campaign: Campaign,
    school: Organisation,
    category: Category,
    *,
    markers: dict[str, int],
    support_level: int | None,
    actor: User | None,
    source: str,
    years_on_list: int = 1,
    now: datetime | None = None,
) -> Case:
    """A new case with an obligation for every measure of the campaign's plan that applies.
    Its measures start on the day the list was approved (the campaign's order date, when it is
    not in the future), else today."""
    now = now or utcnow()
    today = local_date(now, region_zone(campaign.region_id))
    approved = campaign.order_date
    case = _new_case(
        "case.created",
        Case(
            campaign=campaign,
            school_id=school.id,
            category=category,
            stage="flagged",
            status=CaseStatus.OPEN,
            support_level=support_level,
            years_on_list=years_on_list,
            opened_on=approved if approved is not None and approved <= today else today,
        ),
        school,
        markers,
        actor,
        now,
        {"source": source},
    )
    derive(case, actor=actor, now=now)
    stages.refresh(case, actor=actor, now=now)
    return case


@dataclass(frozen=True)
class Moved:
    case: Case
    action: CaseAction
    reopened: list[Obligation]


def act_on_case(
    case_id: int,
    action_key: str,
    *,
    actor: User,
    expected_version: int | None,
    reason: str | None = None,
    now: datetime | None = None,
) -> Moved:
    """Close the case, return part of its work for rework, or reopen it: lock, check the
    version, the permission and the state, act, record."""
    now = now or utcnow()
    case: Case = locked(Case, case_id, expected_version)
    chosen = action(case, action_key)
    if chosen is None:
        raise Conflict(_("This action is not available for the case now."))
    if not access.can_take(actor, case, chosen):
        raise NotAllowed(_("Your role cannot take this action."))
    reason = (reason or "").strip() or None
    if chosen.needs_reason and not reason:
        raise InvalidInput(_("Give a reason for this action."))
    refusal = blocked(case, chosen)
    if refusal:
        raise Conflict(refusal)
    before = {"stage": case.stage, "status": case.status.value}
    reopened: list[Obligation] = []
    if chosen.kind == "close" and chosen.resolution:
        case.status = chosen.resolution
        _waive_with_case(case, actor=actor, now=now, reason=reason)
    elif chosen.kind == "reopen":
        case.status = CaseStatus.OPEN
        reopened = _restore_with_case(case, actor=actor, now=now, reason=reason or "")
    elif chosen.milestone:
        reopened = _rework(case, chosen.milestone, actor=actor, now=now, reason=reason or "")
    case.updated_at, case.updated_by_id = now, actor.id
    stages.refresh(case, actor=actor, now=now, reason=reason)
    audit.record(
        "case.action",
        actor=actor,
        object_type="case",
        object_id=case.id,
        org_id=case.school_id,
        case_id=case.id,
        before=before,
        after={
            "stage": case.stage,
            "status": case.status.value,
            "action": chosen.key,
            "reopened": [o.id for o in reopened],
        },
        reason=reason,
    )
    db.session.flush()
    return Moved(case, chosen, reopened)


CLOSED_WITH_CASE = "case_closed"


def _waive_with_case(case: Case, *, actor: User | None, now: datetime, reason: str | None) -> None:
    """A closed case owes nothing more: what is still open is waived, and recorded so that a
    reopening gives it back."""
    for obligation in case.obligations:
        if obligation.is_done():
            continue
        before = obligation.status
        obligation.status, obligation.completed_at = ObligationStatus.WAIVED, now
        obligation.completed_on = case_date(case, now)
        obligation.updated_at, obligation.updated_by_id = now, actor.id if actor else None
        audit.record_obligation(
            "obligation.waived",
            obligation,
            actor=actor,
            before={"status": before.value},
            after={"status": obligation.status.value, "cause": CLOSED_WITH_CASE},
            reason=reason or _("The case is closed."),
        )


def _restore_with_case(case: Case, *, actor: User, now: datetime, reason: str) -> list[Obligation]:
    """Give back, open again, the obligations the case's last closing waived."""
    last_cause: dict[int, str | None] = {}
    for event in db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.case_id == case.id, AuditEvent.action == "obligation.waived")
        .order_by(AuditEvent.seq)
    ):
        if event.object_id is not None:
            last_cause[int(event.object_id)] = (event.after or {}).get("cause")
    closed_with = {oid for oid, cause in last_cause.items() if cause == CLOSED_WITH_CASE}
    restored = []
    for obligation in case.obligations:
        if obligation.id not in closed_with or obligation.status is not ObligationStatus.WAIVED:
            continue
        obligation.status = ObligationStatus.OPEN
        obligation.completed_at = obligation.completed_on = None
        obligation.updated_at, obligation.updated_by_id = now, actor.id
        audit.record_obligation(
            "obligation.reopened",
            obligation,
            actor=actor,
            before={"status": ObligationStatus.WAIVED.value},
            after={"status": obligation.status.value, "cause": "case_reopened"},
            reason=reason,
        )
        restored.append(obligation)
    return restored


def _rework(
    case: Case, milestone: str, *, actor: User, now: datetime, reason: str
) -> list[Obligation]:
    """Reopen the accepted obligations of a milestone with the reason; one whose term has run
    out gets REWORK_DAYS working days from today, so nothing is left overdue behind it."""
    today = case_date(case, now)
    cal = calendar.load(today, today, case.campaign.region_id)
    fresh_due = cal.add_working_days(today, REWORK_DAYS)
    reopened = []
    for obligation in case.obligations:
        if obligation.stage != milestone or obligation.status is not ObligationStatus.ACCEPTED:
            continue
        before = {"status": obligation.status.value, "due_date": obligation.due_date}
        obligation.status = ObligationStatus.RETURNED
        obligation.completed_at = obligation.completed_on = None
        obligation.comment = reason
        if obligation.due_date is not None and obligation.is_overdue(today):
            obligation.due_date = fresh_due
        obligation.updated_at, obligation.updated_by_id = now, actor.id
        audit.record_obligation(
            "obligation.reopened",
            obligation,
            actor=actor,
            before=before,
            after={"status": obligation.status.value, "due_date": obligation.due_date},
            reason=reason,
        )
        reopened.append(obligation)
    return reopened


def set_support_level(
    case: Case, level: int | None, *, actor: User, expected_version: int | None
) -> None:
    """The ministry assigns the level of management support (1–3); the case's obligations
    follow it: measures of the new level are added, open ones of the old level are waived, and
    open obligations move to the new level's reviewer."""
    if not access.can_set_support_level(actor, case):
        raise NotAllowed(_("Only the ministry assigns support levels."))
    if level is not None and level not in (1, 2, 3):
        raise InvalidInput(_("The support level is 1, 2 or 3."))
    case = locked(Case, case.id, expected_version)
    if case.support_level == level:
        return
    now = utcnow()
    audit.record(
        "case.support_level_changed",
        actor=actor,
        object_type="case",
        object_id=case.id,
        org_id=case.school_id,
        case_id=case.id,
        before={"support_level": case.support_level},
        after={"support_level": level},
    )
    case.support_level = level
    case.updated_at, case.updated_by_id = now, actor.id
    reason = _("Support level %(level)s.", level=level if level is not None else "—")
    derive(case, actor=actor, now=now, reason=reason)
    stages.refresh(case, actor=actor, now=now)
    db.session.flush()


def rederive(cases: list[Case], *, actor: User | None, reason: str) -> None:
    """Derive again the obligations of these open cases (after their years on the list
    changed); a closed case owes nothing."""
    now = utcnow()
    for case in cases:
        if case.status is not CaseStatus.OPEN:
            continue
        derive(case, actor=actor, now=now, reason=reason)
        stages.refresh(case, actor=actor, now=now)


def record_past_case(
    campaign: Campaign,
    school: Organisation,
    category: Category,
    *,
    markers: dict[str, int],
    support_level: int | None,
    flagged_again: bool,
    actor: User | None,
    now: datetime | None = None,
) -> Case:
    """A case of a past year recorded as history: on the list that year with its markers and
    level, closed (escalated when the school is on the next year's list), with no obligations
    and so no notices."""
    now = now or utcnow()
    status = CaseStatus.ESCALATED if flagged_again else CaseStatus.RESOLVED
    opened = campaign.order_date or date(campaign.vpr_year, 11, 1)
    case = _new_case(
        "case.recorded",
        Case(
            campaign=campaign,
            school_id=school.id,
            category=category,
            stage=stages.CLOSED_STAGE,
            status=status,
            support_level=support_level,
            years_on_list=1,
            opened_on=opened,
        ),
        school,
        markers,
        actor,
        now,
        {"status": status.value, "source": "flag_list_history"},
    )
    stages.refresh(case, actor=actor, now=now)
    return case


def close_by_list(
    case: Case, *, flagged_again: bool, year: int, actor: User | None, now: datetime | None = None
) -> None:
    """The next year's list closes an open case: escalated when the school is on it again,
    resolved otherwise; what is still open is waived with that reason."""
    now = now or utcnow()
    reason = (
        _("The school is on the list of ВПР-%(year)d again.", year=year)
        if flagged_again
        else _("The school is not on the list of ВПР-%(year)d.", year=year)
    )
    before = {"stage": case.stage, "status": case.status.value}
    case.status = CaseStatus.ESCALATED if flagged_again else CaseStatus.RESOLVED
    case.updated_at, case.updated_by_id = now, actor.id if actor else None
    _waive_with_case(case, actor=actor, now=now, reason=reason)
    stages.refresh(case, actor=actor, now=now, reason=reason)
    audit.record(
        "case.action",
        actor=actor,
        object_type="case",
        object_id=case.id,
        org_id=case.school_id,
        case_id=case.id,
        before=before,
        after={"stage": case.stage, "status": case.status.value, "action": "next_list"},
        reason=reason,
    )


__all__ = [
    "CaseAction",
    "Moved",
    "act_on_case",
    "actions_for",
    "close_by_list",
    "open_case",
    "record_past_case",
    "rederive",
    "set_support_level",
]
