"""Verifying the history in the background, never inside a request.

A region's history: asked for on *История*, run by the scheduler's ``chain_checks`` job within a
minute, its result shown on the page. The whole chain: walked by the ``chain_verify`` job every
few minutes, which records how far it verifies (``audit_verified``); a view then re-checks only
the events after that point and those it shows, and a break is logged and kept with the point
(which stays before it, so every later event of a case is re-checked on its page)."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import Flask, current_app

from app import audit
from app.extensions import db
from app.models.chaincheck import ChainCheck
from app.models.types import utcnow
from app.models.user import User

log = logging.getLogger(__name__)


def request_check(region_id: int, *, actor: User) -> ChainCheck:
    """Queue a verification of the region's history (one at a time: a queued or running one
    is returned as it is)."""
    pending = db.session.scalars(
        sa.select(ChainCheck).where(
            ChainCheck.region_id == region_id, ChainCheck.status.in_(("queued", "running"))
        )
    ).first()
    if pending is not None:
        return pending
    check = ChainCheck(region_id=region_id, requested_by_id=actor.id, status="queued")
    db.session.add(check)
    db.session.flush()
    return check


def latest_check(region_id: int) -> ChainCheck | None:
    """The region's newest verification, if any."""
    return db.session.scalars(
        sa.select(ChainCheck)
        .where(ChainCheck.region_id == region_id)
        .order_by(ChainCheck.id.desc())
        .limit(1)
    ).first()


def run_check(app: Flask, check_id: int) -> None:
    """Run one queued verification in its own application context and transaction."""
    with app.app_context():
        try:
            claimed = db.session.execute(
                sa.update(ChainCheck)
                .where(ChainCheck.id == check_id, ChainCheck.status == "queued")
                .values(status="running")
            ).rowcount
            db.session.commit()
            if not claimed:
                return
            check = db.session.get(ChainCheck, check_id)
            assert check is not None
            result = audit.verify_region(check.region_id)
            check.checked, check.broken_seq = result.checked, result.broken_seq
            check.problem = result.problem
            check.status, check.finished_at = "done", utcnow()
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("chain check %s failed", check_id)
            db.session.execute(
                sa.update(ChainCheck).where(ChainCheck.id == check_id).values(status="failed")
            )
            db.session.commit()
        finally:
            db.session.remove()


def run_queued_checks() -> None:
    """Run every queued verification (the scheduler, each minute)."""
    ids = list(
        db.session.scalars(
            sa.select(ChainCheck.id).where(ChainCheck.status == "queued").order_by(ChainCheck.id)
        )
    )
    db.session.rollback()
    for check_id in ids:
        run_check(current_app._get_current_object(), check_id)  # type: ignore[attr-defined]


WHOLE_CHAIN_JOB = "scheduler: chain_verify"


def verify_whole_chain() -> None:
    """Walk the whole chain and record how far it verifies (the scheduler's ``chain_verify``)."""
    result = audit.verify()
    point = audit.save_verified(result, by=WHOLE_CHAIN_JOB)
    db.session.commit()
    if result.ok:
        log.info("history chain verified: %s events", point.checked)
    else:
        log.error(
            "history chain BROKEN at event %s: %s (%s events before it check out)",
            result.broken_seq,
            result.problem,
            result.checked,
        )
