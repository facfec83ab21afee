"""Optimistic versions plus a row lock: one of two concurrent actions wins, the other is told
who changed the record and when."""

from __future__ import annotations

from typing import TypeVar

import sqlalchemy as sa
from flask_babel import format_datetime
from flask_babel import gettext as _

from app.errors import StaleVersion
from app.extensions import db
from app.models.case import Case, Obligation

T = TypeVar("T", Case, Obligation)


def lock(model: type[T], object_id: int) -> T:
    """Re-read the row with SELECT … FOR UPDATE (PostgreSQL; SQLite serialises writers)."""
    stmt = (
        sa.select(model)
        .where(model.id == object_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return db.session.scalars(stmt).one()


def check_version(record: Case | Obligation, expected: int | None) -> None:
    """Refuse when the record changed since the user loaded it (``expected`` None: no check)."""
    if expected is None or record.version == expected:
        return
    who = record.updated_by.full_name if record.updated_by else _("the system")
    when = format_datetime(record.updated_at, "dd.MM.yyyy HH:mm")
    raise StaleVersion(
        _(
            "%(who)s changed this record at %(when)s, after you opened it. "
            "Reload the page and try again.",
            who=who,
            when=when,
        ),
        changed_by=who,
        changed_at=record.updated_at.isoformat(),
    )


def locked(model: type[T], object_id: int, expected_version: int | None) -> T:
    """The row locked for this transaction, refused if it changed since the user loaded it."""
    record = lock(model, object_id)
    check_version(record, expected_version)
    return record
