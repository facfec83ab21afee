"""The monitoring of municipal mechanisms: the region's table for a year (and its workbook), a
municipality's report for a year, its approved document, the ministry's import of the figures
and its own criteria."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import access
from app.access.scope import region_id_of
from app.access.web import requires
from app.errors import DomainError, NotAllowed, StaleVersion
from app.extensions import db
from app.mechanisms import approval, criteria, importing, numbers, reports
from app.mechanisms.export import to_xlsx
from app.mechanisms.table import cells_of, region_table, sort_rows, years_in_scope
from app.models.mechanism import MechanismReport
from app.models.org import Organisation
from app.web import upload_stash as stash
from app.web.form_choices import choices
from app.web.mechanisms.forms import (
    CriterionForm,
    DocumentForm,
    ImportForm,
    ReportForm,
    report_form,
)
from app.workflows import labels
from app.workflows.clock import local_date

bp = Blueprint("mechanisms", __name__, url_prefix="/mechanisms")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATTERS = {"percent": numbers.format_percent, "points": numbers.format_points}


def _year_or_none(text: str | int | None) -> int | None:
    """The year asked for, or None with the reason flashed."""
    try:
        return numbers.parse_year(text, local_date())
    except DomainError as err:
        flash(err.message, "error")
        return None


def _default_year() -> int:
    years = years_in_scope(current_user)
    return years[0] if years else local_date().year


@bp.route("")
@login_required
@requires(access.can_view_mechanisms)
def index() -> str:
    """The table of the year: the region's municipalities (a municipality: its own row)."""
    asked = request.args.get("year")
    year = (_year_or_none(asked) if asked else None) or _default_year()
    sort, descending = request.args.get("sort", "name"), request.args.get("order") == "desc"
    table = region_table(current_user, year)
    sort_rows(table, sort, descending)
    return render_template(
        "mechanisms/index.html",
        table=table,
        years=years_in_scope(current_user),
        sort=sort,
        descending=descending,
        criterion_form=CriterionForm(),
        **FORMATTERS,
    )


@bp.route("/<int:year>.xlsx")
@login_required
@requires(access.can_view_mechanisms)
def export(year: int) -> Response:
    """The table of the year as a workbook, in the order asked for."""
    if _year_or_none(year) is None:
        return redirect(url_for("mechanisms.index"))
    table = region_table(current_user, year)
    sort_rows(table, request.args.get("sort", "name"), request.args.get("order") == "desc")
    return Response(
        to_xlsx(table),
        mimetype=XLSX,
        headers={"Content-Disposition": f'attachment; filename="mechanisms-{year}.xlsx"'},
    )


def _municipality_or_404(municipality_id: int) -> Organisation:
    """The municipality whose reports the user may read (a school's user reads none: 404)."""
    municipality = db.session.get(Organisation, municipality_id)
    if municipality is None or not access.can_view_mechanisms_of(current_user, municipality):
        abort(404)
    return municipality


def _text(value: Decimal | None) -> str:
    return numbers.plain(value) if value is not None else ""


def _form_for(
    report: MechanismReport | None, region_criteria: list[Any], known: dict[int, Decimal]
) -> ReportForm:
    if request.method == "POST":
        return report_form(region_criteria, set(known))
    data: dict[str, Any] = {"version": report.version if report else 0}
    if report is not None:
        data.update(
            conclusions=report.conclusions,
            order_number=report.order_number,
            order_date=report.order_date,
            publisher=report.publisher,
        )
        for row in report.values:
            data[f"value_{row.criterion_id}"] = _text(row.value)
            data[f"previous_{row.criterion_id}"] = _text(row.previous)
    return report_form(region_criteria, set(known), data=data)


def _values_of(form: ReportForm, region_criteria: list[Any]) -> reports.ReportValues:
    figures = {}
    for criterion in region_criteria:
        previous = getattr(form, f"previous_{criterion.id}", None)
        figures[criterion.id] = reports.Figure(
            numbers.parse_percent(getattr(form, f"value_{criterion.id}").data),
            numbers.parse_percent(previous.data) if previous is not None else None,
        )
    return reports.ReportValues(
        figures=figures,
        conclusions=form.conclusions.data or "",
        order_number=form.order_number.data,
        order_date=form.order_date.data,
        publisher=form.publisher.data,
    )


def _document_form(municipality: Organisation, year: int, report: MechanismReport | None) -> Any:
    form = DocumentForm(version=report.version if report else 0)
    owed = [
        o
        for o in approval.plan_obligations(municipality.id, year)
        if access.can_submit(current_user, o)
    ]
    form.hand_in.choices = choices(
        (o.id, f"{labels.obligation_title(o)} ({o.case.campaign.title})") for o in owed
    )
    return form


