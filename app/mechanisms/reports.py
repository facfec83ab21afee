"""A municipality's yearly report: its figures by criterion, the conclusions, and the municipal
order that approves the report and the next year's roadmap, with the person who publishes the
materials (seed 002, пп. 1, 2 and 4). Every change is an event of the history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app import access, audit
from app.errors import InvalidInput, NotAllowed, StaleVersion
from app.extensions import db
from app.mechanisms import criteria as criteria_ops
from app.mechanisms.numbers import check_percent, parse_year
from app.models.mechanism import MechanismReport, MechanismValue
from app.models.org import Organisation
from app.models.types import utcnow
from app.models.user import User
from app.workflows.clock import local_date

MAX_CONCLUSIONS = 8000


@dataclass(frozen=True)
class Figure:
    """A criterion's indicator for the year and, when there is no report for the year before,
    that year's value as the municipality knows it."""

    value: Decimal | None
    previous: Decimal | None = None


@dataclass(frozen=True)
class ReportValues:
    """What the municipality enters: figures by criterion id, conclusions, the approving order."""

    figures: dict[int, Figure] = field(default_factory=dict)
    conclusions: str = ""
    order_number: str | None = None
    order_date: date | None = None
    publisher: str | None = None


def report_of(municipality_id: int, year: int) -> MechanismReport | None:
    """The municipality's report for the year, with its values."""
    return db.session.scalars(
        sa.select(MechanismReport)
        .where(MechanismReport.municipality_id == municipality_id, MechanismReport.year == year)
        .options(selectinload(MechanismReport.values))
    ).first()


def previous_values(municipality_id: int, year: int) -> dict[int, Decimal]:
    """The values of the year before's report by criterion id (empty when there is none)."""
    rows = db.session.execute(
        sa.select(MechanismValue.criterion_id, MechanismValue.value)
        .join(MechanismReport, MechanismReport.id == MechanismValue.report_id)
        .where(
            MechanismReport.municipality_id == municipality_id,
            MechanismReport.year == year - 1,
            MechanismValue.value.is_not(None),
        )
    )
    return {criterion_id: value for criterion_id, value in rows.tuples() if value is not None}


