"""The legal record's operations without the pages: who records and registers, what an
unchanged form writes, whose act each document is, and the order block documents receive."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa

from app import access
from app.errors import NotAllowed
from app.extensions import db
from app.legal import orders, registration
from app.legal.orders import OrderValues, record_order
from app.models import AuditEvent, Document, Role
from app.paperwork.generate import generate
from app.stages import attachments
from app.stages.printing import common
from tests.helpers import hand_in, open_test_case
from tests.integration.test_generated_documents import _marks_csv

ORDER = OrderValues(
    number="№ 1592/1",
    date=date(2023, 11, 3),
    title="  Об утверждении   перечня ",
    issuer="Министерство образования Первой области",
)


def _events(action: str) -> int:
    return int(
        db.session.scalar(
            sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
        )
    )


def test_only_the_regions_ministry_records_its_order(world: dict[str, Any]) -> None:
    campaign = open_test_case(world["schools"]["a1"]).campaign
    for role in ("municipal_a", "auditor", "admin", "ministry_x"):
        with pytest.raises(NotAllowed):
            record_order(
                campaign,
                ORDER,
                actor=world["users"][role],
                today=date(2024, 1, 1),
                expected_version=None,
            )
    ministry = world["users"]["ministry"]
    assert record_order(campaign, ORDER, actor=ministry, today=date(2024, 1, 1), expected_version=1)
    assert (campaign.order_number, campaign.order_title) == ("1592/1", "Об утверждении перечня")
    assert campaign.version == 2
    # The same values again change nothing and write nothing.
    events = _events(orders.RECORDED)
    assert not record_order(
        campaign, ORDER, actor=ministry, today=date(2024, 1, 1), expected_version=2
    )
    assert _events(orders.RECORDED) == events == 1


def test_documents_receive_the_order_or_none(world: dict[str, Any]) -> None:
    case = open_test_case(world["schools"]["a1"])
    assert common(case)["order"] is None
    case.campaign.order_number = "1311"  # a list imported with a number and no date
    block = common(case)["order"]
    assert block is not None and block["reference"] == "№ 1311" and block["date"] is None
    record_order(
        case.campaign,
        ORDER,
        actor=world["users"]["ministry"],
        today=date(2024, 1, 1),
        expected_version=None,
    )
    block = common(case)["order"]
    assert block == {
        "number": "1592/1",
        "date": "03.11.2023",
        "day": date(2023, 11, 3),
        "title": "Об утверждении перечня",
        "issuer": "Министерство образования Первой области",
        "issuer_genitive": "Министерства образования Первой области",
        "reference": "от 03.11.2023 № 1592/1",
        "signatory": None,
    }


def test_whose_act_each_document_is(world: dict[str, Any]) -> None:
    u = world["users"]
    case = open_test_case(world["schools"]["a1"])
    order = case.obligations[0]
    hand_in(order, u["municipal_a"])
    mun_a, school = world["mun_a"].id, world["schools"]["a1"].id
    handed_in = db.session.get(Document, order.document_id)
    protocol = db.session.get(
        Document, generate(case, "recheck_protocol", actor=u["ministry"]).document_id
    )
    history = db.session.get(
        Document, generate(case, "case_history", actor=u["auditor"]).document_id
    )
    marks = db.session.get(
        Document,
        attachments.upload(
            case, "student_marks", "m.csv", _marks_csv(case.school.login), actor=u["school_a1"]
        ).document_id,
    )
    assert access.act_issuer(handed_in) == (mun_a, Role.MUNICIPAL)  # the obligation's party
    assert access.act_issuer(protocol) == (mun_a, Role.MUNICIPAL)  # the commission's paper
    assert access.act_issuer(history) is None and access.act_issuer(marks) is None  # no acts
    certificate = db.session.get(
        Document, generate(case, "information_certificate", actor=u["ministry"]).document_id
    )
    assert access.act_issuer(certificate) == (school, Role.SCHOOL)  # whoever generated it
    documents = [handed_in, protocol, history, marks, certificate]
    assert access.registrable_acts(u["municipal_a"], documents) == {handed_in.id, protocol.id}
    assert access.registrable_acts(u["school_a1"], documents) == {certificate.id}
    assert access.registrable_acts(u["municipal_b"], documents) == set()
    assert access.registrable_acts(u["ministry"], documents) == set()


def test_a_registration_needs_its_number_and_date(world: dict[str, Any]) -> None:
    from app.legal.numbers import InvalidField

    case = open_test_case(world["schools"]["a1"])
    order = case.obligations[0]
    hand_in(order, world["users"]["municipal_a"])
    document = db.session.get(Document, order.document_id)
    assert document is not None
    for number, day, field in (("", date(2023, 12, 1), "number"), ("12", None, "date")):
        with pytest.raises(InvalidField) as refused:
            registration.record_signature(
                document,
                number,
                day,
                None,
                actor=world["users"]["municipal_a"],
                today=date(2024, 1, 1),
                expected=None,
            )
        assert refused.value.field == field
