"""Role × endpoint matrix: every page answers each role as intended, and changing an id in a URL
never shows another organisation's data.

Every endpoint of the application must appear in ENDPOINTS; a new view without an entry here
fails test_every_endpoint_is_in_the_matrix.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.demo.files import simple_pdf
from app.models import Organisation, User
from tests.helpers import login

ROLES = ("ministry", "auditor", "admin", "municipal_a", "school_a1")
ALL = frozenset(ROLES)
ABOVE_SCHOOL = ALL - {"school_a1"}
MINISTRY = frozenset({"ministry"})


def _case(w: dict[str, Any], key: str = "a1") -> Any:
    return w["cases"][key]


def _order(w: dict[str, Any]) -> Any:
    return _case(w).obligations[0]


@dataclass(frozen=True)
class Endpoint:
    """How to call an endpoint and who may use it."""

    path: Callable[[dict[str, Any]], str]
    allowed: frozenset[str]
    method: str = "GET"
    form: dict[str, Any] = field(default_factory=dict)  # callables are called per request
    public: bool = False  # reachable without logging in


ENDPOINTS: dict[str, Endpoint] = {
    "auth.login": Endpoint(lambda w: "/login", ALL, public=True),
    "auth.logout": Endpoint(lambda w: "/logout", ALL, method="POST"),
    "auth.choose_language": Endpoint(
        lambda w: "/language", ALL, method="POST", form={"locale": "ru"}, public=True
    ),
    "auth.profile": Endpoint(lambda w: "/profile", ALL),
    "auth.token_create": Endpoint(
        lambda w: "/profile/tokens", ALL, method="POST", form={"name": "скрипт"}
    ),
    "auth.token_revoke": Endpoint(
        lambda w: "/profile/tokens/999999/revoke", frozenset(), method="POST"
    ),
    "main.index": Endpoint(lambda w: "/", ALL),
    "main.ping": Endpoint(lambda w: "/ping", ALL, public=True),
    "main.health": Endpoint(lambda w: "/healthz", ALL, public=True),
    "main.organisations": Endpoint(lambda w: "/orgs", ABOVE_SCHOOL),
    "main.organisation": Endpoint(lambda w: f"/orgs/{w['schools']['a1'].id}", ALL),
    "admin.users": Endpoint(lambda w: "/admin/users", frozenset({"admin"})),
    "admin.user_new": Endpoint(lambda w: "/admin/users/new", frozenset({"admin"})),
    "admin.user_detail": Endpoint(
        lambda w: f"/admin/users/{w['users']['school_a1'].id}", frozenset({"admin"})
    ),
    "admin.user_set_active": Endpoint(
        lambda w: f"/admin/users/{w['users']['school_b1'].id}/active",
        frozenset({"admin"}),
        method="POST",
        form={"active": "1"},
    ),
    "admin.user_reset": Endpoint(
        lambda w: f"/admin/users/{w['users']['school_b1'].id}/reset",
        frozenset({"admin"}),
        method="POST",
    ),
    "admin.directory": Endpoint(lambda w: "/admin/directory", frozenset({"admin", "ministry"})),
    "admin.calendar_days": Endpoint(lambda w: "/admin/calendar?year=2024", frozenset({"admin"})),
    "cases.case_list": Endpoint(lambda w: "/cases", ALL),
    "cases.case_export": Endpoint(lambda w: "/cases/export?format=csv", ALL),
    "cases.case_detail": Endpoint(lambda w: f"/cases/{_case(w).id}", ALL),
    "cases.case_move": Endpoint(
        lambda w: f"/cases/{_case(w).id}/move",
        frozenset({"ministry", "municipal_a"}),
        method="POST",
        form={"transition": "start_self_analysis", "version": "1"},
    ),
    "cases.case_level": Endpoint(
        lambda w: f"/cases/{_case(w).id}/level",
        MINISTRY,
        method="POST",
        form={"level": "2", "version": "1"},
    ),
    "cases.obligation_action": Endpoint(
        lambda w: f"/obligations/{_order(w).id}/submit",
        frozenset({"municipal_a"}),
        method="POST",
        form={"version": "1"},
    ),
    "documents.upload": Endpoint(
        lambda w: f"/obligations/{_order(w).id}/upload",
        frozenset({"municipal_a"}),
        method="POST",
        form={"version": "1", "file": lambda: (io.BytesIO(simple_pdf("x")), "order.pdf")},
    ),
    "roadmaps.case_roadmap": Endpoint(lambda w: f"/cases/{_case(w).id}/roadmap", ALL),
    "roadmaps.show": Endpoint(lambda w: f"/roadmaps/{w['roadmap'].id}", ALL),
    "roadmaps.save_item": Endpoint(
        lambda w: f"/roadmaps/{w['roadmap'].id}/items",
        frozenset({"school_a1"}),
        method="POST",
        form={"measure": "Педсовет", "status": "planned"},
    ),
    "roadmaps.submit_report": Endpoint(
        lambda w: f"/roadmaps/{w['roadmap'].id}/reports",
        frozenset({"school_a1"}),
        method="POST",
        form={"period": "2023-11", "text": "Отчёт"},
    ),
    "notices.inbox": Endpoint(lambda w: "/notifications", ALL),
    "notices.read": Endpoint(lambda w: "/notifications/999999/read", frozenset(), method="POST"),
    "notices.read_all": Endpoint(lambda w: "/notifications/read-all", ALL, method="POST"),
    "notices.settings": Endpoint(
        lambda w: "/notifications/settings", ALL, method="POST", form={"email_mode": "each"}
    ),
    "notices.calendar_feed": Endpoint(lambda w: "/notifications/calendar", ALL, method="POST"),
    "notices.calendar": Endpoint(lambda w: "/calendar/no-such-token.ics", frozenset(), public=True),
    "notices.compliance": Endpoint(
        lambda w: "/dashboard/compliance.xlsx", frozenset({"ministry", "auditor", "municipal_a"})
    ),
    "vpr.index": Endpoint(lambda w: "/vpr/", frozenset({"ministry", "auditor"})),
    "vpr.upload_specs": Endpoint(
        lambda w: "/vpr/specs",
        MINISTRY,
        method="POST",
        form={"file": lambda: (io.BytesIO(b"[]"), "specs.json")},
    ),
    "vpr.upload_results": Endpoint(lambda w: "/vpr/imports", MINISTRY, method="POST"),
    "vpr.job_status": Endpoint(lambda w: "/vpr/imports/999999.json", frozenset()),
    "vpr.compute": Endpoint(lambda w: "/vpr/signs", MINISTRY, method="POST", form={"year": "2023"}),
    "vpr.run": Endpoint(lambda w: "/vpr/signs/999999", frozenset()),
    "vpr.download": Endpoint(lambda w: "/vpr/signs/999999/list.csv", frozenset()),
    "vpr.approve": Endpoint(lambda w: "/vpr/signs/999999/approve", frozenset(), method="POST"),
    "vpr.school": Endpoint(lambda w: "/vpr/signs/999999/edu000000", frozenset()),
    "vpr.chart": Endpoint(lambda w: "/vpr/charts/2023/edu000000/4/x/histogram.png", frozenset()),
    "documents.upload_data": Endpoint(
        lambda w: f"/cases/{_case(w).id}/data/recheck_results",
        frozenset({"ministry", "municipal_a"}),
        method="POST",
    ),
    "documents.generate_document": Endpoint(
        lambda w: f"/cases/{_case(w).id}/generate/case_history",
        frozenset({"ministry", "auditor", "admin", "municipal_a"}),
        method="POST",
    ),
    "admin.templates": Endpoint(lambda w: "/admin/templates", frozenset({"admin"})),
    "admin.template_download": Endpoint(
        lambda w: "/admin/templates/roadmap.docx", frozenset({"admin"})
    ),
    "stages.form": Endpoint(lambda w: f"/cases/{_case(w).id}/forms/self_analysis", ALL),
    "stages.recheck_page": Endpoint(lambda w: f"/cases/{_case(w).id}/recheck", ALL),
    "stages.recheck_action": Endpoint(
        lambda w: f"/cases/{_case(w).id}/recheck/assign",
        frozenset({"ministry", "municipal_a"}),
        method="POST",
    ),
    "stages.experts": Endpoint(lambda w: "/experts", frozenset({"municipal_a"})),
    "stages.director_page": Endpoint(lambda w: f"/cases/{_case(w).id}/director", ALL),
    "stages.mentoring": Endpoint(lambda w: f"/cases/{_case(w).id}/mentoring", ALL),
    "sessions.index": Endpoint(lambda w: "/sessions", ALL),
    "sessions.show": Endpoint(lambda w: "/sessions/999999", frozenset()),
    "sessions.act": Endpoint(lambda w: "/sessions/999999/decisions", frozenset(), method="POST"),
    "roadmaps.hand_in": Endpoint(
        lambda w: f"/roadmaps/{w['roadmap'].id}/hand-in", frozenset({"school_a1"}), method="POST"
    ),
    "documents.download": Endpoint(
        lambda w: f"/documents/{w['document'].id}/v/1", frozenset({"ministry", "auditor", "admin"})
    ),
    "overview.inbox": Endpoint(
        lambda w: "/inbox", frozenset({"ministry", "municipal_a", "school_a1"})
    ),
    "overview.dashboard": Endpoint(
        lambda w: "/dashboard", frozenset({"ministry", "auditor", "municipal_a"})
    ),
    "campaigns.campaign_list": Endpoint(lambda w: "/campaigns", ABOVE_SCHOOL),
    "campaigns.campaign_detail": Endpoint(
        lambda w: f"/campaigns/{_case(w).campaign_id}", ABOVE_SCHOOL
    ),
    "campaigns.campaign_deadline": Endpoint(
        lambda w: f"/campaigns/{_case(w).campaign_id}/deadline",
        MINISTRY,
        method="POST",
        form={"obligation_type": "self_analysis", "due_date": "2023-12-01"},
    ),
    "campaigns.flags_import": Endpoint(lambda w: "/flags/import", MINISTRY),
    "auditing.history": Endpoint(lambda w: "/audit", frozenset({"ministry", "auditor", "admin"})),
}

# Which organisations each role's user may see in the `world` fixture (written out by hand,
# independently of app.access.scope).
VISIBLE = {
    "ministry": {"region", "mun_a", "mun_b", "a1", "a2", "b1", "b2"},
    "auditor": {"region", "mun_a", "mun_b", "a1", "a2", "b1", "b2"},
    "admin": {"region", "mun_a", "mun_b", "a1", "a2", "b1", "b2"},
    "municipal_a": {"mun_a", "a1", "a2"},
    "school_a1": {"a1"},
}


def _orgs(case_world: dict[str, Any]) -> dict[str, Organisation]:
    orgs = {k: case_world[k] for k in ("region", "other_region", "mun_a", "mun_b", "mun_x")}
    orgs.update(case_world["schools"])
    return orgs


def _form(endpoint: Endpoint) -> dict[str, Any]:
    return {k: (v() if callable(v) else v) for k, v in endpoint.form.items()}


def _call(client: FlaskClient, endpoint: Endpoint, case_world: dict[str, Any]) -> Any:
    if endpoint.method == "POST":
        return client.post(endpoint.path(case_world), data=_form(endpoint))
    return client.get(endpoint.path(case_world))


def test_every_endpoint_is_in_the_matrix(app: Flask) -> None:
    registered = {
        r.endpoint
        for r in app.url_map.iter_rules()
        if r.endpoint != "static" and not r.endpoint.startswith("api.")
    }  # the API has its own probe in test_api.py
    assert registered - set(ENDPOINTS) == set(), "add the new endpoints to the matrix"
    assert set(ENDPOINTS) - registered == set(), "the matrix lists endpoints that do not exist"


@pytest.mark.parametrize("role", ROLES)
def test_role_endpoint_matrix(client: FlaskClient, case_world: dict[str, Any], role: str) -> None:
    login(client, case_world["users"][role])
    for name, endpoint in ENDPOINTS.items():
        if name in ("auth.logout", "auth.login"):
            continue  # would end the session this loop relies on
        status = _call(client, endpoint, case_world).status_code
        if role in endpoint.allowed:  # 400: let in, then the empty form is refused
            assert status in (200, 302, 400), f"{role} should reach {name}, got {status}"
        else:
            assert status in (403, 404), f"{role} must not reach {name}, got {status}"


def test_anonymous_users_are_sent_to_login(client: FlaskClient, case_world: dict[str, Any]) -> None:
    for name, endpoint in ENDPOINTS.items():
        response = _call(client, endpoint, case_world)
        if endpoint.public:
            assert not response.headers.get("Location", "").startswith("/login"), name
        else:
            assert response.status_code == 302, name
            assert response.headers["Location"].startswith("/login"), name


@pytest.mark.parametrize("role", ROLES)
def test_changing_the_id_never_shows_another_organisation(
    client: FlaskClient, case_world: dict[str, Any], role: str
) -> None:
    login(client, case_world["users"][role])
    for key, org in _orgs(case_world).items():
        page = client.get(f"/orgs/{org.id}")
        if key in VISIBLE[role]:
            assert page.status_code == 200, f"{role} should see {key}"
            assert org.name in page.text
        else:
            assert page.status_code == 404, f"{role} must not see {key}"
            assert org.name not in page.text


def test_admin_of_one_region_cannot_touch_users_of_another(
    client: FlaskClient, case_world: dict[str, Any], make: Any
) -> None:
    stranger: User = make.user(case_world["users"]["ministry_x"].role, case_world["other_region"])
    login(client, case_world["users"]["admin"])
    assert client.get(f"/admin/users/{stranger.id}").status_code == 404
    assert client.post(f"/admin/users/{stranger.id}/reset", data={}).status_code == 404
    assert (
        client.post(f"/admin/users/{stranger.id}/active", data={"active": "0"}).status_code == 404
    )
    listing = client.get("/admin/users?q=")
    assert stranger.email not in listing.text


def test_lists_show_only_the_scope(client: FlaskClient, case_world: dict[str, Any]) -> None:
    login(client, case_world["users"]["municipal_a"])
    listing = client.get("/orgs").text
    for key, school in case_world["schools"].items():
        assert (school.login in listing) == (key in VISIBLE["municipal_a"]), key


def test_every_form_post_needs_a_csrf_token(
    client: FlaskClient, case_world: dict[str, Any]
) -> None:
    login(client, case_world["users"]["admin"])
    for name, endpoint in ENDPOINTS.items():
        if endpoint.method != "POST":
            continue
        response = client.post(endpoint.path(case_world), data=_form(endpoint), csrf=False)
        assert response.status_code == 400, f"{name} accepted a post without a CSRF token"


CASE_VISIBLE = {
    "ministry": {"a1", "b1"},
    "auditor": {"a1", "b1"},
    "admin": {"a1", "b1"},
    "municipal_a": {"a1"},
    "school_a1": {"a1"},
}


@pytest.mark.parametrize("role", ROLES)
def test_changing_a_case_or_obligation_id_never_leaks(
    client: FlaskClient, case_world: dict[str, Any], role: str
) -> None:
    login(client, case_world["users"][role])
    for key, case in case_world["cases"].items():
        page = client.get(f"/cases/{case.id}")
        obligation = case.obligations[0]
        post = client.post(
            f"/obligations/{obligation.id}/waive", data={"version": "1", "text": "x"}
        )
        if key in CASE_VISIBLE[role]:
            assert page.status_code == 200, f"{role} should see case {key}"
            assert case.school.name in page.text
        else:
            assert page.status_code == 404, f"{role} must not see case {key}"
            assert case.school.name not in page.text
            assert post.status_code == 404, f"{role} must not act on case {key}"
    listing = client.get("/cases").text
    for key, case in case_world["cases"].items():
        assert (case.school.login in listing) == (key in CASE_VISIBLE[role]), (role, key)
