"""Russian by default, English per user; friendly error pages."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.i18n import russian_document_date
from tests.helpers import login


def test_english_is_switchable_and_remembered_per_user(
    client: FlaskClient, world: dict[str, Any], app: Flask
) -> None:
    user = world["users"]["ministry"]
    login(client, user)
    assert "Главная" in client.get("/").text
    client.post("/language", data={"locale": "en", "next": "/"})
    page = client.get("/")
    assert 'lang="en"' in page.text and "Home" in page.text
    db.session.refresh(user)
    assert user.locale == "en"
    # A fresh browser: the choice follows the account.
    other = app.test_client()
    login(other, user)
    assert "Home" in other.get("/").text


def test_language_can_be_chosen_before_login(client: FlaskClient) -> None:
    client.post("/language", data={"locale": "en", "next": "/login"})
    assert "Log in" in client.get("/login").text


def test_unknown_language_is_ignored(client: FlaskClient) -> None:
    client.post("/language", data={"locale": "de", "next": "/login"})
    assert 'lang="ru"' in client.get("/login").text


def test_404_page_is_friendly_and_russian(client: FlaskClient, world: dict[str, Any]) -> None:
    login(client, world["users"]["ministry"])
    page = client.get("/no-such-page")
    assert page.status_code == 404
    assert "Страница не найдена" in page.text
    assert "На главную страницу" in page.text


def test_403_page(client: FlaskClient, world: dict[str, Any]) -> None:
    login(client, world["users"]["school_a1"])
    page = client.get("/admin/users")
    assert page.status_code == 403
    assert "Доступ запрещён" in page.text


def test_500_page_hides_the_error_and_shows_the_request_id(
    app: Flask, world: dict[str, Any], client: FlaskClient
) -> None:
    login(client, world["users"]["ministry"])

    def boom() -> str:
        raise RuntimeError("secret internals")

    app.view_functions["main.index"], original = boom, app.view_functions["main.index"]
    app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        page = client.get("/", headers={"X-Request-ID": "req-test-12345"})
    finally:
        app.view_functions["main.index"] = original
        app.config["PROPAGATE_EXCEPTIONS"] = None
    assert page.status_code == 500
    assert "Что-то пошло не так" in page.text
    assert "secret internals" not in page.text
    assert "req-test-12345" in page.text
    assert page.headers["X-Request-ID"] == "req-test-12345"


def test_russian_document_dates() -> None:
    assert russian_document_date(date(2023, 12, 29)) == "«29» декабря 2023 г."
    assert russian_document_date(date(2024, 1, 6)) == "«06» января 2024 г."


def test_dates_on_pages_are_russian(client: FlaskClient, world: dict[str, Any]) -> None:
    admin = world["users"]["admin"]
    login(client, admin)
    page = client.get(f"/admin/users/{admin.id}")
    db.session.refresh(admin)
    assert admin.last_login_at is not None
    moment = admin.last_login_at.astimezone(ZoneInfo("Europe/Moscow"))
    assert f"<dd>{moment:%d.%m.%Y %H:%M}</dd>" in page.text


def test_an_id_beyond_the_database_integer_is_a_plain_404(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    login(client, world["users"]["ministry"])
    assert client.get("/cases/2147483648").status_code == 404
    assert client.get("/orgs/99999999999999999999").status_code == 404


def test_ping_and_health(client: FlaskClient, app: Flask, tmp_path: Any) -> None:
    assert client.get("/ping").data == b"ok"
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json == {"status": "ok", "checks": {"database": "ok", "storage": "ok"}}
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("a file where the store should be")
    saved = app.config["OKO_STORAGE_DIR"]
    app.config["OKO_STORAGE_DIR"] = str(blocked)
    try:
        broken = client.get("/healthz")
    finally:
        app.config["OKO_STORAGE_DIR"] = saved
    assert broken.status_code == 503
    assert broken.json["checks"]["storage"].startswith("error")
