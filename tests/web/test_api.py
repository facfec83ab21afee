"""REST API v1: tokens act as their user, the same scope and rules apply, errors are problems."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.accounts import tokens
from app.demo.files import simple_pdf
from app.extensions import db
from app.models import AuditEvent, Obligation, ObligationStatus
from tests.helpers import accept_a1_order


def _auth(user: Any) -> dict[str, str]:
    _token, secret = tokens.create(user, "test")
    return {"Authorization": f"Bearer {secret}"}


def test_a_school_token_sees_only_its_cases_uploads_and_reads_history(
    client: FlaskClient, case_world: dict[str, Any]
) -> None:
    headers = _auth(case_world["users"]["school_a1"])
    listing = client.get("/api/v1/cases", headers=headers)
    assert listing.status_code == 200
    assert {c["school_login"] for c in listing.json["items"]} == {case_world["schools"]["a1"].login}
    other = case_world["cases"]["b1"]
    assert client.get(f"/api/v1/cases/{other.id}", headers=headers).status_code == 404

    # The school hands in its information certificate, owed from the day the case opened.
    case = case_world["cases"]["a1"]
    analysis = next(o for o in case.obligations if o.obligation_type == "k_certificate")
    response = client.post(
        f"/api/v1/obligations/{analysis.id}/documents",
        headers=headers,
        data={
            "version": str(analysis.version),
            "note": "справка",
            "file": (io.BytesIO(simple_pdf("sa")), "Справка.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.json
    assert response.json["number"] == 1
    download = client.get(response.json["download"], headers=headers)
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    history = client.get(f"/api/v1/cases/{case.id}/history", headers=headers).json
    assert history["verified"] is True
    assert history["events"][-1]["action"] == "obligation.submitted"
    assert history["events"][-2]["action"] == "document.uploaded"
    db.session.refresh(analysis)
    assert analysis.status is ObligationStatus.SUBMITTED


def test_a_ministry_token_takes_a_case_action_and_stale_versions_get_409(
    client: FlaskClient, case_world: dict[str, Any]
) -> None:
    case = case_world["cases"]["b1"]  # its order was handed in by the fixture
    headers = _auth(case_world["users"]["ministry"])
    order = client.get(f"/api/v1/obligations/{case.obligations[0].id}", headers=headers).json
    reviewed = client.post(
        f"/api/v1/obligations/{order['id']}/review",
        headers=headers,
        json={"version": order["version"], "accept": True},
    )
    assert reviewed.status_code == 200 and reviewed.json["status"] == "accepted"
    seen = client.get(f"/api/v1/cases/{case.id}", headers=headers).json
    offered = {t["key"]: t["blocked"] for t in seen["transitions"]}
    assert set(offered) == {"close_resolved", "close_escalated", "return:municipal_acts"}
    assert offered["close_resolved"] is not None and offered["return:municipal_acts"] is None
    moved = client.post(
        f"/api/v1/cases/{case.id}/transitions",
        headers=headers,
        json={
            "transition": "return:municipal_acts",
            "version": seen["version"],
            "reason": "Анализ причин без выводов",
        },
    )
    assert moved.status_code == 200 and moved.json["stage"] == "recheck"
    returned = next(o for o in moved.json["obligations"] if o["id"] == order["id"])
    assert returned["status"] == "returned"
    stale = client.post(
        f"/api/v1/cases/{case.id}/transitions",
        headers=headers,
        json={"transition": "close_escalated", "version": seen["version"], "reason": "x"},
    )
    assert stale.status_code == 409
    assert stale.mimetype == "application/problem+json"
    assert stale.json["changed_by"] == case_world["users"]["ministry"].full_name
    assert stale.json["title"] == "Конфликт изменений"


def test_roles_and_errors_are_the_same_as_on_the_pages(
    client: FlaskClient, case_world: dict[str, Any]
) -> None:
    case = case_world["cases"]["a1"]
    school = _auth(case_world["users"]["school_a1"])
    refused = client.post(
        f"/api/v1/cases/{case.id}/transitions",
        headers=school,
        json={"transition": "close_escalated", "version": case.version, "reason": "x"},
    )
    assert refused.status_code == 403
    assert client.get("/api/v1/cases").status_code == 401
    assert (
        client.get("/api/v1/cases", headers={"Authorization": "Bearer oko_forged"}).status_code
        == 401
    )
    bad = client.get("/api/v1/cases?level=7", headers=school)
    assert bad.status_code == 400 and bad.json["errors"][0]["field"] == "level"
    assert (
        client.get("/api/v1/no-such-thing", headers=school).mimetype == "application/problem+json"
    )
    assert client.get("/api/v1/signs/2023/proposed", headers=school).status_code == 403
    assert (
        client.post(
            f"/api/v1/cases/{case.id}/transitions", headers=school, data="not json"
        ).status_code
        == 400
    )


def test_revoked_and_disabled_tokens_stop_working(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    from app.accounts import users as accounts

    user = world["users"]["municipal_a"]
    token, secret = tokens.create(user, "script")
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/me", headers=headers).json["email"] == user.email
    tokens.revoke(token, actor=user)
    db.session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    _t, secret2 = tokens.create(user, "script 2")
    accounts.set_active(user, False, actor=world["users"]["admin"])
    db.session.commit()
    assert (
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret2}"}).status_code == 401
    )
    stored = " ".join(str(a) for a in db.session.scalars(sa.select(AuditEvent.after)).all())
    assert token.token_hash != secret and secret not in stored


def test_tokens_on_the_profile_page(client: FlaskClient, world: dict[str, Any], app: Flask) -> None:
    import re

    from tests.helpers import login

    login(client, world["users"]["school_a1"])
    page = client.post("/profile/tokens", data={"name": "мой скрипт"}).text
    secret = re.search(r'id="new-token">([^<]+)<', page).group(1)
    other = app.test_client()
    assert other.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    token_id = re.search(r"/profile/tokens/(\d+)/revoke", client.get("/profile").text).group(1)
    client.post(f"/profile/tokens/{token_id}/revoke", data={})
    assert other.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_openapi_describes_every_api_route(client: FlaskClient, app: Flask) -> None:
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    documented = {(p, m.upper()) for p, ops in spec["paths"].items() for m in ops}
    import re

    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.describe":
            path = re.sub(r"<(?:[^:>]+:)?(\w+)>", r"{\1}", rule.rule)
            routes |= {(path, m) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes == documented


ROLES = ("ministry", "auditor", "admin", "municipal_a", "school_a1")
CASE_VISIBLE = {
    "ministry": {"a1", "b1"},
    "auditor": {"a1", "b1"},
    "admin": {"a1", "b1"},
    "municipal_a": {"a1"},
    "school_a1": {"a1"},
}
API_CALLS = {  # endpoint → how a role × object probe calls it (path of an object of case `key`)
    "api.get_case": lambda c: ("GET", f"/api/v1/cases/{c.id}", None),
    "api.case_history": lambda c: ("GET", f"/api/v1/cases/{c.id}/history", None),
    "api.get_obligation": lambda c: ("GET", f"/api/v1/obligations/{c.obligations[0].id}", None),
    "api.take_transition": lambda c: (
        "POST",
        f"/api/v1/cases/{c.id}/transitions",
        {"transition": "x", "version": 1},
    ),
    "api.submit_obligation": lambda c: (
        "POST",
        f"/api/v1/obligations/{c.obligations[0].id}/submit",
        {"version": 1},
    ),
    "api.review_obligation": lambda c: (
        "POST",
        f"/api/v1/obligations/{c.obligations[0].id}/review",
        {"version": 1, "accept": True},
    ),
    "api.upload_document": lambda c: (
        "POST",
        f"/api/v1/obligations/{c.obligations[0].id}/documents",
        {"version": "1", "file": (io.BytesIO(simple_pdf("x")), "x.pdf")},
    ),
}
UNSCOPED = {
    "api.me",
    "api.list_cases",
    "api.list_obligations",
    "api.list_notifications",
    "api.proposed_list",
    "api.download_document",
    "api.describe",
}  # lists filter by scope; checked separately


def test_every_api_endpoint_is_probed(app: Flask) -> None:
    endpoints = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("api.")}
    assert endpoints == set(API_CALLS) | UNSCOPED


def test_api_never_shows_another_organisations_object(
    client: FlaskClient, case_world: dict[str, Any]
) -> None:

    for role in ROLES:
        headers = _auth(case_world["users"][role])
        for key, case in case_world["cases"].items():
            for name, call in API_CALLS.items():
                method, path, body = call(case)
                if name == "api.upload_document":
                    response = client.open(
                        path,
                        method=method,
                        headers=headers,
                        data=body,
                        content_type="multipart/form-data",
                    )
                else:
                    response = client.open(path, method=method, headers=headers, json=body)
                if key not in CASE_VISIBLE[role]:
                    assert response.status_code == 404, (role, key, name, response.status_code)
                else:
                    assert response.status_code != 404, (role, key, name)
        listing = client.get("/api/v1/cases", headers=headers).json
        seen = {c["school_login"] for c in listing["items"]}
        assert seen == {case_world["schools"][k].login for k in CASE_VISIBLE[role]}, role
        owed = client.get("/api/v1/obligations", headers=headers).json["items"]
        assert {o["case_id"] for o in owed} <= {
            case_world["cases"][k].id for k in CASE_VISIBLE[role]
        }
        document = case_world["document"]
        status = client.get(
            f"/api/v1/documents/{document.id}/versions/1", headers=headers
        ).status_code
        assert status == (200 if role in ("ministry", "auditor", "admin") else 404), role


def _school_briefing(w: dict[str, Any]) -> None:
    """A measure the ministry adds for every school that takes no document (a briefing held):
    a1's obligation is handed in by a plain submission and reviewed by the municipality."""
    from datetime import date

    from app.models import Category, Level
    from app.plans.dates import by
    from app.plans.measures import Measure, reviewed_by
    from app.workflows import replan

    case = w["cases"]["a1"]
    replan.save_measure(
        case.campaign,
        None,
        Measure(
            "briefing",
            "12",
            "Совещание с педагогами по итогам ВПР",
            Level.SCHOOL,
            by(date(2023, 11, 20)),
            "self_analysis",
            (Category.OBJECTIVITY,),
            reviewers=reviewed_by(Level.MUNICIPALITY),
        ),
        actor=w["users"]["ministry"],
        reason="Письмо министерства",
    )
    w["briefing"] = next(o for o in case.obligations if o.obligation_type == "briefing")


