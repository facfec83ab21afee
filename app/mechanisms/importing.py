"""The ministry's import of the figures from a CSV or XLSX file, one row per municipality,
criterion and year: every problem named by row and column, and all rows written or none."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _

from app import access
from app.errors import InvalidInput, NotAllowed
from app.extensions import db
from app.mechanisms import criteria as criteria_ops
from app.mechanisms.numbers import parse_percent, parse_year
from app.mechanisms.reports import (
    Figure,
    previous_values,
    record_change,
    report_of,
    set_figures,
    snapshot,
)
from app.models.mechanism import MechanismCriterion, MechanismReport
from app.models.org import Organisation
from app.models.user import User
from app.orgs import service as orgs
from app.orgs.importing import read_or_report, write_whole
from app.tabular import Column, Problem
from app.workflows.clock import local_date

MUNICIPALITY = Column("Муниципалитет", "Municipality")
CRITERION = Column("Критерий", "Criterion")
YEAR = Column("Год", "Year")
VALUE = Column("Значение, %", "Value")
COLUMNS = (MUNICIPALITY, CRITERION, YEAR, VALUE)


@dataclass
class ImportResult:
    """What the file holds and what it changes (or, with problems, why nothing was written)."""

    problems: list[Problem] = field(default_factory=list)
    rows: int = 0
    created: int = 0  # reports of a municipality and year that did not exist
    changed: int = 0  # existing reports whose figures change
    unchanged: int = 0


@dataclass(frozen=True)
class _Line:
    municipality: Organisation
    criterion_id: int
    year: int
    value: Decimal | None


def _check(
    number: int,
    row: dict[str, str],
    municipalities: dict[str, Organisation],
    criteria: list[MechanismCriterion],
    today: date,
    problems: list[Problem],
) -> _Line | None:
    """One row as a line to write, or None with its problems added (each by its column)."""
    found = municipalities.get(orgs.normalise_name(row[MUNICIPALITY.name]).lower())
    if found is None:
        problems.append(
            Problem(number, MUNICIPALITY.name, _("No municipality of the region has this name."))
        )
    criterion = criteria_ops.find(criteria, row[CRITERION.name])
    if criterion is None:
        codes = ", ".join(c.code for c in criteria)
        problems.append(
            Problem(
                number, CRITERION.name, _("Unknown criterion: use a code (%(codes)s).", codes=codes)
            )
        )
    year = value = None
    try:
        year = parse_year(row[YEAR.name], today)
    except InvalidInput as err:
        problems.append(Problem(number, YEAR.name, err.message))
    try:
        value = parse_percent(row[VALUE.name])
    except InvalidInput as err:
        problems.append(Problem(number, VALUE.name, err.message))
    else:
        if value is None:
            problems.append(Problem(number, VALUE.name, _("The value is empty.")))
    if found is None or criterion is None or year is None or value is None:
        return None
    return _Line(found, criterion.id, year, value)


def _lines(
    data: bytes, region: Organisation, today: date, problems: list[Problem]
) -> tuple[list[_Line], int]:
    table = read_or_report(data, COLUMNS, problems)
    if table is None:
        return [], 0
    municipalities = orgs.municipalities_by_name(region)
    criteria = criteria_ops.criteria_of(region.id)
    lines: list[_Line] = []
    first_row: dict[tuple[int, int, int], int] = {}
    for number, row in table:
        line = _check(number, row, municipalities, criteria, today, problems)
        if line is None:
            continue
        key = (line.municipality.id, line.criterion_id, line.year)
        if key in first_row:
            problems.append(
                Problem(
                    number,
                    CRITERION.name,
                    _("The same municipality, criterion and year as row %(n)d.", n=first_row[key]),
                )
            )
            continue
        first_row[key] = number
        lines.append(line)
    if not len(table) and not problems:
        problems.append(Problem(None, None, _("The file has no rows of figures.")))
    return lines, len(table)


def _report_for(municipality: Organisation, year: int, result: ImportResult) -> MechanismReport:
    report = report_of(municipality.id, year)
    if report is not None:
        return report
    assert municipality.region_id is not None  # a municipality always lies in a region
    report = MechanismReport(
        municipality_id=municipality.id, region_id=municipality.region_id, year=year
    )
    db.session.add(report)
    result.created += 1
    return report


def _write(lines: list[_Line], actor: User, filename: str, result: ImportResult) -> None:
    """Each municipality's years, oldest first (a year's figures become the next one's
    previous values), as one change of its report each."""
    grouped: dict[tuple[int, int], list[_Line]] = defaultdict(list)
    for line in lines:
        grouped[(line.municipality.id, line.year)].append(line)
    region_id = lines[0].municipality.region_id if lines else None
    codes = {c.id: c.code for c in criteria_ops.criteria_of(region_id or 0)}
    reason = _("Imported from %(file)s", file=filename) if filename else _("Imported from a file")
    for (municipality_id, year), group in sorted(grouped.items(), key=lambda kv: kv[0][1]):
        known = previous_values(municipality_id, year)  # before a new report joins the session
        report = _report_for(group[0].municipality, year, result)
        existed = report.id is not None
        before = snapshot(report, codes) if existed else {}
        entered = {v.criterion_id: v.previous for v in report.values}
        figures = {
            line.criterion_id: Figure(line.value, entered.get(line.criterion_id)) for line in group
        }
        set_figures(report, figures, known)
        changed = record_change(report, before, codes, actor=actor, reason=reason)
        if existed:
            result.changed += int(changed)
            result.unchanged += int(not changed)


def import_figures(
    data: bytes,
    *,
    region: Organisation,
    actor: User,
    filename: str = "",
    dry_run: bool = False,
    today: date | None = None,
) -> ImportResult:
    """Check the file and, when nothing is wrong with it, write its figures (on a dry run,
    only count what would change)."""
    if not access.can_import_mechanisms(actor) or actor.organisation_id != region.id:
        raise NotAllowed(_("Only the region's ministry imports the figures."))
    result = ImportResult()
    lines, result.rows = _lines(data, region, today or local_date(), result.problems)
    if result.problems:
        return result
    write_whole(lambda: _write(lines, actor, filename, result), dry_run=dry_run)
    return result
