"""A case's obligations, derived from its campaign's plan: every measure that applies to the case
exists as an obligation from the day the case opens, each with its own term. Derived again when
something that decides applicability changes (the support level, the years on the list, the
plan): obligations of measures that now apply are added, open ones of measures that no longer
apply are waived with the reason."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from app import audit
from app.extensions import db
from app.models.case import (
    DONE_STATUSES,
    Case,
    Level,
    Obligation,
    ObligationStatus,
)
from app.models.document import Document, ReviewStatus
from app.models.org import Organisation, OrgKind
from app.models.plan import DateKind, Plan, PlanMeasure
from app.models.stage import Mentorship
from app.models.user import User
from app.plans import calendar
from app.plans import dates as d
from app.plans import measures as m
from app.plans.service import active_measures, plan_of
from app.workflows.clock import case_date
from app.workflows.shared import shared_documents


def _serving(kind: OrgKind, parent_id: int) -> int | None:
    """The first organisation of a serving kind under ``parent_id`` (an institute of the region,
    a methodological centre of the municipality), if there is one."""
    found = db.session.scalar(
        sa.select(Organisation.id)
        .where(Organisation.kind == kind, Organisation.parent_id == parent_id)
        .order_by(Organisation.id)
        .limit(1)
    )
    return int(found) if found is not None else None


def org_of_level(case: Case, level: Level) -> int:
    """The organisation that acts for a level of responsibility in the case: the school, its
    leader school, the municipality's methodological centre or the municipality, the region's
    institute or the region. Where the level has no organisation of its own the one above acts:
    a municipality without a methodological centre, the ministry for a school under the region
    and for a region without an institute, the municipality until a leader school is named."""
    region = case.campaign.region_id
    municipality = case.municipality_id if case.municipality_id is not None else region
    if level is Level.SCHOOL:
        return case.school_id
    if level is Level.LEADER_SCHOOL:
        leader = db.session.scalar(
            sa.select(Mentorship.leader_school_id).where(Mentorship.case_id == case.id)
        )
        return int(leader) if leader else municipality
    if level is Level.METHOD_CENTRE:
        if case.municipality_id is None:
            return region
        return _serving(OrgKind.METHOD_CENTRE, case.municipality_id) or municipality
    if level is Level.MUNICIPALITY:
        return municipality
    if level is Level.INSTITUTE:
        return _serving(OrgKind.INSTITUTE, region) or region
    return region


def reviewer_org(case: Case, level: Level | None) -> int | None:
    """The organisation whose people review for a reviewing level (None: no review)."""
    return org_of_level(case, level) if level is not None else None


def case_level(case: Case, plan: Plan) -> int | None:
    """The support level the case's measures are chosen for."""
    return m.effective_level(case.support_level, plan.default_level)


def in_force(case: Case, plan: Plan) -> list[PlanMeasure]:
    """The plan's measures that apply to the case: the region's and its municipality's own
    (a municipality's earlier internal date replaces the regional measure it overrides)."""
    rows = active_measures(plan, case.municipality_id)
    overridden = {r.overrides_id for r in rows if r.overrides_id}
    level = case_level(case, plan)
    return [
        r
        for r in rows
        if r.id not in overridden
        and m.applies(r, track=case.category, level=level, years_on_list=case.years_on_list)
    ]


@dataclass(frozen=True)
class Term:
    period: str
    opened_on: date
    due: date | None


def terms(measure: PlanMeasure, opened: date, cal: calendar.WorkingCalendar) -> list[Term]:
    """The obligations one measure makes for a case opened on ``opened``: one, or one a month."""
    rule = m.rule_of(measure)
    if rule.kind is DateKind.MONTHLY:
        return [
            Term(period, max(first, opened), due)
            for period, first, due in d.months(rule, cal)
            if due >= opened
        ]
    start = rule.start if rule.kind is DateKind.PERIOD and rule.start else opened
    return [Term("", max(start, opened), d.due_date(rule, cal, opened=opened))]


