"""Rows of the heavy read statements kept between requests, keyed on PostgreSQL's snapshot.

The region-wide pages (the ministry's dashboard and inbox) aggregate hundreds of thousands of
obligations for every view although the data change a few times a minute. Their statements are
built once (app.workflows.queries) and run here: :func:`rows` reads them in a REPEATABLE READ,
READ ONLY transaction of its own and keeps the result under

    (the engine, the statement, its parameters, the request's snapshot)

``pg_current_snapshot()`` names exactly which transactions a reader sees: two readers with the
same snapshot see the same data in every table, and any write committed since (or still running)
gives a different one. The request's snapshot is that of its first statement, the signed-in
user's lookup, which names it (:func:`seen_at`; a kept view then runs no other statement), or
else of the read-only transaction. Whatever a request reads or draws is read at that snapshot
or later, so an entry never holds data older than its key: it is never stale, whichever table
a write touched and however it was made (ORM, a set-based UPDATE, psql); it simply stops being
asked for once a write commits, as every later request has a new snapshot. A read-only
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

import functools
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from flask import current_app, g, has_request_context
from sqlalchemy import event as sa_event
from sqlalchemy.orm import ORMExecuteState, Session

from app import pageshare
from app.extensions import db

SIZE = 256  # entries a process keeps
_SNAPSHOT = sa.text("SELECT pg_current_snapshot()::text")
V = TypeVar("V")
WROTE = "oko_wrote"  # session.info: the session has written in its current transaction


class _Entries(Generic[V]):
    """A least-recently-used map, safe between a worker's threads: at most ``size`` entries and,
    given a ``limit``, at most that many bytes of values (``sys.getsizeof``: a page's text)."""

    def __init__(self, size: int, limit: int | None = None) -> None:
        self.size, self.limit, self.used = size, limit, 0
        self._items, self._lock = OrderedDict[Any, V](), threading.Lock()

    def _cost(self, value: V) -> int:
        return 0 if self.limit is None else sys.getsizeof(value)

    def get(self, key: Any) -> V | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: Any, value: V) -> None:
        cost = self._cost(value)
        if self.limit is not None and cost > self.limit:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self.used -= self._cost(old)
            self._items[key] = value
            self.used += cost
            while len(self._items) > self.size or (
                self.limit is not None and self.used > self.limit
            ):
                _key, gone = self._items.popitem(last=False)
                self.used -= self._cost(gone)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.used = 0


_entries = _Entries[list[Any]](SIZE)


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


def seen_at(snapshot: str | None) -> None:
    """The snapshot the request's first statement read in (the signed-in user's, which names
    it): the key of what the request reads from the cache, so that a view served from it needs
    no statement of its own. Without one, the request's read-only transaction names it."""
    if snapshot is not None and has_request_context():
        g.oko_snapshot = snapshot


def _connection() -> sa.Connection:
    """The request's REPEATABLE READ, READ ONLY transaction that runs the cached statements
    not kept yet (opened on the first; closed when the request ends or commits)."""
    conn = g.get("oko_read_conn")
    if conn is None:
        conn = db.engine.connect().execution_options(
            isolation_level="REPEATABLE READ", postgresql_readonly=True
        )
        conn.begin()
        g.oko_read_conn = conn
    return conn


def _snapshot() -> str:
    """The request's snapshot: the one it was seen at, or its read-only transaction's."""
    found = g.get("oko_snapshot")
    if found is None:
        found = g.oko_snapshot = str(_connection().execute(_SNAPSHOT).scalar_one())
    return str(found)


def rows(stmt: sa.Executable, params: Mapping[str, Any] | None = None) -> Sequence[Any]:
    """The rows of a statement built once, from the cache when no write has been made since.
    Callers must not change the rows (they are shared)."""
    params = dict(params or {})
    if not enabled():
        return db.session.execute(stmt, params).all()
    snapshot = _snapshot()
    key = (db.engine, stmt, snapshot, tuple(sorted((k, _frozen(v)) for k, v in params.items())))
    found = _entries.get(key)
    if found is None:
        found = list(_connection().execute(stmt, params).all())
        _entries.put(key, found)
    return found


