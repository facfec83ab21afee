"""Removing what no row refers to from the local document store.

A crash between writing a content and committing the row that names it leaves an unreferenced
file behind, and an interrupted write an ``.incoming-*`` temporary file; neither is ever read.
The cleanup removes both once they are old enough that no transaction in flight can still
commit a reference to them (``grace``). S3 stores are left to the bucket's lifecycle rules.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from app.documents import storage
from app.documents.contents import SHA_RE
from app.extensions import db

log = logging.getLogger(__name__)

# Every column that names a content of the document store by its SHA-256.
CONTENT_COLUMNS = (
    ("document_version", "sha256"),
    ("document_template", "sha256"),
    ("vpr_import", "sha256"),
)


@dataclass(frozen=True)
class Cleaned:
    orphans: int
    temporary: int


def referenced() -> set[str]:
    """Every content some row of the database refers to."""
    found: set[str] = set()
    for table, column in CONTENT_COLUMNS:
        found.update(
            db.session.scalars(sa.select(sa.column(column)).select_from(sa.table(table)).distinct())
        )
    return found


def clean_store(grace: timedelta = timedelta(days=1)) -> Cleaned:
    """Remove the local store's unreferenced contents and stale temporary files older than
    ``grace``."""
    store = storage.store()
    if not isinstance(store, storage.LocalStore) or not store.root.exists():
        return Cleaned(0, 0)
    keep = referenced()
    cutoff = time.time() - grace.total_seconds()
    orphans = temporary = 0
    for path in store.root.glob("??/??/*"):
        if not path.is_file() or path.stat().st_mtime > cutoff:
            continue
        if path.name.startswith(".incoming-"):
            path.unlink(missing_ok=True)
            temporary += 1
        elif SHA_RE.match(path.name) and path.name not in keep:
            path.unlink(missing_ok=True)
            orphans += 1
    if orphans or temporary:
        log.info("store cleaned: %d unreferenced contents, %d temporary files", orphans, temporary)
    return Cleaned(orphans, temporary)
