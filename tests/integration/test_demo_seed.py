"""The demo region is believable, idempotent, and each demo role sees only its own scope.

The region is seeded once a session (the ``demo`` fixture); these tests read it."""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from flask.testing import FlaskClient

from app.demo.seed import seed_demo
from app.extensions import db
from app.models import AuditEvent, Organisation, OrgKind, Role, User
from tests.conftest import DemoSite
from tests.helpers import demo_login


def _count(model: Any, *where: Any) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_demo_region_shape_and_idempotence(demo: DemoSite) -> None:
    with demo.app.app_context():
        assert _count(Organisation, Organisation.kind == OrgKind.MUNICIPALITY) >= 8
        assert _count(Organisation, Organisation.kind == OrgKind.SCHOOL) >= 120
        assert {role for role, _email, _org in demo.logins} == {r.value for r in Role}
        specialised = _count(Organisation, Organisation.specialised.is_(True))
        assert 5 <= specialised <= 40  # some lyceums and gymnasiums, not all
        users, events = _count(User), _count(AuditEvent)
        seed_demo()  # a second run adds nothing
        assert (_count(User), _count(AuditEvent)) == (users, events)
        db.session.rollback()


def test_each_demo_role_sees_only_its_scope(demo: DemoSite) -> None:
    client = demo.client()
    with demo.app.app_context():
        _check_scopes(client)


def _check_scopes(client: FlaskClient) -> None:
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

    demo_login(client, "ministry@oko.demo")
    assert ">122<" in client.get("/").text
    assert client.get(f"/orgs/{rural_school.id}").status_code == 200
    client.post("/logout", data={})

    demo_login(client, "mun1@oko.demo")
    assert mun1.name in client.get("/").text
    assert client.get(f"/orgs/{city_school.id}").status_code == 200
    assert client.get(f"/orgs/{rural_school.id}").status_code == 404
    client.post("/logout", data={})

    demo_login(client, "edu990001@oko.demo")
    assert client.get(f"/orgs/{own_school.id}").status_code == 200
    assert client.get(f"/orgs/{city_school.id}").status_code == 404
    assert client.get("/orgs").status_code == 403
    client.post("/logout", data={})

    demo_login(client, "auditor@oko.demo")
    assert client.get("/admin/users").status_code == 403
    client.post("/logout", data={})

    demo_login(client, "admin@oko.demo")
    assert client.get("/admin/users").status_code == 200


def test_demo_cases_walked_through_every_stage_with_records(demo: DemoSite) -> None:
    """The showcase objectivity case and a ШНОР case carry each stage's record, printed."""
    client = demo.client()
    with demo.app.app_context():
        _check_walked_cases(client)


def _check_walked_cases(client: FlaskClient) -> None:
    from app.models import (
        Campaign,
        Case,
        Category,
        DocumentVersion,
        Obligation,
        ObligationStatus,
    )
    from app.models.stage import SessionInvite
    from app.stages import director, recheck, shnor

    showcase = db.session.scalars(
        sa.select(Case)
        .join(Organisation, Case.school_id == Organisation.id)
        .where(Organisation.login == "edu990001", Case.category == Category.OBJECTIVITY)
        .order_by(Case.id)
    ).all()[1]  # 2024, 2025, 2026
    assert showcase.campaign.vpr_year == 2025
    # Its work was done; the 2026 list, on which the school is again, escalated it.
    assert showcase.stage == "closed" and showcase.status.value == "escalated"
    printed = {
        o.obligation_type
        for o, v in db.session.execute(
            sa.select(Obligation, DocumentVersion)
            .join(DocumentVersion, DocumentVersion.document_id == Obligation.document_id)
            .where(Obligation.case_id == showcase.id, DocumentVersion.template_key.is_not(None))
        )
    }
    assert printed >= {
        "self_analysis",  # the measure the ministry added to the 2025 plan
        "school_roadmap",
        "k_recheck_regional",  # level 3: the regional commission
        "k_director_form",
        "k_director_evaluation",
    }
    analysis = next(o for o in showcase.obligations if o.obligation_type == "self_analysis")
    assert [v.review_status.value for v in analysis.document.versions] == ["returned", "accepted"]
    late = [o.obligation_type for o in showcase.obligations if o.done_on_time() is False]
    assert late == []
    summary = recheck.statistics(showcase)["summary"]  # type: ignore[index]
    assert summary["n"] == 24 and not summary["meets_target"]
    invites = db.session.scalars(
        sa.select(SessionInvite).where(SessionInvite.case_id == showcase.id)
    ).all()
    assert [(i.attended, len(i.participants)) for i in invites] == [(True, 2)]
    done = {o.obligation_type: o.status for o in showcase.obligations}
    assert done["k_strategic_session"] is ObligationStatus.ACCEPTED

    shnor_case = db.session.scalars(
        sa.select(Case)
        .join(Case.campaign)
        .where(Case.category == Category.LOW_RESULTS, Campaign.vpr_year == 2025)
        .order_by(Case.id)
    ).first()
    assert shnor_case is not None
    assert shnor.mentorship_of(shnor_case) is not None and len(shnor.assessments(shnor_case)) == 2

    demo_login(client, "edu990001@oko.demo")
    assert "Записи этапов" in client.get(f"/cases/{showcase.id}").text
    assert "Кузнецова Мария Андреевна" in client.get(f"/cases/{showcase.id}/recheck").text
    evaluation = director.evaluation_of(showcase)
    assert (
        director.RESULTS[evaluation.result or ""]
        in client.get(f"/cases/{showcase.id}/director").text
    )
    client.post("/logout", data={})
    demo_login(client, "ministry@oko.demo")
    assert "Кто ещё не выполнил свою часть" in client.get("/dashboard").text


