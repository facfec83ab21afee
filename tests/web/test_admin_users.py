"""Administrators create, disable and reset accounts; every change lands in the history."""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from flask.testing import FlaskClient

from app import audit
from app.extensions import db
from app.models import AuditEvent, User
from tests.helpers import login


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def test_admin_creates_a_school_user_who_can_then_log_in(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    login(client, world["users"]["admin"])
    school = world["schools"]["a2"]
    page = client.post(
        "/admin/users/new",
        data={
            "email": "Director@School.example",
            "full_name": "Петрова Анна Сергеевна",
            "role": "school",
            "organisation_id": str(world["region"].id),
            "school_login": school.login,
        },
    )
    assert page.status_code == 200
    password = re.search(r'class="secret">([^<]+)<', page.text)
    assert password, "the new password is shown once"
    user = db.session.scalars(sa.select(User).where(User.email == "director@school.example")).one()
    assert user.organisation_id == school.id
    assert _events("user.created")[-1].object_id == user.id
    client.post("/logout", data={})
    response = client.post(
        "/login", data={"email": "director@school.example", "password": password.group(1)}
    )
    assert response.status_code == 302


def test_role_must_fit_the_organisation(client: FlaskClient, world: dict[str, Any]) -> None:
    login(client, world["users"]["admin"])
    page = client.post(
        "/admin/users/new",
        data={
            "email": "x@example.org",
            "full_name": "X",
            "role": "municipal",
            "organisation_id": str(world["region"].id),
        },
    )
    assert "не может относиться к организации такого вида" in page.text
    assert db.session.scalar(sa.select(User).where(User.email == "x@example.org")) is None


def test_school_login_from_another_region_is_not_accepted(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    login(client, world["users"]["admin"])
    page = client.post(
        "/admin/users/new",
        data={
            "email": "y@example.org",
            "full_name": "Y",
            "role": "school",
            "organisation_id": str(world["region"].id),
            "school_login": world["schools"]["x1"].login,
        },
    )
    assert "нет школы с таким логином" in page.text


def test_disable_and_reset_are_recorded(client: FlaskClient, world: dict[str, Any]) -> None:
    target = world["users"]["school_b1"]
    login(client, world["users"]["admin"])
    client.post(f"/admin/users/{target.id}/active", data={"active": "0"})
    page = client.post(f"/admin/users/{target.id}/reset", data={})
    assert 'class="secret"' in page.text
    db.session.refresh(target)
    assert target.active is False
    disabled = _events("user.disabled")[-1]
    assert disabled.before["active"] is True and disabled.after["active"] is False
    assert disabled.actor_id == world["users"]["admin"].id
    assert _events("user.password_reset")[-1].object_id == target.id
    assert audit.verify().ok


def test_admin_cannot_disable_themself(client: FlaskClient, world: dict[str, Any]) -> None:
    admin = world["users"]["admin"]
    login(client, admin)
    client.post(f"/admin/users/{admin.id}/active", data={"active": "0"})
    db.session.refresh(admin)
    assert admin.active is True


def test_admin_corrects_the_calendar_and_due_dates_follow(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    from datetime import date

    from app.plans import calendar

    login(client, world["users"]["admin"])
    page = client.get("/admin/calendar?year=2024").text
    assert "30.12.2024" in page  # a transferred day off
    client.post(
        "/admin/calendar",
        data={"day": "2024-12-27", "working": "0", "name": "Региональный выходной"},
    )
    cal = calendar.load(date(2024, 12, 1), date(2024, 12, 31))
    assert not cal.is_working(date(2024, 12, 27))
    assert cal.next_working(date(2024, 12, 27)) == date(2024, 12, 28)
    event = _events("calendar.day_changed")[-1]
    assert event.after["working"] is False and event.before["working"] is True
    # Reloading the production calendar keeps the administrator's correction.
    assert not calendar.load(date(2024, 12, 27), date(2024, 12, 27)).is_working(date(2024, 12, 27))


def test_the_user_search_folds_cyrillic_case_and_yo_on_every_database(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    school = world["schools"]["a2"]
    db.session.add_all(
        [
            User(
                email="selezneva@school.example",
                full_name="Селезнёва Ольга Петровна",
                role="school",
                organisation_id=school.id,
                password_hash="x",
            ),
            User(
                email="orlov@school.example",
                full_name="Орлов Пётр",
                role="school",
                organisation_id=school.id,
                password_hash="x",
            ),
        ]
    )
    db.session.commit()
    login(client, world["users"]["admin"])
    for typed in ("селезнева", "СЕЛЕЗНЁВА", "Селезнева Ольга", "SELEZNEVA@"):
        page = client.get("/admin/users", query_string={"q": typed}).text
        assert "selezneva@school.example" in page, typed
        assert "orlov@school.example" not in page, typed
    assert "orlov@school.example" in client.get("/admin/users?q=%D0%BF%D1%91%D1%82%D1%80").text
    assert "selezneva@" not in client.get("/admin/users", query_string={"q": "100%"}).text
