"""The approved report and roadmap as a file: stored as the next version of the report's document
(a document of the municipality), and, when the campaign's plan has a measure that takes it
(the Chernozemelsky template's order and annual report), handed in for that measure too."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from app import audit
from app.documents import checks
from app.documents.versions import store_version
from app.errors import InvalidInput
from app.extensions import db
from app.mechanisms.reports import open_for_edit
from app.models.case import PENDING_STATUSES, Obligation
from app.models.document import Document, DocumentVersion
from app.models.mechanism import DOCUMENT_KIND, MechanismReport
from app.models.org import Organisation
from app.models.user import User
from app.workflows.handin import upload_for_obligation

# The measures of app/plans/templates/chernozemelsky.py that a municipality answers with the
# approved report and roadmaps: the order of 30 November (пп. 1–2) and the annual report.
PLAN_MEASURES = ("zm_roadmaps_order", "zm_annual_report")


def plan_obligations(municipality_id: int, year: int) -> list[Obligation]:
    """The municipality's obligations under those measures that fall due in the year: one per
    measure and campaign (a municipality's act answers every case of it at once)."""
    rows = db.session.scalars(
        sa.select(Obligation)
        .where(
            Obligation.responsible_org_id == municipality_id,
            Obligation.obligation_type.in_(PLAN_MEASURES),
            Obligation.due_date >= date(year, 1, 1),
            Obligation.due_date <= date(year, 12, 31),
        )
        .order_by(Obligation.due_date, Obligation.id)
    )
    seen: set[int] = set()
    found = []
    for obligation in rows:
        if obligation.measure_id not in seen:
            seen.add(obligation.measure_id)
            found.append(obligation)
    return found


def _document_of(report: MechanismReport, actor: User) -> Document:
    if report.document is not None:
        return report.document
    document = Document(
        owner_org_id=report.municipality_id, kind=DOCUMENT_KIND, created_by_id=actor.id
    )
    db.session.add(document)
    db.session.flush()
    report.document_id = document.id
    return document


def attach(
    municipality: Organisation,
    year: int,
    name: str,
    data: bytes,
    *,
    actor: User,
    expected_version: int | None,
    hand_in: tuple[int, ...] = (),
    today: date | None = None,
) -> DocumentVersion:
    """Store the approved report and roadmap for the year; hand the same file in for the plan's
    obligations named in ``hand_in`` (of this municipality and year, still owed)."""
    report = open_for_edit(
        municipality, year, actor=actor, expected_version=expected_version, today=today
    )
    kind, filename = checks.check_upload(name, data, current_app.config["MAX_CONTENT_LENGTH"])
    owed = {
        o.id: o
        for o in plan_obligations(municipality.id, report.year)
        if o.status in PENDING_STATUSES
    }
    if any(i not in owed for i in hand_in):
        raise InvalidInput(_("That measure of the plan is not waiting for this document."))
    db.session.flush()
    document = _document_of(report, actor)
    version = store_version(document, data, kind, filename, actor=actor)
    report.updated_by_id = actor.id
    report.updated_at = version.uploaded_at
    audit.record(
        "mechanisms.document_attached",
        actor=actor,
        object_type="mechanism_report",
        object_id=report.id,
        org_id=municipality.id,
        after={"year": report.year, "document": document.id, "version": version.number},
    )
    for obligation_id in hand_in:
        upload_for_obligation(obligation_id, name, data, actor=actor, expected_version=None)
    return version
