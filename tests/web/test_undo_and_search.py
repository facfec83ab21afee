"""A reviewer's accidental acceptance taken back within minutes; the review form's default is the
safe decision; «Гимназия № 8» found and school names sorted naturally on both databases."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from app.errors import Conflict, NotAllowed
from app.extensions import db
from app.models import ObligationStatus
from app.models.audit import AuditEvent
from app.models.document import ReviewStatus
from app.models.types import utcnow
from app.workflows import obligations as ops
from tests.conftest import DemoSite
from tests.helpers import demo_login, hand_in, login


def _certificate_in_review(world: dict[str, Any]) -> Any:
    case = world["cases"]["a1"]
    certificate = next(o for o in case.obligations if o.obligation_type == "k_certificate")
    hand_in(certificate, world["users"]["school_a1"])
    db.session.commit()
    assert certificate.status is ObligationStatus.SUBMITTED
    return certificate


def _reviewer(world: dict[str, Any], obligation: Any) -> Any:
    return next(
        u
        for u in world["users"].values()
        if u.organisation_id == obligation.reviewer_org_id and u.role.value != "auditor"
    )


def test_the_review_form_returns_by_default_and_asks_before_accepting(
    client: FlaskClient, case_world: dict[str, Any]
) -> None:
    certificate = _certificate_in_review(case_world)
    login(client, _reviewer(case_world, certificate))
    page = client.get(f"/cases/{certificate.case_id}").text
    form = re.search(
        rf'<form[^>]*/obligations/{certificate.id}/review".*?</form>', page, re.S
    ).group(0)
    buttons = re.findall(r"<button[^>]*>", form)
    assert 'value="return"' in buttons[0]  # Enter in a form submits its first button
    assert 'value="accept"' in buttons[1] and "data-confirm=" in buttons[1]
    assert "<textarea" in form  # Enter in the comment starts a new line


def test_a_reviewer_withdraws_an_acceptance_within_minutes(
    client: FlaskClient, case_world: dict[str, Any]
) -> None:
    certificate = _certificate_in_review(case_world)
    reviewer = _reviewer(case_world, certificate)
    login(client, reviewer)
    client.post(
        f"/obligations/{certificate.id}/review",
        data={"version": str(certificate.version), "decision": "accept"},
    )
    db.session.refresh(certificate)
    assert certificate.status is ObligationStatus.ACCEPTED
    page = client.get(f"/cases/{certificate.case_id}").text
    assert f"/obligations/{certificate.id}/withdraw" in page

    response = client.post(
        f"/obligations/{certificate.id}/withdraw",
        data={"version": str(certificate.version)},
        follow_redirects=True,
    )
    assert "Принятие отозвано" in response.text
    db.session.refresh(certificate)
    assert certificate.status is ObligationStatus.SUBMITTED
    assert certificate.completed_at is None
    assert certificate.document.latest.review_status is ReviewStatus.PENDING
    actions = db.session.scalars(
        sa.select(AuditEvent.action)
        .where(AuditEvent.object_type == "obligation", AuditEvent.object_id == certificate.id)
        .order_by(AuditEvent.seq)
    ).all()
    assert actions[-2:] == ["obligation.accepted", "obligation.acceptance_withdrawn"]
    # It can be decided again, and this time it stays decided.
    ops.review(certificate.id, accept=False, actor=reviewer, expected_version=None, comment="Нет")
    db.session.commit()
    assert certificate.status is ObligationStatus.RETURNED


def test_only_the_reviewer_and_only_in_time_withdraws(case_world: dict[str, Any]) -> None:
    certificate = _certificate_in_review(case_world)
    reviewer = _reviewer(case_world, certificate)
    ops.review(certificate.id, accept=True, actor=reviewer, expected_version=None)
    db.session.commit()
    with pytest.raises(NotAllowed):
        ops.withdraw_acceptance(
            certificate.id, actor=case_world["users"]["auditor"], expected_version=None
        )
    late = utcnow() + ops.UNDO_WINDOW + timedelta(seconds=1)
    with pytest.raises(Conflict):
        ops.withdraw_acceptance(certificate.id, actor=reviewer, expected_version=None, now=late)
    db.session.rollback()
    db.session.refresh(certificate)
    assert certificate.status is ObligationStatus.ACCEPTED


def _schools_listed(html: str) -> list[str]:
    return re.findall(r'<a href="/cases/\d+" title="[^"]*">([^<]+)</a>', html)


def test_cyrillic_search_finds_the_school_as_people_type_it(demo: DemoSite) -> None:
    client = demo.client()
    with demo.app.app_context():
        demo_login(client, "ministry@oko.demo")
        for query in ("Гимназия № 8", "гимназия №8", "ГИМНАЗИЯ N8"):
            found = _schools_listed(
                client.get("/cases", query_string={"campaign": "all", "q": query}).text
            )
            assert found and set(found) == {"Гимназия № 8"}, (query, found)
        schools = client.get("/orgs", query_string={"q": "гимназия № 8"}).text
        assert "edu990006" in schools


def test_schools_sort_by_short_name_with_numbers_in_order(demo: DemoSite) -> None:
    client = demo.client()
    with demo.app.app_context():
        demo_login(client, "ministry@oko.demo")
        listed = _schools_listed(
            client.get("/cases", query_string={"campaign": "all", "sort": "school"}).text
        )
        gymnasiums = [n for n in listed if n.startswith("Гимназия №")]
        numbers = [int(n.split("№")[1]) for n in dict.fromkeys(gymnasiums)]
        assert len(numbers) >= 2 and numbers == sorted(numbers), gymnasiums
        assert listed == sorted(
            listed,
            key=lambda n: re.sub(r"\d+", lambda m: m[0].zfill(8), n.casefold().replace("ё", "е")),
        )


def test_saving_a_measure_asks_first_naming_the_obligations_that_follow(
    client: FlaskClient, case_world: dict[str, Any]
) -> None:
    campaign_id = case_world["cases"]["a1"].campaign_id
    login(client, case_world["users"]["ministry"])
    page = client.get(f"/campaigns/{campaign_id}/plan/measures/k_certificate").text
    save = re.search(r"<button[^>]*>\s*Сохранить\s*</button>", page).group(0)
    # The open certificates of the campaign's cases follow the measure.
    assert re.search(r"data-confirm=\"Сохранить меру\? За ней следу\w+ \d+ открыт", save), save
