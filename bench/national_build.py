"""Build the national dataset into a fresh PostgreSQL database: the schema by the project's
migrations, the production calendar by the app's own loader, everything else planned in memory
and written with COPY (psycopg 3)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import date
from typing import Any

import psycopg
from werkzeug.security import generate_password_hash

from app.models.user import PASSWORD_METHOD
from app.workflows.calendar import WorkingCalendar, production_calendar_exceptions
from app.workflows.clock import local_date
from app.workflows.due import default_dates
from bench import national_cases as nc
from bench.national import (
    PASSWORD,
    YEARS,
    Directory,
    as_json,
    build_directory,
    copy_rows,
    naive,
    plan_people,
    reset_sequences,
    write_directory,
)
from bench.national_docs import Acts, Documents, sha_of
from bench.national_history import pad_history, plan_notifications, write_history
from bench.national_walk import Walker

VERSIONS = 100_000
CALENDAR_YEARS = range(2023, 2029)
SEQUENCED = (
    "organisation",
    "user_account",
    "campaign",
    "campaign_deadline",
    "school_case",
    "case_stage",
    "obligation",
    "document",
    "document_version",
    "notification",
)


def _timed(label: str, timings: dict[str, float], work: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    result = work()
    timings[label] = time.perf_counter() - started
    print(f"  {label:<34} {timings[label]:7.1f} s", flush=True)
    return result


def plan(seed: int) -> tuple[Directory, list[Any], list[nc.PlannedCase], Walker, list[Any]]:
    """Everything in memory: directory, cases walked through their workflows, history."""
    rng = random.Random(seed)
    directory, org_rows = build_directory(rng)
    plan_people(directory, rng)
    _campaign_ids(directory)
    lists = nc.flag_lists(directory, rng)
    cases = nc.plan_cases(directory, lists, rng)
    flagged = {(s.id, category, year) for year, rows in lists.items() for s, category in rows}
    orders = nc.order_states(directory, rng)
    nc.plan_paths(cases, flagged, orders, rng)
    exceptions = {
        day: working
        for year in CALENDAR_YEARS
        for day, (working, _name) in production_calendar_exceptions(year).items()
    }
    walker = Walker(
        directory,
        WorkingCalendar(exceptions),
        {y: default_dates(y) for y in YEARS},
        rng,
        Acts(rng),
        Documents(rng),
    )
    walker.acts.plan(walker, cases, orders)
    for case in cases:
        walker.walk(case)
    past = [c for c in cases if c.year < YEARS[-1]]
    walker.documents.generate(walker, past, VERSIONS - len(walker.documents.versions))
    pad_history(walker, cases, rng)
    return directory, org_rows, cases, walker, plan_notifications(walker, rng)


def _campaign_ids(directory: Directory) -> None:
    """The ids write_directory() will give the campaigns (region by region, year by year)."""
    for rid in directory.region_names:
        for year in YEARS:
            directory.campaigns[(rid, year)] = len(directory.campaigns) + 1


def write_all(url: str, planned: tuple[Any, ...]) -> dict[str, int]:
    """COPY every planned row; one transaction."""
    directory, org_rows, cases, walker, notices = planned
    password_hash = generate_password_hash(PASSWORD, method=PASSWORD_METHOD)
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        cur.execute("SET synchronous_commit = off")
        counts = write_directory(cur, directory, org_rows, password_hash)
        counts["school_case"] = _write_cases(cur, cases)
        counts["case_stage"] = _write_stages(cur, walker)
        counts["document"] = copy_rows(
            cur,
            "document",
            (
                "id",
                "owner_org_id",
                "case_id",
                "campaign_id",
                "obligation_type",
                "kind",
                "generated",
                "created_at",
                "created_by_id",
            ),
            ((*row[:7], naive(row[7]), row[8]) for row in walker.documents.rows),
        )
        counts["obligation"] = _write_obligations(cur, walker)
        counts["document_version"] = _write_versions(cur, walker)
        counts["notification"] = copy_rows(
            cur,
            "notification",
            (
                "id",
                "user_id",
                "kind",
                "case_id",
                "obligation_id",
                "params",
                "created_at",
                "read_at",
                "email_status",
                "email_attempted_at",
                "emailed_at",
            ),
            notices,
        )
        counts["audit_event"] = write_history(cur, walker.events, directory.people)
        reset_sequences(cur, SEQUENCED)
    return counts


def _write_cases(cur: Any, cases: list[nc.PlannedCase]) -> int:
    return copy_rows(
        cur,
        "school_case",
        (
            "id",
            "campaign_id",
            "school_id",
            "municipality_id",
            "category",
            "workflow",
            "stage",
            "status",
            "support_level",
            "markers",
            "marker_count",
            "years_on_list",
            "contract_review",
            "stage_entered_at",
            "created_at",
            "updated_at",
            "updated_by_id",
            "version",
        ),
        (
            (
                c.id,
                c.campaign_id,
                c.school.id,
                c.school.municipality_id,
                c.category,
                c.workflow.ref,
                c.stage,
                c.status,
                c.support_level,
                as_json(c.markers),
                sum(c.markers.values()),
                c.years_on_list,
                c.contract_review,
                naive(c.visits[-1].entered),
                naive(c.steps[0].at),
                naive(c.updated_at or c.steps[0].at),
                c.updated_by,
                c.version,
            )
            for c in cases
        ),
    )


def _write_stages(cur: Any, walker: Walker) -> int:
    return copy_rows(
        cur,
        "case_stage",
        ("id", "case_id", "stage", "entered_at", "left_at", "entered_by_id", "reason"),
        (
            (
                v.id,
                v.case_id,
                v.stage,
                naive(v.entered),
                naive(v.left) if v.left else None,
                v.by,
                v.reason,
            )
            for v in walker.visits
        ),
    )


def _local(moment: Any) -> date | None:
    return local_date(moment) if moment else None


def _write_obligations(cur: Any, walker: Walker) -> int:
    return copy_rows(
        cur,
        "obligation",
        (
            "id",
            "case_id",
            "stage_visit_id",
            "stage",
            "obligation_type",
            "level",
            "responsible_org_id",
            "responsible_user_id",
            "reviewer_role",
            "document_types",
            "required",
            "due_rule",
            "due_date",
            "status",
            "submitted_at",
            "completed_at",
            "completed_on",
            "comment",
            "document_id",
            "created_at",
            "updated_at",
            "updated_by_id",
            "version",
        ),
        (
            (
                o.id,
                o.case.id,
                o.visit.id,
                o.visit.stage,
                o.spec.key,
                o.spec.level.value,
                o.responsible_org,
                o.responsible_user,
                o.spec.reviewer.value if o.spec.reviewer else None,
                as_json(list(o.spec.documents)),
                o.spec.required,
                o.spec.due.encode(),
                o.due,
                o.status,
                naive(o.submitted_at) if o.submitted_at else None,
                naive(o.completed_at) if o.completed_at else None,
                _local(o.completed_at),
                o.comment,
                o.document_id,
                naive(o.visit.entered),
                naive(o.updated_at or o.visit.entered),
                o.updated_by,
                o.version,
            )
            for o in walker.obligations
        ),
    )


def _write_versions(cur: Any, walker: Walker) -> int:
    return copy_rows(
        cur,
        "document_version",
        (
            "id",
            "document_id",
            "number",
            "sha256",
            "size",
            "mime",
            "filename",
            "uploaded_at",
            "uploaded_by_id",
            "template_key",
            "template_version",
            "review_status",
            "review_comment",
            "reviewed_at",
            "reviewed_by_id",
        ),
        (
            (
                v.id,
                v.document_id,
                v.number,
                sha_of(v.document_id, v.number),
                v.size,
                v.mime,
                v.filename,
                naive(v.uploaded_at),
                v.uploaded_by,
                v.template_key,
                1 if v.template_key else None,
                v.review_status,
                v.review_comment,
                naive(v.reviewed_at) if v.reviewed_at else None,
                v.reviewed_by,
            )
            for v in walker.documents.versions
        ),
    )


def build(url: str, seed: int, timings: dict[str, float]) -> dict[str, int]:
    """Plan and write the dataset; the schema must already be migrated."""
    planned = _timed("plan in memory", timings, lambda: plan(seed))
    counts = _timed("write with COPY", timings, lambda: write_all(url, planned))
    with psycopg.connect(url, autocommit=True) as conn:
        _timed("vacuum analyze", timings, lambda: conn.execute("VACUUM ANALYZE"))
    return counts
