"""Every periodic job, in one list, and the one scheduler process that runs them.

Run it as its own process (`flask scheduler run`), never inside web workers, which would run
every job once per worker. Every job is an idempotent sweep: two schedulers started by mistake,
a manual rerun or a catch-up after a restart repeat nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask, current_app

from app.documents.cleanup import clean_store
from app.extensions import db
from app.jobs.chaincheck import run_queued_checks, verify_whole_chain
from app.models.types import utcnow
from app.models.vpr import VprImport
from app.notices.digest import send_digests
from app.notices.mail import deliver_pending
from app.notices.sweep import sweep
from app.vpr.importer import run_job
from app.workflows.clock import zone

log = logging.getLogger(__name__)


def sweep_and_deliver() -> None:
    """Create today's notices, commit, then send their e-mails."""
    sweep()
    db.session.commit()
    deliver_pending()


def deliver() -> None:
    """Send whatever the outbox holds (e-mails of earlier sweeps, digests)."""
    deliver_pending()


def digest() -> None:
    """Queue and send the daily digests."""
    send_digests()
    db.session.commit()
    deliver_pending()


def clean_contents() -> None:
    """Remove the store's unreferenced contents and stale temporary files (it only reads the
    database)."""
    clean_store()
    db.session.rollback()


def abandoned_imports() -> None:
    """Finish VPR imports that a web process queued but did not run (it stopped meanwhile)."""
    stale = utcnow() - timedelta(minutes=2)
    ids = list(
        db.session.scalars(
            sa.select(VprImport.id).where(
                VprImport.status == "queued", VprImport.created_at < stale
            )
        )
    )
    db.session.rollback()
    for job_id in ids:
        run_job(current_app._get_current_object(), job_id)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Job:
    id: str
    func: Callable[[], None]
    trigger: Callable[[Any, Mapping[str, Any]], Any]  # (time zone, settings) → APScheduler trigger
    at_start: bool = False  # also run once at start-up: catch up after a restart


JOBS = (
    Job(
        "sweep",
        sweep_and_deliver,
        lambda tz, _cfg: CronTrigger(hour="7-20", minute=5, timezone=tz),
        at_start=True,
    ),
    Job("deliver", deliver, lambda tz, _cfg: IntervalTrigger(minutes=1, timezone=tz)),
    Job(
        "digest",
        digest,
        lambda tz, cfg: CronTrigger(hour=cfg["OKO_DIGEST_HOUR"], minute=0, timezone=tz),
    ),
    Job(
        "chain_checks",
        run_queued_checks,
        lambda tz, _cfg: IntervalTrigger(minutes=1, timezone=tz),
    ),
    Job(
        "chain_verify",
        verify_whole_chain,
        lambda tz, _cfg: IntervalTrigger(minutes=10, timezone=tz),
    ),
    Job(
        "clean_store",
        clean_contents,
        lambda tz, _cfg: CronTrigger(hour=3, minute=30, timezone=tz),
    ),
    Job(
        "abandoned_imports",
        abandoned_imports,
        lambda tz, _cfg: IntervalTrigger(minutes=1, timezone=tz),
    ),
)


def _in_app_context(app: Flask, job: Job) -> Callable[[], None]:
    def run() -> None:
        with app.app_context():
            try:
                job.func()
            except Exception:
                db.session.rollback()
                log.exception("job %s failed", job.id)
                raise
            finally:
                db.session.remove()

    return run


def build_scheduler(app: Flask) -> BlockingScheduler:
    """A blocking scheduler with every job of JOBS."""
    tz = zone()
    scheduler = BlockingScheduler(
        timezone=tz, job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}
    )
    for job in JOBS:
        scheduler.add_job(
            _in_app_context(app, job), job.trigger(tz, app.config), id=job.id, name=job.id
        )
    return scheduler


def run(app: Flask) -> None:
    """Catch up, then run the jobs until stopped."""
    for job in JOBS:
        if job.at_start:
            _in_app_context(app, job)()
    scheduler = build_scheduler(app)
    log.info("scheduler started with jobs: %s", ", ".join(j.id for j in JOBS))
    scheduler.start()
