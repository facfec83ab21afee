"""The notice log as the ministry exports it: one CSV row per measure of every notice — what one
person was told about one measure on that day, with every case it concerns (a shared act owed
by several municipalities is one row) — oldest first."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TextIO

import sqlalchemy as sa

from app.extensions import db
from app.models.case import Campaign, Case
from app.models.notify import Notification
from app.models.org import Organisation
from app.models.user import User
from app.notices import items
from app.tabular import csv_cell

COLUMNS = ("recipient", "recipient_org", "kind", "case", "year", "measure", "created_at")


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _years() -> dict[int, int]:
    """The VPR year of every case's campaign."""
    pairs = db.session.execute(
        sa.select(Case.id, Campaign.vpr_year).join(Campaign, Campaign.id == Case.campaign_id)
    ).tuples()
    return dict(iter(pairs))  # iter(): dict() would take the result itself for a mapping


def rows(year: int | None = None) -> Iterator[dict[str, str]]:
    """The rows, by notice and entry; ``year``: only entries of that VPR year's campaign."""
    years = _years()
    stmt = (
        sa.select(Notification, User.email, Organisation.name)
        .join(User, User.id == Notification.user_id)
        .join(Organisation, Organisation.id == User.organisation_id)
        .order_by(Notification.id)
        .execution_options(yield_per=500)
    )
    for notification, email, org in db.session.execute(stmt).tuples():
        by_measure: dict[tuple[str, int | None], tuple[set[int], str | None]] = {}
        for entry in items.of(notification):
            cases = {c["case"] for c in entry["cases"]}
            entry_year = years.get(min(cases)) if cases else None
            if year is not None and entry_year != year:
                continue
            key = (entry.get("type", ""), entry_year)
            seen, at = by_measure.get(key, (set(), None))
            first = min(filter(None, (at, entry.get("at"))), default=None)
            by_measure[key] = (seen | cases, first)
        for (measure, entry_year), (cases, at) in by_measure.items():
            yield {
                "recipient": email,
                "recipient_org": org,
                "kind": notification.kind,
                "case": " ".join(str(c) for c in sorted(cases)),
                "year": str(entry_year or ""),
                "measure": measure,
                "created_at": _iso(datetime.fromisoformat(at) if at else notification.created_at),
            }


def write_csv(out: TextIO, year: int | None = None) -> int:
    """Write the log as UTF-8 CSV with a header; returns the number of rows."""
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    written = 0
    for row in rows(year):
        writer.writerow({k: csv_cell(v) for k, v in row.items()})
        written += 1
    return written