def test_every_template_runs_a_demo_case(demo: DemoSite) -> None:
    """Each of the four seed templates is the plan of a demo campaign, and a case on it has
    done measures of that template (2024: Lazo and Chernozemelsky; 2025: Kaliningrad and
    Chelyabinsk)."""
    from app.models import Case, Obligation, ObligationStatus
    from app.plans.templates import TEMPLATES

    prefixes = {
        "kaliningrad_objectivity": "k_",
        "lazo_objectivity": "lz_",
        "chelyabinsk_shnor": "ch_",
        "chernozemelsky_mechanisms": "zm_",
    }
    assert set(prefixes) == set(TEMPLATES)
    with demo.app.app_context():
        accepted = db.session.scalars(
            sa.select(Obligation.obligation_type)
            .join(Case, Case.id == Obligation.case_id)
            .where(Obligation.status == ObligationStatus.ACCEPTED)
        ).all()
        for key, prefix in prefixes.items():
            assert sum(1 for t in accepted if t.startswith(prefix)) >= 5, key


def test_the_ministry_sees_the_demo_mechanisms(demo: DemoSite) -> None:
    """The first municipality reports seed 002's figures; others compare with it."""
    client = demo.client()
    with demo.app.app_context():
        demo_login(client, "ministry@oko.demo")
        page = client.get("/mechanisms").text
        assert "2022" in page
        first = page.split("городской округ «Город Приозёрск»", 1)[1].split("</tr>", 1)[0]
        text = " ".join(re.sub(r"<[^>]+>", " ", first).split())
        assert "96 % 60 % +36 п. п. 93 % 11 % +82 п. п. № 533 от 30.11.2022" in text
        assert page.count("п. п.") >= 8  # four municipalities with both criteria
        client.post("/logout", data={})
        demo_login(client, "mun1@oko.demo")
        own = client.get("/mechanisms").text
        assert (
            "prikaz-533"
            in client.get(re.search(r'href="(/mechanisms/\d+/2022)"', own).group(1)).text
        )
        assert "Светловодский" not in own


def test_demo_campaigns_record_their_whole_orders(demo: DemoSite) -> None:
    """Each demo campaign's order carries its title, issuer and signatory beside the number and
    date the flag list opened it with, and its page shows them."""
    from app.demo.cases import YEARS, order_values
    from app.legal.orders import order_of
    from app.models import Campaign

    client = demo.client()
    demo_login(client, "ministry@oko.demo")
    with demo.app.app_context():
        for year in YEARS:
            campaign = db.session.scalars(
                sa.select(Campaign).where(Campaign.vpr_year == year)
            ).one()
            expected = order_values(year)
            assert order_of(campaign) == expected and expected.signatory_name, year
            page = client.get(f"/campaigns/{campaign.id}").text
            assert expected.title and expected.title in page, year
            assert f"№ {expected.number} от {expected.date:%d.%m.%Y}" in page, year
