"""The deadline sweep on the national dataset, side by side with its floor, in one run.

On a copy of the dataset `bench/load.py` built (its notification log is empty: the first sweep
sends every notice due as of the moment, the dataset's own "now" by default; the notices the
dataset already holds are not in the log and are left alone), it runs the sweep twice, each
committed as the scheduler would: the first sweep, then a repeated one that finds everything
claimed and sends nothing. For each it prints the wall time, the CPU time of this process and
of its PostgreSQL backend (read from /proc: the server runs on this machine), the SQL
statements and the notices. The floor, measured right after on the same rows: the bare SELECT
of the due obligations as plain rows, plus an INSERT … SELECT of exactly the log rows and
notices the first sweep wrote (into temporary copies of the two tables, indexes included) —
for the repeat, the SELECT plus the same log rows inserted again with ON CONFLICT DO NOTHING.
At the end what the sweeps wrote is deleted again, so that the copy can be reused.

Make the copy first, never run it on `oko_bench` itself:
    psql -h 127.0.0.1 -U postgres -d postgres -c 'CREATE DATABASE oko_bench_sweep TEMPLATE oko_bench'
    .venv/bin/python bench/sweep.py [--db oko_bench_sweep] [--now 2026-11-22T06:00]
        [--app-root PATH]   # another checkout's app (e.g. main's, for the "before" column)
        [--dump FILE]       # what the first sweep wrote, to compare two checkouts' sweeps
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Cost:
    wall: float
    cpu: float  # this process
    server: float  # the PostgreSQL backend
    statements: int


class Meter:
    """Wall, client CPU, server CPU and statements of a block."""

    def __init__(self, db: Any, sa: Any) -> None:
        self.db, self.sa = db, sa
        self.statements = 0
        sa.event.listen(db.engine, "before_cursor_execute", self._count)

    def _count(self, *_args: Any) -> None:
        self.statements += 1

    def server_cpu(self) -> float:
        pid = self.db.session.scalar(self.sa.text("SELECT pg_backend_pid()"))
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def measure(self, work: Any) -> tuple[Any, Cost]:
        server = self.server_cpu()
        self.statements, cpu, wall = 0, time.process_time(), time.perf_counter()
        result = work()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        statements = self.statements
        return result, Cost(wall, cpu, self.server_cpu() - server, statements)


# The sweep's reading, bare: the due obligations of open cases with what recipients need.
DUE_ROWS = """
        SELECT o.id, o.case_id, o.measure_id, o.period, o.obligation_type, o.level,
               o.responsible_org_id, o.responsible_user_id, o.due_date, o.due_inclusive,
               c.municipality_id, k.region_id, r.timezone, m.scope
        FROM obligation o JOIN school_case c ON c.id = o.case_id
        JOIN campaign k ON k.id = c.campaign_id JOIN plan_measure m ON m.id = o.measure_id
        LEFT JOIN organisation r ON r.id = k.region_id
        WHERE o.status IN ('open', 'returned') AND o.due_date IS NOT NULL
          AND o.due_date <= CAST(:latest AS date) + 24 AND c.status = 'open'
        ORDER BY o.due_date, o.id"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--pg", default=os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
    )
    parser.add_argument("--db", default="oko_bench_sweep")
    parser.add_argument("--now", default="2026-11-22T06:00", help="the sweep's moment, UTC")
    parser.add_argument("--app-root", type=Path, default=ROOT, help="whose app to run")
    parser.add_argument(
        "--dump", type=Path, help="write what the first sweep wrote here (JSON lines, sorted)"
    )
    args = parser.parse_args()
    if args.db == "oko_bench":
        parser.error("run it on a copy of oko_bench, not on the dataset itself")
    sys.path.insert(0, str(args.app_root.resolve()))
    os.environ.setdefault("SECRET_KEY", "oko-sweep-bench-secret-key-0123456789abcdef")
    os.environ.update(OKO_ENV="production", OKO_HTTPS="false")

    import sqlalchemy as sa

    from app import create_app
    from app.extensions import db
    from app.notices.sweep import sweep

    now = datetime.fromisoformat(args.now).replace(tzinfo=UTC)
    sa_url = f"{args.pg.replace('postgresql://', 'postgresql+psycopg://', 1)}/{args.db}"
    # One connection: every transaction on the same backend, whose CPU time is read.
    engine = {"pool_pre_ping": True, "pool_size": 1, "max_overflow": 0}
    app = create_app({"SQLALCHEMY_DATABASE_URI": sa_url, "SQLALCHEMY_ENGINE_OPTIONS": engine})
    print(f"app: {Path(sys.modules['app'].__file__ or '').parent}; database {args.db}; now {now}")
    with app.app_context():
        sa.orm.configure_mappers()  # once a process, before any sweep: not the sweep's cost
        meter = Meter(db, sa)
        ids = db.session.execute(
            sa.text(
                "SELECT coalesce((SELECT max(id) FROM notification_log), 0),"
                " coalesce((SELECT max(id) FROM notification), 0)"
            )
        ).one()
        log_from, notice_from = int(ids[0]), int(ids[1])
        if db.session.scalar(sa.text("SELECT count(*) FROM notification_log")):
            raise SystemExit("the copy's notification log is not empty: make a fresh copy")
        db.session.commit()

        def swept() -> Any:
            report = sweep(now)
            db.session.commit()
            return report

        try:
            first, first_cost = meter.measure(swept)
            if args.dump:
                dump(db, sa, args.dump, log_from, notice_from)
            repeat, repeat_cost = meter.measure(swept)
            floors = floor(db, sa, meter, now, log_from, notice_from)
        finally:
            db.session.rollback()
            db.session.execute(
                sa.text("DELETE FROM notification_log WHERE id > :n"), {"n": log_from}
            )
            db.session.execute(
                sa.text("DELETE FROM notification WHERE id > :n"), {"n": notice_from}
            )
            db.session.commit()
    listed = sum(first.listed.values())
    print(
        f"first sweep: {first.total} new notices {dict(first.sent)}, listing {listed} "
        f"obligation notices; repeat: {repeat.total} new, {repeat.already} found claimed"
    )
    print(f"{'':<22} {'wall s':>8} {'CPU s':>8} {'PG CPU s':>9} {'statements':>10}")
    for name, cost in (
        ("first sweep", first_cost),
        ("  its floor", floors[0]),
        ("repeated sweep", repeat_cost),
        ("  its floor", floors[1]),
    ):
        print(
            f"{name:<22} {cost.wall:>8.2f} {cost.cpu:>8.2f} {cost.server:>9.2f} "
            f"{cost.statements:>10}"
        )
    for name, cost, base in (
        ("first", first_cost, floors[0]),
        ("repeat", repeat_cost, floors[1]),
    ):
        print(
            f"{name}: {cost.wall / base.wall:.1f} × the floor's wall time, "
            f"{(cost.cpu + cost.server) / max(base.cpu + base.server, 1e-6):.1f} × its CPU"
        )
    return 0