def _status_of(key: str) -> Callable[[dict[str, Any]], Any]:
    def read(w: dict[str, Any]) -> Any:
        db.session.expire_all()
        return db.session.get(Obligation, w[key].id).status

    return read


@dataclass(frozen=True)
class ApiCall:
    """A call of the API, who may make it, and what an allowed call changes."""

    method: str
    path: Callable[[dict[str, Any]], str]
    allowed: frozenset[str]
    body: Callable[[dict[str, Any]], Any] = lambda w: None
    effect: Callable[[dict[str, Any]], Any] | None = None
    setup: Callable[[dict[str, Any]], None] | None = None
    multipart: bool = False


def _a1(w: dict[str, Any]) -> Any:
    return w["cases"]["a1"]


API_ROLE_MATRIX = {
    "api.take_transition": ApiCall(  # a1's accepted act returned for rework
        "POST",
        lambda w: f"/api/v1/cases/{_a1(w).id}/transitions",
        frozenset({"ministry", "municipal_a"}),
        body=lambda w: {
            "transition": "return:municipal_acts",
            "version": _a1(w).version,
            "reason": "Без выводов",
        },
        effect=lambda w: (
            db.session.expire_all(),
            db.session.get(Obligation, _a1(w).obligations[0].id).status,
        )[1],
        setup=accept_a1_order,
    ),
    "api.submit_obligation": ApiCall(
        "POST",
        lambda w: f"/api/v1/obligations/{w['briefing'].id}/submit",
        frozenset({"school_a1"}),
        body=lambda w: {"version": w["briefing"].version},
        effect=_status_of("briefing"),
        setup=_school_briefing,
    ),
    "api.review_obligation": ApiCall(  # b1's order awaits the ministry
        "POST",
        lambda w: f"/api/v1/obligations/{w['cases']['b1'].obligations[0].id}/review",
        frozenset({"ministry"}),
        body=lambda w: {"version": w["cases"]["b1"].obligations[0].version, "accept": True},
        effect=lambda w: (
            db.session.expire_all(),
            db.session.get(Obligation, w["cases"]["b1"].obligations[0].id).status,
        )[1],
    ),
    "api.upload_document": ApiCall(
        "POST",
        lambda w: f"/api/v1/obligations/{_a1(w).obligations[0].id}/documents",
        frozenset({"municipal_a"}),
        body=lambda w: {
            "version": str(_a1(w).obligations[0].version),
            "file": (io.BytesIO(simple_pdf("x")), "order.pdf"),
        },
        effect=lambda w: (
            db.session.expire_all(),
            db.session.get(Obligation, _a1(w).obligations[0].id).status,
        )[1],
        multipart=True,
    ),
    "api.proposed_list": ApiCall(
        "GET", lambda w: "/api/v1/signs/2023/proposed", frozenset({"ministry", "auditor"})
    ),
    "api.download_document": ApiCall(  # municipality B's act for b1
        "GET",
        lambda w: f"/api/v1/documents/{w['document'].id}/versions/1",
        frozenset({"ministry", "auditor", "admin"}),
    ),
}


