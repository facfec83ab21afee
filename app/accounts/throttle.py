"""Slow-down and temporary lock after repeated failed logins.

Counted per login name (whether or not the user exists, so the answer does not reveal that) and,
with thresholds five times higher, per client address. After ``delay_after`` failures each further
attempt must wait twice as long as the previous one (capped at a minute); after ``lock_after``
failures the name is locked for ``lock_minutes``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from app.extensions import db
from app.models.user import LoginThrottle

MAX_DELAY_SECONDS = 60
IP_FACTOR = 5


@dataclass(frozen=True)
class Policy:
    delay_after: int
    lock_after: int
    lock_minutes: int

    def scaled(self, factor: int) -> Policy:
        return Policy(self.delay_after * factor, self.lock_after * factor, self.lock_minutes)


def _keys(login: str, ip: str | None) -> list[tuple[str, int]]:
    keys = [(f"login:{login.strip().lower()}", 1)]
    if ip:
        keys.append((f"ip:{ip}", IP_FACTOR))
    return keys


def _wait_for(row: LoginThrottle, policy: Policy, now: datetime) -> int:
    """Seconds the caller must still wait before another attempt (0: go ahead)."""
    if row.locked_until and row.locked_until > now:
        return int((row.locked_until - now).total_seconds()) + 1
    if row.failures < policy.delay_after or row.last_failure_at is None:
        return 0
    delay = min(2 ** (row.failures - policy.delay_after), MAX_DELAY_SECONDS)
    ready_at = row.last_failure_at + timedelta(seconds=delay)
    return int((ready_at - now).total_seconds()) + 1 if ready_at > now else 0


def seconds_to_wait(login: str, ip: str | None, policy: Policy, now: datetime) -> int:
    """How long this login name / address must wait before trying again."""
    waits = [0]
    for key, factor in _keys(login, ip):
        row = db.session.get(LoginThrottle, key)
        if row is not None:
            waits.append(_wait_for(row, policy.scaled(factor), now))
    return max(waits)


def register_failure(login: str, ip: str | None, policy: Policy, now: datetime) -> None:
    """Count one failed attempt; lock when the threshold is reached."""
    for key, factor in _keys(login, ip):
        scaled = policy.scaled(factor)
        row = db.session.get(LoginThrottle, key) or LoginThrottle(key=key, failures=0)
        if row.locked_until and row.locked_until <= now:
            row.failures, row.locked_until = 0, None  # the lock has run out: start afresh
        row.failures += 1
        row.last_failure_at = now
        if row.failures >= scaled.lock_after:
            row.locked_until = now + timedelta(minutes=scaled.lock_minutes)
        db.session.add(row)


def register_success(login: str) -> None:
    """A correct password clears the login name's counter (the address keeps its own)."""
    row = db.session.get(LoginThrottle, _keys(login, None)[0][0])
    if row is not None:
        db.session.delete(row)
