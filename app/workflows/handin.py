"""Handing an obligation in with a document: the upload (or a generated file) becomes the next
version of the obligation's document; a municipality's act answers every case of the
municipality that owes it."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from app import access
from app.documents import checks
from app.documents.versions import store_version
from app.errors import Conflict, NotAllowed
from app.extensions import db
from app.models.case import Obligation
from app.models.document import Document, DocumentVersion, ReviewStatus
from app.models.types import utcnow
from app.models.user import User
from app.workflows import obligations
from app.workflows.locking import lock, locked
from app.workflows.shared import owner_of, shared_document, siblings


def _document_for(obligation: Obligation, actor: User) -> Document:
    """The document the obligation's versions are filed under (made on first hand-in)."""
    found = shared_document(obligation)
    owner, case_id = owner_of(obligation)
    if found is None and case_id is not None:
        found = db.session.scalars(
            sa.select(Document).where(
                Document.case_id == case_id, Document.obligation_type == obligation.obligation_type
            )
        ).first()
    if found is not None:
        return found
    document = Document(
        owner_org_id=owner,
        case_id=case_id,
        campaign_id=obligation.case.campaign_id,
        obligation_type=obligation.obligation_type,
        kind=(obligation.document_types or [obligation.obligation_type])[0],
        created_by_id=actor.id,
    )
    db.session.add(document)
    db.session.flush()
    return document


def upload_for_obligation(
    obligation_id: int,
    name: str,
    data: bytes,
    *,
    actor: User,
    expected_version: int | None,
    note: str | None = None,
    now: datetime | None = None,
) -> DocumentVersion:
    """Check and store an upload as the next version of the obligation's document and hand the
    obligation in; a municipality-wide act hands in every pending case of the municipality."""
    now = now or utcnow()
    obligation = locked(Obligation, obligation_id, expected_version)
    if not access.can_submit(actor, obligation):
        raise NotAllowed(_("Only the responsible organisation submits this obligation."))
    if not obligation.document_types:
        raise Conflict(_("This obligation is answered on its own page, not by an upload."))
    kind, filename = checks.check_upload(name, data, current_app.config["MAX_CONTENT_LENGTH"])
    return hand_in_version(obligation, data, kind, filename, actor=actor, note=note, now=now)


def hand_in_version(
    obligation: Obligation,
    data: bytes,
    kind: checks.FileType,
    filename: str,
    *,
    actor: User,
    now: datetime,
    note: str | None = None,
    template: tuple[str, int] | None = None,
) -> DocumentVersion:
    """Store checked content as the next version of the (locked, permitted) obligation's
    document and hand the obligation in — with every pending case for a municipality's act."""
    document = _document_for(obligation, actor)
    version = store_version(
        document, data, kind, filename, actor=actor, note=note, now=now, template=template
    )
    version.review_status = ReviewStatus.PENDING
    targets = [obligation]
    if document.case_id is None:
        targets += [lock(Obligation, i) for i in siblings(obligation)]
    for target in targets:
        target.document_id = document.id
        obligations.hand_in(target, actor=actor, now=now, note=note)
    return version
