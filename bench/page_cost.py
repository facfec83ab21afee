"""What each page of the load benchmark costs on its own: one thread, the Flask test client (no
HTTP, no gunicorn), against the national dataset that `bench/load.py` built. Prints the mean
milliseconds and the SQL statements per request; with the concurrency of the load benchmark
these explain its latencies (about clients × CPU time ÷ cores).

Run from the repository root, after `bench/load.py` has built `oko_bench`:
    .venv/bin/python bench/page_cost.py [--requests 20] [--pg URL] [--db oko_bench]
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import pages  # noqa: E402 -- after the path is set
from bench.loadgen import USER_AGENT  # noqa: E402
from bench.national import PASSWORD  # noqa: E402


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=20, help="requests a page")
    parser.add_argument(
        "--pg", default=os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
    )
    parser.add_argument("--db", default="oko_bench")
    args = parser.parse_args()
    os.environ.setdefault("SECRET_KEY", "oko-page-cost-secret-key-0123456789abcdef")
    os.environ.update(OKO_ENV="production", OKO_HTTPS="false")

    import sqlalchemy as sa

    from app import create_app
    from app.extensions import db

    sa_url = f"{args.pg.replace('postgresql://', 'postgresql+psycopg://', 1)}/{args.db}"
    targets = pages.pick_targets(f"{args.pg}/{args.db}")
    app = create_app({"SQLALCHEMY_DATABASE_URI": sa_url})
    clients = {role: logged_in(app, email) for role, email in targets["emails"].items()}
    statements = [0]

    def count(*_args: Any) -> None:
        statements[0] += 1

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", count)
    print(f"{'page':<26} {'ms/request':>10} {'statements':>10}")
    for page in pages.pages(targets):
        client = clients[page.user] if page.user else logged_in(app, None)
        for path in page.paths:  # warm-up, and every path must answer
            if (status := client.get(path).status_code) != 200:
                raise RuntimeError(f"{path} answered {status}")
        statements[0] = 0
        started = time.perf_counter()
        for n in range(args.requests):
            client.get(page.paths[n % len(page.paths)])
        ms = (time.perf_counter() - started) / args.requests * 1000
        print(f"{page.name:<26} {ms:>10.1f} {statements[0] / args.requests:>10.1f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
