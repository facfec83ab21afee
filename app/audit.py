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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy.orm import ORMExecuteState, Session

from app.extensions import db
from app.models.audit import GENESIS_HASH, AuditEvent
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


def event_digest(ev: AuditEvent) -> str:
    """SHA-256 over the event's content and its predecessor's hash."""
    content = {
        "seq": ev.seq,
        "occurred_at": _canonical_time(ev.occurred_at),
        "actor_id": ev.actor_id,
        "actor_name": ev.actor_name,
        "actor_role": ev.actor_role,
        "action": ev.action,
        "object_type": ev.object_type,
        "object_id": ev.object_id,
        "org_id": ev.org_id,
        "case_id": ev.case_id,
        "before": ev.before,
        "after": ev.after,
        "reason": ev.reason,
        "prev_hash": ev.prev_hash,
    }
    blob = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


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
    session.flush()
    _lock_chain(session)
    last = session.execute(
        sa.select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    ev = AuditEvent(
        seq=(last.seq + 1) if last else 1,
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
        prev_hash=last.hash if last else GENESIS_HASH,
    )
    ev.hash = event_digest(ev)
    session.add(ev)
    session.flush()
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
    checked: int
    broken_seq: int | None = None
    problem: str | None = None

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


def verify(batch: int = 5000) -> VerifyResult:
    """Walk the whole chain; report the first event whose content or link does not check out."""
    stmt = sa.select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=batch)
    prev_hash, expected_seq, checked = GENESIS_HASH, 1, 0
    events = db.session.scalars(stmt)
    try:
        for ev in events:
            if ev.seq != expected_seq:
                return VerifyResult(checked, expected_seq, f"event {expected_seq} is missing")
            if ev.prev_hash != prev_hash:
                return VerifyResult(checked, ev.seq, "link to the previous event does not match")
            if event_digest(ev) != ev.hash:
                return VerifyResult(checked, ev.seq, "content does not match its hash")
            prev_hash, expected_seq, checked = ev.hash, expected_seq + 1, checked + 1
            db.session.expunge(ev)  # keep memory flat over millions of events
    finally:
        events.close()
    return VerifyResult(checked)


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


def verify_against(point: dict[str, Any], public_key: str | None = None) -> VerifyResult:
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
    result = verify()
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


def verify_case(case_id: int, events: Sequence[AuditEvent] | None = None) -> VerifyResult:
    """Check every event of one case: its own hash, and its link to the event before it.
    ``events``: the case's events, oldest first, when the caller has them loaded already."""
    if events is None:
        events = case_events(case_id)
    previous = dict(
        db.session.execute(
            sa.select(AuditEvent.seq, AuditEvent.hash).where(
                AuditEvent.seq.in_([ev.seq - 1 for ev in events])
            )
        )
        .tuples()
        .all()
    )
    for checked, ev in enumerate(events):
        if event_digest(ev) != ev.hash:
            return VerifyResult(checked, ev.seq, "content does not match its hash")
        if previous.get(ev.seq - 1, GENESIS_HASH) != ev.prev_hash:
            return VerifyResult(checked, ev.seq, "link to the previous event does not match")
    return VerifyResult(len(events))


def region_events_clause(region_id: int) -> sa.ColumnElement[bool]:
    """The events of one region: those of its organisations."""
    orgs = sa.select(Organisation.id).where(
        sa.or_(Organisation.id == region_id, Organisation.region_id == region_id)
    )
    return AuditEvent.org_id.in_(orgs)


def verify_region(region_id: int, batch: int = 2000) -> VerifyResult:
    """Check every event of one region: its own hash, and its link to the event before it in
    the whole chain (which may be another region's). Reports the region's count only."""
    checked, after = 0, 0
    while True:
        events = list(
            db.session.scalars(
                sa.select(AuditEvent)
                .where(region_events_clause(region_id), AuditEvent.seq > after)
                .order_by(AuditEvent.seq)
                .limit(batch)
            )
        )
        if not events:
            return VerifyResult(checked)
        result = verify_case(0, events)
        if not result.ok:
            return VerifyResult(checked + result.checked, result.broken_seq, result.problem)
        checked += len(events)
        after = events[-1].seq
        for ev in events:
            db.session.expunge(ev)


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
