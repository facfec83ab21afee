"""The ministry's VPR pages: imports with progress, signs, the proposed list and its approval,
drill-down to the evidence and charts."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import IntegerField
from wtforms.validators import NumberRange

from app import access, lazy
from app.access.scope import can_view_org, region_id_of
from app.access.web import requires
from app.analytics import charts
from app.analytics.indicators import indicators_xlsx as indicators_workbook
from app.analytics.spec import SpecError
from app.extensions import db
from app.models.org import Organisation
from app.models.vpr import SignRun, VprImport, VprSpec
from app.vpr import exams, importer, indicators, signs, store
from app.web.actions import perform

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy.module("pandas")

bp = Blueprint("vpr", __name__, url_prefix="/vpr")


class UploadForm(FlaskForm):
    file = FileField(_l("File"), validators=[FileRequired()])


class YearForm(FlaskForm):
    year = IntegerField(_l("Year"), validators=[NumberRange(2000, 2100)])


def _region() -> Organisation:
    region = db.session.get(Organisation, region_id_of(current_user))
    assert region is not None
    return region


def _run_or_404(run_id: int) -> SignRun:
    run = db.session.get(SignRun, run_id)
    if run is None or run.region_id != region_id_of(current_user):
        abort(404)
    return run


@bp.route("/")
@login_required
@requires(access.can_view_vpr)
def index() -> str:
    """Imports, specifications and sign runs of the region."""
    region = _region()
    jobs = db.session.scalars(
        sa.select(VprImport)
        .where(VprImport.region_id == region.id)
        .order_by(VprImport.id.desc())
        .limit(20)
    ).all()
    specs = db.session.scalars(
        sa.select(VprSpec).order_by(VprSpec.year.desc(), VprSpec.grade, VprSpec.subject)
    ).all()
    runs = db.session.scalars(
        sa.select(SignRun)
        .where(SignRun.region_id == region.id)
        .order_by(SignRun.id.desc())
        .limit(20)
    ).all()
    return render_template(
        "vpr/index.html",
        jobs=jobs,
        specs=specs,
        runs=runs,
        upload_form=UploadForm(),
        year_form=YearForm(),
        can_manage=access.can_manage_vpr(current_user),
        exam_counts=exams.counts(region),
    )


@bp.post("/specs")
@login_required
@requires(access.can_manage_vpr)
def upload_specs() -> Response:
    """Store test specifications (§2 JSON)."""
    form = UploadForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        specs = importer.read_specs(form.file.data.read())
    except SpecError as err:
        db.session.rollback()
        for problem in err.problems[:20]:
            flash(str(problem), "error")
        return redirect(url_for("vpr.index"))
    db.session.commit()
    flash(_("Specifications stored: %(n)d.", n=len(specs)), "success")
    return redirect(url_for("vpr.index"))


def _share(value: Any) -> str:
    """A share as «12,5 %» (— when unknown)."""
    if value is None or value != value:  # NaN
        return "—"
    return format_decimal(100 * float(value), "0.#") + " %"


def _trend(value: Any) -> str:
    """A change of a share in percentage points, signed («+2,5 п. п.», — when unknown)."""
    if value is None or value != value:
        return "—"
    points = 100 * float(value)
    return ("+" if points > 0 else "") + format_decimal(points, "0.#") + " " + _("p.p.")


INDICATOR_HEADERS = {
    "region": {
        "_sheet": _l("Region"),
        "year": _l("Year"),
        "schools": _l("Schools"),
        "flagged": _l("Schools with signs"),
        "flagged_share": _l("Share with signs"),
        "level": _l("Objectivity level"),
        "trend": _l("Change of the share"),
        "recheck_works": _l("Rechecked works"),
        "recheck_confirmed_share": _l("Marks confirmed by the recheck"),
    },
    "municipalities": {
        "_sheet": _l("Municipalities"),
        "municipality": _l("Municipality"),
        "year": _l("Year"),
        "schools": _l("Schools"),
        "flagged": _l("Schools with signs"),
        "flagged_share": _l("Share with signs"),
        "trend": _l("Change of the share"),
        "recheck_works": _l("Rechecked works"),
        "recheck_confirmed_share": _l("Marks confirmed by the recheck"),
    },
    "profiles": {
        "_sheet": _l("Risk profiles"),
        "login": _l("Login"),
        "name": _l("School"),
        "municipality": _l("Municipality"),
        "years_flagged": _l("Years on the list"),
        "consecutive_years": _l("Consecutive years"),
        "recheck_confirmed_share": _l("Marks confirmed by the recheck"),
        "risk": _l("Risk"),
    },
}


def _translated(ind: Any) -> Any:
    """The indicators with their words (levels, risks) in the reader's language."""
    ind.region["level"] = [_(v) for v in ind.region["level"]]
    ind.profiles["risk"] = [_(v) for v in ind.profiles["risk"]]
    return ind


