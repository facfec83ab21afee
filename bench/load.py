"""Load benchmark at national scale: the pages people use most, under concurrent clients.

Run from the repository root:  .venv/bin/python bench/load.py [--reuse] [--duration 30]
    [--clients 20] [--workers N] [--threads N] [--client wrk|python] [--pg URL] [--db oko_bench]
    [--scale 1] [--writes 0]

1. Builds the dataset into a fresh PostgreSQL database (skipped with --reuse): the schema by the
   project's migrations, then by COPY 85 regions with 40,000 schools, users of every role, three
   campaigns a region each with its plan made from the default templates, 6,000 cases a year for
   three years with an obligation for every measure of the plan that applies to the case, walked
   through hand-ins, reviews and closings, 100,000 document versions (metadata), 1,000,000
   hash-chained history events; then times `flask audit verify` over the whole chain. --scale
   (or BENCH_SCALE) builds a part of it for a quick run: 0.05 is 4 regions, 2,000 schools, 300
   cases a year, 5,000 versions and 50,000 events.
2. Starts gunicorn with the project's gunicorn.conf.py on loopback, logs in through the login
   form as a ministry user of the largest region, a municipal user and a school user there,
   checks that every page answers 200, warms up, and drives --clients concurrent clients at
   each page in turn, then at the trivial /ping of the same stack. The clients ask to keep
   their connections; gunicorn's sync workers (its default here) close each after the answer,
   as they do behind the proxy of a deployment, and the clients connect again. With
   --writes N a thread commits N one-row writes a second meanwhile (outside the measured region):
   every commit retires the kept pages, so this measures pages drawn anew as well as kept.
3. Prints the machine, and for each page: requests, p50/p95/p99 latency, requests per second,
   and its throughput as a fraction of /ping's, against the targets (p95 < 150 ms, at least 1/5
   of /ping). It asserts nothing; gunicorn is stopped on the way out, whatever happens.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"
SECRET_KEY = "oko-load-benchmark-secret-key-0123456789"  # noqa: S105 -- a throwaway bench key
P95_TARGET_MS = 150.0
RATIO_TARGET = 0.2


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reuse", action="store_true", help="keep the existing dataset")
    parser.add_argument("--duration", type=float, default=30, help="seconds per page")
    parser.add_argument("--warmup", type=float, default=5, help="seconds of warm-up per page")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument(
        "--workers", type=int, default=None, help="gunicorn workers (default: gunicorn.conf.py's)"
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="threads per gunicorn worker (default: gunicorn.conf.py's)",
    )
    parser.add_argument(
        "--max-requests",
        type=int,
        default=None,
        help="override gunicorn.conf.py's max_requests (0: never recycle)",
    )
    parser.add_argument(
        "--client",
        choices=("wrk", "python"),
        default=None,
        help="load generator (default: wrk when installed)",
    )
    parser.add_argument(
        "--pg", default=os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
    )
    parser.add_argument("--db", default="oko_bench", help="the benchmark's own database")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--scale",
        type=float,
        default=float(os.environ.get("BENCH_SCALE", "1")),
        help="the part of the national dataset to build (1: all of it; 0.05 for a quick run)",
    )
    parser.add_argument(
        "--verify", action="store_true", help="time `flask audit verify` with --reuse"
    )
    parser.add_argument("--only", default="", help="comma-separated page names to run")
    parser.add_argument(
        "--writes",
        type=float,
        default=0,
        help="small writes a second committed during each page's load (each retires the kept"
        " pages: the next view draws anew)",
    )
    parser.add_argument(
        "--app-root",
        type=Path,
        default=ROOT,
        help="serve another checkout of the project (to compare versions)",
    )
    return parser.parse_args()


def machine(pg_url: str) -> list[tuple[str, str]]:
    """What the figures were taken on."""
    import psycopg

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    os_name = next(
        (
            line.split("=", 1)[1].strip('"')
            for line in Path("/etc/os-release").read_text().splitlines()
            if line.startswith("PRETTY_NAME=")
        ),
        platform.system(),
    )
    with psycopg.connect(pg_url + "/postgres") as conn:
        pg = conn.execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
    return [
        ("cores", f"{os.cpu_count()} × {cpu}"),
        ("RAM", f"{mem_kb / 1024**2:.1f} GiB"),
        ("OS", os_name),
        ("Python", platform.python_version()),
        ("PostgreSQL", pg),
    ]


def bench_app(sa_url: str) -> Any:
    os.environ.setdefault("SECRET_KEY", SECRET_KEY)
    from app import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": sa_url})


def build_dataset(args: argparse.Namespace, url: str, sa_url: str) -> dict[str, float]:
    """A fresh database, migrated, with the calendar and the national dataset."""
    import psycopg
    from flask_migrate import upgrade

    from app.extensions import db
    from app.plans import calendar
    from bench.national import Size
    from bench.national_build import CALENDAR_YEARS, _timed, build

    timings: dict[str, float] = {}
    started = time.perf_counter()
    size = Size.scaled(args.scale)
    print(f"Building the national dataset into {args.db} at scale {args.scale:g} …", flush=True)
    with psycopg.connect(args.pg + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{args.db}"')
    app = bench_app(sa_url)
    with app.app_context():
        _timed("migrations (flask db upgrade)", timings, upgrade)
        calendar.ensure_years(CALENDAR_YEARS)
        db.session.commit()
        counts = build(url, args.seed, timings, size)
        db.engine.dispose()
    timings["total"] = time.perf_counter() - started
    print("  rows: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    print(f"  dataset built in {timings['total']:.1f} s")
    return timings


def verify_audit(sa_url: str) -> float:
    """Time `flask audit verify` over the whole chain, as an operator would run it."""
    env = os.environ | {"DATABASE_URL": sa_url, "SECRET_KEY": SECRET_KEY, "FLASK_APP": "wsgi.py"}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "flask", "audit", "verify"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    print(
        f"flask audit verify: {done.stdout.strip() or done.stderr.strip()[-300:]} ({seconds:.1f} s)"
    )
    return seconds


def _exit_on_signal(signum: int, _frame: Any) -> None:
    raise SystemExit(128 + signum)  # unwinds through the finally that stops gunicorn


def main() -> int:
    args = parse_args()
    signal.signal(signal.SIGTERM, _exit_on_signal)
    signal.signal(signal.SIGHUP, _exit_on_signal)
    from bench import pages

    client = args.client or ("wrk" if shutil.which("wrk") else "python")
    url, sa_url = (
        f"{args.pg}/{args.db}",
        f"{args.pg.replace('postgresql://', 'postgresql+psycopg://', 1)}/{args.db}",
    )
    OUT.mkdir(parents=True, exist_ok=True)
    info = machine(args.pg)
    for key, value in info:
        print(f"{key:<11} {value}")
    if not args.reuse:
        build_dataset(args, url, sa_url)
    if not args.reuse or args.verify:
        verify_audit(sa_url)
    targets = pages.pick_targets(url)
    results = pages.run(args, client, sa_url, SECRET_KEY, targets, url)
    pages.report(results, args, client, P95_TARGET_MS, RATIO_TARGET)
    return 0


if __name__ == "__main__":
    sys.exit(main())