def _calendar_for(case: Case, plan: Plan, opened: date) -> calendar.WorkingCalendar:
    last = max((r.due_on for r in plan.measures if r.due_on), default=opened)
    return calendar.load(min(opened, last), max(opened, last), case.campaign.region_id)


def derive(
    case: Case,
    *,
    actor: User | None,
    now: datetime,
    reason: str | None = None,
) -> list[Obligation]:
    """Add the obligations of every measure in force the case does not have yet; waive the open
    ones whose measure no longer applies. Returns the obligations added."""
    plan = plan_of(case.campaign)
    opened = case.opened_on
    cal = _calendar_for(case, plan, opened)
    wanted = in_force(case, plan)
    level = case_level(case, plan)
    have = {(o.measure_id, o.period): o for o in case.obligations}
    added: list[Obligation] = []
    keep: set[tuple[int, str]] = set()
    for measure in wanted:
        for term in terms(measure, opened, cal):
            keep.add((measure.id, term.period))
            existing = have.get((measure.id, term.period)) or _replaced(
                have, measure, term.period, plan
            )
            if existing is not None:
                if existing.measure_id != measure.id:
                    _repoint(existing, measure, actor, reason)
                _follow_measure(existing, measure, term, level, actor, reason)
                continue
            added.append(_new_obligation(case, measure, term, level, actor, now))
    db.session.flush()
    shared = shared_documents(added)
    with audit.batch():  # the new obligations' events go in together
        for obligation in added:
            _record_created(obligation, actor, reason)
            _answer_from_shared(obligation, shared.get(obligation.id), actor)
    for obligation in case.obligations:
        gone = (obligation.measure_id, obligation.period) not in keep
        if gone and obligation.status not in DONE_STATUSES:
            _waive_not_applying(obligation, actor, now, reason)
    return added


def _replaced(
    have: dict[tuple[int, str], Obligation], measure: PlanMeasure, period: str, plan: Plan
) -> Obligation | None:
    """The case's obligation of the measure this one takes the place of: the regional measure a
    municipality's own replaces, or (when the municipality's is withdrawn) that own one."""
    related = {measure.overrides_id} | {
        r.id for r in plan.measures if r.overrides_id == measure.id and not r.active
    }
    return next((have[k] for k in ((i, period) for i in related if i) if k in have), None)


def _repoint(
    obligation: Obligation, measure: PlanMeasure, actor: User | None, reason: str | None
) -> None:
    """The obligation now answers the measure that replaces its own; its history stays."""
    before = {"measure": obligation.obligation_type}
    obligation.measure_id, obligation.measure = measure.id, measure
    obligation.obligation_type = measure.key
    audit.record_obligation(
        "obligation.changed",
        obligation,
        actor=actor,
        before=before,
        after={"measure": measure.key, "cause": "plan"},
        reason=reason,
    )


def _new_obligation(
    case: Case,
    measure: PlanMeasure,
    term: Term,
    level: int | None,
    actor: User | None,
    now: datetime,
) -> Obligation:
    responsible = Level(measure.responsible)
    reviewer = m.reviewer_for(measure, level)
    obligation = Obligation(
        reviewer_org_id=reviewer_org(case, reviewer),
        measure_id=measure.id,
        period=term.period,
        stage=measure.milestone,
        obligation_type=measure.key,
        takes=measure.takes,
        level=responsible,
        responsible_org_id=org_of_level(case, responsible),
        reviewer_level=reviewer,
        document_types=m.from_row(measure).document_types,
        required=measure.required,
        opened_on=term.opened_on,
        due_date=term.due,
        due_inclusive=measure.inclusive,
        created_at=now,
        updated_at=now,
        updated_by_id=actor.id if actor else None,
    )
    case.obligations.append(obligation)
    return obligation


def _record_created(obligation: Obligation, actor: User | None, reason: str | None) -> None:
    audit.record_obligation(
        "obligation.created",
        obligation,
        actor=actor,
        after={
            "measure": obligation.obligation_type,
            "period": obligation.period or None,
            "milestone": obligation.stage,
            "responsible_org_id": obligation.responsible_org_id,
            "opened_on": obligation.opened_on,
            "due_date": obligation.due_date,
            "inclusive": obligation.due_inclusive,
        },
        reason=reason,
    )