def _locked(
    municipality_id: int, year: int, expected_version: int | None
) -> MechanismReport | None:
    """The report row locked for this transaction; refused when it changed since the user loaded
    it (``expected_version`` 0: the user saw no report yet; None: no check)."""
    report = db.session.scalars(
        sa.select(MechanismReport)
        .where(MechanismReport.municipality_id == municipality_id, MechanismReport.year == year)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    seen = report.version if report is not None else 0
    if expected_version is not None and expected_version != seen and report is not None:
        who = report.updated_by.full_name if report.updated_by else _("the system")
        raise StaleVersion(
            _(
                "%(who)s changed this record at %(when)s, after you opened it. "
                "Reload the page and try again.",
                who=who,
                when=format_datetime(report.updated_at, "dd.MM.yyyy HH:mm"),
            ),
            changed_by=who,
            changed_at=report.updated_at.isoformat(),
        )
    return report


def _new_report(municipality: Organisation, year: int) -> MechanismReport:
    assert municipality.region_id is not None  # a municipality always lies in a region
    report = MechanismReport(
        municipality_id=municipality.id, region_id=municipality.region_id, year=year
    )
    db.session.add(report)
    return report


def open_for_edit(
    municipality: Organisation,
    year: int,
    *,
    actor: User,
    expected_version: int | None,
    today: date | None = None,
) -> MechanismReport:
    """The report locked for a change by the municipality's own people (new when missing)."""
    if not access.can_edit_mechanisms(actor, municipality):
        raise NotAllowed(_("Only the municipality enters its own figures."))
    year = parse_year(year, today or local_date())
    report = _locked(municipality.id, year, expected_version)
    return report if report is not None else _new_report(municipality, year)


def _clean(text: str | None, limit: int, label: str) -> str | None:
    text = " ".join((text or "").split())
    if len(text) > limit:
        raise InvalidInput(_("%(what)s: at most %(n)d characters.", what=label, n=limit))
    return text or None


def _check_order(values: ReportValues, year: int, today: date) -> tuple[str | None, date | None]:
    number = _clean(values.order_number, 50, _("Order number"))
    if number is not None:
        number = number.removeprefix("№").strip() or None
    when = values.order_date
    if (number is None) != (when is None):
        raise InvalidInput(_("Give both the number and the date of the approving order."))
    if when is not None and when > today:
        raise InvalidInput(_("The order's date is in the future."))
    if when is not None and when.year < year:
        raise InvalidInput(
            _("An order approving the report for %(year)d cannot be dated before it.", year=year)
        )
    return number, when


def snapshot(report: MechanismReport, codes: dict[int, str]) -> dict[str, Any]:
    """The report as the history keeps it: its fields and each criterion's value by code."""
    values: dict[str, Any] = {
        "conclusions": report.conclusions or "",
        "order_number": report.order_number,
        "order_date": report.order_date.isoformat() if report.order_date else None,
        "publisher": report.publisher,
    }
    for row in sorted(report.values, key=lambda v: codes.get(v.criterion_id, "")):
        code = codes.get(row.criterion_id, str(row.criterion_id))
        if row.value is not None:
            values[code] = float(row.value)
        if row.previous is not None:
            values[f"{code} previous"] = float(row.previous)
    return values


def set_figures(
    report: MechanismReport, figures: dict[int, Figure], known: dict[int, Decimal]
) -> None:
    """Write the figures (a criterion with neither value loses its row). An entered previous
    value is kept only when the year before has no value of its own (``known``)."""
    rows = {row.criterion_id: row for row in report.values}
    for criterion_id, figure in figures.items():
        value = check_percent(figure.value)
        previous = None if criterion_id in known else check_percent(figure.previous)
        row = rows.get(criterion_id)
        if value is None and previous is None:
            if row is not None:
                report.values.remove(row)
            continue
        if row is None:
            row = MechanismValue(criterion_id=criterion_id)
            report.values.append(row)
        row.value, row.previous = value, previous


def record_change(
    report: MechanismReport,
    before: dict[str, Any],
    codes: dict[int, str],
    *,
    actor: User | None,
    reason: str | None = None,
) -> bool:
    """Bump the report and append its event when anything changed; False when nothing did."""
    after = snapshot(report, codes)
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    if not changed and report.id is not None:
        return False
    report.updated_at, report.updated_by_id = utcnow(), actor.id if actor else None
    db.session.flush()
    audit.record(
        "mechanisms.saved",
        actor=actor,
        object_type="mechanism_report",
        object_id=report.id,
        org_id=report.municipality_id,
        before={k: before.get(k) for k in changed} or None,
        after={"year": report.year, **{k: after.get(k) for k in changed}},
        reason=reason,
    )
    return True


def save_report(
    municipality: Organisation,
    year: int,
    values: ReportValues,
    *,
    actor: User,
    expected_version: int | None,
    today: date | None = None,
) -> MechanismReport:
    """The municipality saves its figures, conclusions and approving order for the year."""
    today = today or local_date()
    year = parse_year(year, today)
    codes = {c.id: c.code for c in criteria_ops.criteria_of(municipality.region_id or 0)}
    if set(values.figures) - set(codes):
        raise InvalidInput(_("The figures name a criterion the region does not have."))
    number, when = _check_order(values, year, today)
    conclusions = (values.conclusions or "").strip()
    if len(conclusions) > MAX_CONCLUSIONS:
        raise InvalidInput(
            _("The conclusions are longer than %(n)d characters.", n=MAX_CONCLUSIONS)
        )
    publisher = _clean(values.publisher, 300, _("Responsible for publishing"))
    # Read before the new report joins the session: one INSERT, no UPDATE after it.
    known = previous_values(municipality.id, year)
    report = open_for_edit(
        municipality, year, actor=actor, expected_version=expected_version, today=today
    )
    before = snapshot(report, codes) if report.id is not None else {}
    report.conclusions, report.order_number, report.order_date = conclusions, number, when
    report.publisher = publisher
    set_figures(report, values.figures, known)
    record_change(report, before, codes, actor=actor)
    return report
