"""The notice log as the ministry exports it: one CSV row per item of every notice (an entry: one
measure owed by one organisation, with the cases it concerns), oldest first."""

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
        for entry in items.of(notification):
            cases = sorted({c["case"] for c in entry["cases"]})
            entry_year = years.get(cases[0]) if cases else None
            if year is not None and entry_year != year:
                continue
            at = entry.get("at")
            yield {
                "recipient": email,
                "recipient_org": org,
                "kind": notification.kind,
                "case": " ".join(str(c) for c in cases),
                "year": str(entry_year or ""),
                "measure": entry.get("type", ""),
                "created_at": _iso(datetime.fromisoformat(at) if at else notification.created_at),
            }


def write_csv(out: TextIO, year: int | None = None) -> int:
    """Write the log as UTF-8 CSV with a header; returns the number of rows."""
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    written = 0
    for row in rows(year):
        writer.writerow(row)
        written += 1
    return written