def _follow_measure(
    obligation: Obligation,
    measure: PlanMeasure,
    term: Term,
    level: int | None,
    actor: User | None,
    reason: str | None,
) -> None:
    """An open obligation follows its measure as the plan (or the case's level) now has it:
    its term, its milestone and what it takes, its reviewer; each change recorded in the case's
    history with the reason."""
    if obligation.is_done():
        return
    reviewer = m.reviewer_for(measure, level)
    wanted: dict[str, object] = {
        "reviewer_level": reviewer,
        "reviewer_org_id": reviewer_org(obligation.case, reviewer),
        "responsible_org_id": org_of_level(obligation.case, Level(measure.responsible)),
        "stage": measure.milestone,
        "takes": measure.takes,
        "document_types": m.from_row(measure).document_types,
        "required": measure.required,
        "due_inclusive": measure.inclusive,
    }
    if term.due is not None or measure.date_kind is not DateKind.AFTER_MEASURE:
        wanted["due_date"] = term.due
    before = {k: getattr(obligation, k) for k in wanted if getattr(obligation, k) != wanted[k]}
    if not before:
        return
    for key in before:
        setattr(obligation, key, wanted[key])
    action = "obligation.due_changed" if set(before) == {"due_date"} else "obligation.changed"
    audit.record_obligation(
        action,
        obligation,
        actor=actor,
        before=before,
        after={k: wanted[k] for k in before} | {"cause": "plan"},
        reason=reason,
    )


def _answer_from_shared(
    obligation: Obligation, document: Document | None, actor: User | None
) -> None:
    """A shared act already handed in for this campaign (`document`, found by
    `shared_documents`) answers a case that joins later."""
    latest = document.latest if document else None
    if document is None or latest is None or latest.review_status is ReviewStatus.RETURNED:
        return
    obligation.document_id = document.id
    obligation.submitted_at = latest.uploaded_at
    if latest.review_status is ReviewStatus.ACCEPTED:
        obligation.status = ObligationStatus.ACCEPTED
        obligation.completed_at = latest.uploaded_at
        obligation.completed_on = case_date(obligation.case, latest.uploaded_at)
    else:
        obligation.status = ObligationStatus.SUBMITTED
    audit.record_obligation(
        "obligation.satisfied_by_act",
        obligation,
        actor=actor,
        before={"status": "open"},
        after={
            "status": obligation.status.value,
            "document_id": document.id,
            "version": latest.number,
        },
    )


def _waive_not_applying(
    obligation: Obligation, actor: User | None, now: datetime, reason: str | None
) -> None:
    before = obligation.status
    obligation.status, obligation.completed_at = ObligationStatus.WAIVED, now
    obligation.completed_on = case_date(obligation.case, now)
    obligation.comment = reason or _("The measure no longer applies to this case.")
    obligation.updated_at, obligation.updated_by_id = now, actor.id if actor else None
    audit.record_obligation(
        "obligation.waived",
        obligation,
        actor=actor,
        before={"status": before.value},
        after={"status": obligation.status.value, "cause": "not_applicable"},
        reason=obligation.comment,
    )


def follow_ups(done: Obligation, *, actor: User | None) -> None:
    """An accepted obligation starts the terms of the measures that follow it («N working days
    after …»)."""
    if done.status is not ObligationStatus.ACCEPTED or done.completed_on is None:
        return
    waiting = [
        o
        for o in done.case.obligations
        if o.due_date is None
        and not o.is_done()
        and o.measure.date_kind is DateKind.AFTER_MEASURE
        and o.measure.after_key == done.obligation_type
    ]
    if not waiting:
        return
    cal = calendar.load(done.completed_on, done.completed_on, done.case.campaign.region_id)
    for obligation in waiting:
        due = cal.add_working_days(done.completed_on, obligation.measure.days or 0)
        obligation.due_date = due
        audit.record_obligation(
            "obligation.due_changed",
            obligation,
            actor=actor,
            before={"due_date": None},
            after={"due_date": due, "cause": "after_measure", "after": done.obligation_type},
        )
