"""Table rows made in Python, one string each, for the pages that list hundreds of them: a row
drawn by the template costs a dozen template steps per cell (lookups, calls, escapes). Every
value is escaped here; each URL, heading, badge and repeated cell is made once a page. The
pages' HTML is what their templates drew, but for whitespace between tags."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from markupsafe import Markup, escape

from app.web.filters import month_names, short_dates, short_name, url_prefix
from app.workflows.queries import ObligationCounts, PendingPart

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


def _dictsorted(markers: dict[str, Any] | None) -> list[str]:
    """The keys of the true values, sorted as Jinja's dictsort sorts (ignoring case)."""
    return [k for k, v in sorted((markers or {}).items(), key=lambda kv: kv[0].lower()) if v]


def case_rows(
    rows: list[sa.Row[Any]],
    counts: dict[int, ObligationCounts],
    titles: dict[str, Any],
    campaign_titles: dict[int, str],
    municipality_names: dict[int, str],
) -> Markup:
    """The case list's rows (queries.case_list_page()) in one string, every value escaped."""
    case_url = escape(url_prefix("cases.case_detail", "case_id"))
    headings = ("campaign", "school", "municipality", "category_title", "markers", "level")
    headings += ("stage_title", "years", "open", "overdue_title")
    label = {key: escape(titles[key]) for key in headings}
    under_region, region_word = escape(_("under the region")), escape(_("region"))
    federal_tip, region_tip = _("federal list (ФИОКО)"), _("the region's own analysis")
    federal = f'<span class="badge" title="{escape(federal_tip)}">'
    regional = f'<span class="badge warn" title="{escape(region_tip)}">'
    contract_tip = _(
        "Third consecutive year on the list: the director's contract is to be reviewed"
    )
    contract = (
        f' <span class="badge danger" title="{escape(contract_tip)}">'
        f"{escape(_('contract review'))}</span>"
    )
    stages, categories, statuses = titles["stage"], titles["category"], titles["status"]
    out = []
    for r in rows:
        c = counts.get(r.id)
        overdue = f'<span class="badge danger">{c.overdue:d}</span>' if c and c.overdue else "0"
        shown_name = short_name(r.school) if r.school_kind.value == "school" else r.school
        municipality = (
            escape(municipality_names.get(r.municipality_id, ""))
            if r.municipality_id
            else under_region
        )
        markers = "".join(f"{federal}{escape(k)}</span> " for k in _dictsorted(r.markers))
        markers += "".join(
            f"{regional}{escape(k)} · {region_word}</span> "
            for k in _dictsorted(r.regional_markers)
        )
        status = (
            f' <span class="badge">{escape(statuses.get(r.status, ""))}</span>'
            if r.status.value != "open"
            else ""
        )
        out.append(
            f'<tr class="{"overdue" if c and c.overdue else ""}">'
            f'<td data-label="{label["campaign"]}" class="nowrap">'
            f"{escape(campaign_titles.get(r.campaign_id, ''))}</td>"
            f'<td data-label="{label["school"]}"><a href="{case_url}{r.id:d}" title="'
            f'{escape(r.school)}">{escape(shown_name)}</a><div class="muted">{escape(r.login)}'
            f"</div></td>"
            f'<td data-label="{label["municipality"]}">{municipality}</td>'
            f'<td data-label="{label["category_title"]}">'
            f"{escape(categories.get(r.category, ''))}</td>"
            f'<td data-label="{label["markers"]}">{markers}</td>'
            f'<td data-label="{label["level"]}">{escape(r.support_level or "—")}</td>'
            f'<td data-label="{label["stage_title"]}">{escape(stages.get(r.stage, r.stage))}'
            f"{status}</td>"
            f'<td data-label="{label["years"]}">{escape(r.years_on_list)}'
            f"{contract if r.contract_review else ''}</td>"
            f'<td data-label="{label["open"]}">{c.open if c else 0:d}</td>'
            f'<td data-label="{label["overdue_title"]}">{overdue}</td></tr>'
        )
    return Markup("\n".join(out))  # noqa: S704 -- every value escaped above


def pending_rows(
    parts: list[PendingPart], level_titles: dict[str, str], type_titles: dict[str, str]
) -> Markup:
    """The rows of one table of the dashboard's «who has not yet done their part»
    (queries.pending_parts()) in one string, every value escaped."""
    case_url = escape(url_prefix("cases.case_detail", "case_id"))
    due_date = short_dates()
    overdue = f' <span class="badge danger">{escape(_("overdue"))}</span>'
    schools: dict[str, str] = {}
    out = []
    for p in parts:
        if (school := schools.get(p.school)) is None:
            school = schools[p.school] = (
                f'title="{escape(p.school)}">{escape(short_name(p.school))}'
            )
        out.append(
            f'<tr class="{"overdue" if p.overdue else ""}"><td><a href="{case_url}{p.case_id:d}" '
            f'{school}</a></td><td>{escape(p.responsible)} <span class="muted">('
            f"{escape(level_titles.get(p.level, p.level))})</span></td>"
            f"<td>{escape(type_titles.get(p.obligation_type, p.obligation_type))}</td>"
            f"<td>{escape(due_date(p.due_date))}{overdue if p.overdue else ''}</td></tr>"
        )
    return Markup("".join(out))  # noqa: S704 -- every value escaped above
