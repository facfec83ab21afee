"""Logging in: hashed passwords, CSRF, throttling, cookie flags, session invalidation."""

from __future__ import annotations

import contextlib
from datetime import timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from app.accounts import throttle
from app.accounts import users as accounts
from app.extensions import db
from app.models import Role
from app.models.types import utcnow
from tests.helpers import TEST_PASSWORD, Factory, login


def _attempt(client: FlaskClient, email: str, password: str) -> Any:
    return client.post("/login", data={"email": email, "password": password})


def test_login_page_is_russian_by_default(client: FlaskClient) -> None:
    page = client.get("/login")
    assert page.status_code == 200
    assert 'lang="ru"' in page.text
    assert "Вход" in page.text and "Пароль" in page.text


def test_correct_password_logs_in_and_wrong_one_does_not(
    client: FlaskClient, make: Factory
) -> None:
    user = make.user(Role.MINISTRY, make.region())
    wrong = _attempt(client, user.email, "not-the-password")
    assert wrong.status_code == 401
    assert "Неверный адрес электронной почты или пароль" in wrong.text
    assert client.get("/").status_code == 302  # still anonymous: sent to the login page
    login(client, user)
    assert client.get("/").status_code == 200


def test_email_is_case_insensitive(client: FlaskClient, make: Factory) -> None:
    user = make.user(Role.MINISTRY, make.region(), email="Olga@Example.org".lower())
    response = _attempt(client, "  OLGA@example.ORG ", TEST_PASSWORD)
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.last_login_at is not None


def test_passwords_are_stored_with_scrypt(make: Factory, db_session: Any) -> None:
    region = make.region()
    user = accounts.create_user(
        email="new@example.org",
        full_name="Новый",
        role=Role.AUDITOR,
        organisation=region,
        password="a-long-enough-secret",
        actor=None,
    )
    assert user.password_hash.startswith("scrypt:")
    assert "a-long-enough-secret" not in user.password_hash
    assert user.check_password("a-long-enough-secret")


def test_login_without_csrf_token_is_refused(client: FlaskClient, make: Factory) -> None:
    user = make.user(Role.MINISTRY, make.region())
    response = client.post(
        "/login", data={"email": user.email, "password": TEST_PASSWORD}, csrf=False
    )
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_session_cookie_is_httponly_and_samesite(client: FlaskClient, make: Factory) -> None:
    user = make.user(Role.MINISTRY, make.region())
    response = login(client, user)
    cookie = next(v for v in response.headers.getlist("Set-Cookie") if v.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_secure_cookie_behind_https(tmp_path: Any) -> None:
    from app.config import load_config

    config = load_config(tmp_path)
    assert config["SESSION_COOKIE_SECURE"] is False
    import os

    os.environ["OKO_HTTPS"] = "true"
    try:
        assert load_config(tmp_path)["SESSION_COOKIE_SECURE"] is True
    finally:
        del os.environ["OKO_HTTPS"]


def test_repeated_failures_slow_down(client: FlaskClient, make: Factory, app: Flask) -> None:
    user = make.user(Role.MINISTRY, make.region())
    delay_after = app.config["OKO_LOGIN_DELAY_AFTER"]
    for _ in range(delay_after):
        assert _attempt(client, user.email, "wrong-password").status_code == 401
    # The next attempt comes too soon: refused without even checking the password.
    slowed = _attempt(client, user.email, TEST_PASSWORD)
    assert slowed.status_code == 429
    assert "Повторите через" in slowed.text
    assert client.get("/").status_code == 302


def test_a_stranger_slows_only_their_own_guesses(make: Factory, db_session: Any) -> None:
    user = make.user(Role.MINISTRY, make.region())
    policy = throttle.Policy(delay_after=3, max_wait_minutes=15)
    now = utcnow()
    for _ in range(12):  # the day before a deadline, someone guesses the director's password
        with contextlib.suppress(accounts.LoginRefused):
            accounts.authenticate(user.email, "guess", ip="10.0.0.1", policy=policy, now=now)
    assert throttle.attempt(user.email, "10.0.0.1", policy, now) > 0
    # The director, from the school's own address, logs in at once.
    assert accounts.authenticate(user.email, TEST_PASSWORD, ip="10.0.0.2", policy=policy, now=now)
    # The stranger's back-off grows but is never longer than the cap.
    later = now + timedelta(minutes=16)
    assert throttle.attempt(user.email, "10.0.0.1", policy, later) == 0


def test_unknown_login_is_throttled_like_a_real_one(db_session: Any) -> None:
    policy = throttle.Policy(delay_after=2, max_wait_minutes=15)
    now = utcnow()
    for _ in range(2):
        assert throttle.attempt("nobody@example.org", None, policy, now) == 0
    assert throttle.attempt("nobody@example.org", None, policy, now) > 0


def test_disabled_user_cannot_log_in_and_is_logged_out(
    client: FlaskClient, make: Factory, db_session: Any
) -> None:
    region = make.region()
    admin = make.user(Role.ADMIN, region)
    user = make.user(Role.MINISTRY, region)
    login(client, user)
    accounts.set_active(user, False, actor=admin)
    db_session.commit()
    assert client.get("/").status_code == 302  # the old session no longer works
    assert _attempt(client, user.email, TEST_PASSWORD).status_code == 401


def test_password_reset_ends_existing_sessions(
    client: FlaskClient, make: Factory, db_session: Any
) -> None:
    region = make.region()
    admin = make.user(Role.ADMIN, region)
    user = make.user(Role.MINISTRY, region)
    login(client, user)
    new_password = accounts.reset_password(user, actor=admin)
    db_session.commit()
    assert client.get("/").status_code == 302
    login(client, user, new_password)
    assert client.get("/").status_code == 200


def test_open_redirect_after_login_is_refused(client: FlaskClient, make: Factory) -> None:
    user = make.user(Role.MINISTRY, make.region())
    response = client.post(
        "/login?next=//evil.example/x", data={"email": user.email, "password": TEST_PASSWORD}
    )
    assert response.headers["Location"] == "/"
    client.post("/logout", data={})
    response = client.post(
        "/login?next=/orgs", data={"email": user.email, "password": TEST_PASSWORD}
    )
    assert response.headers["Location"] == "/orgs"


def test_user_changes_own_password(client: FlaskClient, make: Factory) -> None:
    user = make.user(Role.SCHOOL, make.school(make.municipality(make.region())))
    login(client, user)
    bad = client.post(
        "/profile",
        data={"current": "wrong", "new": "another-long-pass", "repeat": "another-long-pass"},
    )
    assert "Текущий пароль указан неверно" in bad.text
    ok = client.post(
        "/profile",
        data={"current": TEST_PASSWORD, "new": "another-long-pass", "repeat": "another-long-pass"},
    )
    assert ok.status_code == 302
    assert client.get("/").status_code == 200  # this session was re-issued
    db.session.refresh(user)
    assert user.check_password("another-long-pass")
