"""The inbox of obligations and the compliance dashboard."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup, escape

from app import access
from app.access.scope import region_id_of
from app.access.web import requires
from app.extensions import db
from app.models.plan import Plan, PlanMeasure
from app.parsing import parse_int
from app.plans.measures import MILESTONE_ORDER, MILESTONES
from app.stages import sessions
from app.web.cases.views import labels_for_rows
from app.web.filters import month_names, short_dates, short_name, url_prefix
from app.workflows import labels, queries
from app.workflows.clock import today_for

bp = Blueprint("overview", __name__)


@bp.route("/inbox")
@login_required
@requires(access.has_inbox)
def inbox() -> str:
    """What the user's organisation owes, and what awaits the user's review, by due date: of
    the current campaign unless another (or every one) is chosen."""
    user = current_user._get_current_object()  # not looked up through the proxy each time
    campaigns = queries.campaigns_for(user)
    chosen = queries.CaseFilters.from_args(request.args, campaigns[0].id if campaigns else None)
    owed, to_review = queries.inbox_rows(user, today_for(user), chosen.campaign)
    campaign_titles = queries.names_of(
        {c.id: c.title for c in campaigns},
        {o.campaign_id for o in (*owed, *to_review)},
        queries.CAMPAIGN,
    )
    titles = labels_for_rows()
    return render_template(
        "cases/inbox.html",
        owed=obligation_rows(owed, titles, campaign_titles),
        owed_count=len(owed),
        to_review=obligation_rows(to_review, titles, campaign_titles),
        to_review_count=len(to_review),
        campaigns=campaigns,
        campaign_id=chosen.campaign,
    )


# The status badges' classes beside «badge» (the others have none).
_STATUS_CLASS = {"accepted": " ok", "returned": " warn"}


def obligation_rows(
    items: list[sa.Row[Any]], titles: dict[str, Any], campaign_titles: dict[int, str]
) -> Markup:
    """The inbox table's rows (inbox_rows()) in one string, every value escaped: the ministry's
    seven hundred rows drawn by the template cost fifteen template steps each (35 ms a page).
    Each URL, heading and badge is made once; a row only fills in its values."""
    due_date, month = short_dates(), month_names()
    case_url = escape(url_prefix("cases.case_detail", "case_id"))
    l_due, l_obligation, l_school, l_campaign, l_status = (
        escape(heading)
        for heading in (_("Due"), _("Obligation"), _("School"), _("Campaign"), _("Status"))
    )
    overdue = f'<span class="badge danger">{escape(titles["overdue"])}</span> '
    badges = {
        status: f'<span class="badge{_STATUS_CLASS.get(status.value, "")}">{escape(label)}</span>'
        for status, label in titles["obligation_status"].items()
    }
    # A page repeats its dates, schools, measures and campaigns: each cell is made once.
    dues: dict[Any, str] = {}
    schools: dict[str, str] = {}
    texts: dict[Any, str] = {}
    campaign_cells: dict[int, str] = {}
    rows = []
    # unpacked in inbox_rows()'s order: a row's attributes cost a lookup each
    for id_, case_id, title, period, school, campaign_id, due, status, late in items:
        if (due_cell := dues.get(due)) is None:
            due_cell = dues[due] = (
                f'<td class="nowrap" data-label="{l_due}">{escape(due_date(due))}</td>'
            )
        if (school_cell := schools.get(school)) is None:
            school_cell = schools[school] = (
                f'<td data-label="{l_school}" title="{escape(school)}">'
                f"{escape(short_name(school))}</td>"
            )
        if (text := texts.get((title, period))) is None:
            text = texts[(title, period)] = str(escape(title)) + (
                f" ({escape(month(period))})" if period else ""
            )
        if (campaign_cell := campaign_cells.get(campaign_id)) is None:
            campaign_cell = campaign_cells[campaign_id] = (
                f'<td data-label="{l_campaign}">{escape(campaign_titles.get(campaign_id, ""))}</td>'
            )
        rows.append(
            f'<tr class="{"overdue" if late else ""}">{due_cell}'
            f'<td data-label="{l_obligation}"><a href="{case_url}{case_id:d}#obligation-'
            f'{id_:d}">{text}</a></td>{school_cell}{campaign_cell}'
            f'<td data-label="{l_status}">{overdue if late else ""}'
            f"{badges.get(status, '')}</td></tr>"
        )
    return Markup("\n".join(rows))  # noqa: S704 -- every value escaped above


@bp.route("/dashboard")
@login_required
@requires(access.can_view_dashboard)
def dashboard() -> str:
    """Deadline compliance by municipality and obligation type, cases by stage, repeat flags."""
    user = current_user._get_current_object()  # not looked up through the proxy each time
    campaigns = queries.campaigns_for(user)
    campaign_id = parse_int(request.args.get("campaign")) or (
        campaigns[0].id if campaigns else None
    )
    today = today_for(user)
    by_stage = queries.cases_by_stage(user, campaign_id)
    table = queries.compliance(user, campaign_id, today)
    rows = queries.by_municipality(table)
    types = sorted({kind for _mun, kind in table})
    totals = {kind: queries.ComplianceCell() for kind in types}
    for cells in rows.values():
        for kind, cell in cells.items():
            total = totals[kind]
            total.open += cell.open
            total.overdue += cell.overdue
            total.on_time += cell.on_time
            total.late += cell.late
            total.waived += cell.waived
    return render_template(
        "cases/dashboard.html",
        campaigns=campaigns,
        campaign_id=campaign_id,
        compliance_rows=compliance_cells(rows, types),
        names=dict(queries.municipality_choices(user)) if rows else {},
        types=types,
        totals=totals,
        by_stage=by_stage,
        present={track for track, _stage in by_stage},
        repeat=queries.repeat_flagged(user, campaign_id),
        tracks=labels.CATEGORY,
        milestones=MILESTONES,
        type_titles=_type_titles(campaign_id),
        level_titles={level.value: str(title) for level, title in labels.LEVEL.items()},
        pending=_pending_by_stage(campaign_id, today),
        absences=sessions.absences(region_id_of(user), campaign_id),
    )


def compliance_cells(
    rows: dict[int, dict[str, queries.ComplianceCell]], types: list[str]
) -> list[tuple[int, Markup]]:
    """The compliance table's cells, a row's in one string (municipalities by id): a thousand
    cells drawn by the template would cost a dozen template steps each."""
    on_time, late, overdue, open_ = (
        str(escape(tip)) for tip in (_("done on time"), _("done late"), _("overdue"), _("open"))
    )

    def cell(c: queries.ComplianceCell | None) -> str:
        if c is None:
            return "<td>—</td>"
        danger = "danger" if c.overdue else ""
        return (  # the titles escaped above; the rest are integers
            f'<td><span class="badge ok" title="{on_time}">{c.on_time:d}</span> '
            f'<span class="badge warn" title="{late}">{c.late:d}</span> '
            f'<span class="badge {danger}" title="{overdue}">{c.overdue:d}</span> '
            f'<span class="badge" title="{open_}">{c.open:d}</span></td>'
        )

    return [
        (mun, Markup("".join(cell(cells.get(t)) for t in types)))  # noqa: S704 -- escaped
        for mun, cells in sorted(rows.items())
    ]


def _pending_by_stage(campaign_id: int | None, today: Any) -> dict[tuple[str, str], list[Any]]:
    """Pending parts grouped by (track, milestone), tracks and milestones in their order."""
    grouped: dict[tuple[str, str], list[Any]] = {}
    for part in queries.pending_parts(current_user._get_current_object(), campaign_id, today):
        grouped.setdefault((part.track, part.stage), []).append(part)
    tracks = [str(c) for c in labels.CATEGORY]

    def order(key: tuple[str, str]) -> tuple[int, int]:
        track, stage = key
        return (tracks.index(track) if track in tracks else 99, MILESTONE_ORDER.index(stage))

    return dict(sorted(grouped.items(), key=lambda kv: order(kv[0])))


def _type_titles(campaign_id: int | None) -> dict[str, str]:
    """Measure titles by key, for the campaign's plan (or every plan of the region)."""
    stmt = sa.select(PlanMeasure.key, PlanMeasure.title).join(Plan, Plan.id == PlanMeasure.plan_id)
    if campaign_id:
        stmt = stmt.where(Plan.campaign_id == campaign_id)
    return dict(db.session.execute(stmt).tuples().all())
