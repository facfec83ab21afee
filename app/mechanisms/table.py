"""The region's table for a year: one row per municipality in the viewer's scope, per criterion
the value, the year before's value (from that year's report, or as entered) and the change in
percentage points, and whether the report and roadmap are approved."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.access.scope import region_id_of, scoped
from app.extensions import db
from app.mechanisms.criteria import criteria_of
from app.mechanisms.numbers import change
from app.models.mechanism import MechanismCriterion, MechanismReport
from app.models.org import Organisation, OrgKind
from app.models.user import User


@dataclass(frozen=True)
class Cell:
    """One criterion of one municipality's year."""

    value: Decimal | None = None
    previous: Decimal | None = None
    previous_from_report: bool = False  # the year before's own report, not an entered value

    @property
    def change(self) -> Decimal | None:
        """The change in percentage points (None unless both years are known)."""
        return change(self.value, self.previous)


@dataclass
class Row:
    """One municipality's year: its report (None: not reported) and its cells by criterion."""

    municipality: Organisation
    report: MechanismReport | None
    cells: dict[int, Cell] = field(default_factory=dict)

    def cell(self, criterion_id: int) -> Cell:
        """The criterion's cell (empty when the municipality has no figure for it)."""
        return self.cells.get(criterion_id, Cell())


@dataclass
class Table:
    """The year's criteria and rows."""

    year: int
    criteria: list[MechanismCriterion]
    rows: list[Row]


def _reports(municipality_ids: list[int], years: tuple[int, ...]) -> list[MechanismReport]:
    if not municipality_ids:
        return []
    return list(
        db.session.scalars(
            sa.select(MechanismReport)
            .where(
                MechanismReport.municipality_id.in_(municipality_ids),
                MechanismReport.year.in_(years),
            )
            .options(selectinload(MechanismReport.values))
        )
    )


def cells_of(report: MechanismReport | None, before: MechanismReport | None) -> dict[int, Cell]:
    """Each criterion's cell from a year's report and the report of the year before."""
    known = (
        {v.criterion_id: v.value for v in before.values if v.value is not None} if before else {}
    )
    entered = {v.criterion_id: v for v in report.values} if report else {}
    cells = {}
    for criterion_id in known.keys() | entered.keys():
        row = entered.get(criterion_id)
        value = row.value if row is not None else None
        if criterion_id in known:
            cells[criterion_id] = Cell(value, known[criterion_id], True)
        else:
            cells[criterion_id] = Cell(value, row.previous if row is not None else None)
    return cells


def region_table(viewer: User, year: int) -> Table:
    """The table of the year as the viewer may see it (a municipality: its own row only)."""
    municipalities = list(
        db.session.scalars(
            scoped(Organisation, viewer)
            .where(Organisation.kind == OrgKind.MUNICIPALITY)
            .order_by(Organisation.name)
        )
    )
    reports = _reports([m.id for m in municipalities], (year, year - 1))
    by_key = {(r.municipality_id, r.year): r for r in reports}
    rows = []
    for municipality in municipalities:
        report = by_key.get((municipality.id, year))
        before = by_key.get((municipality.id, year - 1))
        rows.append(Row(municipality, report, cells_of(report, before)))
    return Table(year, criteria_of(region_id_of(viewer)), rows)


def sort_rows(table: Table, key: str, descending: bool) -> None:
    """Order the rows by a criterion's change (``c<criterion id>``; rows without a change last)
    or, by default, by the municipality's name."""
    if key.startswith("c") and key[1:].isdigit():
        criterion_id = int(key[1:])
        known = [r for r in table.rows if r.cell(criterion_id).change is not None]
        unknown = [r for r in table.rows if r.cell(criterion_id).change is None]
        known.sort(key=lambda r: r.cell(criterion_id).change or 0, reverse=descending)
        table.rows[:] = known + unknown
    else:
        table.rows.sort(key=lambda r: r.municipality.name.lower(), reverse=descending)


def years_in_scope(viewer: User) -> list[int]:
    """The years for which a report exists that the viewer may see, newest first."""
    stmt = scoped(MechanismReport, viewer).with_only_columns(MechanismReport.year).distinct()
    return sorted(db.session.scalars(stmt), reverse=True)
