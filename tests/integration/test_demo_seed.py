"""The demo region is believable, idempotent, and each demo role sees only its own scope."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.demo.seed import DEMO_PASSWORD, seed_demo
from app.extensions import db
from app.models import AuditEvent, Organisation, OrgKind, Role, User


def _count(model: Any, *where: Any) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def _login(client: FlaskClient, email: str) -> None:
    response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302, email


def test_demo_region_shape_and_idempotence(db_session: Any) -> None:
    logins = seed_demo()
    assert _count(Organisation, Organisation.kind == OrgKind.MUNICIPALITY) >= 8
    assert _count(Organisation, Organisation.kind == OrgKind.SCHOOL) >= 120
    assert {role for role, _email, _org in logins} == {r.value for r in Role}
    specialised = _count(Organisation, Organisation.specialised.is_(True))
    assert 5 <= specialised <= 40  # some lyceums and gymnasiums, not all
    users, events = _count(User), _count(AuditEvent)
    seed_demo()
    assert (_count(User), _count(AuditEvent)) == (users, events)


def test_each_demo_role_sees_only_its_scope(
    app: Flask, client: FlaskClient, db_session: Any
) -> None:
    seed_demo()
    db_session.commit()
    schools = {
        s.login: s
        for s in db.session.scalars(
            sa.select(Organisation).where(Organisation.kind == OrgKind.SCHOOL)
        )
        if s.login and s.login.startswith("edu99")
    }
    mun1 = db.session.scalars(
        sa.select(Organisation).where(Organisation.name == "городской округ «Город Приозёрск»")
    ).one()
    own_school, city_school, rural_school = (
        schools["edu990001"],
        schools["edu990002"],
        schools["edu990031"],
    )

    _login(client, "ministry@oko.demo")
    assert ">120<" in client.get("/").text
    assert client.get(f"/orgs/{rural_school.id}").status_code == 200
    client.post("/logout", data={})

    _login(client, "mun1@oko.demo")
    assert mun1.name in client.get("/").text
    assert client.get(f"/orgs/{city_school.id}").status_code == 200
    assert client.get(f"/orgs/{rural_school.id}").status_code == 404
    client.post("/logout", data={})

    _login(client, "edu990001@oko.demo")
    assert client.get(f"/orgs/{own_school.id}").status_code == 200
    assert client.get(f"/orgs/{city_school.id}").status_code == 404
    assert client.get("/orgs").status_code == 403
    client.post("/logout", data={})

    _login(client, "auditor@oko.demo")
    assert client.get("/admin/users").status_code == 403
    client.post("/logout", data={})

    _login(client, "admin@oko.demo")
    assert client.get("/admin/users").status_code == 200
