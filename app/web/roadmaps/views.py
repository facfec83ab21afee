"""Roadmap pages: items edited on screen, monthly reports."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from app import access
from app.access import get_scoped_or_404
from app.extensions import db
from app.models.case import Campaign, Case
from app.models.document import Roadmap, RoadmapStatus
from app.parsing import parse_int
from app.stages import roadmaps, shnor
from app.web.actions import perform
from app.web.form_choices import choices
from app.workflows.clock import today_for

bp = Blueprint("roadmaps", __name__)


class ItemForm(FlaskForm):
    item_id = HiddenField()
    measure = TextAreaField(_l("Measure"), validators=[Length(max=4000)])
    deadline = StringField(_l("Deadline"), validators=[Optional(), Length(max=200)])
    responsible = StringField(_l("Responsible"), validators=[Optional(), Length(max=500)])
    indicator = TextAreaField(
        _l("Expected result / indicator"), validators=[Optional(), Length(max=4000)]
    )
    status = SelectField(_l("Status"))
    progress_note = TextAreaField(_l("Progress note"), validators=[Optional(), Length(max=4000)])

    def with_choices(self) -> ItemForm:
        self.status.choices = choices(
            (s.value, label) for s, label in roadmaps.STATUS_LABELS.items()
        )
        return self


class ReportForm(FlaskForm):
    period = HiddenField()
    text = TextAreaField(_l("What was done this month"), validators=[Length(max=8000)])


def _roadmap_or_404(roadmap_id: int) -> Roadmap:
    roadmap = db.session.get(Roadmap, roadmap_id)
    if roadmap is None or not access.can_view_roadmap(current_user, roadmap):
        abort(404)
    return roadmap


@bp.route("/cases/<int:case_id>/roadmap", methods=["GET", "POST"])
@login_required
def case_roadmap(case_id: int) -> Response | str:
    """The school's roadmap for the case's campaign; the school starts it here (a post)."""
    case = get_scoped_or_404(Case, case_id, current_user)
    found = roadmaps.school_roadmap(case)
    if found is None and request.method == "POST":
        if not FlaskForm().validate_on_submit():
            abort(400)
        found = perform(lambda: roadmaps.start_school_roadmap(case, actor=current_user))
    if found is None:
        return render_template(
            "roadmaps/missing.html",
            case=case,
            can_start=access.can_start_roadmap(current_user, case),
            csrf=FlaskForm(),
        )
    return redirect(url_for("roadmaps.show", roadmap_id=found.id))


@bp.route("/roadmaps/<int:roadmap_id>")
@login_required
def show(roadmap_id: int) -> str:
    """The roadmap's measures and its monthly reports."""
    roadmap = _roadmap_or_404(roadmap_id)
    campaign = db.session.get(Campaign, roadmap.campaign_id)
    assert campaign is not None
    campaign_periods = roadmaps.report_periods(campaign)
    submitted = {r.period: r for r in roadmap.reports}
    case = roadmaps.roadmap_case(roadmap)
    return render_template(
        "roadmaps/show.html",
        roadmap=roadmap,
        editable=access.can_edit_roadmap(current_user, roadmap),
        item_form=ItemForm().with_choices(),
        report_form=ReportForm(),
        status_labels=roadmaps.STATUS_LABELS,
        periods=campaign_periods,
        submitted=submitted,
        today=today_for(current_user),
        case=case,
        can_print=case is not None and access.can_generate(current_user, case, "roadmap"),
        can_hand_in=case is not None
        and access.can_edit_roadmap(current_user, roadmap)
        and shnor.obligation_for_roadmap(case, roadmap) is not None,
    )


@bp.post("/roadmaps/<int:roadmap_id>/items")
@login_required
def save_item(roadmap_id: int) -> Response:
    """Add or change a measure."""
    roadmap = _roadmap_or_404(roadmap_id)
    if not access.can_edit_roadmap(current_user, roadmap):
        abort(403)
    form = ItemForm().with_choices()
    if not form.validate_on_submit():
        abort(400)
    values = roadmaps.ItemValues(
        form.measure.data or "",
        form.deadline.data or "",
        form.responsible.data or "",
        form.indicator.data or "",
        RoadmapStatus(form.status.data),
        form.progress_note.data,
    )
    perform(
        lambda: roadmaps.save_item(
            roadmap, parse_int(form.item_id.data), values, actor=current_user
        ),
        _("The roadmap is saved."),
    )
    return redirect(url_for("roadmaps.show", roadmap_id=roadmap.id))


@bp.post("/roadmaps/<int:roadmap_id>/reports")
@login_required
def submit_report(roadmap_id: int) -> Response:
    """Submit the monthly progress report."""
    roadmap = _roadmap_or_404(roadmap_id)
    if not access.can_edit_roadmap(current_user, roadmap):
        abort(403)
    form = ReportForm()
    if not form.validate_on_submit():
        abort(400)
    perform(
        lambda: roadmaps.submit_report(
            roadmap, form.period.data or "", form.text.data or "", actor=current_user
        ),
        _("The monthly report is submitted."),
    )
    return redirect(url_for("roadmaps.show", roadmap_id=roadmap.id, _anchor="reports"))


@bp.post("/roadmaps/<int:roadmap_id>/hand-in")
@login_required
def hand_in(roadmap_id: int) -> Response:
    """Print the roadmap and hand in the obligation it answers."""
    roadmap = _roadmap_or_404(roadmap_id)
    case = roadmaps.roadmap_case(roadmap)
    if case is None or not access.can_edit_roadmap(current_user, roadmap):
        abort(403)
    if not FlaskForm().validate_on_submit():
        abort(400)
    perform(
        lambda: shnor.hand_in_roadmap(case, roadmap, actor=current_user), _("Handed in for review.")
    )
    return redirect(url_for("roadmaps.show", roadmap_id=roadmap.id))
