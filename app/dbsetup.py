"""Per-connection database settings, and the check of every value before it is written.

SQLite: enforce foreign keys, wait on locks instead of failing at once, and let SQLAlchemy
emit BEGIN itself so that SAVEPOINTs (used by imports' dry runs and by the tests) work; a
connection given the ``IMMEDIATE`` execution option begins with the write lock.

Every flush checks the values it writes against their columns — no NUL byte in text, no text
longer than its column, no integer outside its column's range — and refuses the whole change
with a message (InvalidInput) instead of letting PostgreSQL answer with an error (SQLite would
store them silently).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.errors import InvalidInput

_installed = False
# The execution option that makes SQLite begin a transaction with the write lock.
IMMEDIATE = "oko_sqlite_immediate"
INT_RANGE = {sa.SmallInteger: 2**15, sa.Integer: 2**31, sa.BigInteger: 2**63}


def _on_connect(dbapi_connection: Any, _record: Any) -> None:
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        dbapi_connection.isolation_level = None  # SQLAlchemy controls transactions
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA busy_timeout = 10000")
        cursor.execute("PRAGMA journal_mode = WAL")  # readers do not block the writer
        cursor.close()


def _on_begin(connection: sa.Connection) -> None:
    if connection.dialect.name == "sqlite":
        immediate = connection.get_execution_options().get(IMMEDIATE)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _shown(value: str) -> str:
    return value[:40].replace("\x00", "") + ("…" if len(value) > 40 else "")


def check_value(column: sa.Column[Any], value: Any) -> None:
    """Refuse a value its column cannot hold (see the module's docstring)."""
    kind = column.type
    if isinstance(value, str):
        if "\x00" in value:
            raise InvalidInput(
                _("The text «%(value)s» contains a NUL character.", value=_shown(value))
            )
        length = getattr(kind, "length", None)
        if isinstance(kind, sa.String) and length and len(value) > length:
            raise InvalidInput(
                _(
                    "The text «%(value)s» is too long: at most %(n)d characters.",
                    value=_shown(value),
                    n=length,
                )
            )
    elif isinstance(value, int) and not isinstance(value, bool):
        bound = next((b for t, b in INT_RANGE.items() if type(kind) is t), None)
        if bound is not None and not -bound <= value < bound:
            raise InvalidInput(_("The number %(value)d is out of range.", value=value))


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    for obj in (*session.new, *session.dirty):
        state = sa.inspect(obj)
        for attr in state.mapper.column_attrs:
            value = state.dict.get(attr.key)  # what is loaded or set; never a lazy load
            if value is not None:
                for column in attr.columns:
                    if isinstance(column, sa.Column):
                        check_value(column, value)


def install() -> None:
    """Register the listeners once per process, for every engine."""
    global _installed
    if _installed:
        return
    sa.event.listen(Engine, "connect", _on_connect)
    sa.event.listen(Engine, "begin", _on_begin)
    sa.event.listen(Session, "before_flush", _before_flush)
    _installed = True
