"""Versions of the .docx templates: version 1 of each kind is the file shipped beside this
module (``templates/<key>.docx``); an administrator's uploads are later versions, kept in the
document store."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from app.documents import storage
from app.extensions import db
from app.models.document import DocumentTemplate

BUNDLED_VERSION = 1
TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"


def bundled_path(key: str) -> Path:
    """The shipped template of a kind."""
    return TEMPLATE_DIR / f"{key}.docx"


def active_template(key: str) -> tuple[int, bytes]:
    """(version, bytes) of the template in use for a kind."""
    row = db.session.scalars(
        sa.select(DocumentTemplate)
        .where(DocumentTemplate.key == key, DocumentTemplate.active.is_(True))
        .order_by(DocumentTemplate.version.desc())
    ).first()
    if row is None:
        return BUNDLED_VERSION, bundled_path(key).read_bytes()
    return row.version, storage.store().get(row.sha256)


def active_template_version(key: str) -> int:
    """The version number in use for a kind."""
    latest = db.session.scalar(
        sa.select(sa.func.max(DocumentTemplate.version)).where(
            DocumentTemplate.key == key, DocumentTemplate.active.is_(True)
        )
    )
    return int(latest or BUNDLED_VERSION)
