"""Case list, case page and the actions on a case and its obligations."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app import readcache
from app.access import get_scoped_or_404
from app.models.case import Case, Obligation
from app.parsing import parse_int
from app.plans.measures import MILESTONES
from app.web.actions import perform
from app.web.cases import page
from app.web.cases.forms import ObligationForm, SupportLevelForm, TransitionForm
from app.web.cases.rows import case_rows
from app.web.pagination import Page, page_number
from app.workflows import cases as case_ops
from app.workflows import labels, queries
from app.workflows import obligations as obligation_ops
from app.workflows.clock import today_for
from app.workflows.export import export_response

bp = Blueprint("cases", __name__)


@bp.route("/cases")
@login_required
@readcache.cached_page(lambda: today_for(current_user))  # the day: what is overdue
def case_list() -> str:
    """Cases in scope with filters, sorting, pagination and counts."""
    user = current_user._get_current_object()  # not looked up through the proxy each time
    campaigns = queries.campaigns_for(user)  # newest first: the list opens on it
    filters = queries.CaseFilters.from_args(request.args, campaigns[0].id if campaigns else None)
    today = today_for(user)
    size, number = current_app.config["OKO_PAGE_SIZE"], page_number()
    total, rows = queries.case_list_page(user, filters, today, size, number)
    municipalities = queries.municipality_choices(user)
    titles = labels_for_rows()
    drawn = case_rows(
        rows,
        queries.obligation_counts([r.id for r in rows], today),
        titles,
        queries.names_of(
            {c.id: c.title for c in campaigns}, {r.campaign_id for r in rows}, queries.CAMPAIGN
        ),
        queries.names_of(
            {m.id: m.name for m in municipalities},
            {r.municipality_id for r in rows} - {None},
            queries.MUNICIPALITY,
        ),
    )
    return render_template(
        "cases/list.html",
        page=Page(rows, number, size, total),
        rows=drawn,
        filters=filters,
        campaigns=campaigns,
        municipalities=municipalities,
        milestones=MILESTONES,
        titles=titles,
    )


# labels_for_rows() by locale: constants, translated once a process.
_ROW_LABELS: dict[str, dict[str, Any]] = {}


def labels_for_rows() -> dict[str, Any]:
    """Labels as plain strings, translated once per locale (a lazy string is looked up in the
    catalogue each time a row prints it; thirty of them cost a page half a millisecond). The
    pages only read the dict."""
    locale = str(get_locale())
    found = _ROW_LABELS.get(locale)
    if found is None:
        found = _ROW_LABELS[locale] = _translated_labels()
    return found


def _translated_labels() -> dict[str, Any]:
    return {
        "stage": {key: str(title) for key, title in MILESTONES.items()},
        "category": {c: str(title) for c, title in labels.CATEGORY_SHORT.items()},
        "status": {s: str(title) for s, title in labels.CASE_STATUS.items()},
        "obligation_status": {s: str(t) for s, t in labels.OBLIGATION_STATUS.items()},
        "overdue": _("overdue"),
        # column headings repeated on each card of a narrow screen
        "campaign": _("Campaign"),
        "school": _("School"),
        "municipality": _("Municipality"),
        "category_title": _("Category"),
        "markers": _("Markers"),
        "level": _("Level"),
        "stage_title": _("Stage"),
        "years": _("Years on the list"),
        "open": _("Open obligations"),
        "overdue_title": _("Overdue obligations"),
    }


@bp.route("/cases/export")
@login_required
def case_export() -> Response:
    """The filtered case list as CSV or XLSX."""
    filters = queries.CaseFilters.from_args(request.args, queries.current_campaign_id(current_user))
    fmt = request.args.get("format", "xlsx")
    if fmt not in ("csv", "xlsx"):
        abort(400)
    stmt = queries.filtered_cases(current_user, filters, today_for(current_user))
    return export_response(stmt, fmt, today_for(current_user))


@bp.route("/cases/<int:case_id>")
@login_required
@readcache.cached_page(lambda: today_for(current_user))  # the day: what is overdue
def case_detail(case_id: int) -> str:
    """Everything about one case, with the actions the current user may take."""
    user = current_user._get_current_object()  # not looked up through the proxy each time
    case = queries.case_for_page(case_id, user)  # in scope, with what the page shows
    if case is None:
        abort(404)
    return render_template(
        "cases/detail.html",
        case=case,
        today=today_for(user),
        transition_form=TransitionForm(),
        level_form=SupportLevelForm(level=str(case.support_level or "")),
        obligation_form=ObligationForm(),
        titles=labels_for_rows(),
        **page.gather(case, user, whole_history=request.args.get("history") == "all"),
    )


def _back_to(case_id: int) -> Response:
    return redirect(url_for("cases.case_detail", case_id=case_id))


@bp.post("/cases/<int:case_id>/move")
@login_required
def case_move(case_id: int) -> Response:
    """Take a transition."""
    case = get_scoped_or_404(Case, case_id, current_user)
    form = TransitionForm()
    if not form.validate_on_submit():
        abort(400)
    perform(
        lambda: case_ops.act_on_case(
            case.id,
            form.transition.data or "",
            actor=current_user,
            expected_version=form.version.data,
            reason=form.reason.data,
        ),
        _("Done."),
    )
    return _back_to(case.id)


@bp.post("/cases/<int:case_id>/level")
@login_required
def case_level(case_id: int) -> Response:
    """Set the level of management support."""
    case = get_scoped_or_404(Case, case_id, current_user)
    form = SupportLevelForm()
    if not form.validate_on_submit():
        abort(400)
    perform(
        lambda: case_ops.set_support_level(
            case, parse_int(form.level.data), actor=current_user, expected_version=form.version.data
        ),
        _("The support level is saved."),
    )
    return _back_to(case.id)


@bp.post("/obligations/<int:obligation_id>/<any(submit, review, waive, withdraw):action>")
@login_required
def obligation_action(obligation_id: int, action: str) -> Response:
    """Submit, review (accept or return), withdraw an acceptance or waive an obligation."""
    obligation = get_scoped_or_404(Obligation, obligation_id, current_user)
    form = ObligationForm()
    if not form.validate_on_submit():
        abort(400)
    version, text = form.version.data, form.text.data
    if action == "submit":
        perform(
            lambda: obligation_ops.submit(
                obligation.id, actor=current_user, expected_version=version, note=text
            ),
            _("Submitted for review."),
        )
    elif action == "review":
        accept = form.decision.data == "accept"
        perform(
            lambda: obligation_ops.review(
                obligation.id,
                accept=accept,
                actor=current_user,
                expected_version=version,
                comment=text,
            ),
            _("Accepted.") if accept else _("Returned for correction."),
        )
    elif action == "withdraw":
        perform(
            lambda: obligation_ops.withdraw_acceptance(
                obligation.id, actor=current_user, expected_version=version
            ),
            _("The acceptance is withdrawn: the submission awaits review again."),
        )
    else:
        perform(
            lambda: obligation_ops.waive(
                obligation.id, actor=current_user, reason=text or "", expected_version=version
            ),
            _("The obligation is waived."),
        )
    return _back_to(obligation.case_id)
