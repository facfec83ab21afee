"""Campaigns: one a region and VPR year, opened with its plan."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from app import access, audit
from app.errors import InvalidInput, NotAllowed
from app.extensions import db
from app.models.case import Campaign
from app.models.org import Organisation
from app.models.user import User
from app.plans.service import create_plan


def campaign_title(vpr_year: int) -> str:
    """The conventional name: «ВПР-2023, 2023/2024 учебный год»."""
    return f"ВПР-{vpr_year}, {vpr_year}/{vpr_year + 1} учебный год"


def find_campaign(region: Organisation, vpr_year: int) -> Campaign | None:
    return db.session.scalars(
        sa.select(Campaign).where(Campaign.region_id == region.id, Campaign.vpr_year == vpr_year)
    ).first()


def create_campaign(
    region: Organisation,
    vpr_year: int,
    *,
    actor: User | None,
    templates: str | tuple[str, ...] | None = None,
    title: str | None = None,
    order_number: str | None = None,
    order_date: date | None = None,
) -> Campaign:
    """A campaign with its plan made from the templates (the default ones when None)."""
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
    )
    db.session.add(campaign)
    db.session.flush()
    plan = create_plan(campaign, templates or (), actor=actor)
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
            "plan": plan.template_key,
        },
    )
    return campaign