def _render_report(
    municipality: Organisation, year: int, form: ReportForm | None, status: int = 200
) -> tuple[str, int]:
    report = reports.report_of(municipality.id, year)
    before = reports.report_of(municipality.id, year - 1)
    editable = access.can_edit_mechanisms(current_user, municipality)
    region_criteria = criteria.criteria_of(region_id_of(current_user))
    if form is None and editable:
        form = _form_for(report, region_criteria, reports.previous_values(municipality.id, year))
    html = render_template(
        "mechanisms/report.html",
        municipality=municipality,
        year=year,
        report=report,
        criteria=region_criteria,
        cells=cells_of(report, before),
        form=form if editable else None,
        document_form=_document_form(municipality, year, report) if editable else None,
        obligations=approval.plan_obligations(municipality.id, year),
        **FORMATTERS,
    )
    return html, status


@bp.route("/<int:municipality_id>/<int:year>", methods=["GET", "POST"])
@login_required
def report(municipality_id: int, year: int) -> Response | tuple[str, int]:
    """A municipality's report for the year: read by the region, filled in by the municipality."""
    municipality = _municipality_or_404(municipality_id)
    if _year_or_none(year) is None:
        return redirect(url_for("mechanisms.index"))
    if request.method == "GET":
        return _render_report(municipality, year, None)
    if not access.can_edit_mechanisms(current_user, municipality):
        abort(403)
    region_criteria = criteria.criteria_of(region_id_of(current_user))
    form = report_form(region_criteria, set(reports.previous_values(municipality.id, year)))
    if not form.validate_on_submit():
        return _render_report(municipality, year, form, 400)
    try:
        reports.save_report(
            municipality,
            year,
            _values_of(form, region_criteria),
            actor=current_user,
            expected_version=form.version.data,
        )
        db.session.commit()
    except NotAllowed:
        db.session.rollback()
        abort(403)
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
        return _render_report(
            municipality, year, form, 409 if isinstance(err, StaleVersion) else 400
        )
    flash(_("The report is saved."), "success")
    return redirect(url_for("mechanisms.report", municipality_id=municipality.id, year=year))


@bp.post("/<int:municipality_id>/<int:year>/document")
@login_required
def attach(municipality_id: int, year: int) -> Response:
    """Attach the approved report and roadmap (a new version of the report's document)."""
    municipality = _municipality_or_404(municipality_id)
    if not access.can_edit_mechanisms(current_user, municipality):
        abort(403)
    form = _document_form(municipality, year, reports.report_of(municipality.id, year))
    target = url_for("mechanisms.report", municipality_id=municipality.id, year=year)
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return redirect(target)
    try:
        approval.attach(
            municipality,
            year,
            form.file.data.filename or "",
            form.file.data.read(),
            actor=current_user,
            expected_version=form.version.data,
            hand_in=tuple(form.hand_in.data or ()),
        )
        db.session.commit()
    except NotAllowed:
        db.session.rollback()
        abort(403)
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
        return redirect(target)
    flash(_("The approved document is attached."), "success")
    return redirect(target)


@bp.route("/import", methods=["GET", "POST"])
@login_required
@requires(access.can_import_mechanisms)
def import_figures() -> str | Response:
    """Read a file of figures: check it and preview what it changes, then write it whole."""
    region = db.session.get(Organisation, region_id_of(current_user))
    assert region is not None
    form = ImportForm()
    result, token = None, None
    if request.method == "POST" and form.confirm.data:
        data = stash.get("mechanisms", form.token.data)
        if data is None:
            return redirect(url_for("mechanisms.import_figures"))
        result = importing.import_figures(
            data, region=region, actor=current_user, filename=form.filename.data or ""
        )
        if not result.problems:
            db.session.commit()
            stash.drop("mechanisms")
            flash(
                _(
                    "The figures are imported: reports created %(c)d, changed %(u)d.",
                    c=result.created,
                    u=result.changed,
                ),
                "success",
            )
            return redirect(url_for("mechanisms.index"))
        db.session.rollback()
    elif form.validate_on_submit() and form.file.data:
        data = form.file.data.read()
        form.filename.data = form.file.data.filename or ""
        result = importing.import_figures(
            data, region=region, actor=current_user, filename=form.filename.data, dry_run=True
        )
        db.session.rollback()
        token = stash.put("mechanisms", data) if result and not result.problems else None
    return render_template("mechanisms/import.html", form=form, result=result, token=token)


@bp.post("/criteria")
@login_required
@requires(access.can_add_mechanism_criterion)
def add_criterion() -> Response:
    """The ministry adds a criterion of its region's own."""
    form = CriterionForm()
    region = db.session.get(Organisation, region_id_of(current_user))
    if region is None or not form.validate_on_submit():
        flash(_("Give the criterion's code and title."), "error")
        return redirect(url_for("mechanisms.index"))
    try:
        added = criteria.add_criterion(
            region, form.code.data or "", form.title.data or "", actor=current_user
        )
        db.session.commit()
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
        return redirect(url_for("mechanisms.index"))
    flash(_("Criterion %(code)s is added.", code=added.code), "success")
    return redirect(url_for("mechanisms.index"))
