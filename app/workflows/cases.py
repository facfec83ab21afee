"""Operations on cases: opening one, moving it between stages, its support level."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _

from app import access, audit
from app.errors import Conflict, InvalidInput, NotAllowed
from app.extensions import db
from app.models.case import (
    Campaign,
    Case,
    CaseStage,
    CaseStatus,
    Category,
    Level,
    Obligation,
    ObligationStatus,
)
from app.models.document import ReviewStatus
from app.models.org import Organisation
from app.models.types import utcnow
from app.models.user import User
from app.workflows import calendar, registry
from app.workflows.campaigns import schedule_of
from app.workflows.clock import local_date
from app.workflows.definitions import Kind, Stage, Transition
from app.workflows.due import due_date
from app.workflows.handin import municipal_document
from app.workflows.locking import locked


def org_of_level(case: Case, level: Level) -> int:
    """The organisation that acts for a level of responsibility in the case."""
    if level is Level.SCHOOL:
        return case.school_id
    if level is Level.MUNICIPALITY:
        return case.municipality_id
    return case.campaign.region_id


def enter_stage(
    case: Case, stage: Stage, *, actor: User | None, now: datetime, reason: str | None = None
) -> list[Obligation]:
    """Record the stay in ``stage`` and create the obligations the stage creates on entry."""
    if case.stages:
        case.stages[-1].left_at = now
    visit = CaseStage(stage=stage.key, entered_at=now, entered_by=actor, reason=reason)
    case.stages.append(visit)
    case.stage, case.stage_entered_at = stage.key, now
    db.session.flush()
    entered = local_date(now)
    schedule = schedule_of(case.campaign)
    cal = calendar.load(entered, entered)
    created = []
    for spec in stage.obligations:
        obligation = Obligation(
            stage_visit_id=visit.id,
            stage=stage.key,
            obligation_type=spec.key,
            level=spec.level,
            responsible_org_id=org_of_level(case, spec.level),
            reviewer_role=spec.reviewer.value if spec.reviewer else None,
            document_types=list(spec.documents),
            required=spec.required,
            due_rule=spec.due.encode(),
            due_date=due_date(spec.due, schedule, entered, cal),
            created_at=now,
            updated_at=now,
            updated_by_id=actor.id if actor else None,
        )
        case.obligations.append(obligation)
        created.append(obligation)
    db.session.flush()
    for spec, obligation in zip(stage.obligations, created, strict=True):
        audit.record(
            "obligation.created",
            actor=actor,
            object_type="obligation",
            object_id=obligation.id,
            org_id=case.school_id,
            case_id=case.id,
            after={
                "type": obligation.obligation_type,
                "stage": stage.key,
                "responsible_org_id": obligation.responsible_org_id,
                "due_date": obligation.due_date,
                "due_rule": obligation.due_rule,
            },
        )
        if spec.municipality_wide and not _had_before(case, obligation):
            _apply_existing_act(case, obligation, actor, now)
    return created


def _had_before(case: Case, obligation: Obligation) -> bool:
    """A case returned to a stage owes its obligations afresh, acts included."""
    return any(
        o.obligation_type == obligation.obligation_type and o.id != obligation.id
        for o in case.obligations
    )


def _apply_existing_act(
    case: Case, obligation: Obligation, actor: User | None, now: datetime
) -> None:
    """A municipality's act already handed in for this campaign answers a case that joins later."""
    act = municipal_document(case.municipality_id, case.campaign_id, obligation.obligation_type)
    latest = act.latest if act else None
    if act is None or latest is None or latest.review_status is ReviewStatus.RETURNED:
        return
    obligation.document_id = act.id
    obligation.submitted_at = latest.uploaded_at
    if latest.review_status is ReviewStatus.ACCEPTED:
        obligation.status = ObligationStatus.ACCEPTED
        obligation.completed_at = latest.uploaded_at
        obligation.completed_on = local_date(latest.uploaded_at)
    else:
        obligation.status = ObligationStatus.SUBMITTED
    audit.record(
        "obligation.satisfied_by_act",
        actor=actor,
        object_type="obligation",
        object_id=obligation.id,
        org_id=case.school_id,
        case_id=case.id,
        before={"status": "open"},
        after={"status": obligation.status.value, "document_id": act.id, "version": latest.number},
    )


