"""Changing a campaign's plan changes its open obligations: a measure's new date moves them, a
new measure gives every case it applies to an obligation, a withdrawn one waives them; each
change is recorded in each case's history with the reason the plan changed."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from app.extensions import db
from app.models.case import Campaign, Case, CaseStatus
from app.models.org import Organisation
from app.models.types import utcnow
from app.models.user import User
from app.plans import measures as m
from app.plans import service
from app.plans.xlsx import from_xlsx
from app.tabular import Problem
from app.workflows import stages
from app.workflows.derive import derive


@dataclass
class Replanned:
    """What a change of the plan did to the campaign's cases."""

    changed: bool = False
    cases: int = 0
    obligations_added: int = 0


def _follow(
    campaign: Campaign, *, actor: User, reason: str, municipality_id: int | None
) -> Replanned:
    """Bring every open case of the campaign (of the municipality) in line with the plan."""
    stmt = sa.select(Case).where(Case.campaign_id == campaign.id, Case.status == CaseStatus.OPEN)
    if municipality_id is not None:
        stmt = stmt.where(Case.municipality_id == municipality_id)
    report = Replanned(changed=True)
    now = utcnow()
    for case in db.session.scalars(stmt.order_by(Case.id)):
        report.cases += 1
        report.obligations_added += len(derive(case, actor=actor, now=now, reason=reason))
        stages.refresh(case, actor=actor, now=now, reason=reason)
    db.session.flush()
    return report


def save_measure(
    campaign: Campaign,
    key: str | None,
    values: m.Measure,
    *,
    actor: User,
    reason: str,
    municipality: Organisation | None = None,
    overrides: str | None = None,
) -> Replanned:
    """Add or change a measure of the campaign's plan and carry it to the open cases."""
    plan = service.plan_of(campaign)
    change = service.save_measure(
        plan,
        key,
        values,
        actor=actor,
        reason=reason,
        municipality=municipality,
        overrides=overrides,
    )
    if change.before == change.after:
        return Replanned()
    return _follow(
        campaign,
        actor=actor,
        reason=reason,
        municipality_id=municipality.id if municipality else None,
    )


def withdraw_measure(campaign: Campaign, key: str, *, actor: User, reason: str) -> Replanned:
    """Take a measure out of the plan; its open obligations are waived with the reason."""
    plan = service.plan_of(campaign)
    change = service.withdraw_measure(plan, key, actor=actor, reason=reason)
    if change.after is None and change.before is None:
        return Replanned()
    return _follow(
        campaign, actor=actor, reason=reason, municipality_id=change.measure.municipality_id
    )


@dataclass
class PlanImport:
    """A workbook read into the plan: its problems (the file refused whole), or what changed."""

    problems: list[Problem]
    replaced: service.Replaced | None = None
    replanned: Replanned | None = None


def import_plan(
    campaign: Campaign, data: bytes, *, actor: User, reason: str, dry_run: bool = False
) -> PlanImport:
    """Read a plan workbook (the layout of app.plans.xlsx) into the campaign's plan and carry
    the changes to its open cases; nothing is written on any problem or on a dry run."""
    parsed = from_xlsx(data)
    if parsed.problems:
        return PlanImport(parsed.problems)
    plan = service.plan_of(campaign)
    result = PlanImport([])
    with db.session.begin_nested() as savepoint:
        result.replaced = service.replace_measures(
            plan, parsed.measures, actor=actor, reason=reason
        )
        if result.replaced.any:
            result.replanned = _follow(campaign, actor=actor, reason=reason, municipality_id=None)
        if dry_run:
            savepoint.rollback()
    return result