def _end_reading(_error: BaseException | None = None) -> None:
    g.pop("oko_snapshot", None)
    conn = g.pop("oko_read_conn", None)
    if conn is not None:
        conn.close()  # rolls the read-only transaction back, returns the connection


def clear() -> None:
    """Forget every entry, rows and pages (tests; a change of schema)."""
    _entries.clear()
    _pages.clear()
    pageshare.clear()


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


# --- Rendered pages -------------------------------------------------------------------------
#
# A page a read-only request draws is a function of the data it reads (the snapshot), of who
# views it (the user's id: their scope, name and unread count are data too), the locale, the
# viewer's local day, the site root and the path with its arguments. It is kept under exactly
# those, per process, at most ``PAGE_SIZE`` entries and ``PAGE_BYTES`` of text. Two things on a
# page belong to the browser's session and not to the data: the CSRF token, which is taken out
# of the kept text (``CSRF_MARK``) and put back, the current one, on every view; and flashed
# messages, whose page is neither kept nor served from the cache. A request that wrote while
# drawing the page does not keep it.

PAGE_SIZE = 512
PAGE_BYTES = 64 * 1024 * 1024
CSRF_MARK = "\x00oko-csrf\x00"  # cannot occur in drawn HTML: NUL is refused in input


_pages = _Entries[str](PAGE_SIZE, PAGE_BYTES)


def _csrf() -> str:
    from flask_wtf.csrf import generate_csrf

    return str(generate_csrf())


def page(parts: tuple[Any, ...], render: Callable[[], str]) -> str:
    """The page ``render`` draws, kept under the snapshot, the viewer, the locale, the request's
    path and arguments and ``parts`` (what else the page depends on: the viewer's local day).
    ``render`` is called when the page is not kept, the cache is off (:func:`enabled`), the
    session holds flashed messages, or the user is anonymous."""
    from flask import request, session
    from flask_babel import get_locale
    from flask_login import current_user

    if not enabled() or "_flashes" in session or not current_user.is_authenticated:
        return render()
    key = (
        db.engine,
        _snapshot(),
        current_user.get_id(),
        str(get_locale()),
        request.host_url,
        request.script_root,
        request.full_path,
        _frozen(parts),
    )
    found = _pages.get(key)
    if found is None:
        answer, found = _kept_or_drawn(key, render)
        if found is None:
            return answer  # a redirect or a response of its own; or it wrote, or flashed
        _pages.put(key, found)
    return found.replace(CSRF_MARK, _csrf()) if CSRF_MARK in found else found


def _kept_or_drawn(key: tuple[Any, ...], render: Callable[[], str]) -> tuple[Any, str | None]:
    """The page another worker of the server drew at this snapshot (app.pageshare), or drawn
    here: ``(answer, the text to keep or None)``."""
    folder = current_app.config.get("OKO_PAGE_DIR")
    if not folder:
        return _drawn(render)
    # the engine is this process's: the other workers know the database by its address
    snapshot = (str(db.engine.url), key[1])
    return pageshare.kept_or_drawn(Path(folder), snapshot, key[1:], lambda: _drawn(render))


def _drawn(render: Callable[[], str]) -> tuple[Any, str | None]:
    """What ``render`` answers, and the text to keep: none when it is no page (a redirect), or
    the request wrote or flashed while drawing it; the CSRF token taken out."""
    from flask import session

    html = render()
    if not isinstance(html, str) or not enabled() or "_flashes" in session:
        return html, None
    token = _csrf()
    return html, (html.replace(token, CSRF_MARK) if token in html else html)


def cached_page(*parts: Callable[[], Any]) -> Callable[[Callable[..., str]], Callable[..., str]]:
    """A view whose drawn page is kept (:func:`page`); each of ``parts`` is called per request
    for a part of the key (the viewer's local day). Put it under the login and access checks."""

    def wrap(view: Callable[..., str]) -> Callable[..., str]:
        @functools.wraps(view)
        def cached(*args: Any, **kwargs: Any) -> str:
            return page(
                (view.__module__, view.__qualname__, *(p() for p in parts)),
                lambda: view(*args, **kwargs),
            )

        return cached

    return wrap
