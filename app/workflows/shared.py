"""What one hand-in answers for. A school's measure is answered for its own case; a
municipality's act for every case whose same measure that organisation owes (for the schools
under the region, the ministry's act); a regional measure for every case of the campaign. The
document of a shared measure belongs to the issuing organisation and is found by the campaign
and the measure."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models.case import PENDING_STATUSES, Case, Obligation
from app.models.document import Document
from app.models.plan import PlanMeasure, Scope


def scope_of(obligation: Obligation) -> Scope:
    return obligation.measure.scope


def owner_of(obligation: Obligation) -> tuple[int, int | None]:
    """(owner organisation, case id or None) of the document answering the obligation."""
    case = obligation.case
    scope = scope_of(obligation)
    if scope is Scope.SCHOOL:
        return case.school_id, case.id
    if scope is Scope.REGION:
        return case.campaign.region_id, None
    # A municipality's act belongs to whoever issues it: the municipality (or its
    # methodological centre), or the ministry for the schools under the region.
    return obligation.responsible_org_id, None


def shared_document(obligation: Obligation) -> Document | None:
    """The document already answering a shared obligation's measure, if any (None for a
    school's own measure)."""
    return shared_documents([obligation]).get(obligation.id)


def shared_documents(obligations: list[Obligation]) -> dict[int, Document]:
    """The documents already answering shared obligations' measures, in one statement:
    obligation id -> its document (the obligations without one, and those of a school's own
    measure, left out)."""
    wanted: dict[int, tuple[int, int, str]] = {}
    for obligation in obligations:
        owner, case_id = owner_of(obligation)
        if case_id is None:
            key = (owner, obligation.case.campaign_id, obligation.obligation_type)
            wanted[obligation.id] = key
    if not wanted:
        return {}
    owners, campaigns, kinds = (set(part) for part in zip(*wanted.values(), strict=True))
    found: dict[tuple[int, int | None, str | None], Document] = {}
    for document in db.session.scalars(
        sa.select(Document)
        .where(
            Document.owner_org_id.in_(owners),
            Document.campaign_id.in_(campaigns),
            Document.obligation_type.in_(kinds),
            Document.case_id.is_(None),
        )
        .order_by(Document.id)
    ):
        held = (document.owner_org_id, document.campaign_id, document.obligation_type)
        found.setdefault(held, document)
    return {oid: found[key] for oid, key in wanted.items() if key in found}


def siblings(obligation: Obligation) -> list[int]:
    """Ids of the other pending obligations one hand-in of a shared measure answers."""
    scope = scope_of(obligation)
    if scope is Scope.SCHOOL:
        return []
    case = obligation.case
    stmt = (
        sa.select(Obligation.id)
        .join(Case, Case.id == Obligation.case_id)
        .join(PlanMeasure, PlanMeasure.id == Obligation.measure_id)
        .where(
            Case.campaign_id == case.campaign_id,
            Obligation.measure_id == obligation.measure_id,
            Obligation.period == obligation.period,
            Obligation.status.in_(PENDING_STATUSES),
            Obligation.id != obligation.id,
        )
        .order_by(Obligation.id)
    )
    if scope is Scope.MUNICIPALITY:
        stmt = stmt.where(Obligation.responsible_org_id == obligation.responsible_org_id)
    return list(db.session.scalars(stmt))