@pytest.mark.parametrize("name", sorted(API_ROLE_MATRIX))
def test_api_role_matrix(
    client: FlaskClient, matrix_world: dict[str, Any], rolled_back: Any, name: str
) -> None:
    """Each role's token is let through exactly where its role is, and the outcome shows it:
    an allowed write changes the record, a refused one (403/404) changes nothing."""
    call = API_ROLE_MATRIX[name]
    if call.setup:
        call.setup(matrix_world)
        db.session.commit()
    for role in ROLES:
        with rolled_back():
            headers = _auth(matrix_world["users"][role])
            db.session.commit()
            before = call.effect(matrix_world) if call.effect else None
            body = call.body(matrix_world)
            if call.multipart:
                response = client.open(
                    call.path(matrix_world),
                    method=call.method,
                    headers=headers,
                    data=body,
                    content_type="multipart/form-data",
                )
            else:
                response = client.open(
                    call.path(matrix_world), method=call.method, headers=headers, json=body
                )
            after = call.effect(matrix_world) if call.effect else None
            status = response.status_code
            if role in call.allowed:
                assert status in (200, 201), f"{role} should reach {name}: {status} {response.json}"
                if call.effect:
                    assert after != before, f"{role} reached {name} and nothing changed"
            else:
                assert status in (403, 404), f"{role} must not reach {name}, got {status}"
                assert after == before, f"{role} changed what {name} changes"
