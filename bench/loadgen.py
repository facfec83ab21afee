"""Serving and loading: gunicorn on loopback with the project's gunicorn.conf.py, logging in
through the login form, and driving concurrent keep-alive clients (wrk, or Python threads)."""

from __future__ import annotations

import json
import os
import re
import runpy
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from http.client import HTTPConnection
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import quote

import requests

ROOT = Path(__file__).resolve().parents[1]
GUNICORN_LOG = ROOT / "bench" / "out" / "gunicorn.log"
USER_AGENT = "oko-bench"  # the login's session is bound to the address and the user agent
STATUS_RE = re.compile(r'" (\d{3}) ')


@dataclass(frozen=True)
class Result:
    requests: int
    seconds: float
    p50: float  # milliseconds
    p95: float
    p99: float
    errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


class Server:
    """gunicorn in its own process group; stopped (and waited for) on exit."""

    def __init__(
        self,
        env: dict[str, str],
        workers: int | None,
        threads: int | None,
        log: Path,
        max_requests: int | None = None,
        root: Path = ROOT,
        config: str = "gunicorn.conf.py",
    ) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        env = (
            os.environ
            | env
            | {
                "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            }
        )
        if workers is not None:
            env["GUNICORN_WORKERS"] = str(workers)
        if threads is not None:
            env["GUNICORN_THREADS"] = str(threads)
        with mock.patch.dict(os.environ, env):  # what gunicorn will read, in its environment
            settings = runpy.run_path(str(root / config))
        self.workers, self.threads = int(settings["workers"]), int(settings["threads"])
        # gunicorn runs gthread workers whenever it is given more than one thread
        self.worker_class = "gthread" if self.threads > 1 else str(settings["worker_class"])
        if max_requests is not None:  # overrides gunicorn.conf.py's worker recycling
            env["GUNICORN_CMD_ARGS"] = f"--max-requests {max_requests}"
        self._out = log.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", config, "wsgi:app"],
            cwd=root,
            env=env,
            stdout=self._out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise

    def _wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}; see {self.log}")
            try:
                if requests.get(self.url + "/ping", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass  # still booting
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer /ping within {timeout} s")

    def stop(self) -> None:
        """SIGTERM to the master (a graceful stop of its workers), SIGKILL to its group if it
        does not stop in time."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self._out.close()

    def statuses_since(self, offset: int) -> dict[str, int]:
        """Response codes in the access log written after ``offset``."""
        counts: dict[str, int] = {}
        with self.log.open("rb") as f:
            f.seek(offset)
            for line in f.read().decode("utf-8", "replace").splitlines():
                match = STATUS_RE.search(line)
                if match:
                    counts[match.group(1)] = counts.get(match.group(1), 0) + 1
        return counts


def login(base: str, email: str, password: str) -> str:
    """Log in through the form; return the Cookie header of the session."""
    http = requests.Session()
    http.headers["User-Agent"] = USER_AGENT
    page = http.get(base + "/login", timeout=30)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
    if token is None:
        raise RuntimeError("no CSRF token on the login page")
    answer = http.post(
        base + "/login",
        data={"email": email, "password": password, "csrf_token": token.group(1)},
        allow_redirects=False,
        timeout=30,
    )
    if answer.status_code != 302:
        raise RuntimeError(f"login of {email} answered {answer.status_code}")
    return "; ".join(f"{c.name}={c.value}" for c in http.cookies)


def check_pages(base: str, cookie: str, paths: Sequence[str]) -> None:
    """Every path answers 200 for this session (not a redirect to the login page)."""
    headers = {"Cookie": cookie, "User-Agent": USER_AGENT}
    for path in paths:
        answer = requests.get(base + path, headers=headers, allow_redirects=False, timeout=60)
        if answer.status_code != 200:
            raise RuntimeError(f"{path} answered {answer.status_code}")


LUA = """
local paths = {%(paths)s}
local headers = {["Cookie"] = "%(cookie)s", ["User-Agent"] = "%(agent)s"}
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n %% #paths) + 1], headers)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{"requests": %%d, "us": %%d, "errors": %%d, ' ..
    '"p50": %%d, "p95": %%d, "p99": %%d}\\n', summary.requests, summary.duration,
    e.connect + e.read + e.write + e.status + e.timeout, latency:percentile(50),
    latency:percentile(95), latency:percentile(99)))