@bp.route("/indicators")
@login_required
@requires(access.can_view_vpr)
def indicators_page() -> str:
    """The region's objectivity indicators by year and municipality, and schools' risk profiles."""
    ind = _translated(indicators.indicators(_region()))
    years = [c for c in ind.profiles.columns if pd.api.types.is_integer(c)]
    return render_template(
        "vpr/indicators.html",
        region_rows=ind.region.to_dict("records"),
        municipality_rows=ind.municipalities.to_dict("records"),
        profiles=ind.profiles.to_dict("records"),
        profile_years=years,
        share=_share,
        trend=_trend,
    )


@bp.route("/indicators.xlsx")
@login_required
@requires(access.can_view_vpr)
def indicators_xlsx() -> Response:
    """The same indicators as an XLSX workbook."""
    ind = _translated(indicators.indicators(_region()))
    headers = {
        sheet: {k: str(v) for k, v in names.items()} for sheet, names in INDICATOR_HEADERS.items()
    }
    return Response(
        indicators_workbook(ind, headers),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": 'attachment; filename="indicators.xlsx"'},
    )


@bp.post("/exams")
@login_required
@requires(access.can_manage_vpr)
def upload_exams() -> Response:
    """Import state exam results (§7) whole, or report every problem with its row and column."""
    form = UploadForm()
    if not form.validate_on_submit():
        abort(400)
    report = exams.import_exams(form.file.data.read(), region=_region(), actor=current_user)
    if not report.ok:
        db.session.rollback()
        for problem in report.problems[:50]:
            flash(str(problem), "error")
        if len(report.problems) > 50:
            flash(_("… and %(n)d more problems.", n=len(report.problems) - 50), "error")
        return redirect(url_for("vpr.index"))
    db.session.commit()
    flash(
        _(
            "Exam results imported: %(rows)d rows, %(units)d school exams.",
            rows=report.rows,
            units=report.units,
        ),
        "success",
    )
    return redirect(url_for("vpr.index"))


@bp.post("/imports")
@login_required
@requires(access.can_manage_vpr)
def upload_results() -> Response:
    """Queue a results file (§1) and start processing it; the page follows its progress."""
    form = UploadForm()
    if not form.validate_on_submit():
        abort(400)
    data = form.file.data.read()
    job = importer.queue_import(
        data, form.file.data.filename or "results", region=_region(), actor=current_user
    )
    db.session.commit()
    importer.start_job(job.id)
    return redirect(url_for("vpr.index", _anchor=f"job-{job.id}"))


@bp.route("/imports/<int:job_id>.json")
@login_required
@requires(access.can_view_vpr)
def job_status(job_id: int) -> Response:
    """The progress of an import, for the progress bar."""
    job = db.session.get(VprImport, job_id)
    if job is None or job.region_id != region_id_of(current_user):
        abort(404)
    progress, message = importer.live_progress(job)
    return jsonify(
        status=job.status,
        progress=progress,
        message=message,
        rows=job.rows,
        works=job.works,
        report=job.report,
    )


@bp.post("/signs")
@login_required
@requires(access.can_manage_vpr)
def compute() -> Response:
    """Compute the signs for a year."""
    form = YearForm()
    if not form.validate_on_submit() or form.year.data is None:
        abort(400)
    run = perform(
        lambda: signs.compute_run(_region(), form.year.data, actor=current_user),
        _("The signs are computed."),
    )
    if run is None:
        return redirect(url_for("vpr.index"))
    return redirect(url_for("vpr.run", run_id=run.id))


@bp.route("/signs/<int:run_id>")
@login_required
@requires(access.can_view_vpr)
def run(run_id: int) -> str:
    """The proposed list of a run."""
    sign_run = _run_or_404(run_id)
    frame = signs.proposed(sign_run, _region())
    marker_columns = [
        c
        for c in frame.columns
        if c not in ("Год", "Логин", "Муниципалитет", "ОО", "Количество маркеров", "Категория")
    ]
    return render_template(
        "vpr/run.html",
        run=sign_run,
        rows=frame.to_dict("records"),
        marker_columns=marker_columns,
        can_manage=access.can_manage_vpr(current_user),
        open_rows=access.can_manage_vpr(current_user)
        and any(login not in (sign_run.decisions or {}) for login in frame.get("Логин", [])),
        form=FlaskForm(),
    )


