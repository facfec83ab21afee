"""Uploads to obligations: versions, review, municipality-wide acts, refusals leave nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from app.access import can_view_document
from app.demo.files import simple_pdf
from app.errors import InvalidInput, NotAllowed
from app.extensions import db
from app.models import AuditEvent, Document, DocumentVersion, ObligationStatus, ReviewStatus
from app.workflows import obligations as ops
from app.workflows.handin import upload_for_obligation
from tests.helpers import open_test_case
from tests.unit.test_upload_checks import bomb_bytes


def _stored_files(app: Flask) -> list[Path]:
    root = Path(app.config["OKO_STORAGE_DIR"])
    return [p for p in root.rglob("*") if p.is_file() and not p.name.startswith(".")]


def _count(model: Any) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _to_certificate(world: dict[str, Any]) -> Any:
    """a1's case, whose school owes its information certificate from the day the case opens."""
    case = open_test_case(world["schools"]["a1"])
    return case, next(o for o in case.obligations if o.obligation_type == "k_certificate")


def test_certificate_returned_then_version_two_accepted(world: dict[str, Any], app: Flask) -> None:
    _case, certificate = _to_certificate(world)
    school, municipal = world["users"]["school_a1"], world["users"]["municipal_a"]
    first_event = db.session.scalar(sa.select(sa.func.max(AuditEvent.seq)))
    first = upload_for_obligation(
        certificate.id, "Справка.pdf", simple_pdf("v1"), actor=school, expected_version=None
    )
    assert certificate.status is ObligationStatus.SUBMITTED
    ops.review(
        certificate.id,
        accept=False,
        actor=municipal,
        expected_version=None,
        comment="Нет таблицы соответствия отметок",
    )
    assert certificate.status is ObligationStatus.RETURNED
    assert first.review_status is ReviewStatus.RETURNED
    second = upload_for_obligation(
        certificate.id, "Справка v2.pdf", simple_pdf("v2"), actor=school, expected_version=None
    )
    assert second.number == 2 and second.document_id == first.document_id
    ops.review(certificate.id, accept=True, actor=municipal, expected_version=None)
    assert certificate.status is ObligationStatus.ACCEPTED
    assert second.review_status is ReviewStatus.ACCEPTED
    assert first.review_status is ReviewStatus.RETURNED  # the old version keeps its verdict
    stored = {p.name for p in _stored_files(app)}
    assert {first.sha256, second.sha256} <= stored
    actions = db.session.scalars(
        sa.select(AuditEvent.action)
        .where(AuditEvent.case_id == certificate.case_id, AuditEvent.seq > first_event)
        .order_by(AuditEvent.seq)
    ).all()
    assert actions == [
        "document.uploaded",
        "obligation.submitted",
        "obligation.returned",
        "document.uploaded",
        "obligation.submitted",
        "obligation.accepted",
    ]


def test_one_act_answers_every_case_of_the_municipality(world: dict[str, Any], make: Any) -> None:
    second_school = world["schools"]["a2"]
    first, second = open_test_case(world["schools"]["a1"]), open_test_case(second_school)
    other = open_test_case(world["schools"]["b1"])
    act = upload_for_obligation(
        first.obligations[0].id,
        "Приказ.pdf",
        simple_pdf("order"),
        actor=world["users"]["municipal_a"],
        expected_version=None,
    )
    assert act.document.case_id is None and act.document.owner_org_id == world["mun_a"].id
    assert second.obligations[0].status is ObligationStatus.SUBMITTED
    assert second.obligations[0].document_id == act.document_id
    assert other.obligations[0].status is ObligationStatus.OPEN  # another municipality
    ops.review(
        second.obligations[0].id,
        accept=True,
        actor=world["users"]["ministry"],
        expected_version=None,
    )
    assert first.obligations[0].status is ObligationStatus.ACCEPTED
    assert second.obligations[0].status is ObligationStatus.ACCEPTED
    # A school of the municipality flagged later finds its obligation answered already.
    late_school = make.school(world["mun_a"])
    late = open_test_case(late_school)
    assert late.obligations[0].status is ObligationStatus.ACCEPTED
    assert late.obligations[0].document_id == act.document_id
    # Each school sees the act on its case; a school of another municipality does not.
    assert can_view_document(world["users"]["school_a1"], act.document)
    assert not can_view_document(world["users"]["school_b1"], act.document)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("../../../etc/cron.d/x.pdf", simple_pdf("x"), "«..»"),
        ("Приказ.pdf", b"MZ" + b"\0" * 200, "PDF, DOCX"),
        ("Приказ.docx", simple_pdf("x"), ".docx"),
        ("Приказ.docx", None, "сжат|много"),
        ("Приказ.pdf", simple_pdf("x") + b"\0" * (26 * 1024 * 1024), "25"),
    ],
    ids=["path-traversal", "forged-content", "forged-extension", "archive-bomb", "oversized"],
)
def test_refused_uploads_leave_nothing_behind(
    world: dict[str, Any], app: Flask, name: str, data: bytes | None, message: str
) -> None:
    import re

    case = open_test_case(world["schools"]["a1"])
    order = case.obligations[0]
    before = (
        _count(Document),
        _count(DocumentVersion),
        _count(AuditEvent),
        len(_stored_files(app)),
    )
    with pytest.raises(InvalidInput) as err:
        upload_for_obligation(
            order.id,
            name,
            data if data is not None else bomb_bytes(),
            actor=world["users"]["municipal_a"],
            expected_version=None,
        )
    assert re.search(message, err.value.message), err.value.message
    assert order.status is ObligationStatus.OPEN
    after = (_count(Document), _count(DocumentVersion), _count(AuditEvent), len(_stored_files(app)))
    assert after == before


def test_only_the_responsible_party_uploads(world: dict[str, Any]) -> None:
    order = open_test_case(world["schools"]["a1"]).obligations[0]
    for who in ("school_a1", "municipal_b", "ministry", "auditor"):
        with pytest.raises(NotAllowed):
            upload_for_obligation(
                order.id, "x.pdf", simple_pdf("x"), actor=world["users"][who], expected_version=None
            )
