"""The pages the load benchmark drives, who asks for them, and the table of figures."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Any

import psycopg

from bench.loadgen import (
    GUNICORN_LOG,
    Result,
    Server,
    Writer,
    check_pages,
    login,
    run_python,
    run_wrk,
)
from bench.national import DOMAIN, PASSWORD

PING = "/ping"


@dataclass(frozen=True)
class Page:
    name: str
    user: str | None  # "ministry", "municipal", "school" or None (no login)
    paths: tuple[str, ...]


def pick_targets(url: str) -> dict[str, Any]:
    """The largest region; its municipality with most cases; the school there whose current
    case has the longest history; the region's cases with the longest histories."""
    with psycopg.connect(url) as conn:
        region = _one(
            conn,
            "SELECT region_id FROM organisation WHERE kind = 'school' "
            "GROUP BY region_id ORDER BY count(*) DESC LIMIT 1",
        )
        campaigns = [
            r[0]
            for r in conn.execute(
                "SELECT id FROM campaign WHERE region_id = %s ORDER BY vpr_year DESC", (region,)
            )
        ]
        municipality = _one(
            conn,
            "SELECT municipality_id FROM school_case c JOIN campaign p "
            "ON p.id = c.campaign_id WHERE p.region_id = %s GROUP BY 1 "
            "ORDER BY count(*) DESC LIMIT 1",
            (region,),
        )
        longest = [
            r[0]
            for r in conn.execute(
                "SELECT e.case_id FROM audit_event e JOIN school_case c ON c.id = e.case_id "
                "JOIN campaign p ON p.id = c.campaign_id WHERE p.region_id = %s "
                "GROUP BY e.case_id ORDER BY count(*) DESC LIMIT 20",
                (region,),
            )
        ]
        school_case, login_name = conn.execute(
            "SELECT c.id, o.login FROM audit_event e JOIN school_case c ON c.id = e.case_id "
            "JOIN organisation o ON o.id = c.school_id WHERE c.municipality_id = %s "
            "AND c.campaign_id = %s GROUP BY c.id, o.login ORDER BY count(*) DESC LIMIT 1",
            (municipality, campaigns[0]),
        ).fetchone()
        events = _one(conn, "SELECT count(*) FROM audit_event WHERE case_id = ANY(%s)", (longest,))
    return {
        "region": region,
        "campaigns": campaigns,
        "municipality": municipality,
        "longest": longest,
        "longest_events": events,
        "school_case": school_case,
        "emails": {
            "ministry": f"ministry{region}@{DOMAIN}",
            "municipal": f"mun{municipality}@{DOMAIN}",
            "school": f"{login_name}@{DOMAIN}",
        },
    }


def _one(conn: Any, sql: str, params: tuple[Any, ...] = ()) -> Any:
    return conn.execute(sql, params).fetchone()[0]


def pages(t: dict[str, Any]) -> list[Page]:
    """Every page in the order it is driven; /ping last."""
    current, last = t["campaigns"][0], t["campaigns"][1]
    filtered = (
        f"/cases?campaign={current}&overdue=1",
        f"/cases?campaign={last}&stage=director_evaluation&category=objectivity",
        f"/cases?municipality={t['municipality']}&years=2&sort=updated",
        "/cases?q=лицей&sort=markers",
    )
    return [
        Page("case list", "ministry", ("/cases",)),
        Page("case list, filtered", "ministry", filtered),
        Page("case list (municipal)", "municipal", ("/cases",)),
        Page("case page (long history)", "ministry", tuple(f"/cases/{i}" for i in t["longest"])),
        Page("case page (school)", "school", (f"/cases/{t['school_case']}",)),
        Page("dashboard", "ministry", ("/dashboard",)),
        Page("dashboard (municipal)", "municipal", ("/dashboard",)),
        Page("inbox (ministry)", "ministry", ("/inbox",)),
        Page("inbox (municipal)", "municipal", ("/inbox",)),
        Page("inbox (school)", "school", ("/inbox",)),
        Page("notifications", "municipal", ("/notifications",)),
        Page("/ping", None, (PING,)),
    ]


def run(
    args: argparse.Namespace,
    client: str,
    sa_url: str,
    secret: str,
    targets: dict[str, Any],
    pg_url: str,
) -> list[tuple[Page, Result, dict[str, int]]]:
    """Serve, log in, check, warm up and load each page in turn (with ``args.writes`` writes a
    second committed meanwhile)."""
    env = {
        "DATABASE_URL": sa_url,
        "SECRET_KEY": secret,
        "OKO_ENV": "production",
        "OKO_HTTPS": "false",
        "OKO_STORAGE_DIR": str(GUNICORN_LOG.parent / "storage"),
    }
    only = {n.strip() for n in args.only.split(",") if n.strip()}
    drive = run_wrk if client == "wrk" else run_python
    server = Server(env, args.workers, args.threads, GUNICORN_LOG, args.max_requests, args.app_root)
    results = []
    try:
        cookies = {
            role: login(server.url, email, PASSWORD) for role, email in targets["emails"].items()
        }
        print(
            f"gunicorn {server.workers} {server.worker_class} workers × {server.threads} threads"
            f" on {server.url}; "
            f"{args.clients} clients ({client}); {args.duration:g} s a page after "
            f"{args.warmup:g} s of warm-up"
            + (f"; {args.writes:g} writes a second meanwhile" if args.writes else "")
        )
        for page in pages(targets):
            if only and page.name not in only and page.name != "/ping":
                continue
            cookie = cookies[page.user] if page.user else ""
            check_pages(server.url, cookie, page.paths)
            with Writer(pg_url, targets["region"], args.writes):
                drive(server.url, cookie, page.paths, args.clients, args.warmup)
                offset = GUNICORN_LOG.stat().st_size
                result = drive(server.url, cookie, page.paths, args.clients, args.duration)
            results.append((page, result, server.statuses_since(offset)))
            print(
                f"  {page.name:<26} {result.rps:8.1f} req/s  p95 {result.p95:7.1f} ms", flush=True
            )
    finally:
        server.stop()
    return results


def report(
    results: list[tuple[Page, Result, dict[str, int]]],
    args: argparse.Namespace,
    client: str,
    p95_target: float,
    ratio_target: float,
) -> None:
    """The table: every page against the targets."""
    ping = next((r for p, r, _s in results if p.name == "/ping"), None)
    print(
        f"\n{'page':<26} {'requests':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'req/s':>8} {'÷ /ping':>8}  other than 200   targets"
    )
    for page, r, statuses in results:
        ratio = r.rps / ping.rps if ping and ping.rps else 0.0
        others = {k: v for k, v in statuses.items() if k != "200"}
        ok_p95 = r.p95 < p95_target
        ok_ratio = page.name == "/ping" or ratio >= ratio_target
        verdict = (
            "ok"
            if ok_p95 and ok_ratio
            else (("p95 " if not ok_p95 else "") + ("rps" if not ok_ratio else "")).strip()
            + " MISSED"
        )
        print(
            f"{page.name:<26} {r.requests:>9} {r.p50:>8.1f} {r.p95:>8.1f} {r.p99:>8.1f} "
            f"{r.rps:>8.1f} {ratio:>8.2f}  {others or r.errors or '-'!s:<15} {verdict}"
        )
    print(
        f"\nTargets: p95 < {p95_target:g} ms at {args.clients} clients; throughput at least "
        f"{ratio_target:g} × /ping's. Load generator: {client}."
    )
