"""Campaigns and their schedules."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from app import access, audit
from app.errors import InvalidInput, NotAllowed
from app.extensions import db
from app.models.case import DONE_STATUSES, Campaign, CampaignDeadline, Case, Category, Obligation
from app.models.org import Organisation
from app.models.types import utcnow
from app.models.user import User
from app.workflows import calendar, registry
from app.workflows.definitions import DueRule
from app.workflows.due import default_dates, due_date


def campaign_title(vpr_year: int) -> str:
    """The conventional name: «ВПР-2023 → 2023/2024 учебный год»."""
    return f"ВПР-{vpr_year} → {vpr_year}/{vpr_year + 1} учебный год"


def find_campaign(region: Organisation, vpr_year: int) -> Campaign | None:
    return db.session.scalars(
        sa.select(Campaign).where(Campaign.region_id == region.id, Campaign.vpr_year == vpr_year)
    ).first()


def create_campaign(
    region: Organisation,
    vpr_year: int,
    *,
    actor: User | None,
    title: str | None = None,
    order_number: str | None = None,
    order_date: date | None = None,
) -> Campaign:
    """A campaign with the current workflow versions and the default schedule for its year."""
    if actor is not None and not access.can_manage_campaigns(actor):
        raise NotAllowed(_("Only the ministry manages campaigns."))
    if not 2000 <= vpr_year <= 2100:
        raise InvalidInput(_("The year is out of range."))
    if find_campaign(region, vpr_year) is not None:
        raise InvalidInput(_("A campaign for this year already exists."))
    campaign = Campaign(
        region_id=region.id,
        vpr_year=vpr_year,
        title=title or campaign_title(vpr_year),
        order_number=order_number,
        order_date=order_date,
        objectivity_workflow=registry.CURRENT[Category.OBJECTIVITY],
        low_results_workflow=registry.CURRENT[Category.LOW_RESULTS],
    )
    db.session.add(campaign)
    db.session.flush()
    for key, due in default_dates(vpr_year).items():
        db.session.add(CampaignDeadline(campaign_id=campaign.id, obligation_type=key, due_date=due))
    db.session.flush()
    audit.record(
        "campaign.created",
        actor=actor,
        object_type="campaign",
        object_id=campaign.id,
        org_id=region.id,
        after={
            "title": campaign.title,
            "vpr_year": vpr_year,
            "order_number": order_number,
            "order_date": order_date,
            "workflows": [campaign.objectivity_workflow, campaign.low_results_workflow],
            "schedule": default_dates(vpr_year),
        },
    )
    return campaign


def schedule_of(campaign: Campaign) -> dict[str, date]:
    """The campaign's dates by obligation type."""
    rows = db.session.execute(
        sa.select(CampaignDeadline.obligation_type, CampaignDeadline.due_date).where(
            CampaignDeadline.campaign_id == campaign.id
        )
    )
    return dict(rows.tuples().all())


def set_deadline(
    campaign: Campaign, obligation_type: str, due: date, *, actor: User, reason: str | None = None
) -> int:
    """Change one date of the schedule and carry it to the open obligations it governs.

    Returns the number of obligations whose due date moved.
    """
    if not access.can_edit_schedule(actor, campaign):
        raise NotAllowed(_("Only the ministry of the campaign's region edits its schedule."))
    known = {k for w in registry.all_workflows() for k in w.schedule_keys()}
    if obligation_type not in known:
        raise InvalidInput(_("Unknown obligation type."))
    row = db.session.scalars(
        sa.select(CampaignDeadline).where(
            CampaignDeadline.campaign_id == campaign.id,
            CampaignDeadline.obligation_type == obligation_type,
        )
    ).first()
    before = row.due_date if row else None
    if before == due:
        return 0
    if row is None:
        row = CampaignDeadline(campaign_id=campaign.id, obligation_type=obligation_type)
        db.session.add(row)
    row.due_date = due
    audit.record(
        "campaign.deadline_changed",
        actor=actor,
        object_type="campaign",
        object_id=campaign.id,
        org_id=campaign.region_id,
        before={"obligation_type": obligation_type, "due_date": before},
        after={"obligation_type": obligation_type, "due_date": due},
        reason=reason,
    )
    return _carry_to_obligations(campaign, obligation_type, due, actor=actor)


def _carry_to_obligations(
    campaign: Campaign, obligation_type: str, due: date, *, actor: User
) -> int:
    rule = DueRule(schedule_key=obligation_type)
    governed = db.session.scalars(
        sa.select(Obligation)
        .join(Case, Case.id == Obligation.case_id)
        .where(
            Case.campaign_id == campaign.id,
            Obligation.due_rule == rule.encode(),
            Obligation.status.not_in(DONE_STATUSES),
        )
    ).all()
    if not governed:
        return 0
    new_due = due_date(rule, {obligation_type: due}, due, calendar.load(due, due))
    moved = 0
    now = utcnow()
    for obligation in governed:
        if obligation.due_date == new_due:
            continue
        audit.record(
            "obligation.due_changed",
            actor=actor,
            object_type="obligation",
            object_id=obligation.id,
            org_id=obligation.case.school_id,
            case_id=obligation.case_id,
            before={"due_date": obligation.due_date},
            after={"due_date": new_due, "cause": "campaign_schedule"},
        )
        obligation.due_date = new_due
        obligation.updated_at, obligation.updated_by_id = now, actor.id
        moved += 1
    return moved
