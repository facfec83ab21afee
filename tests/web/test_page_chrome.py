"""The header every page shares, drawn once for each set of sections (issue 20): each role sees
the sections its checks allow, a changed role shows at the next page, and nothing of one user
is in what another is shown. The templates' _() translates and escapes as Jinja's does."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from flask import Flask, render_template_string
from flask.testing import FlaskClient

from app import access
from app.extensions import db
from app.models.user import Role
from app.web.navigation import NAV_CHECKS, allowed_sections
from tests.helpers import login

NAV = Path(__file__).resolve().parents[2] / "templates" / "_nav.html"


def _nav(html: str) -> str:
    return html.split('<nav aria-label="', 1)[1].split("</nav>", 1)[0]


def test_every_section_the_nav_asks_for_is_checked() -> None:
    asked = set(re.findall(r"'(\w+)' in allowed", NAV.read_text()))
    assert asked == set(NAV_CHECKS)
    assert all(name in access.CHECKS for name in NAV_CHECKS)


def test_each_role_sees_the_sections_its_checks_allow(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    links = {
        "has_inbox": 'href="/inbox"',
        "can_view_dashboard": 'href="/dashboard"',
        "can_audit": 'href="/audit"',
        "can_manage_users": 'href="/admin/users"',
    }
    for role in ("ministry", "municipal_a", "school_a1", "admin", "auditor"):
        user = world["users"][role]
        login(client, user)
        nav = _nav(client.get("/cases").text)
        allowed = allowed_sections(user)
        for check, link in links.items():
            assert (link in nav) is (check in allowed), (role, check)
        assert ">Сопровождение<" in nav  # Russian, the default locale
        client.post("/logout", data={})


def test_a_changed_role_shows_at_the_next_page(client: FlaskClient, world: dict[str, Any]) -> None:
    user = world["users"]["municipal_a"]
    login(client, user)
    assert 'href="/inbox"' in _nav(client.get("/cases").text)
    user.role = Role.AUDITOR  # reads only: no inbox
    db.session.commit()
    assert 'href="/inbox"' not in _nav(client.get("/cases").text)


def test_the_header_holds_the_users_own_name_and_token(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    tokens = set()
    for role in ("municipal_a", "municipal_b"):  # the same sections, two people
        login(client, world["users"][role])
        page = client.get("/cases").text
        assert world["users"][role].full_name in page
        tokens.add(re.search(r'name="csrf_token" value="([^"]+)"', page).group(1))  # type: ignore[union-attr]
        client.post("/logout", data={})
    assert len(tokens) == 2


def test_template_gettext_translates_and_escapes_its_values(app: Flask) -> None:
    with app.test_request_context("/"):
        assert render_template_string("{{ _('Cases') }}") == "Сопровождение"
        shown = render_template_string(
            "{{ _('Version %(n)s', n=value) }}|{{ _('100%%') }}", value="<b>"
        )
        assert shown == "Version &lt;b&gt;|100%"
