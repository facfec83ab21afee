"""Rows of the heavy read statements kept between requests, keyed on PostgreSQL's snapshot.

The region-wide pages (the ministry's dashboard and inbox) aggregate hundreds of thousands of
obligations for every view although the data change a few times a minute. Their statements are
built once (app.workflows.queries) and run here: :func:`rows` reads them in a REPEATABLE READ,
READ ONLY transaction of its own and keeps the result under

    (the engine, the statement, its parameters, the transaction's snapshot)

``pg_current_snapshot()`` names exactly which transactions a reader sees: two readers with the
same snapshot see the same data in every table, and any write committed since (or still running)
gives a different one. So an entry is never stale, whichever table a write touched and however
it was made (ORM, a set-based UPDATE, psql); it simply stops being asked for. A read-only
request writes nothing, so views between two writes share the rows. The entry holds only what
the statement returns for those parameters (the viewer's scope, the day, the campaign are
among them), never a session, a token or a user's unread count.

A request that has written (flushed, or executed an INSERT, UPDATE or DELETE) reads on its own
session until it commits, so that it sees its own changes; after its commit the next read
takes a new snapshot. Statements run here must not read the clock in SQL (the day is one of
their parameters).

Per process, at most ``SIZE`` entries, least recently used first out. On SQLite, with
``OKO_READ_CACHE=false`` (the test suite's default: its tests write in a transaction that is
never committed), or outside a request, the statements run on the request's session as before.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from flask import current_app, g, has_request_context
from sqlalchemy import event as sa_event
from sqlalchemy.orm import ORMExecuteState, Session

from app.extensions import db

SIZE = 256  # entries a process keeps
_SNAPSHOT = sa.text("SELECT pg_current_snapshot()::text")
WROTE = "oko_wrote"  # session.info: the session has written in its current transaction


class _Entries:
    """A least-recently-used map, safe between a worker's threads."""

    def __init__(self, size: int) -> None:
        self.size, self._items, self._lock = size, OrderedDict[Any, list[Any]](), threading.Lock()

    def get(self, key: Any) -> list[Any] | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: Any, value: list[Any]) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_entries = _Entries(SIZE)


def enabled() -> bool:
    """Whether this read may come from the cache: PostgreSQL, switched on, inside a request
    whose session has not written in its transaction."""
    session = db.session
    return (
        has_request_context()
        and bool(current_app.config.get("OKO_READ_CACHE", True))
        and db.engine.dialect.name == "postgresql"
        and not (session.new or session.dirty or session.deleted or session.info.get(WROTE))
    )


def _frozen(value: Any) -> Any:
    if isinstance(value, list | tuple | set | frozenset):
        return tuple(_frozen(v) for v in value)
    return value


def _reading() -> tuple[sa.Connection, str]:
    """The request's read-only transaction for cached statements and its snapshot (one a
    request; closed when the request ends)."""
    found = g.get("oko_read_snapshot")
    if found is None:
        conn = db.engine.connect().execution_options(
            isolation_level="REPEATABLE READ", postgresql_readonly=True
        )
        conn.begin()
        found = g.oko_read_snapshot = (conn, str(conn.execute(_SNAPSHOT).scalar_one()))
    return found


def rows(stmt: sa.Executable, params: Mapping[str, Any] | None = None) -> Sequence[Any]:
    """The rows of a statement built once, from the cache when no write has been made since.
    Callers must not change the rows (they are shared)."""
    params = dict(params or {})
    if not enabled():
        return db.session.execute(stmt, params).all()
    conn, snapshot = _reading()
    key = (db.engine, stmt, snapshot, tuple(sorted((k, _frozen(v)) for k, v in params.items())))
    found = _entries.get(key)
    if found is None:
        found = list(conn.execute(stmt, params).all())
        _entries.put(key, found)
    return found


def _end_reading(_error: BaseException | None = None) -> None:
    found = g.pop("oko_read_snapshot", None)
    if found is not None:
        found[0].close()  # rolls the read-only transaction back, returns the connection


def clear() -> None:
    """Forget every entry (tests; a change of schema)."""
    _entries.clear()


def _after_flush(session: Session, _context: Any) -> None:
    session.info[WROTE] = True


def _on_execute(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[WROTE] = True


def _after_commit(session: Session) -> None:
    session.info.pop(WROTE, None)
    if has_request_context():
        _end_reading()  # the next read takes a snapshot that sees this commit


def _after_rollback(session: Session, *_args: Any) -> None:
    session.info.pop(WROTE, None)


def init_app(app: Any) -> None:
    app.teardown_appcontext(_end_reading)
    if not sa_event.contains(Session, "after_flush", _after_flush):  # once per process
        sa_event.listen(Session, "after_flush", _after_flush)
        sa_event.listen(Session, "do_orm_execute", _on_execute)
        sa_event.listen(Session, "after_commit", _after_commit)
        sa_event.listen(Session, "after_soft_rollback", _after_rollback)
