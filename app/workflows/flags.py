"""Import of a flag list (DATA_FORMATS.md §3): one case per (school, campaign, category).

Exact duplicate rows are merged and reported; rows that disagree about the same school, year
and category reject the file. Unknown schools are created from the list's names and
municipalities. Importing the same file again changes nothing. All rows or none.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from app import audit
from app.extensions import db
from app.models.case import Campaign, Case, CaseStatus, Category
from app.models.org import Organisation
from app.models.plan import NextListRule
from app.models.user import User
from app.orgs import service as orgs
from app.orgs.importing import (
    municipality_named,
    read_or_report,
    schools_in_region,
    write_whole,
)
from app.parsing import parse_int
from app.plans.service import plan_of
from app.tabular import Column, Problem
from app.workflows import campaigns, years
from app.workflows.cases import close_by_list, open_case, record_past_case, rederive

COLUMNS = (
    Column("Год", "year"),
    Column("Логин", "login"),
    Column("Муниципалитет", "municipality"),
    Column("ОО", "school"),
    Column("Количество маркеров", "markers_count"),
    Column("Категория", "category", required=False),
    Column("Уровень сопровождения", "support_level", required=False),
)
MARKER_RE = re.compile(r"^(\d{1,2})\s+(\S{1,8})$")
CATEGORY_NAMES = {
    "": Category.OBJECTIVITY,
    "необъективность": Category.OBJECTIVITY,
    "objectivity": Category.OBJECTIVITY,
    "шнор": Category.LOW_RESULTS,
    "low_results": Category.LOW_RESULTS,
    "шфнсу": Category.ADVERSE,
    "adverse": Category.ADVERSE,
}


FEDERAL, REGIONAL = "federal", "regional"  # where a list's markers come from


@dataclass(frozen=True)
class _Source:
    source: str
    reasons: dict[str, str]


@dataclass(frozen=True)
class FlagRow:
    number: int
    year: int
    login: str
    municipality: str
    school_name: str
    markers: tuple[tuple[str, int], ...]
    category: Category
    support_level: int | None

    @property
    def key(self) -> tuple[int, str, Category]:
        return (self.year, self.login, self.category)

    def same_content(self, other: FlagRow) -> bool:
        return (self.municipality, self.school_name, self.markers, self.support_level) == (
            other.municipality,
            other.school_name,
            other.markers,
            other.support_level,
        )


@dataclass
class FlagReport:
    """What the import did, or on a dry run would do."""

    rows: int = 0
    marker_columns: list[str] = field(default_factory=list)
    cases_created: list[tuple[int, str, str]] = field(default_factory=list)
    cases_recorded: list[tuple[int, str, str]] = field(default_factory=list)  # history
    cases_closed: list[tuple[int, str, str]] = field(default_factory=list)  # by a next list
    cases_updated: list[tuple[int, str, str]] = field(default_factory=list)
    unchanged: int = 0
    merged_duplicates: list[tuple[int, int]] = field(default_factory=list)  # (row, same as row)
    schools_created: list[str] = field(default_factory=list)
    municipalities_created: list[str] = field(default_factory=list)
    campaigns_created: list[int] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    per_year: dict[int, int] = field(default_factory=dict)  # cases in the file by year
    school_names: dict[str, str] = field(default_factory=dict)  # login: the name in the file

    @property
    def ok(self) -> bool:
        return not self.problems


def _parse_row(
    number: int, row: dict[str, str], marker_columns: list[str], problems: list[Problem]
) -> FlagRow | None:
    start = len(problems)
    year = parse_int(row["Год"], signed=True)
    if year is None or not 2000 <= year <= 2100:
        problems.append(Problem(number, "Год", _("Expected a year such as 2024.")))
    login = row["Логин"].strip().lower()
    if not orgs.SCHOOL_LOGIN_RE.match(login):
        problems.append(Problem(number, "Логин", _("The login must be edu followed by 6 digits.")))
    municipality = orgs.normalise_name(row["Муниципалитет"])
    if not municipality:
        problems.append(Problem(number, "Муниципалитет", _("The municipality is empty.")))
    school_name = orgs.normalise_name(row["ОО"])
    if not school_name:
        problems.append(Problem(number, "ОО", _("The school name is empty.")))
    markers = []
    for column in marker_columns:
        value = row[column].strip()
        flag = 0 if value == "" else parse_int(value, signed=True)
        if flag not in (0, 1):
            problems.append(Problem(number, column, _("A marker is 1, 0 or empty.")))
        else:
            markers.append((" ".join(column.split()), flag))
    total = sum(v for _k, v in markers)
    count = parse_int(row["Количество маркеров"], signed=True)
    if count is None or count != total:
        problems.append(
            Problem(
                number,
                "Количество маркеров",
                _("The count must equal the sum of the markers (%(n)d).", n=total),
            )
        )
    category = CATEGORY_NAMES.get(row.get("Категория", "").strip().lower())
    if category is None:
        problems.append(Problem(number, "Категория", _("Expected «необъективность» or «ШНОР».")))
    elif category is Category.OBJECTIVITY and total == 0 and count == 0:
        problems.append(Problem(number, "Количество маркеров", _("The row has no markers.")))
    level_text = row.get("Уровень сопровождения", "").strip()
    level = parse_int(level_text, signed=True) if level_text else None
    if level_text and level not in (1, 2, 3):
        problems.append(
            Problem(number, "Уровень сопровождения", _("The support level is 1, 2 or 3."))
        )
    if len(problems) > start:
        return None
    assert year is not None
    assert category is not None
    return FlagRow(
        number, year, login, municipality, school_name, tuple(sorted(markers)), category, level
    )


def _parse(data: bytes, report: FlagReport) -> list[FlagRow]:
    table = read_or_report(data, COLUMNS, report.problems, keep_extra=True)
    if table is None:
        return []
    report.rows = len(table)
    report.marker_columns = [h for h in table.extra_headers if MARKER_RE.match(" ".join(h.split()))]
    if not report.marker_columns:
        report.problems.append(Problem(1, None, _("No marker columns such as «4 РУ» were found.")))
        return []
    unique: dict[tuple[int, str, Category], FlagRow] = {}
    for number, raw in table:
        row = _parse_row(number, raw, report.marker_columns, report.problems)
        if row is None:
            continue
        first = unique.get(row.key)
        if first is None:
            unique[row.key] = row
        elif first.same_content(row):
            report.merged_duplicates.append((row.number, first.number))
        else:
            report.problems.append(
                Problem(
                    row.number,
                    None,
                    _(
                        "Row %(a)d and row %(b)d give different data for the same school, "
                        "year and category.",
                        a=first.number,
                        b=row.number,
                    ),
                )
            )
    return list(unique.values())


@dataclass(frozen=True)
class Opening:
    """How the campaigns a list opens are set up: the plan templates (None: the default ones),
    and the approving order, recorded for the campaign of the order date's year (a list is
    approved in the autumn of its VPR year), or of the list's newest year when the order has no
    date."""

    templates: str | None = None
    order_number: str | None = None
    order_date: date | None = None
    # The year whose campaign is live; the list's earlier years are recorded as history (their
    # cases closed, with no obligations). None: every year is live.
    live_year: int | None = None

    def order_year(self, years: set[int]) -> int | None:
        if not (self.order_number or self.order_date):
            return None
        return self.order_date.year if self.order_date else max(years)


def import_flags(
    data: bytes,
    *,
    region: Organisation,
    actor: User | None,
    dry_run: bool = False,
    opening: Opening | None = None,
    now: datetime | None = None,
    source: str = FEDERAL,
    reasons: Mapping[str, str] | None = None,
) -> FlagReport:
    """Turn a flag list into cases; nothing is written when the report has problems.

    A federal list (`source` FEDERAL) sets the cases' federal markers. The region's own
    proposed list (REGIONAL) adds its markers beside them, never over them, each school's
    `reasons` going into the history."""
    report = FlagReport()
    opening = opening or Opening()
    rows = _parse(data, report)
    schools = schools_in_region(((r.number, r.login) for r in rows), region, report.problems)
    if report.problems:
        return report
    for row in rows:
        report.per_year[row.year] = report.per_year.get(row.year, 0) + 1
    where = _Source(source, dict(reasons or {}))
    write_whole(
        lambda: _apply(rows, schools, region, actor, report, opening, now, where), dry_run=dry_run
    )
    return report


def _school_for(
    row: FlagRow,
    schools: dict[str, Organisation],
    municipalities: dict[str, Organisation],
    region: Organisation,
    actor: User | None,
    report: FlagReport,
) -> Organisation:
    key = row.municipality.lower()
    school = schools.get(row.login)
    if school is not None:
        if school.parent is not None and school.parent.name.lower() != key:
            report.warnings.append(
                Problem(
                    row.number,
                    "Муниципалитет",
                    _("The directory places this school in «%(m)s».", m=school.parent.name),
                )
            )
        return school
    municipality = municipality_named(
        row.municipality,
        municipalities,
        region,
        actor=actor,
        created=report.municipalities_created,
    )
    school = orgs.create_school(municipality, row.login, {"name": row.school_name}, actor=actor)
    schools[row.login] = school
    report.schools_created.append(row.login)
    return school


def _apply(
    rows: list[FlagRow],
    schools: dict[str, Organisation],
    region: Organisation,
    actor: User | None,
    report: FlagReport,
    opening: Opening,
    now: datetime | None,
    where: _Source,
) -> None:
    municipalities = orgs.municipalities_by_name(region)
    regional = where.source == REGIONAL
    by_year = {}
    list_years = {r.year for r in rows}
    order_year = opening.order_year(list_years)
    for year in sorted(list_years):
        campaign = campaigns.find_campaign(region, year)
        order = (opening.order_number, opening.order_date) if year == order_year else (None, None)
        if campaign is None:
            campaign = campaigns.create_campaign(
                region,
                year,
                actor=None,
                templates=opening.templates,
                order_number=order[0],
                order_date=order[1],
            )
            report.campaigns_created.append(year)
        elif order != (None, None) and (campaign.order_number, campaign.order_date) != order:
            report.warnings.append(
                Problem(
                    1,
                    None,
                    _(
                        "The campaign of %(year)d exists already: its order and plan are kept "
                        "as they are.",
                        year=year,
                    ),
                )
            )
        by_year[year] = campaign
    if order_year is not None and order_year not in list_years:
        report.warnings.append(
            Problem(
                1,
                None,
                _("The list has no year %(year)d: the order is not recorded.", year=order_year),
            )
        )
    existing = {
        (c.campaign_id, c.school_id, c.category): c
        for c in db.session.scalars(
            sa.select(Case).where(Case.campaign_id.in_([c.id for c in by_year.values()]))
        )
    }
    touched: dict[Category, set[int]] = {category: set() for category in Category}
    listed = {(r.year, r.login, r.category) for r in rows}
    for row in rows:
        school = _school_for(row, schools, municipalities, region, actor, report)
        campaign = by_year[row.year]
        markers = dict(row.markers)
        case = existing.get((campaign.id, school.id, row.category))
        ref = (row.year, row.login, row.category.value)
        report.school_names.setdefault(row.login, row.school_name)
        past = opening.live_year is not None and row.year < opening.live_year
        if case is None and past:
            record_past_case(
                campaign,
                school,
                row.category,
                markers=markers,
                support_level=row.support_level,
                flagged_again=(row.year + 1, row.login, row.category) in listed,
                actor=actor,
                now=now,
            )
            report.cases_recorded.append(ref)
        elif case is None:
            case = open_case(
                campaign,
                school,
                row.category,
                markers={} if regional else markers,
                support_level=row.support_level,
                actor=actor,
                source="regional_analytics" if regional else "flag_list",
                now=now,
            )
            if regional:
                _add_regional(case, markers, actor, where.reasons.get(row.login, ""))
            report.cases_created.append(ref)
        elif regional:
            if _add_regional(case, markers, actor, where.reasons.get(row.login, "")):
                report.cases_updated.append(ref)
            else:
                report.unchanged += 1
        elif _update_case(case, markers, row.support_level, actor):
            report.cases_updated.append(ref)
        else:
            report.unchanged += 1
        touched[row.category].add(school.id)
    changed: list[Case] = []
    for category, school_ids in touched.items():
        if school_ids:
            changed += years.recompute(school_ids, category)
    rederive(changed, actor=actor, reason=_("Years on the list changed with the list."))
    _close_by_next_lists(by_year, listed, opening, actor, report, now)


def _close_by_next_lists(
    by_year: dict[int, Campaign],
    listed: set[tuple[int, str, Category]],
    opening: Opening,
    actor: User | None,
    report: FlagReport,
    now: datetime | None,
) -> None:
    """Each year's list closes the open cases of the year before by that campaign's plan rule:
    a school on the list again has its case escalated; under «escalate_and_close» the others
    are closed too. Cases of years before the live one are history and close either way."""
    for year, campaign in sorted(by_year.items()):
        previous = campaigns.find_campaign(campaign.region, year - 1)
        if previous is None:
            continue
        rule = plan_of(previous).next_list_rule
        history = opening.live_year is not None and year - 1 < opening.live_year
        for case in db.session.scalars(
            sa.select(Case)
            .where(Case.campaign_id == previous.id, Case.status == CaseStatus.OPEN)
            .order_by(Case.id)
        ):
            again = (year, case.school.login or "", case.category) in listed
            if again or history or rule is NextListRule.ESCALATE_AND_CLOSE:
                close_by_list(case, flagged_again=again, year=year, actor=actor, now=now)
                report.cases_closed.append((year - 1, case.school.login or "", case.category.value))


def _update_case(
    case: Case, markers: dict[str, int], level: int | None, actor: User | None
) -> bool:
    """Apply a re-imported row's markers and level; return whether anything changed."""
    new_level = level if level is not None else case.support_level
    if case.markers == markers and case.support_level == new_level:
        return False
    audit.record(
        "case.flags_updated",
        actor=actor,
        object_type="case",
        object_id=case.id,
        org_id=case.school_id,
        case_id=case.id,
        before={"markers": case.markers, "support_level": case.support_level},
        after={"markers": markers, "support_level": new_level},
    )
    level_changed = case.support_level != new_level
    case.markers, case.support_level = markers, new_level
    case.marker_count = marker_count(case)
    if level_changed:
        rederive([case], actor=actor, reason=_("Support level from the flag list."))
    return True


def marker_count(case: Case) -> int:
    """Test works with a marker from either source (a work both flagged counts once)."""
    keys = {k for k, v in case.markers.items() if v}
    return len(keys | {k for k, v in (case.regional_markers or {}).items() if v})


def _add_regional(case: Case, markers: dict[str, int], actor: User | None, reason: str) -> bool:
    """Record the region's analytic markers beside the federal ones; whether anything changed."""
    before = dict(case.regional_markers or {})
    if before == markers:
        return False
    audit.record(
        "case.regional_markers",
        actor=actor,
        object_type="case",
        object_id=case.id,
        org_id=case.school_id,
        case_id=case.id,
        before={"regional_markers": before},
        after={"regional_markers": markers, "federal_markers": case.markers, "reason": reason},
    )
    case.regional_markers = dict(markers)
    case.marker_count = marker_count(case)
    return True