@bp.route("/signs/<int:run_id>/list.<any(csv, xlsx):fmt>")
@login_required
@requires(access.can_view_vpr)
def download(run_id: int, fmt: str) -> Response:
    """The proposed list in the layout of the federal list."""
    sign_run = _run_or_404(run_id)
    mimetype = (
        "text/csv"
        if fmt == "csv"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return Response(
        signs.proposed_bytes(sign_run, _region(), fmt),
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="proposed-{sign_run.year}.{fmt}"'},
    )


@bp.post("/signs/<int:run_id>/approve")
@login_required
@requires(access.can_manage_vpr)
def approve(run_id: int) -> str | Response:
    """Approve the proposed list: the campaign's cases are created."""
    sign_run = _run_or_404(run_id)
    form = FlaskForm()
    if not form.validate_on_submit():
        abort(400)
    logins, reasons, dropped = _choices(request.form)
    report = perform(
        lambda: signs.approve(
            sign_run,
            _region(),
            actor=current_user,
            logins=logins,
            reasons=reasons,
            dropped=dropped,
        )
    )
    if report is None:
        return redirect(url_for("vpr.run", run_id=run_id))
    if not report.ok:
        db.session.rollback()
    return render_template(
        "campaigns/flags.html", form=None, report=report, done=report.ok, token=None
    )


def _choices(form: Any) -> tuple[list[str] | None, dict[str, str], dict[str, str]]:
    """The schools ticked for approval, the reasons given, and the unticked ones with a reason
    (dropped). A form without the per-school table approves every school not decided yet."""
    if not form.get("per_school"):
        return None, {}, {}
    chosen = [login.strip() for login in form.getlist("school") if login.strip()]
    reasons = {
        key[len("reason-") :]: value.strip()
        for key, value in form.items()
        if key.startswith("reason-") and value.strip()
    }
    dropped = {login: reason for login, reason in reasons.items() if login not in chosen}
    return chosen, reasons, dropped


@bp.route("/signs/<int:run_id>/<login>")
@login_required
@requires(access.can_view_vpr)
def school(run_id: int, login: str) -> str:
    """One school's evidence, with its charts."""
    sign_run = _run_or_404(run_id)
    school_org = db.session.scalars(
        sa.select(Organisation).where(
            Organisation.login == login, Organisation.region_id == sign_run.region_id
        )
    ).first()
    if school_org is None:
        abort(404)
    works = signs.works_of(sign_run, login)
    return render_template(
        "vpr/school.html",
        run=sign_run,
        school=school_org,
        works=works,
        evidence=signs.evidence_of(sign_run, login),
    )


@bp.route("/signs/<int:run_id>/<login>/evidence.json")
@login_required
@requires(access.can_view_vpr)
def evidence_json(run_id: int, login: str) -> Response:
    """The technical evidence of one school's fired signs (every number, parameter, p and q)."""
    sign_run = _run_or_404(run_id)
    return Response(
        json.dumps(signs.evidence_of(sign_run, login), ensure_ascii=False, indent=1),
        mimetype="application/json",
    )


@bp.route(
    "/charts/<int(min=2000, max=2100):year>/<login>/<int(min=1, max=11):grade>/<subject>/<any(histogram, tasks):kind>.png"
)
@login_required
def chart(year: int, login: str, grade: int, subject: str, kind: str) -> Response:
    """A school's score histogram with the mark boundaries, or its tasks against the region."""
    school_org = db.session.scalars(
        sa.select(Organisation).where(Organisation.login == login)
    ).first()
    if school_org is None or not can_view_org(current_user, school_org):
        abort(404)
    region = db.session.get(Organisation, school_org.region_id)
    spec = next(
        (s for s in store.load_specs([year]) if s.subject == subject and s.grade == grade), None
    )
    if spec is None or region is None:
        abort(404)
    frame = store.load_frame(region, [year], subject=subject, grade=grade)
    if frame.empty or not (frame["school_login"].astype(str) == login).any():
        abort(404)
    mine = frame["school_login"].astype(str) == login
    title = f"{spec.grade} {spec.code}, {year}"
    if kind == "histogram":
        png = charts.score_histogram_png(
            frame.loc[mine, "score"], spec, region_scores=frame["score"], title=title
        )
    else:
        png = charts.task_profile_png(charts.task_profile(frame, spec, login), title=title)
    return Response(png, mimetype="image/png", headers={"Cache-Control": "private, max-age=300"})


__all__ = ["bp"]
