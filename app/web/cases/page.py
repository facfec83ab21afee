"""Everything the case page shows besides the case itself, gathered in one place."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app import access, audit
from app.extensions import db
from app.legal import registration
from app.models.audit import HASHED_COLUMNS, AuditEvent
from app.models.case import Case, Obligation
from app.models.document import Document, DocumentVersion
from app.models.user import User
from app.paperwork import catalog, conclusions, generate
from app.plans.measures import MILESTONE_ORDER
from app.stages import attachments, recheck
from app.vpr.signs import school_run
from app.workflows import cases as case_ops
from app.workflows import history as event_history
from app.workflows import obligations as obligation_ops


def documents(case: Case, kinds: list[catalog.DocumentKind]) -> list[Document]:
    """The case's own documents, the shared acts that answer its obligations, and the papers
    its issuer generated for the campaign of ``kinds`` (those of the case's track), with their
    versions and uploaders: one statement."""
    issuer = case.municipality_id if case.municipality_id is not None else case.campaign.region_id
    # three index lookups, their ids united: one OR across them reads every document
    ids = sa.union(
        sa.select(Document.id).where(Document.case_id == case.id),
        sa.select(Obligation.document_id).where(
            Obligation.case_id == case.id, Obligation.document_id.is_not(None)
        ),
        sa.select(Document.id).where(
            Document.owner_org_id == issuer,
            Document.campaign_id == case.campaign_id,
            Document.case_id.is_(None),
            Document.generated.is_(True),
            Document.kind.in_([k.key for k in kinds]),
        ),
    )
    stmt = (
        sa.select(Document)
        .where(Document.id.in_(ids.scalar_subquery()))
        .order_by(Document.id)
        .options(joinedload(Document.versions).joinedload(DocumentVersion.uploaded_by))
    )
    return list(db.session.scalars(stmt).unique())


def milestones_of(case: Case) -> list[str]:
    """The milestones the case's obligations pass, in order, ending with «closed»."""
    own = {o.stage for o in case.obligations}
    return [key for key in MILESTONE_ORDER if key in own or key in ("monitoring", "closed")]


def other_cases(case: Case) -> list[sa.Row[Any]]:
    """The school's cases on other lists of the same campaign (one school, several tracks):
    their ``id`` and ``category``, as plain rows."""
    params = {"school_id": case.school_id, "campaign_id": case.campaign_id, "case_id": case.id}
    return list(db.session.execute(_OTHER_CASES, params))


_OTHER_CASES = sa.select(Case.id, Case.category).where(
    Case.school_id == sa.bindparam("school_id", type_=sa.Integer),
    Case.campaign_id == sa.bindparam("campaign_id", type_=sa.Integer),
    Case.id != sa.bindparam("case_id", type_=sa.Integer),
)


def _with_obligations(shown: list[Document], case: Case) -> list[Document]:
    """The page's documents and those its obligations are answered by (a regional measure's)."""
    extra = [o.document for o in case.obligations if o.document is not None]
    return list({d.id: d for d in [*shown, *extra]}.values())


# The case page lists the newest events; the whole history is one click away. A view re-checks
# the events it shows and those the background check has not verified yet (audit.verify_case).
HISTORY_SHOWN = 30  # the newest; the whole history is one click away


def history(case_id: int, whole: bool) -> tuple[list[sa.Row[Any]], int]:
    """The case's events the page lists as plain rows, newest first (the newest HISTORY_SHOWN,
    or ``whole`` every one), and how many it has in all, in one statement: a long history
    costs the page nothing more."""
    params = {"case_id": case_id, "shown": HISTORY_SHOWN}
    shown = list(db.session.execute(_EVERY_EVENT if whole else _NEWEST_EVENTS, params))
    return shown, int(shown[0].total) if shown else 0


def _events_statement(limited: bool) -> sa.Select[Any]:
    case_id = sa.bindparam("case_id", type_=sa.BigInteger)
    total = (
        sa.select(sa.func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.case_id == case_id)
        .scalar_subquery()
    )
    stmt = (
        sa.select(*(AuditEvent.__table__.c[name] for name in _EVENT_COLUMNS), total.label("total"))
        .where(AuditEvent.case_id == case_id)
        .order_by(AuditEvent.seq.desc())
    )
    return stmt.limit(sa.bindparam("shown", type_=sa.Integer)) if limited else stmt


# What the history's table and its sentences read of an event: the columns its hash covers and
# the hash (not its stored record).
_EVENT_COLUMNS = (*HASHED_COLUMNS, "hash")
_NEWEST_EVENTS, _EVERY_EVENT = _events_statement(True), _events_statement(False)


def gather(case: Case, user: User, *, whole_history: bool = False) -> dict[str, Any]:
    """The template context of the case page."""
    run = school_run(case.campaign.region_id, case.campaign.vpr_year, case.school.login or "")
    events, total = history(case.id, whole_history)
    applicable = generate.applicable_kinds(case)
    own = documents(case, applicable)
    shown = access.visible_documents(user, own)
    kinds = generate.kinds_for(user, case, applicable)
    return {
        "milestones": milestones_of(case),
        "obligations": sorted(
            case.obligations, key=lambda o: (o.due_date is None, o.due_date or date.max, o.id)
        ),
        "visited": {v.stage for v in case.stages},
        "transitions": case_ops.actions_for(user, case),
        "other_cases": other_cases(case),
        "history": event_history.describe(events),  # newest first
        "history_total": total,
        "chain": audit.verify_case(case.id, events),  # those shown, and the newest
        "sign_run": run,
        "evidence": list(run.evidence or []) if run else [],
        "works": list(run.markers or []) if run else [],
        "documents": shown,
        "registrable": access.registrable_acts(user, _with_obligations(shown, case)),
        "signed_original": registration.signed_original,
        "signature_state": registration.state_of,
        "generate_kinds": kinds,
        "hand_in_kinds": {k.key for k in kinds if generate.can_hand_in(user, case, k.key)},
        "conclusion_kinds": [k for k in kinds if k.key in conclusions.KINDS],
        "correlations": attachments.correlations(case, images=False, documents=own),
        "recheck": recheck.statistics(case),
        "can_upload_marks": access.can_upload_data(user, case, attachments.STUDENT_MARKS),
        "can_upload_recheck": access.can_upload_data(user, case, attachments.RECHECK_RESULTS),
        "withdrawable": obligation_ops.withdrawable(case, user),
        "undo_minutes": int(obligation_ops.UNDO_WINDOW.total_seconds() // 60),
    }