def open_case(
    campaign: Campaign,
    school: Organisation,
    category: Category,
    *,
    markers: dict[str, int],
    support_level: int | None,
    actor: User | None,
    source: str,
    now: datetime | None = None,
) -> Case:
    """A new case in the initial stage of the campaign's workflow for the category."""
    now = now or utcnow()
    workflow = registry.get(campaign.workflow_ref(category))
    case = Case(
        campaign=campaign,
        school_id=school.id,
        municipality_id=school.municipality_id,
        category=category,
        workflow=workflow.ref,
        stage=workflow.initial.key,
        status=CaseStatus.OPEN,
        support_level=support_level,
        markers=dict(markers),
        marker_count=sum(markers.values()),
        stage_entered_at=now,
        created_at=now,
        updated_at=now,
        updated_by_id=actor.id if actor else None,
    )
    db.session.add(case)
    db.session.flush()
    audit.record(
        "case.created",
        actor=actor,
        object_type="case",
        object_id=case.id,
        org_id=school.id,
        case_id=case.id,
        after={
            "campaign_id": campaign.id,
            "school": school.login,
            "category": category.value,
            "workflow": workflow.ref,
            "markers": case.markers,
            "support_level": support_level,
            "source": source,
        },
    )
    enter_stage(case, workflow.initial, actor=actor, now=now)
    return case


def transitions_for(user: User, case: Case) -> list[tuple[Transition, str | None]]:
    """The transitions this user may take now, each with the reason it is blocked (or None)."""
    offered = []
    for transition in registry.of_case(case).transitions_from(case.stage):
        if not access.can_take(user, case, transition):
            continue
        reason = next((r for g in transition.guards if (r := g(case)) is not None), None)
        offered.append((transition, reason))
    return offered


@dataclass(frozen=True)
class Moved:
    case: Case
    transition: Transition
    created: list[Obligation]


def advance_case(
    case_id: int,
    transition_key: str,
    *,
    actor: User,
    expected_version: int | None,
    reason: str | None = None,
    now: datetime | None = None,
) -> Moved:
    """Take a transition: lock the case, check version, permission and guards, move, record."""
    now = now or utcnow()
    case: Case = locked(Case, case_id, expected_version)
    workflow = registry.of_case(case)
    transition = workflow.transition(transition_key)
    if transition is None or transition.source != case.stage:
        raise Conflict(_("This action is not available for the case in its current stage."))
    if not access.can_take(actor, case, transition):
        raise NotAllowed(_("Your role cannot take this action."))
    reason = (reason or "").strip() or None
    if transition.needs_reason and not reason:
        raise InvalidInput(_("Give a reason for this action."))
    refusal = next((r for g in transition.guards if (r := g(case)) is not None), None)
    if refusal:
        raise Conflict(refusal)
    before = {"stage": case.stage, "status": case.status.value}
    # All changes to the case row before the one flush in enter_stage: the version moves by one.
    if transition.kind == Kind.CLOSE and transition.resolution:
        case.status = CaseStatus(transition.resolution)
    elif transition.kind == Kind.BACK:
        case.status = CaseStatus.OPEN
    case.updated_at, case.updated_by_id = now, actor.id
    created = enter_stage(
        case, workflow.stage(transition.target), actor=actor, now=now, reason=reason
    )
    audit.record(
        "case.transition",
        actor=actor,
        object_type="case",
        object_id=case.id,
        org_id=case.school_id,
        case_id=case.id,
        before=before,
        after={"stage": case.stage, "status": case.status.value, "transition": transition.key},
        reason=reason,
    )
    db.session.flush()
    return Moved(case, transition, created)


def set_support_level(
    case: Case, level: int | None, *, actor: User, expected_version: int | None
) -> None:
    """The ministry assigns the level of management support (1–3)."""
    if not access.can_set_support_level(actor, case):
        raise NotAllowed(_("Only the ministry assigns support levels."))
    if level is not None and level not in (1, 2, 3):
        raise InvalidInput(_("The support level is 1, 2 or 3."))
    case = locked(Case, case.id, expected_version)
    if case.support_level == level:
        return
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
    case.updated_at, case.updated_by_id = utcnow(), actor.id
    db.session.flush()
