"""The campaign plan's pages: the measures with their effective dates, editing a measure (the
ministry's, or a municipality's own for its schools), withdrawing one, the workbook out and in."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import access
from app.access.scope import region_id_of
from app.access.web import requires
from app.errors import DomainError
from app.extensions import db
from app.models.case import Campaign, Category, Level
from app.models.org import Organisation
from app.models.plan import DateKind, Plan, PlanMeasure, PlanVersion, Scope
from app.parsing import parse_int
from app.plans import calendar, dates
from app.plans import measures as m
from app.plans.service import plan_of
from app.plans.templates import TEMPLATES
from app.plans.xlsx import RESPONSIBLE, to_xlsx
from app.web import upload_stash as stash
from app.web.actions import perform
from app.web.plans.forms import DATE_KINDS, SCOPES, TAKES, ImportForm, MeasureForm, WithdrawForm
from app.workflows import labels, queries, replan

bp = Blueprint("plans", __name__)


def _campaign_or_404(campaign_id: int) -> Campaign:
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or campaign.region_id != region_id_of(current_user):
        abort(404)
    return campaign


def _effective(row: PlanMeasure, cal: calendar.WorkingCalendar) -> date | None:
    """The due date after the move to a working day (None when it has no fixed date)."""
    rule = m.rule_of(row)
    if rule.kind in (DateKind.FIXED, DateKind.PERIOD) and rule.due:
        return cal.next_working(rule.due)
    return None


def _measure_keys(plan: Plan) -> list[tuple[str, str]]:
    return [
        (r.key, f"{r.number} {r.title[:60]}")
        for r in plan.measures
        if r.active and r.municipality_id is None
    ]


@bp.route("/campaigns/<int:campaign_id>/plan")
@login_required
@requires(access.can_view_campaigns)
def show(campaign_id: int) -> str:
    """The plan: its measures in force, with the terms moved to working days, and its versions."""
    campaign = _campaign_or_404(campaign_id)
    plan = plan_of(campaign)
    dated = [r.due_on for r in plan.measures if r.due_on]
    cal = calendar.load(min(dated), max(dated), campaign.region_id) if dated else None
    numbers = {r.key: r.number for r in plan.measures}
    owners = {r.municipality_id for r in plan.measures if r.municipality_id}
    names = {
        org.id: org.name
        for org in db.session.scalars(sa.select(Organisation).where(Organisation.id.in_(owners)))
    }
    rows = [
        {
            "row": r,
            "term": dates.describe(m.rule_of(r), numbers),
            "effective": _effective(r, cal) if cal else None,
            "responsible": RESPONSIBLE[Level(r.responsible)],
            "reviewers": [
                str(labels.LEVEL[Level(v)]) if v else "—" for v in (r.reviewers + [None] * 3)[:3]
            ],
            "tracks": [str(labels.CATEGORY_SHORT[Category(t)]) for t in r.tracks],
            "owner": names.get(r.municipality_id),
            "takes": TAKES.get(r.takes, r.takes),
            "scope": SCOPES.get(r.scope, r.scope),
        }
        for r in plan.measures
    ]
    versions = db.session.scalars(
        db.select(PlanVersion)
        .where(PlanVersion.plan_id == plan.id)
        .order_by(PlanVersion.version.desc())
    ).all()
    can_extend = access.can_extend_plan(current_user, campaign, current_user.organisation_id)
    municipality = current_user.organisation if can_extend else None
    return render_template(
        "plans/show.html",
        campaign=campaign,
        plan=plan,
        rows=rows,
        versions=versions,
        can_edit=access.can_edit_plan(current_user, campaign),
        templates=[TEMPLATES[k].title for k in plan.template_key.split("+") if k in TEMPLATES],
        municipality=municipality,
        milestones=m.MILESTONES,
        withdraw_form=WithdrawForm(),
    )


@bp.route("/campaigns/<int:campaign_id>/plan.xlsx")
@login_required
@requires(access.can_view_campaigns)
def download(campaign_id: int) -> Response:
    """The plan as a workbook in the roadmap layout, with its machine columns."""
    campaign = _campaign_or_404(campaign_id)
    return Response(
        to_xlsx(plan_of(campaign)),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="plan-{campaign.vpr_year}.xlsx"'},
    )


def _allowed_to_change(campaign: Campaign, row: PlanMeasure | None) -> Organisation | None:
    """The municipality whose own measure this is (None for the region's); 403 when the user
    may not change it."""
    owner_id = row.municipality_id if row is not None else None
    if row is None and access.can_edit_plan(current_user, campaign):
        return None
    if row is None and access.can_extend_plan(current_user, campaign, current_user.organisation_id):
        return current_user.organisation  # type: ignore[no-any-return]
    if owner_id is None and access.can_edit_plan(current_user, campaign):
        return None
    if owner_id is not None and access.can_extend_plan(current_user, campaign, owner_id):
        return current_user.organisation  # type: ignore[no-any-return]
    abort(403)


def _form_of(row: PlanMeasure | None, plan: Plan) -> MeasureForm:
    form = MeasureForm()
    overrides = request.args.get("overrides", "") if row is None else ""
    model = row or next(
        (r for r in plan.measures if r.key == overrides and r.municipality_id is None), None
    )
    if model is not None and request.method == "GET":
        measure = m.from_row(model)
        rule = measure.when
        form = MeasureForm(
            number=measure.number,
            title=measure.title,
            result=measure.result,
            responsible=measure.responsible.value,
            reviewer_1=measure.reviewers[0].value if measure.reviewers[0] else "",
            reviewer_2=measure.reviewers[1].value if measure.reviewers[1] else "",
            reviewer_3=measure.reviewers[2].value if measure.reviewers[2] else "",
            tracks=[t.value for t in measure.tracks],
            levels=[str(n) for n in measure.levels],
            min_years=measure.min_years,
            scope=measure.scope.value,
            takes=measure.takes,
            milestone=measure.milestone,
            date_kind=rule.kind.value,
            due=rule.due,
            start=rule.start,
            days=rule.days,
            after=rule.after or "",
            inclusive=rule.inclusive,
            reminders=", ".join(str(n) for n in measure.reminders),
            required=measure.required,
            seed=measure.seed,
            overrides=overrides if row is None else "",
        )
    elif row is None and request.method == "GET":
        form = MeasureForm(
            tracks=[Category.OBJECTIVITY.value],
            levels=["1", "2", "3"],
            inclusive=True,
            required=True,
            reminders="5, 1",
            date_kind=DateKind.FIXED.value,
            scope=Scope.SCHOOL.value,
            milestone="monitoring",
        )
    return form.with_choices(_measure_keys(plan))


def _measure_of(form: MeasureForm, key: str | None) -> m.Measure | None:
    """The measure the form describes, or None with the errors on its fields."""
    kind = DateKind(form.date_kind.data)
    rule = dates.DateRule(
        kind,
        due=form.due.data,
        start=form.start.data,
        days=form.days.data,
        after=form.after.data or None,
        inclusive=bool(form.inclusive.data),
        monthly="last_working_monday" if kind is DateKind.MONTHLY else None,
    )
    missing = {
        DateKind.FIXED: rule.due is None,
        DateKind.PERIOD: rule.due is None or rule.start is None,
        DateKind.MONTHLY: rule.due is None or rule.start is None,
        DateKind.AFTER_OPEN: rule.days is None,
        DateKind.AFTER_MEASURE: rule.days is None or not rule.after,
        DateKind.ONGOING: False,
    }[kind]
    if missing:
        form.date_kind.errors = [_("Fill in the term for its kind.")]
        return None
    if rule.start and rule.due and rule.start > rule.due:
        form.start.errors = [_("The first day comes after the last.")]
        return None
    reminders = [parse_int(p.strip()) for p in (form.reminders.data or "").split(",") if p.strip()]
    if any(r is None for r in reminders):
        form.reminders.errors = [_("Whole numbers separated by commas.")]
        return None
    if not form.tracks.data:
        form.tracks.errors = [_("Choose the lists (tracks) the measure applies to.")]
        return None

    def level(value: str | None) -> Level | None:
        return Level(value) if value else None

    return m.Measure(
        key=key or "",
        number=(form.number.data or "").strip(),
        title=(form.title.data or "").strip(),
        responsible=Level(form.responsible.data),
        when=rule,
        milestone=form.milestone.data or "monitoring",
        tracks=tuple(Category(t) for t in form.tracks.data),
        result=(form.result.data or "").strip(),
        reviewers=(
            level(form.reviewer_1.data),
            level(form.reviewer_2.data),
            level(form.reviewer_3.data),
        ),
        takes=form.takes.data or "nothing",
        levels=tuple(int(v) for v in (form.levels.data or ["1", "2", "3"])),
        min_years=form.min_years.data or 1,
        scope=Scope(form.scope.data),
        reminders=tuple(r for r in reminders if r is not None),
        seed=(form.seed.data or "").strip(),
        required=bool(form.required.data),
    )


@bp.route("/campaigns/<int:campaign_id>/plan/measures/new", methods=["GET", "POST"])
@bp.route("/campaigns/<int:campaign_id>/plan/measures/<key>", methods=["GET", "POST"])
@login_required
def measure(campaign_id: int, key: str | None = None) -> str | Response:
    """Add a measure, or change one: the open obligations of the campaign follow."""
    campaign = _campaign_or_404(campaign_id)
    plan = plan_of(campaign)
    row = next((r for r in plan.measures if r.key == key), None) if key else None
    if key and row is None:
        abort(404)
    municipality = _allowed_to_change(campaign, row)
    form = _form_of(row, plan)
    if form.validate_on_submit():
        values = _measure_of(form, key)
        if values is not None:
            done = perform(
                lambda: replan.save_measure(
                    campaign,
                    key,
                    values,
                    actor=current_user,
                    reason=form.reason.data or "",
                    municipality=municipality,
                    overrides=(form.overrides.data or None) if municipality and not row else None,
                )
            )
            if done is not None:
                flash(
                    _("The plan is saved; cases brought in line: %(n)d.", n=done.cases)
                    if done.changed
                    else _("Nothing changed."),
                    "success",
                )
                return redirect(
                    url_for("plans.show", campaign_id=campaign.id, _anchor=f"m-{key or ''}")
                )
    return render_template(
        "plans/measure.html",
        campaign=campaign,
        plan=plan,
        row=row,
        form=form,
        municipality=municipality,
        date_kinds=DATE_KINDS,
        following=queries.open_obligations_of(campaign.id, row.id) if row else 0,
    )


@bp.post("/campaigns/<int:campaign_id>/plan/measures/<key>/withdraw")
@login_required
def withdraw(campaign_id: int, key: str) -> Response:
    """Take a measure out of the plan; its open obligations are waived with the reason."""
    campaign = _campaign_or_404(campaign_id)
    plan = plan_of(campaign)
    row = next((r for r in plan.measures if r.key == key), None)
    if row is None:
        abort(404)
    _allowed_to_change(campaign, row)
    form = WithdrawForm()
    if not form.validate_on_submit():
        flash(_("Say why the measure is withdrawn."), "error")
        return redirect(url_for("plans.show", campaign_id=campaign.id))
    perform(
        lambda: replan.withdraw_measure(
            campaign, key, actor=current_user, reason=form.reason.data or ""
        ),
        _("The measure is withdrawn; its open obligations are waived."),
    )
    return redirect(url_for("plans.show", campaign_id=campaign.id))


@bp.route("/campaigns/<int:campaign_id>/plan/import", methods=["GET", "POST"])
@login_required
def import_workbook(campaign_id: int) -> str | Response:
    """Read a plan workbook back: check and preview what it changes, then change the plan."""
    campaign = _campaign_or_404(campaign_id)
    if not access.can_edit_plan(current_user, campaign):
        abort(403)
    form = ImportForm()
    result, token = None, None
    if request.method == "POST" and form.confirm.data:
        data = stash.get("plan", form.token.data)
        if data is None:
            return redirect(url_for("plans.import_workbook", campaign_id=campaign.id))
        result = replan.import_plan(
            campaign, data, actor=current_user, reason=form.reason.data or ""
        )
        if not result.problems:
            db.session.commit()
            stash.drop("plan")
            flash(_("The plan is imported."), "success")
            return redirect(url_for("plans.show", campaign_id=campaign.id))
        db.session.rollback()
    elif form.validate_on_submit() and form.file.data:
        data = form.file.data.read()
        try:
            result = replan.import_plan(
                campaign, data, actor=current_user, reason=form.reason.data or "", dry_run=True
            )
        except DomainError as err:
            flash(err.message, "error")
        db.session.rollback()
        token = stash.put("plan", data) if result and not result.problems else None
    return render_template(
        "plans/import.html", campaign=campaign, form=form, result=result, token=token
    )
