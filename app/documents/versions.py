"""Versions of a document: storing the next one (content first, then the row), reading one."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from app import access, audit
from app.documents import checks, storage
from app.extensions import db
from app.models.document import Document, DocumentVersion
from app.models.types import utcnow
from app.models.user import User


def store_version(
    document: Document,
    data: bytes,
    kind: checks.FileType,
    filename: str,
    *,
    actor: User | None,
    note: str | None = None,
    template: tuple[str, int] | None = None,
    now: datetime | None = None,
) -> DocumentVersion:
    """Write the content to the store (before the commit), then add the next version."""
    sha = storage.store().put(data)
    number = 1 + (
        db.session.scalar(
            sa.select(sa.func.max(DocumentVersion.number)).where(
                DocumentVersion.document_id == document.id
            )
        )
        or 0
    )
    version = DocumentVersion(
        document_id=document.id,
        number=number,
        sha256=sha,
        size=len(data),
        mime=kind.mime,
        filename=filename,
        note=(note or "").strip() or None,
        uploaded_at=now or utcnow(),
        uploaded_by_id=actor.id if actor else None,
        template_key=template[0] if template else None,
        template_version=template[1] if template else None,
    )
    db.session.add(version)
    db.session.flush()
    db.session.refresh(document, ["versions"])
    audit.record(
        "document.generated" if template else "document.uploaded",
        actor=actor,
        object_type="document",
        object_id=document.id,
        org_id=document.owner_org_id,
        case_id=document.case_id,
        after={
            "version": number,
            "filename": filename,
            "sha256": sha,
            "size": len(data),
            "type": kind.label,
            "template": f"{template[0]}@{template[1]}" if template else None,
        },
    )
    return version


def download(document_id: int, number: int, user: User) -> tuple[DocumentVersion, bytes] | None:
    """A version and its content, if the user may see it."""
    document = db.session.get(Document, document_id)
    if document is None or not access.can_view_document(user, document):
        return None
    version = next((v for v in document.versions if v.number == number), None)
    if version is None:
        return None
    return version, storage.store().get(version.sha256)
