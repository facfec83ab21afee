"""What each page of the load benchmark costs on its own, beside its tight floor measured in the
same run: one thread, the Flask test client (no HTTP, no gunicorn), against the national dataset
that `bench/load.py` built. For every page: CPU milliseconds per request of this process
(``time.process_time``) and of the PostgreSQL backends that served it (utime + stime from
/proc, so the database must run on this machine), SQL statements per request, and the same for
the floor (`bench/page_floor.py`: the few plain statements returning the rows shown, rendered
through a minimal template compiled once), with the ratio page ÷ floor. CPU time rather than
wall time: the machine may be shared, and CPU time is what a page costs whatever else runs.

The case page is also measured on cases of 50, 500 and 5,000 history events; cases that long
are made (once) by appending correctly chained events to the history of the database named.
Do not point this at a database you want unchanged: copy the benchmark's first
(``CREATE DATABASE oko_bench_pages TEMPLATE oko_bench``).

Run from the repository root:
    .venv/bin/python bench/page_cost.py [--requests 40] [--pg URL] [--db oko_bench_pages]
"""

# The SQL here is assembled from this file's constants only (values go as parameters).
# ruff: noqa: S608

from __future__ import annotations

import argparse
import hashlib
import os
import re
import sys
import time
from collections.abc import Callable
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.models.audit import HASHED_COLUMNS  # noqa: E402
from bench import page_floor, pages  # noqa: E402 -- after the path is set
from bench.loadgen import USER_AGENT  # noqa: E402
from bench.national import PASSWORD  # noqa: E402
from bench.national_history import AUDIT_COLUMNS, _Event  # noqa: E402

HISTORIES = (50, 500, 5000)  # events of the cases the case page is measured on
TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")
MAX_CPU_MS = 12.0  # the targets: at most this, and at most twice the floor
MAX_RATIO = 2.0


def logged_in(app: Any, email: str | None) -> Any:
    """A test client logged in through the form as ``email`` (anonymous for None)."""
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = USER_AGENT
    if email is None:
        return client
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/login").text)
    if token is None:
        raise RuntimeError("no CSRF token on the login page")
    answer = client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)}
    )
    if answer.status_code != 302:
        raise RuntimeError(f"login of {email} answered {answer.status_code}")
    return client


