"""Real processes for the fault tests: started in a process group of their own, killed with
SIGKILL, master and workers alike; a browser speaking raw HTTP; an SMTP server that outlives
them."""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa
from flask import Flask

from app.extensions import db
from tests.conftest import BACKEND
from tests.helpers import TEST_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
SECRET = "fault-test-secret-" + "k" * 32
TIMEOUT = 30.0


def wait_for(condition: Callable[[], Any], what: str, proc: Process | None = None) -> Any:
    """Poll until the condition holds; fail (with the process's output) when it never does."""
    deadline = time.monotonic() + TIMEOUT
    while not (result := condition()):
        if proc is not None and proc.popen.poll() is not None:
            pytest.fail(f"{proc.name} exited before {what}:\n{proc.output()}")
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.005)
    return result


def group_alive(pgid: int) -> bool:
    """Whether any process of the group is still running (zombies are dead enough)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] not in "ZXx":
            return True
    return False


@dataclass
class Process:
    """A command in a process group of its own, its output kept in a file."""

    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL the whole group (gunicorn's master and workers) and wait until it is gone."""
        with contextlib.suppress(ProcessLookupError):  # already gone entirely
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=TIMEOUT)
        wait_for(lambda: not group_alive(self.popen.pid), f"{self.name} to die")

    def finish(self) -> str:
        """Wait for a normal exit; its output."""
        code = self.popen.wait(timeout=TIMEOUT * 2)
        assert code == 0, self.output()
        return self.output()


@dataclass
class Committed:
    """A migrated database of its own, an application on it and the environment of the
    processes under test."""

    app: Flask
    url: str
    storage: Path
    tmp: Path
    started: list[Process] = field(default_factory=list)

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OKO_", "GUNICORN_"))}
        env.update(
            FLASK_APP="wsgi.py",
            DATABASE_URL=self.url,
            SECRET_KEY=SECRET,
            OKO_STORAGE_DIR=str(self.storage),
            OKO_LOG_LEVEL="WARNING",
            PYTHONUNBUFFERED="1",
            **extra,
        )
        return env

    def start(self, name: str, args: list[str], **env: str) -> Process:
        log = self.tmp / f"{len(self.started):02d}-{name}.log"
        with log.open("wb") as out:
            popen = subprocess.Popen(
                [sys.executable, "-m", *args],
                cwd=ROOT,
                env=self.env(**env),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.started.append(Process(name, popen, log))
        return self.started[-1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _other_backends(app: Flask) -> int:
    """PostgreSQL sessions on the test database other than the test's own."""
    with app.app_context():
        return int(
            db.session.scalar(
                sa.text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
                )
            )
            or 0
        )


def settled(world: Committed) -> None:
    """After a kill: PostgreSQL has ended the dead client's session (and rolled it back)."""
    if BACKEND == "postgresql":
        with world.app.app_context():
            db.engine.dispose()  # the test's own idle connections are not the ones we wait for
        wait_for(lambda: _other_backends(world.app) == 0, "the dead sessions to end")


class Browser:
    """A logged-in user talking HTTP to the server on ``port``; the session is a signed cookie,
    so it survives a restart of the server."""

    def __init__(self, port: int, email: str) -> None:
        self.port = port
        self.http = requests.Session()
        page = self.http.get(f"{self.base}/login", timeout=TIMEOUT)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
        assert token, page.text
        answer = self.http.post(
            f"{self.base}/login",
            allow_redirects=False,
            timeout=TIMEOUT,
            data={"csrf_token": token[1], "email": email, "password": TEST_PASSWORD},
        )
        assert answer.status_code == 302, answer.text

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def upload_form(self, case_id: int, obligation_id: int) -> dict[str, str]:
        """The fields of the obligation's upload form, as the case page shows them."""
        page = self.http.get(f"{self.base}/cases/{case_id}", timeout=TIMEOUT)
        form = re.search(
            rf'action="/obligations/{obligation_id}/upload">(.*?)</form>', page.text, re.S
        )
        assert form, page.text
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form[1])
        version = re.search(r'name="version" value="(\d+)"', form[1])
        assert token and version, form[1]
        return {"csrf_token": token[1], "version": version[1], "text": ""}

    def start_upload(
        self, obligation_id: int, fields: dict[str, str], data: bytes
    ) -> tuple[http.client.HTTPConnection, bytes]:
        """Open the POST and send its headers; the caller sends the returned body."""
        boundary = f"----oko-fault-{uuid.uuid4().hex}"
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
            for k, v in fields.items()
        ]
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="prikaz.pdf"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
        )
        body = b"".join(parts) + data + f"\r\n--{boundary}--\r\n".encode()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        conn.putrequest("POST", f"/obligations/{obligation_id}/upload")
        conn.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
        conn.putheader("Content-Length", str(len(body)))
        conn.putheader("Cookie", "; ".join(f"{c.name}={c.value}" for c in self.http.cookies))
        # the session is bound to address and browser (Flask-Login's "strong" protection)
        conn.putheader("User-Agent", str(self.http.headers["User-Agent"]))
        conn.endheaders()
        return conn, body

    def upload(self, obligation_id: int, fields: dict[str, str], data: bytes) -> str:
        """A whole upload; where the answer (a redirect) leads."""
        conn, body = self.start_upload(obligation_id, fields, data)
        conn.send(body)
        answer = conn.getresponse()
        conn.close()
        assert answer.status == 302, answer.read()
        return str(answer.getheader("Location"))


def gunicorn(world: Committed) -> tuple[Process, int]:
    """The web server as production starts it, answering on a free port."""
    port = free_port()
    proc = world.start(
        "gunicorn",
        ["gunicorn", "--config", "gunicorn.conf.py", "wsgi:app"],
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="1",
    )

    def answers() -> bool:
        try:
            return requests.get(f"http://127.0.0.1:{port}/ping", timeout=5).status_code == 200
        except requests.RequestException:  # not listening yet, or no worker booted yet
            return False

    wait_for(answers, "gunicorn to answer", proc)
    return proc, port


class MailSink:
    """A real SMTP server on loopback, in the test process so that it outlives the sweep.

    ``hold_before(n)`` makes it stop the conversation when the client starts message n + 1
    (at MAIL FROM: message n has been accepted and its 250 read by the client) until
    ``release()``: the moment to kill the client is then known exactly.
    """

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[Any] = []
        self.port = free_port()
        self._hold_at: int | None = None
        self.holding, self._released = threading.Event(), threading.Event()
        self._log = logging.getLogger("mail.log")  # aiosmtpd logs every command at INFO
        self._log_level = self._log.level
        self._log.setLevel(logging.WARNING)
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def hold_before(self, count: int) -> None:
        self._hold_at = count

    def release(self) -> None:
        self._released.set()

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if self._hold_at is not None and len(self.messages) >= self._hold_at:
            self._hold_at = None
            self.holding.set()
            while not self._released.is_set():
                await asyncio.sleep(0.01)
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def received(self) -> Counter[tuple[str, int]]:
        """Each obligation the e-mails list, as (recipient, obligation), counted."""
        keys = []
        for message in self.messages:
            links = re.findall(r"#obligation-(\d+)", message.get_content())
            assert links, message.get_content()
            keys += [(message["To"].addresses[0].addr_spec, int(link)) for link in links]
        return Counter(keys)

    def recipients(self) -> Counter[str]:
        """The e-mails received, by recipient."""
        return Counter(message["To"].addresses[0].addr_spec for message in self.messages)

    def stop(self) -> None:
        self._released.set()
        self._controller.stop()
        self._log.setLevel(self._log_level)
