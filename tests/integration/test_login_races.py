"""Parallel wrong guesses at one password are all counted, on SQLite and PostgreSQL alike, and
none of them is answered with a server error."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import LoginThrottle, Role
from tests.conftest import CsrfClient, make_app, new_database_url, upgrade_schema
from tests.helpers import TEST_PASSWORD, Factory

GUESSES = 20


@pytest.fixture
def committed(tmp_path: Path) -> Any:
    """An app on its own database where every change is committed for real."""
    url, drop = new_database_url(tmp_path)
    app = make_app(url, tmp_path, SQLALCHEMY_ENGINE_OPTIONS={"pool_size": GUESSES + 5})
    upgrade_schema(app)
    yield app
    with app.app_context():
        db.engine.dispose()
    drop()


def _guess_in_parallel(app: Any, email: str, passwords: list[str]) -> list[int]:
    app.test_client_class = CsrfClient
    clients = [app.test_client() for _ in passwords]
    for client in clients:
        client.get("/login")
    barrier = threading.Barrier(len(passwords), timeout=30)
    statuses: list[int] = []
    lock = threading.Lock()

    def guess(client: Any, password: str) -> None:
        barrier.wait()
        response = client.post(
            "/login",
            data={"email": email, "password": password},
            environ_base={"REMOTE_ADDR": "198.51.100.7"},
        )
        with lock:
            statuses.append(response.status_code)

    threads = [
        threading.Thread(target=guess, args=(c, p)) for c, p in zip(clients, passwords, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses


def test_twenty_parallel_wrong_guesses_are_all_counted(committed: Any) -> None:
    app = committed
    with app.app_context():
        make = Factory()
        user = make.user(Role.MINISTRY, make.region())
        db.session.commit()
        email = user.email

    statuses = _guess_in_parallel(app, email, [f"guess-{n}" for n in range(GUESSES)])

    assert sorted(set(statuses)) <= [401, 429], statuses  # never a 500
    checked = statuses.count(401)
    assert checked <= app.config["OKO_LOGIN_DELAY_AFTER"] + 1, statuses
    with app.app_context():
        rows = {r.key: r.failures for r in db.session.scalars(sa.select(LoginThrottle))}
    assert rows[f"pair:198.51.100.7|{email}"] == GUESSES
    assert rows["ip:198.51.100.7"] == GUESSES


def test_the_owner_logs_in_from_elsewhere_while_a_stranger_guesses(committed: Any) -> None:
    app = committed
    with app.app_context():
        make = Factory()
        user = make.user(Role.SCHOOL, make.school(make.municipality(make.region())))
        db.session.commit()
        email = user.email
    _guess_in_parallel(app, email, [f"guess-{n}" for n in range(GUESSES)])

    app.test_client_class = CsrfClient
    owner = app.test_client()
    response = owner.post(
        "/login",
        data={"email": email, "password": TEST_PASSWORD},
        environ_base={"REMOTE_ADDR": "203.0.113.9"},
    )
    assert response.status_code == 302
    assert owner.get("/").status_code == 200
