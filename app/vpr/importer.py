"""Importing VPR result files: all or nothing, unknown schools created and reported, a
re-imported (year, subject, grade, school) replaces the earlier data."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app
from flask_babel import gettext as _

from app import audit
from app.analytics.spec import SpecError, TestSpec, parse_specs
from app.analytics.vpr import read_vpr
from app.documents import storage
from app.extensions import db
from app.models.org import Organisation, OrgKind
from app.models.types import utcnow
from app.models.user import User
from app.models.vpr import VprImport
from app.orgs import service as orgs
from app.tabular import Problem
from app.vpr import store

log = logging.getLogger(__name__)
Progress = Callable[[int, str], None]


@dataclass
class ImportOutcome:
    ok: bool = False
    problems: list[Problem] = field(default_factory=list)
    rows: int = 0
    works: int = 0
    replaced: int = 0
    new_schools: list[dict[str, str]] = field(default_factory=list)

    def as_report(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "rows": self.rows,
            "works": self.works,
            "replaced": self.replaced,
            "new_schools": self.new_schools,
            "problems": [
                {"row": p.row, "column": p.column, "message": p.message} for p in self.problems
            ],
        }


def read_specs(data: bytes) -> list[TestSpec]:
    """Parse and store test specifications (§2); SpecError names each problem."""
    specs = parse_specs(data)
    store.save_specs(specs)
    return specs


def _region_logins(region: Organisation) -> dict[str, int]:
    rows = db.session.execute(
        sa.select(Organisation.login, Organisation.id).where(
            Organisation.kind == OrgKind.SCHOOL, Organisation.region_id == region.id
        )
    )
    return {login: oid for login, oid in rows if login}


def _create_schools(
    new: list[dict[str, str]],
    region: Organisation,
    actor: User | None,
    logins: dict[str, int],
    outcome: ImportOutcome,
) -> None:
    foreign = orgs.schools_by_login({s["login"] for s in new})
    for login in foreign:
        outcome.problems.append(
            Problem(
                None, "Логин ОО", _("The school %(login)s belongs to another region.", login=login)
            )
        )
    if foreign:
        return
    municipalities = orgs.municipalities_by_name(region)
    for school in new:
        key = orgs.normalise_name(school["municipality"]).lower()
        if key not in municipalities:
            municipalities[key] = orgs.create_municipality(
                region, school["municipality"], actor=actor
            )
        created = orgs.create_school(
            municipalities[key], school["login"], {"name": school["name"]}, actor=actor
        )
        logins[school["login"]] = created.id
        outcome.new_schools.append(school)


def import_results(
    data: bytes, *, region: Organisation, actor: User | None, progress: Progress | None = None
) -> ImportOutcome:
    """Validate the whole file against the stored specs, then write it in this transaction."""
    report = progress or (lambda _pct, _msg: None)
    outcome = ImportOutcome()
    specs = store.load_specs()
    if not specs:
        outcome.problems.append(Problem(None, None, _("Import the test specifications first.")))
        return outcome
    logins = _region_logins(region)
    report(5, _("Checking the file"))
    result = read_vpr(data, specs, known_schools=logins)
    if not result.ok:
        outcome.problems = list(result.problems)
        return outcome
    _create_schools(list(result.new_schools), region, actor, logins, outcome)
    if outcome.problems:
        return outcome
    report(40, _("Writing the results"))
    by_key = store.specs_by_key(specs)
    rows = store.to_rows(result.frame, by_key, logins)
    outcome.replaced = store.delete_works(result.works, logins)
    total = max(len(rows), 1)
    store.insert_rows(
        rows, lambda done: report(40 + int(55 * done / total), _("Writing the results"))
    )
    outcome.ok, outcome.rows, outcome.works = True, len(rows), len(result.works)
    audit.record(
        "vpr.imported",
        actor=actor,
        object_type="region",
        object_id=region.id,
        org_id=region.id,
        after={
            "rows": outcome.rows,
            "works": outcome.works,
            "replaced": outcome.replaced,
            "new_schools": [s["login"] for s in outcome.new_schools],
        },
    )
    return outcome


def queue_import(data: bytes, filename: str, *, region: Organisation, actor: User) -> VprImport:
    """Keep the file in the document store and record a queued import job."""
    sha = storage.store().put(data)
    job = VprImport(
        region_id=region.id,
        filename=filename[:200],
        sha256=sha,
        size=len(data),
        status="queued",
        created_by_id=actor.id,
    )
    db.session.add(job)
    db.session.flush()
    return job


def _set_status(app: Flask, job_id: int, **values: Any) -> None:
    """Write job progress in its own short transaction so that the page can follow it."""
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(sa.update(VprImport).where(VprImport.id == job_id).values(**values))


# Progress of the jobs running in this process, for the status endpoint; other processes read
# the job row, which is updated too where the database allows a second writer.
LIVE: dict[int, tuple[int, str]] = {}


def live_progress(job: VprImport) -> tuple[int, str | None]:
    """The freshest progress known for a job: this process's own, else the stored one."""
    if job.status == "running" and job.id in LIVE:
        return LIVE[job.id]
    return job.progress, job.message


def run_job(app: Flask, job_id: int) -> None:
    """Process one queued import (in a worker thread or the scheduler)."""
    # SQLite has a single writer: once the import holds it, progress stays in memory only.
    sqlite = app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
    _set_status(app, job_id, status="running", started_at=utcnow(), progress=1)

    def progress(pct: int, message: str) -> None:
        LIVE[job_id] = (pct, message)
        if not sqlite:
            _set_status(app, job_id, progress=pct, message=message)

    with app.app_context():
        job = db.session.get(VprImport, job_id)
        assert job is not None
        region, actor = db.session.get(Organisation, job.region_id), job.created_by
        assert region is not None
        try:
            outcome = import_results(
                storage.store().get(job.sha256), region=region, actor=actor, progress=progress
            )
        except Exception:
            db.session.rollback()
            log.exception("VPR import %s failed", job_id)
            LIVE.pop(job_id, None)
            _set_status(
                app,
                job_id,
                status="failed",
                message=_("The import failed; see the log."),
                finished_at=utcnow(),
            )
            return
        if outcome.ok:
            db.session.commit()
        else:
            db.session.rollback()
    _set_status(
        app,
        job_id,
        status="done" if outcome.ok else "failed",
        progress=100,
        rows=outcome.rows,
        works=outcome.works,
        report=outcome.as_report(),
        message=None,
        finished_at=utcnow(),
    )
    LIVE.pop(job_id, None)


def start_job(job_id: int) -> None:
    """Run the job in a background thread of this process (the page polls its progress)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    threading.Thread(
        target=run_job, args=(app, job_id), daemon=True, name=f"vpr-import-{job_id}"
    ).start()


__all__ = [
    "ImportOutcome",
    "SpecError",
    "import_results",
    "queue_import",
    "read_specs",
    "run_job",
    "start_job",
]
