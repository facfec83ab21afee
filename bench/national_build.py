"""Build the national dataset into a fresh PostgreSQL database: the schema by the project's
migrations, the production calendar by the app's own loader, everything else (campaign plans
included) planned in memory and written with COPY (psycopg 3), at a scale of the country
(``Size``)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import date
from typing import Any

import psycopg
from werkzeug.security import generate_password_hash

from app.models.user import PASSWORD_METHOD
from app.plans.calendar import WorkingCalendar, production_calendar_exceptions
from app.workflows.clock import local_date
from bench import national_cases as nc
from bench.national import (
    PASSWORD,
    YEARS,
    Directory,
    Size,
    as_json,
    build_directory,
    copy_rows,
    naive,
    plan_campaigns,
    plan_events,
    plan_people,
    reset_sequences,
    write_directory,
)
from bench.national_docs import Acts, Documents, sha_of
from bench.national_history import pad_history, plan_notifications, write_history
from bench.national_walk import Walker

CALENDAR_YEARS = range(2023, 2029)
SEQUENCED = (
    "organisation",
    "user_account",
    "campaign",
    "campaign_plan",
    "plan_measure",
    "plan_version",
    "school_case",
    "case_stage",
    "obligation",
    "mentorship",
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


def plan(
    seed: int, size: Size | None = None
) -> tuple[Directory, list[Any], list[nc.PlannedCase], Walker, list[Any]]:
    """Everything in memory: directory, campaigns and their plans, cases walked through their
    plans, history."""
    size = size or Size()
    rng = random.Random(seed)
    directory, org_rows = build_directory(rng, size)
    plan_people(directory, rng)
    plan_campaigns(directory)
    lists = nc.flag_lists(directory, rng, size.cases_per_year)
    cases = nc.plan_cases(directory, lists, rng)
    flagged = {(s.id, category, year) for year, rows in lists.items() for s, category in rows}
    orders = nc.order_states(directory, rng)
    nc.plan_paths(cases, flagged, rng)
    exceptions = {
        day: working
        for year in CALENDAR_YEARS
        for day, (working, _name) in production_calendar_exceptions(year).items()
    }
    walker = Walker(directory, WorkingCalendar(exceptions), rng, Acts(rng), Documents(rng))
    walker.events.extend(plan_events(directory))
    for case in cases:
        walker.open(case)
    walker.acts.plan(walker, cases, orders)
    for case in cases:
        walker.walk(case)
    past = [c for c in cases if c.year < YEARS[-1]]
    walker.documents.generate(walker, past, size.versions - len(walker.documents.versions))
    pad_history(walker, cases, rng, size.events)
    return directory, org_rows, cases, walker, plan_notifications(walker, rng)


def write_all(url: str, planned: tuple[Any, ...]) -> dict[str, int]:
    """COPY every planned row; one transaction."""
    directory, org_rows, cases, walker, notices = planned
    password_hash = generate_password_hash(PASSWORD, method=PASSWORD_METHOD)
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        cur.execute("SET synchronous_commit = off")
        counts = write_directory(cur, directory, org_rows, password_hash)
        counts["school_case"] = _write_cases(cur, cases)
        counts["case_stage"] = _write_stages(cur, walker)
        counts["mentorship"] = copy_rows(
            cur,
            "mentorship",
            ("id", "case_id", "leader_school_id", "assigned_at", "assigned_by_id"),
            ((*row[:3], naive(row[3]), row[4]) for row in walker.mentorships),
        )
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
            "stage",
            "status",
            "support_level",
            "markers",
            "marker_count",
            "years_on_list",
            "contract_review",
            "opened_on",
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
                c.stage,
                c.status,
                c.support_level,
                as_json(c.markers),
                sum(c.markers.values()),
                c.years_on_list,
                c.contract_review,
                c.opened_on,
                naive(c.stays[-1].entered),
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
            for v in walker.stays
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
            "measure_id",
            "period",
            "stage",
            "obligation_type",
            "takes",
            "level",
            "responsible_org_id",
            "responsible_user_id",
            "reviewer_level",
            "reviewer_org_id",
            "document_types",
            "required",
            "opened_on",
            "due_date",
            "due_inclusive",
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
                o.measure.id,
                o.period,
                o.stage,
                o.key,
                o.measure.takes,
                o.level,
                o.responsible_org,
                o.responsible_user,
                o.reviewer,
                walker.org_of(o.case, o.reviewer) if o.reviewer else None,
                as_json(o.document_types),
                o.required,
                o.opened_on,
                o.due,
                o.measure.inclusive,
                o.status,
                naive(o.submitted_at) if o.submitted_at else None,
                naive(o.completed_at) if o.completed_at else None,
                _local(o.completed_at),
                o.comment,
                o.document_id,
                naive(o.created),
                naive(o.updated_at or o.created),
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


def build(
    url: str, seed: int, timings: dict[str, float], size: Size | None = None
) -> dict[str, int]:
    """Plan and write the dataset; the schema must already be migrated."""
    planned = _timed("plan in memory", timings, lambda: plan(seed, size))
    counts = _timed("write with COPY", timings, lambda: write_all(url, planned))
    with psycopg.connect(url, autocommit=True) as conn:
        _timed("vacuum analyze", timings, lambda: conn.execute("VACUUM ANALYZE"))
    return counts
