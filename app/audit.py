"""Appending to and verifying the hash-chained history.

Every event hashes its own content together with the previous event's hash, so changing,
inserting or removing a row anywhere but at the very end breaks the chain at that row.
Rows are refused updates and deletes here (ORM) and by a database trigger (migration).

Whoever can write to the database directly could still rewrite the history and recompute every
hash, or drop the newest events; checkpoints catch that: the chain's head signed with an
Ed25519 key kept outside the database, exported for an auditor to keep, and later compared with
the history (``flask audit checkpoint`` / ``flask audit verify --against FILE``).
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, SessionTransactionOrigin

from app.extensions import db
from app.models.audit import (
    GENESIS_HASH,
    HASHED_COLUMNS,
    AuditEvent,
    VerifiedUpTo,
    canonical_json,
)
from app.models.case import Obligation
from app.models.org import Organisation
from app.models.types import utcnow
from app.models.user import User

log = logging.getLogger(__name__)

# Any constant: the PostgreSQL advisory lock that serialises appends to the chain.
CHAIN_LOCK_KEY = 0x0C0A0D17

SYSTEM_ACTOR = "system"


class AuditTamperingRefused(RuntimeError):
    """Raised when code tries to update or delete a history event."""


def _canonical_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_bytes(ev: AuditEvent) -> bytes:
    """The event's record as hashed: its content and its predecessor's hash, serialised once
    (stored with the event in ``canonical``)."""
    content = {name: getattr(ev, name) for name in HASHED_COLUMNS}
    content["occurred_at"] = _canonical_time(ev.occurred_at)
    return canonical_json(content).encode("utf-8")


def event_digest(ev: AuditEvent) -> str:
    """SHA-256 over the event's content and its predecessor's hash."""
    return hashlib.sha256(canonical_bytes(ev)).hexdigest()


# The record rebuilt from the columns as stored (``before``/``after`` as their text, written in
# the canonical serialisation): equal to the stored bytes exactly when the columns pages show
# are the ones that were hashed. Keys in sorted order, as canonical_json writes them.
_quote = json.encoder.encode_basestring  # type: ignore[attr-defined]


def _number(value: int | None) -> str:
    return "null" if value is None else str(int(value))


def _text(value: str | None) -> str:
    return "null" if value is None else str(_quote(value))


def record_of_columns(row: Any) -> bytes:
    """The canonical bytes of an event read back from its columns (a row of _ROW_COLUMNS)."""
    return "".join(
        (
            '{"action":',
            _text(row.action),
            ',"actor_id":',
            _number(row.actor_id),
            ',"actor_name":',
            _text(row.actor_name),
            ',"actor_role":',
            _text(row.actor_role),
            ',"after":',
            "null" if row.after_text is None else row.after_text,
            ',"before":',
            "null" if row.before_text is None else row.before_text,
            ',"case_id":',
            _number(row.case_id),
            ',"object_id":',
            _number(row.object_id),
            ',"object_type":',
            _text(row.object_type),
            ',"occurred_at":"',
            _canonical_time(row.occurred_at),
            '","org_id":',
            _number(row.org_id),
            ',"prev_hash":',
            _text(row.prev_hash),
            ',"reason":',
            _text(row.reason),
            ',"seq":',
            str(int(row.seq)),
            "}",
        )
    ).encode("utf-8")


def _jsonable(values: dict[str, Any] | None) -> dict[str, Any] | None:
    """Values as they will read back from a JSON column (dates as ISO strings, enums as values)."""
    if values is None:
        return None
    return json.loads(json.dumps(values, default=_json_default, ensure_ascii=False))


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return _canonical_time(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    return str(value)


def _lock_chain(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": CHAIN_LOCK_KEY})


_HEAD = "oko_chain_head"  # session.info: (seq, hash) of the event this transaction appended last
_LAST = "oko_chain_last"  # connection.info: the seq of the event last appended through it


def _chain_head(session: Session) -> tuple[int, str, bool]:
    """The (seq, hash) a new event follows, and whether it was read from the database. The
    first event of a transaction takes the chain's lock (on PostgreSQL; SQLite has one writer)
    and reads the head; the transaction then holds the lock to its end, so its later events
    follow the one it appended last without reading again, unless another session appended
    through the same connection since (as a test's requests do). The end of any transaction or
    savepoint forgets the head (_forget_head): a rolled back savepoint takes its events with
    it."""
    known = session.info.get(_HEAD)
    if known is not None and session.connection().info.get(_LAST) == known[0]:
        return (*known, False)
    session.flush()
    _lock_chain(session)
    last = session.execute(
        sa.select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    return (last.seq, last.hash, True) if last else (0, GENESIS_HASH, True)


def _forget_head(session: Session, transaction: SessionTransaction) -> None:
    """Forget the head when a transaction or savepoint ends, not when a flush's own inner
    transaction does: a flush that fails leaves its session to be rolled back, and that
    rollback forgets it (a flush's end used to, so every query between two events read the
    head again: 3,711 times in opening the real federal list)."""
    if transaction.origin is not SessionTransactionOrigin.SUBTRANSACTION:
        session.info.pop(_HEAD, None)


_BATCH = "oko_chain_batch"  # session.info: open audit.batch() blocks


@contextmanager
def batch() -> Iterator[None]:
    """Events recorded in the block are inserted together, at its end (or at an earlier
    flush), instead of one flush each: for loops that record many events and read none of
    them back, such as a case's new obligations. The first event of a transaction is still
    flushed at once (it takes SQLite's write lock, as the chain's lock on PostgreSQL)."""
    session = db.session
    session.info[_BATCH] = session.info.get(_BATCH, 0) + 1
    try:
        yield
    finally:
        session.info[_BATCH] -= 1
    if not session.info[_BATCH]:
        session.flush()


def record(
    action: str,
    *,
    actor: User | None,
    object_type: str,
    object_id: int | None = None,
    org_id: int | None = None,
    case_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str | None = None,
) -> AuditEvent:
    """Append one event to the chain in the current transaction and return it."""
    session = db.session
    seq, prev_hash, first = _chain_head(session)
    ev = AuditEvent(
        seq=seq + 1,
        occurred_at=utcnow(),
        actor_id=actor.id if actor else None,
        actor_name=actor.full_name if actor else SYSTEM_ACTOR,
        actor_role=actor.role.value if actor else SYSTEM_ACTOR,
        action=action,
        object_type=object_type,
        object_id=object_id,
        org_id=org_id,
        case_id=case_id,
        before=_jsonable(before),
        after=_jsonable(after),
        reason=reason,
        prev_hash=prev_hash,
    )
    ev.canonical = canonical_bytes(ev)
    ev.hash = hashlib.sha256(ev.canonical).hexdigest()
    session.add(ev)
    if first or not session.info.get(_BATCH):
        session.flush()
    session.info[_HEAD] = (ev.seq, ev.hash)
    session.connection().info[_LAST] = ev.seq
    for listener in _listeners:
        listener(ev)
    return ev


# Called with every event recorded, inside its transaction (the notices of events listen).
_listeners: list[Callable[[AuditEvent], None]] = []


def listen(listener: Callable[[AuditEvent], None]) -> None:
    """Be told of every event recorded from now on (once per listener)."""
    if listener not in _listeners:
        _listeners.append(listener)


@dataclass(frozen=True)
class VerifyResult:
    """``checked``: the events checked now (before the first broken one, if any).
    ``head_hash``: the hash of the last of them, in order (whole-chain walks).
    ``vouched_seq``/``vouched_at``: a view's events up to this one were not re-checked: the
    background check verified the whole chain up to it at that time."""

    checked: int
    broken_seq: int | None = None
    problem: str | None = None
    head_hash: str | None = None
    vouched_seq: int | None = None
    vouched_at: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.broken_seq is None


def record_obligation(
    action: str,
    obligation: Obligation,
    *,
    actor: User | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str | None = None,
) -> AuditEvent:
    """An event of one obligation, filed under its case and its school."""
    return record(
        action,
        actor=actor,
        object_type="obligation",
        object_id=obligation.id,
        org_id=obligation.case.school_id,
        case_id=obligation.case_id,
        before=before,
        after=after,
        reason=reason,
    )


CONTENT = "content does not match its hash"
RECORD = "content shown does not match its hashed record"
LINK = "link to the previous event does not match"
CHAIN = "chain"  # the scope of the whole history's checkpoint

_event = AuditEvent.__table__


def _row_columns(e: sa.FromClause) -> tuple[sa.ColumnElement[Any], ...]:
    """What checking one event reads: its hash and stored record, and the columns pages show
    (``before``/``after`` as the text stored)."""
    return (  # seq, prev_hash, hash, canonical first: as _walk_span reads them
        e.c.seq,
        e.c.prev_hash,
        e.c.hash,
        e.c.canonical,
        e.c.occurred_at,
        e.c.actor_id,
        e.c.actor_name,
        e.c.actor_role,
        e.c.action,
        e.c.object_type,
        e.c.object_id,
        e.c.org_id,
        e.c.case_id,
        sa.cast(e.c.before, sa.Text).label("before_text"),
        sa.cast(e.c.after, sa.Text).label("after_text"),
        e.c.reason,
    )


def _problem(row: Any) -> str | None:
    """What is wrong with one event itself (its link is the caller's to check): the stored
    record must hash to the event's hash, and the columns must be that record."""
    stored = row.canonical
    if stored is None or hashlib.sha256(stored).hexdigest() != row.hash:
        return CONTENT
    if record_of_columns(row) != bytes(stored):
        return RECORD
    return None


# The whole chain, on plain rows: spans of seq checked on their own (in parallel processes on
# PostgreSQL), their links at the boundaries checked when they are put together. ----------------


@dataclass(frozen=True)
class _Span:
    lo: int
    first_prev: str | None  # the first event's link, checked against the span before
    checked: int  # events in order that check out, before the first problem
    last_hash: str | None
    broken_seq: int | None = None
    problem: str | None = None


def _walk_span(rows: Any, lo: int, hi: int, same: Callable[[Any], str | None]) -> _Span:
    """Check the events ``lo``..``hi`` in order: none missing, each linked to the one before,
    each matching its hash and its record (``same``: the problem of one row, or None)."""
    expected, prev, first_prev, checked = lo, None, None, 0
    for row in rows:
        seq, prev_hash, digest = row[0], row[1], row[2]
        if seq != expected:
            return _Span(lo, first_prev, checked, prev, expected, f"event {expected} is missing")
        if prev is None:
            first_prev = prev_hash
        elif prev_hash != prev:
            return _Span(lo, first_prev, checked, prev, seq, LINK)
        problem = same(row)
        if problem is not None:
            return _Span(lo, first_prev, checked, prev, seq, problem)
        prev, expected, checked = digest, expected + 1, checked + 1
    if expected <= hi:
        return _Span(lo, first_prev, checked, prev, expected, f"event {expected} is missing")
    return _Span(lo, first_prev, checked, prev)


# PostgreSQL rebuilds each record from the columns itself (the same bytes record_of_columns
# makes: to_json escapes text as Python's json does), so a worker reads four columns and a flag.
_PG_RECORD = (
    "convert_to('{\"action\":' || coalesce(to_json(action)::text, 'null')"
    " || ',\"actor_id\":' || coalesce(actor_id::text, 'null')"
    " || ',\"actor_name\":' || coalesce(to_json(actor_name)::text, 'null')"
    " || ',\"actor_role\":' || coalesce(to_json(actor_role)::text, 'null')"
    " || ',\"after\":' || coalesce(after::text, 'null')"
    " || ',\"before\":' || coalesce(before::text, 'null')"
    " || ',\"case_id\":' || coalesce(case_id::text, 'null')"
    " || ',\"object_id\":' || coalesce(object_id::text, 'null')"
    " || ',\"object_type\":' || coalesce(to_json(object_type)::text, 'null')"
    ' || \',"occurred_at":"\' || to_char(occurred_at, \'YYYY-MM-DD"T"HH24:MI:SS.US"Z"\')'
    " || '\",\"org_id\":' || coalesce(org_id::text, 'null')"
    " || ',\"prev_hash\":' || coalesce(to_json(prev_hash)::text, 'null')"
    " || ',\"reason\":' || coalesce(to_json(reason)::text, 'null')"
    " || ',\"seq\":' || seq::text || '}', 'UTF8')"
)
_PG_SPAN = (
    f"SELECT seq, prev_hash, hash, canonical, canonical = {_PG_RECORD}"  # noqa: S608 (constants)
    " FROM audit_event WHERE seq BETWEEN %s AND %s ORDER BY seq"
)


def _pg_same(row: Any) -> str | None:
    stored = row[3]
    if stored is None or hashlib.sha256(stored).hexdigest() != row[2]:
        return CONTENT
    return None if row[4] else RECORD


def _pg_span(conn: Any, lo: int, hi: int, batch: int) -> _Span:
    """One span read with a server-side cursor on a psycopg connection."""
    with conn.cursor(name=f"audit_verify_{lo}", binary=True) as cur:
        cur.itersize = batch
        cur.execute(_PG_SPAN, (lo, hi))
        return _walk_span(cur, lo, hi, _pg_same)


_worker: dict[str, Any] = {}
VERIFY_WORKER = "oko audit verify"  # the workers' application_name in pg_stat_activity


def _pg_worker(job: tuple[str, int, int, int]) -> _Span:
    """A span in a worker process, on its own connection (opened once per process)."""
    import psycopg

    conninfo, lo, hi, batch = job
    conn = _worker.get(conninfo)
    if conn is None:
        conn = _worker[conninfo] = psycopg.connect(conninfo, application_name=VERIFY_WORKER)
    try:
        return _pg_span(conn, lo, hi, batch)
    finally:
        conn.rollback()


def _sql_spans(lo: int, hi: int, batch: int) -> Any:
    for start in range(lo, hi + 1, batch * 10):
        end = min(start + batch * 10 - 1, hi)
        rows = db.session.execute(
            sa.select(*_row_columns(_event))
            .where(_event.c.seq.between(start, end))
            .order_by(_event.c.seq)
        )
        yield from rows


def _combine(spans: Iterable[_Span]) -> VerifyResult:
    """Put checked spans together in order: each must start where the one before ended."""
    prev, checked = GENESIS_HASH, 0
    for span in spans:
        if span.first_prev is not None and span.first_prev != prev:
            return VerifyResult(checked, span.lo, LINK, prev)
        if span.broken_seq is not None:
            return VerifyResult(
                checked + span.checked, span.broken_seq, span.problem, span.last_hash or prev
            )
        checked += span.checked
        prev = span.last_hash or prev
    return VerifyResult(checked, head_hash=prev)


def verify(batch: int = 10_000, *, workers: int = 1, span: int = 125_000) -> VerifyResult:
    """Walk the whole chain; report the first event whose content, record or link does not
    check out. On PostgreSQL ``workers`` processes check spans of ``span`` events each (the
    caller must hold no state a forked process could break: a command-line process)."""
    top = int(db.session.scalar(sa.select(sa.func.max(AuditEvent.seq))) or 0)
    bounds = [(lo, min(lo + span - 1, top)) for lo in range(1, top + 1, span)]
    if db.session.get_bind().dialect.name != "postgresql":
        rows = _sql_spans(1, top, batch)
        return _combine([_walk_span(rows, 1, top, _problem)] if top else [])
    if workers <= 1 or len(bounds) <= 1:
        raw = db.session.connection().connection.driver_connection
        return _combine(_pg_span(raw, lo, hi, batch) for lo, hi in bounds)
    import multiprocessing

    url = db.session.get_bind().url.set(drivername="postgresql")
    conninfo = url.render_as_string(hide_password=False)
    db.session.rollback()
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        return _combine(pool.imap(_pg_worker, [(conninfo, lo, hi, batch) for lo, hi in bounds]))


# Checkpoints: the chain's head signed with a key kept outside the database -----------------------

CHECKPOINT_FORMAT = "oko-audit-checkpoint/1"


def head() -> tuple[int, str]:
    """The newest event's number and hash (0 and the genesis hash for an empty history)."""
    last = db.session.execute(
        sa.select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    return (int(last.seq), str(last.hash)) if last else (0, GENESIS_HASH)


def _signed_part(point: dict[str, Any]) -> bytes:
    content = {k: point[k] for k in ("format", "seq", "hash", "taken_at")}
    return json.dumps(content, sort_keys=True, separators=(",", ":")).encode()


def new_signing_key() -> tuple[bytes, str]:
    """A new Ed25519 key: its private part as PEM (to keep outside the database, readable by
    whoever takes checkpoints) and its public part in base64 (for the auditors)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return pem, _public_b64(key)


def _public_b64(key: Any) -> str:
    from cryptography.hazmat.primitives import serialization

    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def checkpoint(private_pem: bytes, now: datetime) -> dict[str, Any]:
    """A signed record of the chain's head, for an auditor to keep outside the system; refused
    (ValueError) when the chain does not verify, since it would vouch for a broken history."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = serialization.load_pem_private_key(private_pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("the checkpoint key must be an Ed25519 private key")
    result = verify()
    if not result.ok:
        raise ValueError(f"the chain is broken at event {result.broken_seq}: {result.problem}")
    seq, digest = head()
    point: dict[str, Any] = {
        "format": CHECKPOINT_FORMAT,
        "seq": seq,
        "hash": digest,
        "taken_at": _canonical_time(now),
        "public_key": _public_b64(key),
    }
    point["signature"] = base64.b64encode(key.sign(_signed_part(point))).decode()
    return point


def verify_against(
    point: dict[str, Any], public_key: str | None = None, *, workers: int = 1
) -> VerifyResult:
    """Walk the chain and compare it with a checkpoint taken earlier: the checkpoint must be
    signed by the key (the given public key, else the one it names), and the history must
    still hold its event with the same hash — a rewritten history (even with its hashes
    recomputed), a truncated one or a reordered one fails."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        if point.get("format") != CHECKPOINT_FORMAT:
            return VerifyResult(0, 0, "not a checkpoint of this system")
        key_b64 = public_key or str(point["public_key"])
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(key_b64))
        key.verify(base64.b64decode(str(point["signature"])), _signed_part(point))
        seq, digest = int(point["seq"]), str(point["hash"])
    except (InvalidSignature, KeyError, TypeError, ValueError):
        return VerifyResult(0, 0, "the checkpoint's signature does not check out")
    result = verify(workers=workers)
    if not result.ok:
        return result
    if result.checked < seq:
        return VerifyResult(
            result.checked,
            result.checked + 1,
            f"the history ends at event {result.checked}; the checkpoint saw {seq}",
        )
    held = db.session.scalar(sa.select(AuditEvent.hash).where(AuditEvent.seq == seq))
    if seq and held != digest:
        return VerifyResult(
            result.checked, seq, "the history up to the checkpoint has been rewritten"
        )
    return result


def case_events(case_id: int) -> list[AuditEvent]:
    """Every event of one case, oldest first."""
    return list(
        db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.case_id == case_id).order_by(AuditEvent.seq)
        )
    )


def _check_rows(rows: Sequence[Any]) -> VerifyResult:
    """Check events read with their predecessor's hash (``prev_actual``): each matches its hash
    and its record, and links to the event before it in the whole chain."""
    for checked, row in enumerate(rows):
        problem = _problem(row)
        if problem is None:
            expected = GENESIS_HASH if row.seq == 1 else row.prev_actual
            problem = None if row.prev_hash == expected else LINK
        if problem is not None:
            return VerifyResult(checked, row.seq, problem)
    return VerifyResult(len(rows))


def verify_case(case_id: int, events: Sequence[Any] | None = None) -> VerifyResult:
    """Check one case's events: each matches its hash and its record, and links to the event
    before it. Without ``events``, every event of the case. With ``events`` (those a page
    shows, with their ``seq``), those and every later one, and every one after the point up to
    which the background check has verified the whole chain: the earlier ones are vouched for
    by it (``vouched_seq``, ``vouched_at``), so a view costs what it shows, not the history's
    length. One statement, built once."""
    if events is None:
        shown: int | None = 0  # from the first event: earlier than any verified point
    else:
        shown = min((int(ev.seq) for ev in events), default=None)
    rows = db.session.execute(_CASE_CHAIN, {"case_id": case_id, "shown": shown}).all()
    events_rows = [row for row in rows if row.seq is not None]
    result = _check_rows(events_rows)
    head = rows[0] if rows else None
    if events is None or head is None or head.point_seq is None:
        return result
    return VerifyResult(
        result.checked,
        result.broken_seq,
        result.problem,
        vouched_seq=int(head.point_seq),
        vouched_at=head.point_at,
    )


def _case_chain_statement() -> sa.Select[Any]:
    """One case's events from ``shown`` (the oldest a page shows; none: only those after the
    verified point) or from the verified point if that is earlier, each beside the hash of the
    event before it in the whole chain, and the verified point on every row (on the one row
    there is when the case has no such events)."""
    e, p = _event.alias("e"), _event.alias("p")
    point = (
        sa.select(VerifiedUpTo.seq, VerifiedUpTo.verified_at)
        .where(VerifiedUpTo.scope == CHAIN)
        .subquery("point")
    )
    anchor = sa.select(sa.literal(1).label("one")).subquery("anchor")
    after_point = sa.func.coalesce(point.c.seq, 0) + 1
    shown = sa.bindparam("shown", type_=sa.BigInteger)
    start = sa.case((shown.is_(None), after_point), (after_point < shown, after_point), else_=shown)
    case_id = sa.bindparam("case_id", type_=sa.BigInteger)
    return (
        sa.select(
            point.c.seq.label("point_seq"),
            point.c.verified_at.label("point_at"),
            *_row_columns(e),
            p.c.hash.label("prev_actual"),
        )
        .select_from(
            anchor.outerjoin(point, sa.true())
            .outerjoin(e, sa.and_(e.c.case_id == case_id, e.c.seq >= start))
            .outerjoin(p, p.c.seq == e.c.seq - 1)
        )
        .order_by(e.c.seq)
    )


_CASE_CHAIN = _case_chain_statement()


def region_events_clause(region_id: int) -> sa.ColumnElement[bool]:
    """The events of one region: those of its organisations."""
    orgs = sa.select(Organisation.id).where(
        sa.or_(Organisation.id == region_id, Organisation.region_id == region_id)
    )
    return AuditEvent.org_id.in_(orgs)


def verify_region(region_id: int, batch: int = 5000) -> VerifyResult:
    """Check every event of one region: its own hash and record, and its link to the event
    before it in the whole chain (which may be another region's). Reports the region's count
    only. Plain rows, ``batch`` at a time."""
    e, p = _event.alias("e"), _event.alias("p")
    orgs = sa.select(Organisation.id).where(
        sa.or_(Organisation.id == region_id, Organisation.region_id == region_id)
    )
    checked, after = 0, 0
    while True:
        rows = db.session.execute(
            sa.select(*_row_columns(e), p.c.hash.label("prev_actual"))
            .select_from(e.outerjoin(p, p.c.seq == e.c.seq - 1))
            .where(e.c.org_id.in_(orgs), e.c.seq > after)
            .order_by(e.c.seq)
            .limit(batch)
        ).all()
        if not rows:
            return VerifyResult(checked)
        result = _check_rows(rows)
        if not result.ok:
            return VerifyResult(checked + result.checked, result.broken_seq, result.problem)
        checked += len(rows)
        after = rows[-1].seq


def verified_point(scope: str = CHAIN) -> VerifiedUpTo | None:
    """How far the background check has verified the chain, if it has run."""
    return db.session.get(VerifiedUpTo, scope)


def save_verified(result: VerifyResult, *, by: str, now: datetime | None = None) -> VerifiedUpTo:
    """Record a whole-chain walk: verified up to the last event before the first broken one
    (the walk's ``checked`` events, numbered from 1), and what broke, if anything."""
    point = db.session.get(VerifiedUpTo, CHAIN) or VerifiedUpTo(scope=CHAIN)
    point.seq, point.hash = result.checked, result.head_hash or GENESIS_HASH
    point.checked, point.verified_by = result.checked, by
    point.verified_at = now or utcnow()
    point.broken_seq, point.problem = result.broken_seq, result.problem
    db.session.add(point)
    db.session.flush()
    return point


# Guards: the ORM refuses to change history -----------------------------------------------------


def _refuse(*_args: Any) -> None:
    raise AuditTamperingRefused("history events are append-only")


def _refuse_bulk(state: ORMExecuteState) -> None:
    if (state.is_update or state.is_delete) and any(
        getattr(m, "class_", None) is AuditEvent for m in state.all_mappers
    ):
        raise AuditTamperingRefused("history events are append-only")


def install_guards() -> None:
    """Register the ORM listeners once per process."""
    if sa_event.contains(AuditEvent, "before_update", _refuse):
        return
    sa_event.listen(AuditEvent, "before_update", _refuse)
    sa_event.listen(AuditEvent, "before_delete", _refuse)
    sa_event.listen(Session, "do_orm_execute", _refuse_bulk)
    sa_event.listen(Session, "after_transaction_end", _forget_head)
