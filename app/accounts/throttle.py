"""The slow-down of repeated failed logins, counted atomically.

Counted per login name *and* client address together (a stranger guessing a director's password
slows down only their own attempts at it, never the director's from elsewhere) and, with a
threshold five times higher, per client address (one source guessing many accounts). After
``delay_after`` attempts each further one must wait twice as long as the previous (capped at
``max_wait_minutes``): a growing back-off, never a lock of the account.

Every attempt is counted *before* the password is checked, in one statement that takes the
row's lock (INSERT … ON CONFLICT DO UPDATE), and the next allowed time is set under that lock:
parallel guesses queue on the row, each is counted, and only those the back-off allows get as far
as the password. A correct password then takes its attempt back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db
from app.models.user import LoginThrottle

IP_FACTOR = 5


@dataclass(frozen=True)
class Policy:
    delay_after: int
    max_wait_minutes: int

    def scaled(self, factor: int) -> Policy:
        return Policy(self.delay_after * factor, self.max_wait_minutes)

    def delay(self, attempts: int) -> timedelta:
        """The wait after the given number of counted attempts (0 within the free ones)."""
        if attempts < self.delay_after:
            return timedelta(0)
        cap = self.max_wait_minutes * 60
        return timedelta(seconds=min(2 ** min(attempts - self.delay_after, 30), cap))


def _keys(login: str, ip: str | None) -> list[tuple[str, int]]:
    name = login.strip().lower()[:200]
    source = ip or "-"
    return [(f"pair:{source}|{name}"[:254], 1), (f"ip:{source}"[:254], IP_FACTOR)]


def _count(key: str, now: datetime) -> LoginThrottle:
    """One more attempt on the key, atomically; the row stays locked until the commit."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = LoginThrottle.__table__
    statement = insert(table).values(key=key, failures=1, last_failure_at=now)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={"failures": table.c.failures + 1, "last_failure_at": now},
    )
    db.session.execute(statement)
    row = db.session.scalars(
        sa.select(LoginThrottle)
        .where(LoginThrottle.key == key)
        .execution_options(populate_existing=True)
    ).one()
    return row


def attempt(login: str, ip: str | None, policy: Policy, now: datetime) -> int:
    """Count an attempt; the seconds it must still wait (0: check the password now)."""
    wait = 0
    rows = []
    for key, factor in _keys(login, ip):
        row = _count(key, now)
        rows.append((row, policy.scaled(factor)))
        if row.locked_until is not None and row.locked_until > now:
            wait = max(wait, int((row.locked_until - now).total_seconds()) + 1)
    if wait:
        return wait
    for row, scaled in rows:
        row.locked_until = now + scaled.delay(row.failures)
    db.session.flush()
    return 0


def register_success(login: str, ip: str | None) -> None:
    """A correct password clears the login's count from this address and takes the attempt
    back from the address's own count."""
    (pair, _f), (source, _g) = _keys(login, ip)
    db.session.execute(sa.delete(LoginThrottle).where(LoginThrottle.key == pair))
    db.session.execute(
        sa.update(LoginThrottle)
        .where(LoginThrottle.key == source, LoginThrottle.failures > 0)
        .values(failures=LoginThrottle.failures - 1)
    )
