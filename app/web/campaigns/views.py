"""Campaigns, their schedules, and importing flag lists."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app import access
from app.access.scope import in_users_region, region_id_of
from app.access.web import requires
from app.errors import DomainError
from app.extensions import db
from app.legal.numbers import InvalidField
from app.legal.orders import record_order
from app.models.case import Campaign
from app.models.org import Organisation
from app.plans.service import plan_of
from app.web import upload_stash as stash
from app.web.actions import perform
from app.web.campaigns.forms import CampaignForm, FlagImportForm, OrderForm
from app.workflows import campaigns as campaign_ops
from app.workflows import labels, queries
from app.workflows.clock import local_date
from app.workflows.flags import Opening, import_flags

bp = Blueprint("campaigns", __name__)


def _region() -> Organisation:
    region = db.session.get(Organisation, region_id_of(current_user))
    assert region is not None
    return region


def _campaign_or_404(campaign_id: int) -> Campaign:
    """A campaign of the user's region, or 404."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or not in_users_region(campaign.region_id, current_user):
        abort(404)
    return campaign


@bp.route("/campaigns", methods=["GET", "POST"])
@login_required
@requires(access.can_view_campaigns)
def campaign_list() -> str | Response:
    """The region's campaigns; the ministry opens new ones."""
    form = CampaignForm().with_choices()
    if form.validate_on_submit() and access.can_manage_campaigns(current_user):
        created = perform(
            lambda: campaign_ops.create_campaign(
                _region(),
                form.vpr_year.data or 0,
                actor=current_user,
                templates=tuple(form.templates.data or ()),
                order_number=form.order_number.data or None,
                order_date=form.order_date.data,
            ),
            _("The campaign is created with its plan."),
        )
        if created is not None:
            return redirect(url_for("campaigns.campaign_detail", campaign_id=created.id))
    return render_template(
        "campaigns/list.html", campaigns=queries.campaigns_for(current_user), form=form
    )


def _detail(campaign: Campaign, order_form: OrderForm | None = None) -> str:
    """The campaign page, with the order's form as given (after a refusal) or as recorded."""
    plan = plan_of(campaign)
    active = [r for r in plan.measures if r.active and r.municipality_id is None]
    by_track = {
        title: sum(1 for r in active if category.value in r.tracks)
        for category, title in labels.CATEGORY.items()
    }
    if order_form is None and access.can_record_order(current_user, campaign):
        order_form = OrderForm.of(campaign)
    return render_template(
        "campaigns/detail.html",
        campaign=campaign,
        plan=plan,
        active=active,
        by_track={title: n for title, n in by_track.items() if n},
        order_form=order_form,
    )


@bp.route("/campaigns/<int:campaign_id>")
@login_required
@requires(access.can_view_campaigns)
def campaign_detail(campaign_id: int) -> str:
    """A campaign: its order, its plan at a glance, its cases."""
    return _detail(_campaign_or_404(campaign_id))


@bp.post("/campaigns/<int:campaign_id>/order")
@login_required
@requires(access.can_view_campaigns)
def campaign_order(campaign_id: int) -> tuple[str, int] | Response:
    """Record the campaign's approving order (the ministry of its region); a refused value is
    shown at its field, a stale form answers 409."""
    campaign = _campaign_or_404(campaign_id)
    if not access.can_record_order(current_user, campaign):
        abort(403)
    form = OrderForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return _detail(campaign, form), 400
    try:
        changed = record_order(
            campaign,
            form.values(),
            actor=current_user,
            today=local_date(),
            expected_version=form.version.data,
        )
        db.session.commit()
    except InvalidField as err:
        db.session.rollback()
        getattr(form, err.field).errors = [err.message]
        return _detail(campaign, form), 400
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
        return _detail(campaign, form), err.status
    flash(_("The order is recorded.") if changed else _("Nothing changed."), "success")
    return redirect(url_for("campaigns.campaign_detail", campaign_id=campaign.id, _anchor="order"))


def _campaigns_of(years: dict[int, int]) -> list[Campaign]:
    """The region's campaigns of the imported years, for links to their cases."""
    found = (campaign_ops.find_campaign(_region(), year) for year in sorted(years))
    return [c for c in found if c is not None]


def _opening(form: FlagImportForm) -> Opening:
    return Opening(live_year=form.live_year.data or None)


@bp.route("/flags/import", methods=["GET", "POST"])
@login_required
@requires(access.can_import_flags)
def flags_import() -> str | Response:
    """Upload a flag list, see what it would do, then import it."""
    form = FlagImportForm()
    report, token = None, None
    if form.validate_on_submit():
        if form.preview.data and form.file.data:
            data = form.file.data.read()
            report = import_flags(
                data, region=_region(), actor=current_user, dry_run=True, opening=_opening(form)
            )
            db.session.rollback()
            token = stash.put("flags", data) if report.ok else None
        elif form.confirm.data:
            data = stash.get("flags", form.token.data)
            if data is None:
                return redirect(url_for("campaigns.flags_import"))
            report = import_flags(
                data, region=_region(), actor=current_user, opening=_opening(form)
            )
            if report.ok:
                db.session.commit()
                stash.drop("flags")
                return render_template(
                    "campaigns/flags.html",
                    form=form,
                    report=report,
                    done=True,
                    campaigns=_campaigns_of(report.per_year),
                )
            db.session.rollback()
    return render_template(
        "campaigns/flags.html",
        form=form,
        report=report,
        token=token,
        done=False,
    )
