"""What verifying the history costs, side by side with its floor, in one run, on a copy of the
national dataset (`bench/load.py` builds `oko_bench`; make a copy and migrate it):

    psql -h 127.0.0.1 -U postgres -c 'CREATE DATABASE oko_bench_audit TEMPLATE oko_bench'
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/oko_bench_audit FLASK_APP=wsgi.py \\
        .venv/bin/flask db upgrade
    .venv/bin/python bench/audit_verify.py [--db oko_bench_audit] [--repeat 20]

Prints:
- the floor: a bare sha256 loop over the stored records (CPU of the loop alone), and reading
  the rows a verification reads with a server-side cursor, checking nothing;
- `flask audit verify` as a command (wall, and CPU of the command and its worker processes),
  with the application's bytecode compiled first as a deployment does;
- the scheduler's whole-chain walk (`chain_verify`, one process);
- the case page's verification (`audit.verify_case` with the newest events shown) for cases with
  50, 500 and 5,000 events — created in the copy on the first run as notes on three cases —,
  with no verified point (every event re-checked) and after the background check.

The copy is changed (events added, the verified point written): never point it at `oko_bench`.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SIZES = (50, 500, 5000)
SHOWN = 30  # app.web.cases.page.HISTORY_SHOWN (not imported: the page module pulls in the web)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def backend_cpu(pid: int) -> float:
    """CPU seconds of a PostgreSQL backend so far (the server runs on this machine)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class WorkerBackends:
    """Samples the CPU of the backends of `flask audit verify`'s workers (by their
    application_name) while the command runs; the last tenth of a second of each may be
    missed."""

    def __init__(self, conninfo: str) -> None:
        import threading

        self.conninfo, self.seen = conninfo, {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        import psycopg

        from app.audit import VERIFY_WORKER

        with psycopg.connect(self.conninfo, autocommit=True) as conn:
            while not self.stop.is_set():
                pids = conn.execute(
                    "SELECT pid FROM pg_stat_activity WHERE application_name = %s",
                    (VERIFY_WORKER,),
                ).fetchall()
                for (pid,) in pids:
                    self.seen[pid] = max(self.seen.get(pid, 0.0), backend_cpu(pid))
                time.sleep(0.1)

    def __enter__(self) -> WorkerBackends:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop.set()
        self.thread.join()

    @property
    def cpu(self) -> float:
        return sum(self.seen.values())


def floor(conninfo: str, batch: int = 20_000) -> dict[str, float]:
    """The bare sha256 loop over every stored record, and the plain read of the rows."""
    import psycopg

    hashing, rows = 0.0, 0
    wall, cpu = time.perf_counter(), time.process_time()
    with psycopg.connect(conninfo) as conn:
        pid = conn.info.backend_pid
        server = backend_cpu(pid)
        with conn.cursor(name="floor", binary=True) as cur:
            cur.itersize = batch
            cur.execute("SELECT seq, prev_hash, hash, canonical FROM audit_event ORDER BY seq")
            while chunk := cur.fetchmany(batch):
                records = [row[3] for row in chunk]
                started = time.process_time()
                for record in records:
                    hashlib.sha256(record).hexdigest()
                hashing += time.process_time() - started
                rows += len(chunk)
        server = backend_cpu(pid) - server
    return {
        "rows": rows,
        "sha256_cpu": hashing,
        "read_wall": time.perf_counter() - wall,
        "read_cpu": time.process_time() - cpu - hashing,
        "read_server_cpu": server,
    }


def command(url: str, *args: str) -> tuple[float, float, str]:
    """Run a flask command against the copy: wall seconds, CPU seconds (itself and its
    workers), its output."""
    env = {**os.environ, "DATABASE_URL": url, "FLASK_APP": "wsgi.py"}
    before, wall = _children_cpu(), time.perf_counter()
    done = subprocess.run(
        [str(ROOT / ".venv/bin/flask"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return time.perf_counter() - wall, _children_cpu() - before, (done.stdout + done.stderr).strip()


def long_cases(app: Any) -> dict[int, int]:
    """Three cases whose histories hold exactly 50, 500 and 5,000 events (notes added on the
    first run, by audit.record as the application writes them)."""
    import sqlalchemy as sa

    from app import audit
    from app.extensions import db
    from app.models import AuditEvent, Case

    found: dict[int, int] = {}
    with app.app_context():
        for size in SIZES:
            mark = AuditEvent.after["bench_history"].as_integer() == size
            case_id = db.session.scalar(
                sa.select(AuditEvent.case_id).where(AuditEvent.action == "bench.note", mark)
            )
            if case_id is None:
                taken = [*found.values()]
                case_id = db.session.scalar(
                    sa.select(AuditEvent.case_id)
                    .where(AuditEvent.case_id.is_not(None), AuditEvent.case_id.not_in(taken))
                    .group_by(AuditEvent.case_id)
                    .having(sa.func.count() < SIZES[0])
                    .order_by(AuditEvent.case_id)
                    .limit(1)
                )
            case = db.session.get(Case, case_id)
            assert case is not None
            have = len(audit.case_events(case.id))
            for n in range(have, size):
                audit.record(
                    "bench.note",
                    actor=None,
                    object_type="case",
                    object_id=case.id,
                    org_id=case.school_id,
                    case_id=case.id,
                    after={"bench_history": size, "n": n},
                )
                if n % 500 == 0:
                    db.session.commit()
            db.session.commit()
            found[size] = case.id
    return found


def page_cost(app: Any, cases: dict[int, int], repeat: int) -> dict[int, dict[str, float]]:
    """audit.verify_case as the case page calls it, with the newest events shown: mean wall
    and CPU milliseconds, and how many events it re-checked."""
    from app import audit
    from app.extensions import db

    out: dict[int, dict[str, float]] = {}
    with app.app_context():
        for size, case_id in cases.items():
            shown = audit.case_events(case_id)[-SHOWN:]
            walls, cpus, result = [], [], None
            for _ in range(repeat):
                wall, cpu = time.perf_counter(), time.process_time()
                result = audit.verify_case(case_id, shown)
                walls.append(time.perf_counter() - wall)
                cpus.append(time.process_time() - cpu)
            if result is None or not result.ok:
                raise RuntimeError(f"case {case_id} does not verify: {result}")
            out[size] = {
                "wall_ms": statistics.median(walls) * 1000,
                "cpu_ms": statistics.median(cpus) * 1000,
                "checked": result.checked,
            }
            db.session.rollback()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--pg", default=os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
    )
    parser.add_argument("--db", default="oko_bench_audit")
    parser.add_argument("--repeat", type=int, default=20, help="calls of verify_case a case")
    args = parser.parse_args()
    if args.db == "oko_bench":
        parser.error("this changes the database: run it on a copy of oko_bench")
    conninfo = f"{args.pg}/{args.db}"
    url = conninfo.replace("postgresql://", "postgresql+psycopg://", 1)
    os.environ.setdefault("SECRET_KEY", "oko-audit-bench-secret-key-0123456789abcdef")
    os.environ.update(OKO_ENV="production", OKO_HTTPS="false", DATABASE_URL=url)

    import sqlalchemy as sa

    from app import audit, create_app
    from app.extensions import db
    from app.jobs.chaincheck import verify_whole_chain
    from app.models import VerifiedUpTo

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    cases = long_cases(app)
    print(f"cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.1f} (1 min)")

    base = floor(conninfo)
    print(f"floor over {base['rows']:,} stored records:")
    print(f"  bare sha256 loop                 CPU {base['sha256_cpu']:6.2f} s")
    print(
        f"  plain read of the rows (cursor)  wall {base['read_wall']:6.2f} s,"
        f" client CPU {base['read_cpu']:.2f} s, server CPU {base['read_server_cpu']:.2f} s"
    )
    # as deployed (README, Deploying): the application's bytecode compiled once, so that a
    # command's start-up is importing, not compiling (PYTHONDONTWRITEBYTECODE would otherwise
    # make every start compile every module again)
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", "app", "wsgi.py"], cwd=ROOT, check=True
    )
    with WorkerBackends(conninfo) as backends:
        wall, cpu, said = command(url, "audit", "verify")
    _, start_cpu, _ = command(url, "audit", "--help")
    checking = cpu - start_cpu
    print(
        f"flask audit verify                 wall {wall:6.2f} s, client CPU {cpu:.2f} s"
        f" ({start_cpu:.2f} s of it starting the application), server CPU about"
        f" {backends.cpu:.2f} s: {said}"
    )
    sha = base["sha256_cpu"]
    print(
        f"  ÷ sha256 floor: wall {wall / sha:.1f} ×; client CPU checking {checking / sha:.1f} ×;"
        f" client + server CPU {(checking + backends.cpu) / sha:.1f} ×"
    )
    print(
        f"  ÷ plain read: wall {wall / base['read_wall']:.1f} ×; client + server CPU"
        f" {(checking + backends.cpu) / (base['read_cpu'] + base['read_server_cpu'] + sha):.1f} ×"
        " (the read's CPU with the sha256 loop)"
    )

    with app.app_context():
        db.session.execute(sa.delete(VerifiedUpTo))
        db.session.commit()
    before = page_cost(app, cases, args.repeat)
    with app.app_context():
        pid = db.session.scalar(sa.text("SELECT pg_backend_pid()"))
        wall, cpu, server = time.perf_counter(), time.process_time(), backend_cpu(pid)
        verify_whole_chain()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        server = backend_cpu(pid) - server
        point = audit.verified_point()
        if point is None or point.broken_seq is not None:
            raise RuntimeError(f"the chain does not verify: {point and point.problem}")
        print(
            f"background whole-chain walk (chain_verify, one process): wall {wall:.2f} s,"
            f" client CPU {cpu:.2f} s, server CPU {server:.2f} s, verified up to event"
            f" {point.seq:,}"
        )
    after = page_cost(app, cases, args.repeat)
    print(f"case page verification (verify_case, newest {SHOWN} shown; median of {args.repeat}):")
    print("  events | no verified point: re-checked, wall, CPU | after the background check")
    for size in SIZES:
        b, a = before[size], after[size]
        print(
            f"  {size:6,} | {b['checked']:5.0f} {b['wall_ms']:7.2f} ms {b['cpu_ms']:7.2f} ms"
            f" | {a['checked']:5.0f} {a['wall_ms']:7.2f} ms {a['cpu_ms']:7.2f} ms"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
