"""The inbox of obligations and the compliance dashboard."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup, escape

from app import access, readcache
from app.access.scope import region_id_of
from app.access.web import requires
from app.extensions import db
from app.models.plan import Plan, PlanMeasure
from app.parsing import parse_int
from app.plans.measures import MILESTONE_ORDER, MILESTONES
from app.stages import sessions
from app.web.cases.rows import obligation_rows, pending_rows
from app.web.cases.views import labels_for_rows
from app.workflows import labels, queries
from app.workflows.clock import today_for

bp = Blueprint("overview", __name__)


@bp.route("/inbox")
@login_required
@requires(access.has_inbox)
@readcache.cached_page(lambda: today_for(current_user))  # the day: what is overdue
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


@bp.route("/dashboard")
@login_required
@requires(access.can_view_dashboard)
@readcache.cached_page(lambda: today_for(current_user))  # the day: what is overdue
def dashboard() -> str:
    """Deadline compliance by municipality and obligation type, cases by stage, repeat flags."""
    user = current_user._get_current_object()  # not looked up through the proxy each time
    campaigns = queries.campaigns_for(user)
    campaign_id = parse_int(request.args.get("campaign")) or (
        campaigns[0].id if campaigns else None
    )
    today = today_for(user)
    type_titles = _type_titles(campaign_id)
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
        **compliance_cells(rows, totals, types),
        names=dict(queries.municipality_choices(user)) if rows else {},
        types=types,
        by_stage=by_stage,
        present={track for track, _stage in by_stage},
        repeat=queries.repeat_flagged(user, campaign_id),
        tracks=labels.CATEGORY,
        milestones=MILESTONES,
        type_titles=type_titles,
        pending=_drawn(_pending_by_stage(campaign_id, today), type_titles),
        absences=sessions.absences(region_id_of(user), campaign_id),
    )


def compliance_cells(
    rows: dict[int, dict[str, queries.ComplianceCell]],
    totals: dict[str, queries.ComplianceCell],
    types: list[str],
) -> dict[str, Any]:
    """The compliance table's cells, a row's in one string (``compliance_rows``: municipalities
    by id) and the totals row's (``compliance_totals``): a thousand cells drawn by the template
    would cost a dozen template steps each."""
    on_time, late, overdue, open_ = (
        str(escape(tip)) for tip in (_("done on time"), _("done late"), _("overdue"), _("open"))
    )

    def badge(kind: str, title: str, n: int) -> str:
        # A zero is drawn plain, in its place, without its title: the eye goes to the counts
        # that are there, and a grid of a hundred municipalities does not repeat four titles
        # in every cell (the ministry's dashboard was 776 KB).
        if not n:
            return '<span class="badge zero">0</span>'
        return f'<span class="badge{kind}" title="{title}">{n:d}</span>'

    def cell(c: queries.ComplianceCell | None, tag: str = "td") -> str:
        if c is None:
            return f"<{tag}>—</{tag}>"
        return (  # the titles escaped above; the rest are integers
            f"<{tag}>{badge(' ok', on_time, c.on_time)} {badge(' warn', late, c.late)} "
            f"{badge(' danger', overdue, c.overdue)} {badge('', open_, c.open)}</{tag}>"
        )

    return {  # the cells are escaped above
        "compliance_rows": [
            (mun, Markup("".join(cell(cells.get(t)) for t in types)))  # noqa: S704
            for mun, cells in sorted(rows.items())
        ],
        "compliance_totals": Markup("".join(cell(totals[t], "th") for t in types)),  # noqa: S704
    }


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


def _drawn(
    pending: dict[tuple[str, str], list[Any]], type_titles: dict[str, str]
) -> dict[tuple[str, str], tuple[int, Markup]]:
    """Each group of pending parts as its count and its rows drawn (rows.pending_rows)."""
    level_titles = {level.value: str(title) for level, title in labels.LEVEL.items()}
    return {
        key: (len(parts), pending_rows(parts, level_titles, type_titles))
        for key, parts in pending.items()
    }


def _type_titles(campaign_id: int | None) -> dict[str, str]:
    """Measure titles by key, for the campaign's plan (or every plan of the region)."""
    stmt = sa.select(PlanMeasure.key, PlanMeasure.title).join(Plan, Plan.id == PlanMeasure.plan_id)
    if campaign_id:
        stmt = stmt.where(Plan.campaign_id == campaign_id)
    return dict(db.session.execute(stmt).tuples().all())