def dump(db: Any, sa: Any, out: Path, log_from: int, notice_from: int) -> None:
    """The log rows and the notices the sweep wrote, without ids and times: two runs' files are
    equal when they sent the same notices with the same entries to the same people."""
    import json

    logged = db.session.execute(
        sa.text(
            "SELECT subject, kind, offset_days, recipient_id FROM notification_log WHERE id > :n"
        ),
        {"n": log_from},
    ).all()
    notices = db.session.execute(
        sa.text(
            "SELECT user_id, kind, case_id, obligation_id, params, email_status FROM notification"
            " WHERE id > :n"
        ),
        {"n": notice_from},
    ).all()
    lines = sorted(json.dumps(list(row), sort_keys=True) for row in logged)
    lines += sorted(
        json.dumps([u, k, c, o, p if isinstance(p, dict) else json.loads(p), e], sort_keys=True)
        for u, k, c, o, p, e in notices
    )
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    db.session.rollback()


def floor(db: Any, sa: Any, meter: Meter, now: datetime, log_from: int, notice_from: int) -> Any:
    """The bare statements behind each sweep, on the rows the first sweep wrote."""
    latest = (now + timedelta(hours=14)).date().isoformat()  # as the sweep reads
    db.session.execute(sa.text("CREATE TEMP TABLE floor_log (LIKE notification_log INCLUDING ALL)"))
    db.session.execute(sa.text("CREATE TEMP TABLE floor_notice (LIKE notification INCLUDING ALL)"))
    db.session.commit()
    since = {"log": log_from, "notice": notice_from}
    copy_log = (
        " (subject, kind, offset_days, recipient_id, created_at)"
        " SELECT subject, kind, offset_days, recipient_id, created_at FROM notification_log"
        " WHERE id > :log ORDER BY id ON CONFLICT DO NOTHING RETURNING id"
    )
    copy_notices = (
        "INSERT INTO floor_notice"
        " (user_id, kind, case_id, obligation_id, params, created_at, email_status)"
        " SELECT user_id, kind, case_id, obligation_id, params, created_at, email_status"
        " FROM notification WHERE id > :notice ORDER BY id"
    )

    def first() -> None:
        db.session.execute(sa.text(DUE_ROWS), {"latest": latest}).all()
        db.session.execute(sa.text("INSERT INTO floor_log" + copy_log), since).all()
        db.session.execute(sa.text(copy_notices), since)
        db.session.commit()

    def repeat() -> None:
        db.session.execute(sa.text(DUE_ROWS), {"latest": latest}).all()
        db.session.execute(sa.text("INSERT INTO notification_log" + copy_log), since).all()
        db.session.commit()

    try:
        _done, first_cost = meter.measure(first)
        _done, repeat_cost = meter.measure(repeat)
    finally:
        db.session.rollback()
        db.session.execute(sa.text("DROP TABLE IF EXISTS floor_log, floor_notice"))
        db.session.commit()
    return first_cost, repeat_cost


if __name__ == "__main__":
    sys.exit(main())