def backend_ms(pids: set[int]) -> float:
    """CPU milliseconds the PostgreSQL backends have used so far (0 for one that ended)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total * TICK_MS


class Meter:
    """CPU of this process and of the backends, and statements, over a number of calls."""

    def __init__(self, pids: set[int], statements: list[int]) -> None:
        self.pids, self.statements = pids, statements

    def __call__(self, call: Callable[[int], Any], n: int) -> tuple[float, float, float]:
        self.statements[0] = 0
        cpu, db = time.process_time(), backend_ms(self.pids)
        for i in range(n):
            call(i)
        cpu_ms = (time.process_time() - cpu) * 1000 / n
        return cpu_ms, (backend_ms(self.pids) - db) / n, self.statements[0] / n


class CountingConnection:
    """A psycopg connection that counts the statements the floor sends."""

    def __init__(self, conn: Any, statements: list[int]) -> None:
        self.conn, self.statements = conn, statements

    def execute(self, sql: str, params: Any = None) -> Any:
        self.statements[0] += 1
        return self.conn.execute(sql, params)


def chain_check(app: Any, paths: tuple[str, ...]) -> Callable[[int], Any]:
    """What the case page spends checking the case's history chain, on its own: the events it
    shows, and those after the point the background walk verified."""
    from app import audit
    from app.extensions import db
    from app.web.cases.page import history

    ids = [int(p.rsplit("/", 1)[1]) for p in paths]

    def check(i: int) -> None:
        with app.app_context():
            case_id = ids[i % len(ids)]
            audit.verify_case(case_id, history(case_id, False)[0])
            db.session.rollback()

    return check


def background_walk(app: Any) -> float:
    """The scheduler's chain_verify job once, as a running system has it every 10 minutes
    (the verified point the case page's check starts from); its wall seconds."""
    from app.jobs.chaincheck import verify_whole_chain

    started = time.perf_counter()
    with app.app_context():
        verify_whole_chain()
    return time.perf_counter() - started


def long_histories(url: str, region: int) -> dict[int, int]:
    """Cases of the region with 50, 500 and 5,000 history events: an existing one of that
    length, else the longest shorter one, its events repeated (new seq, time and chain links,
    each record made by app.audit.canonical_bytes and stored with it) until it has that many."""
    import psycopg

    from app.audit import canonical_bytes
    from app.models.audit import canonical_json

    found: dict[int, int] = {}
    with psycopg.connect(url) as conn:
        counts = conn.execute(
            "SELECT e.case_id, count(*) FROM audit_event e JOIN school_case c ON c.id = e.case_id "
            "JOIN campaign p ON p.id = c.campaign_id WHERE p.region_id = %s GROUP BY 1 "
            "ORDER BY 2 DESC",
            (region,),
        ).fetchall()
        for wanted in HISTORIES:
            exact = [c for c, n in counts if n == wanted]
            if exact:
                found[wanted] = exact[0]
                continue
            case_id, have = next(
                (c, n) for c, n in counts if n < wanted and c not in found.values()
            )
            content = HASHED_COLUMNS  # what the record holds
            template = conn.execute(
                f"SELECT {', '.join(content)} FROM audit_event WHERE case_id = %s ORDER BY seq",
                (case_id,),
            ).fetchall()
            conn.execute("LOCK TABLE audit_event IN EXCLUSIVE MODE")
            seq, prev, at = conn.execute(
                "SELECT seq, hash, occurred_at FROM audit_event ORDER BY seq DESC LIMIT 1"
            ).fetchone()
            rows = []
            ev = _Event()
            for k in range(wanted - have):
                for name, value in zip(content, template[k % len(template)], strict=True):
                    setattr(ev, name, value)
                seq, at = seq + 1, at + timedelta(seconds=1)
                ev.seq, ev.occurred_at, ev.prev_hash = seq, at.replace(tzinfo=UTC), prev
                record = canonical_bytes(ev)  # type: ignore[arg-type]
                prev = hashlib.sha256(record).hexdigest()
                row = [getattr(ev, name) for name in content]
                row[1] = at  # stored naive, in UTC
                row[10:12] = [None if v is None else canonical_json(v) for v in row[10:12]]
                rows.append((*row, prev, record))
            with conn.cursor() as cur:
                cur.executemany(
                    f"INSERT INTO audit_event ({', '.join(AUDIT_COLUMNS)}) "
                    f"VALUES ({', '.join(['%s'] * len(AUDIT_COLUMNS))})",
                    rows,
                )
            found[wanted] = case_id
            counts = [(c, wanted if c == case_id else n) for c, n in counts]
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=40, help="requests a page")
    parser.add_argument(
        "--pg", default=os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
    )
    parser.add_argument("--db", default="oko_bench_pages")
    parser.add_argument("--only", action="append", default=[], help="a page's name (repeatable)")
    args = parser.parse_args()
    os.environ.setdefault("SECRET_KEY", "oko-page-cost-secret-key-0123456789abcdef")
    os.environ.update(OKO_ENV="production", OKO_HTTPS="false")

    import psycopg
    import sqlalchemy as sa

    from app import create_app, readcache
    from app.extensions import db

    url = f"{args.pg}/{args.db}"
    sa_url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    targets = pages.pick_targets(url)
    histories = long_histories(url, targets["region"])
    app = create_app({"SQLALCHEMY_DATABASE_URI": sa_url})
    clients = {role: logged_in(app, email) for role, email in targets["emails"].items()}
    walked = background_walk(app)
    print(f"the background walk of the whole chain (chain_verify) took {walked:.1f} s first")
    statements, pids = [0], set()

    def count(*_args: Any) -> None:
        statements[0] += 1

    def remember(dbapi_connection: Any, _record: Any) -> None:
        pids.add(dbapi_connection.info.backend_pid)

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", count)
        sa.event.listen(db.engine, "connect", remember)
        db.engine.dispose()  # every connection from now on is remembered
    floor_conn = psycopg.connect(url)
    pids.add(floor_conn.info.backend_pid)
    floor_db = CountingConnection(floor_conn, statements)
    meter = Meter(pids, statements)
    measured = [
        *pages.pages(targets),
        *(
            pages.Page(f"case page ({n:,} events)", "ministry", (f"/cases/{case_id}",))
            for n, case_id in histories.items()
        ),
    ]
    only = set(args.only)
    print(
        f"CPU ms per request, one thread ({args.requests} requests a page): this process + the "
        "PostgreSQL backends; statements per request; the floor measured in the same run"
    )
    print(
        "The region-wide statements' rows are kept under PostgreSQL's snapshot (app.readcache):"
        " «ms» is a view when nothing was written since the last, «uncached» one after a write"
        " (the cache emptied before each request)"
    )
    head = f"{'page':<28} {'ms':>6} {'db ms':>6} {'stmts':>5} │ {'floor':>6} {'db ms':>6}"
    print(f"{head} {'stmts':>5} │ {'× floor':>7}  target │ {'uncached':>8} {'× floor':>7}")
    for page in measured:
        if only and page.name not in only:
            continue
        client = clients[page.user] if page.user else logged_in(app, None)
        email = targets["emails"].get(page.user or "", "")
        floor = page_floor.floor_of(page.name)
        for path in page.paths:  # warm-up, and every path must answer
            if (status := client.get(path).status_code) != 200:
                raise RuntimeError(f"{path} answered {status}")
            floor(floor_db, targets, path, email)
            floor_conn.commit()

        def request(i: int, client: Any = client, paths: tuple[str, ...] = page.paths) -> None:
            client.get(paths[i % len(paths)])

        def floor_request(
            i: int, floor: Any = floor, paths: tuple[str, ...] = page.paths, email: str = email
        ) -> None:
            floor(floor_db, targets, paths[i % len(paths)], email)
            floor_conn.commit()

        def uncached(i: int, client: Any = client, paths: tuple[str, ...] = page.paths) -> None:
            readcache.clear()  # as after a write: every kept row is asked for anew
            client.get(paths[i % len(paths)])

        cpu, db_ms, stmts = meter(request, args.requests)
        f_cpu, f_db, f_stmts = meter(floor_request, args.requests)
        u_cpu, u_db, _u_stmts = meter(uncached, args.requests)
        total, f_total = cpu + db_ms, f_cpu + f_db
        ratio = total / f_total if f_total else 0.0
        ok = page.name == "/ping" or (total <= MAX_CPU_MS and ratio <= MAX_RATIO)
        u_ratio = (u_cpu + u_db) / f_total if f_total else 0.0
        print(
            f"{page.name:<28} {cpu:>6.1f} {db_ms:>6.1f} {stmts:>5.1f} │ {f_cpu:>6.1f} "
            f"{f_db:>6.1f} {f_stmts:>5.1f} │ {ratio:>7.2f}  {'ok' if ok else 'MISSED':<6} │"
            f" {u_cpu + u_db:>8.1f} {u_ratio:>7.2f}",
            flush=True,
        )
        if page.name.startswith("case page"):  # the history check's share (issue 20, item 2)
            check = chain_check(app, page.paths)
            c_cpu, c_db, c_stmts = meter(check, args.requests)
            print(
                f"{'  of which the chain check':<28} {c_cpu:>6.1f} {c_db:>6.1f} {c_stmts:>5.1f} │",
                flush=True,
            )
    print(
        f"\nTargets: at most {MAX_CPU_MS:g} ms of CPU a request including PostgreSQL, and at "
        f"most {MAX_RATIO:g} × the floor (both columns summed). A backend's CPU is counted in "
        f"ticks of {TICK_MS:g} ms: a figure under a few ms per request is approximate."
    )
    floor_conn.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
