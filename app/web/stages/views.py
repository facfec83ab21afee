"""Pages of the stage records: forms, recheck, director evaluation, ШНОР mentoring."""

from __future__ import annotations

from datetime import date
from functools import partial

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from app import access
from app.access import get_scoped_or_404
from app.errors import DomainError
from app.extensions import db
from app.models.case import Case
from app.models.document import Roadmap
from app.models.org import Organisation, OrgKind
from app.models.stage import Expert
from app.parsing import parse_int
from app.stages import attachments, director, questionnaires, recheck, records, shnor
from app.tabular import FileRefused
from app.web.actions import perform
from app.workflows import labels

bp = Blueprint("stages", __name__)


def _case(case_id: int) -> Case:
    return get_scoped_or_404(Case, case_id, current_user)


def _checked() -> None:
    if not FlaskForm().validate_on_submit():
        abort(400)


@bp.route(
    "/cases/<int:case_id>/forms/<any(self_analysis, risk_questionnaire):kind>",
    methods=["GET", "POST"],
)
@login_required
def form(case_id: int, kind: str) -> str | Response:
    """A structured form of the case: the school fills it, the reviewer reads it."""
    case = _case(case_id)
    spec = questionnaires.spec(kind)
    if request.method == "POST":
        _checked()
        answers = {s.key: request.form.get(s.key, "") for s in spec.sections}
        version = parse_int(request.form.get("version"))
        if request.form.get("submit") == "1":  # save and hand in, in one transaction
            perform(
                lambda: _save_and_submit(case, kind, answers, version), _("Handed in for review.")
            )
        else:
            perform(
                lambda: questionnaires.save(
                    case, kind, answers, actor=current_user, expected_version=version
                ),
                _("The draft is saved."),
            )
        return redirect(url_for("stages.form", case_id=case.id, kind=kind))
    record = questionnaires.form_of(case, kind)
    obligation = records.current_obligation(case, spec.takes)
    may_edit = records.may_fill(current_user, case, spec.takes)
    return render_template(
        "stages/form.html",
        case=case,
        spec=spec,
        record=record,
        obligation=obligation,
        answers=(record.answers if record else {}),
        suggestions=questionnaires.suggestions(case, kind),
        may_edit=may_edit,
        labels=labels,
        csrf=FlaskForm(),
    )


def _save_and_submit(case: Case, kind: str, answers: dict[str, str], version: int | None) -> object:
    questionnaires.save(case, kind, answers, actor=current_user, expected_version=version)
    return questionnaires.submit(case, kind, actor=current_user)


@bp.route("/cases/<int:case_id>/recheck", methods=["GET"])
@login_required
def recheck_page(case_id: int) -> str:
    """The commission, the works and their statistics."""
    case = _case(case_id)
    manage = access.can_run_case_support(current_user, case)
    experts = recheck.experts_of(recheck.register_of(case)) if manage else []
    return render_template(
        "stages/recheck.html",
        case=case,
        members=recheck.members(case),
        works=recheck.works(case),
        stats=recheck.statistics(case),
        manage=manage,
        experts=experts,
        csrf=FlaskForm(),
        obligation=records.current_obligation(case, recheck.OBLIGATION),
    )


@bp.route("/cases/<int:case_id>/recheck/scores.png", methods=["GET"])
@login_required
def recheck_chart(case_id: int) -> Response:
    """The recheck's chart: the school's scores against the experts' (drawn when asked for)."""
    png = recheck.scatter_png(_case(case_id))
    if png is None:
        abort(404)
    answer = Response(png, mimetype="image/png")
    answer.headers["Cache-Control"] = "private, no-cache"
    return answer


@bp.route("/cases/<int:case_id>/marks/<any(agreement, contingency):chart>.png", methods=["GET"])
@login_required
def marks_chart(case_id: int, chart: str) -> Response:
    """A chart of the correlation of the school's marks (drawn when the file was uploaded),
    shown by the case page from this address rather than inside the page."""
    png = attachments.correlation_chart(_case(case_id), chart)
    if png is None:
        abort(404)
    answer = Response(png, mimetype="image/png")
    answer.headers["Cache-Control"] = "private, no-cache"
    return answer


