"""Per-connection database settings.

SQLite: enforce foreign keys, wait on locks instead of failing at once, and let SQLAlchemy
emit BEGIN itself so that SAVEPOINTs (used by imports' dry runs and by the tests) work.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

_installed = False


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
        connection.exec_driver_sql("BEGIN")


def install() -> None:
    """Register the listeners once per process, for every engine."""
    global _installed
    if _installed:
        return
    sa.event.listen(Engine, "connect", _on_connect)
    sa.event.listen(Engine, "begin", _on_begin)
    _installed = True