end
"""


def run_wrk(base: str, cookie: str, paths: Sequence[str], clients: int, seconds: float) -> Result:
    """wrk with a Lua script that rotates over the paths and prints the percentiles as JSON."""
    quoted = (quote(p, safe="/?=&") for p in paths)  # Lua strings take no \\u escapes
    script = LUA % {
        "paths": ", ".join(json.dumps(p) for p in quoted),
        "cookie": cookie,
        "agent": USER_AGENT,
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    try:
        done = subprocess.run(
            [
                "wrk",
                "-t",
                str(min(2, clients)),
                "-c",
                str(clients),
                "-d",
                f"{max(1, round(seconds))}s",
                "--timeout",
                "30s",
                "-s",
                f.name,
                base,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        os.unlink(f.name)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode or not lines:
        raise RuntimeError(f"wrk failed: {done.stderr.strip() or done.stdout.strip()}")
    data = json.loads(lines[-1])
    return Result(
        data["requests"],
        data["us"] / 1e6,
        data["p50"] / 1000,
        data["p95"] / 1000,
        data["p99"] / 1000,
        data["errors"],
    )


def run_python(
    base: str, cookie: str, paths: Sequence[str], clients: int, seconds: float
) -> Result:
    """The same load from Python threads, one keep-alive connection each (slower than wrk on a
    small machine: the client's own CPU comes out of the server's)."""
    host, port = base.removeprefix("http://").split(":")
    headers = {"Cookie": cookie, "User-Agent": USER_AGENT}
    quoted = [quote(p, safe="/?=&") for p in paths]  # a request line is ASCII («лицей»)
    latencies: list[float] = []
    errors = [0]
    deadline = time.monotonic() + seconds

    def client(offset: int) -> None:
        conn, n = HTTPConnection(host, int(port), timeout=30), offset
        while time.monotonic() < deadline:
            started = time.perf_counter()
            conn.request("GET", quoted[n % len(quoted)], headers=headers)
            answer = conn.getresponse()
            answer.read()
            latencies.append(time.perf_counter() - started)
            errors[0] += answer.status >= 400
            n += 1
        conn.close()

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    ordered = sorted(latencies)

    def pct(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0.0

    return Result(len(ordered), elapsed, pct(0.50), pct(0.95), pct(0.99), errors[0])


class Writer:
    """Commits ``per_second`` small writes a second while it runs, as the region's people do
    while others read: each marks one notice of a user outside the measured region read, or
    unread again (one UPDATE, one commit). Any commit gives PostgreSQL a new snapshot, so each
    one retires every kept page and row (app.readcache) and the next view of a page draws it
    anew in every worker. ``per_second`` 0 writes nothing."""

    def __init__(self, pg_url: str, region: int, per_second: float) -> None:
        self.pg_url, self.region, self.per_second = pg_url, region, per_second
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Writer:
        if self.per_second > 0:
            import psycopg

            # connected and the notice found here, so that a failure stops the benchmark
            # instead of a thread dying unseen while the figures are printed as if written
            conn = psycopg.connect(self.pg_url, autocommit=True)
            notice = conn.execute(
                "SELECT n.id FROM notification n JOIN user_account u ON u.id = n.user_id "
                "JOIN organisation o ON o.id = u.organisation_id "
                "WHERE coalesce(o.region_id, o.id) <> %s ORDER BY n.id LIMIT 1",
                (self.region,),
            ).fetchone()
            if notice is None:
                conn.close()
                raise RuntimeError("no notice outside the measured region to write to")
            self._thread = threading.Thread(target=self._run, args=(conn, notice), daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self, conn: Any, notice: tuple[int]) -> None:
        with conn:
            period, due = 1 / self.per_second, time.monotonic()
            while not self._stop.wait(max(0.0, due - time.monotonic())):
                conn.execute(
                    "UPDATE notification SET read_at = CASE WHEN read_at IS NULL "
                    "THEN now() AT TIME ZONE 'UTC' END WHERE id = %s",
                    notice,
                )
                due += period