@bp.post("/cases/<int:case_id>/recheck/<any(member, works, work, assign, protocol):action>")
@login_required
def recheck_action(case_id: int, action: str) -> Response:
    """Change the recheck: a commission member, the works (file or one row), sharing, the protocol."""
    case = _case(case_id)
    if not access.can_run_case_support(current_user, case):
        abort(403)
    _checked()
    form = request.form
    if action == "member":
        expert = db.session.get(Expert, parse_int(form.get("expert_id")) or 0)
        if expert is None:
            abort(404)
        perform(
            lambda: recheck.add_member(
                case, expert, chair=form.get("chair") == "1", actor=current_user
            ),
            _("The expert is on the commission."),
        )
    elif action == "works":
        upload = request.files.get("file")
        if upload is None:
            abort(400)
        data = upload.read()
        try:
            count = recheck.import_works(case, data, actor=current_user)
            db.session.commit()
            flash(_("Works loaded: %(n)d.", n=count), "success")
        except FileRefused as err:
            db.session.rollback()
            for problem in [err.message, *map(str, err.problems[:15])]:
                flash(problem, "error")
        except DomainError as err:
            db.session.rollback()
            flash(err.message, "error")
    elif action == "work":
        values = {
            k: parse_int(form.get(k), signed=True)
            for k in ("grade", "score_school", "mark_school", "score_recheck", "mark_recheck")
        }
        values |= {"subject": form.get("subject", ""), "participant": form.get("participant", "")}
        if (
            values["grade"] is None
            or values["score_school"] is None
            or values["mark_school"] is None
        ):
            flash(_("Give the grade, the school's score and mark."), "error")
        else:
            perform(
                lambda: recheck.save_work(case, values, actor=current_user), _("The work is saved.")
            )
    elif action == "assign":
        perform(
            lambda: recheck.assign(case, actor=current_user),
            _("The works are shared among the commission."),
        )
    else:
        perform(
            lambda: recheck.hand_in_protocol(case, actor=current_user),
            _("The protocol is handed in."),
        )
    return redirect(url_for("stages.recheck_page", case_id=case.id))


@bp.route("/experts", methods=["GET", "POST"])
@login_required
def experts() -> str | Response:
    """The municipality's register of experts for rechecks."""
    if not access.can_keep_experts(current_user, current_user.organisation_id):
        abort(403)
    municipality = db.session.get(Organisation, current_user.organisation_id)
    assert municipality is not None
    if request.method == "POST":
        _checked()
        school = db.session.scalars(
            db.select(Organisation).where(
                Organisation.login == (request.form.get("school_login") or "").strip().lower(),
                Organisation.kind == OrgKind.SCHOOL,
            )
        ).first()
        if school is None:
            flash(_("No school with this login."), "error")
        else:
            perform(
                lambda: recheck.add_expert(
                    municipality,
                    school,
                    request.form.get("full_name", ""),
                    request.form.get("subject", ""),
                    request.form.get("position"),
                    actor=current_user,
                ),
                _("The expert is registered."),
            )
        return redirect(url_for("stages.experts"))
    return render_template(
        "stages/experts.html", experts=recheck.experts_of(municipality.id), csrf=FlaskForm()
    )


@bp.route("/cases/<int:case_id>/director", methods=["GET", "POST"])
@login_required
def director_page(case_id: int) -> str | Response:
    """The director's evaluation: the school's values, the commission's scores, the result."""
    case = _case(case_id)
    if request.method == "POST":
        _checked()
        part = request.form.get("part")
        submit = request.form.get("submit") == "1"
        if part == "school":
            values = {k[6:]: v for k, v in request.form.items() if k.startswith("value_")}
            save = partial(director.save_school_values, case, values, actor=current_user)
            hand_in = partial(director.hand_in_school_part, case, actor=current_user)
        elif part == "commission":
            scores = {
                k[6:]: int(v)
                for k, v in request.form.items()
                if k.startswith("score_") and v.strip().isdigit()
            }
            decision = request.form.get("decision", "")
            save = partial(director.save_scores, case, scores, decision, actor=current_user)
            hand_in = partial(director.hand_in_evaluation, case, actor=current_user)
        else:
            abort(400)
        if submit:
            perform(lambda: (save(), hand_in())[1], _("Handed in for review."))
        else:
            perform(save, _("Saved."))
        return redirect(url_for("stages.director_page", case_id=case.id))
    evaluation = director.evaluation_of(case)  # not committed by a GET: saving starts it
    school_part = records.current_obligation(case, director.SCHOOL_PART)
    commission_part = records.current_obligation(case, director.COMMISSION_PART)
    return render_template(
        "stages/director.html",
        case=case,
        evaluation=evaluation,
        indicator_set=director.indicators_of(evaluation),
        results=director.RESULTS,
        csrf=FlaskForm(),
        school_editable=records.may_fill(current_user, case, director.SCHOOL_PART),
        commission_editable=records.may_fill(current_user, case, director.COMMISSION_PART),
        school_part=school_part,
        commission_part=commission_part,
    )


@bp.route("/cases/<int:case_id>/mentoring", methods=["GET", "POST"])
@login_required
def mentoring(case_id: int) -> str | Response:
    """ШНОР: the leader school, the joint plan, the competence assessments."""
    case = _case(case_id)
    if request.method == "POST":
        _checked()
        action = request.form.get("action")
        if action == "leader":
            leader = db.session.scalars(
                db.select(Organisation).where(
                    Organisation.login == (request.form.get("leader_login") or "").strip().lower()
                )
            ).first()
            if leader is None:
                flash(_("No school with this login."), "error")
            else:
                perform(
                    lambda: shnor.assign_leader(case, leader, actor=current_user),
                    _("The leader school is assigned."),
                )
        elif action == "plan":
            plan = perform(lambda: shnor.mentor_plan(case, actor=current_user))
            if plan is not None:
                return redirect(url_for("roadmaps.show", roadmap_id=plan.id))
        elif action == "assessment":
            when = _date(request.form.get("assessed_on"))
            if when is None:
                flash(_("Give the date of the assessment."), "error")
                return redirect(url_for("stages.mentoring", case_id=case.id))
            perform(
                lambda: shnor.add_assessment(
                    case,
                    teacher=request.form.get("teacher", ""),
                    subject=request.form.get("subject", ""),
                    assessed_on=when,
                    method=request.form.get("method", ""),
                    score=parse_int(request.form.get("score"), signed=True),
                    conclusion=request.form.get("conclusion"),
                    actor=current_user,
                ),
                _("The assessment is recorded."),
            )
        elif action == "hand_in_assessments":
            perform(
                lambda: shnor.hand_in_assessments(case, actor=current_user),
                _("Handed in for review."),
            )
        return redirect(url_for("stages.mentoring", case_id=case.id))
    plan = next((r for r in _roadmaps(case) if r.category == shnor.MENTOR_PLAN), None)
    return render_template(
        "stages/mentoring.html",
        case=case,
        mentorship=shnor.mentorship_of(case),
        plan=plan,
        assessments=shnor.assessments(case),
        can_assign=access.can_run_case_support(current_user, case),
        can_assess=records.may_fill(current_user, case, shnor.COMPETENCE),
        csrf=FlaskForm(),
        today=date.today(),
    )


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return None


def _roadmaps(case: Case) -> list[Roadmap]:
    return list(
        db.session.scalars(
            db.select(Roadmap).where(
                Roadmap.owner_org_id == case.school_id, Roadmap.campaign_id == case.campaign_id
            )
        )
    )
