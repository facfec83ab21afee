"""The campaign's legal record through the pages: the ministry records the approving order on
the campaign page (refused values explained in Russian at their field, stale forms answered 409),
the case page shows it; the issuing organisation registers its signed act with the scan of the
signed paper, which the versions list shows as «подписан, № … от …»."""

from __future__ import annotations

import io
import re
import struct
import zlib
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from app.demo.files import simple_pdf
from app.documents import storage
from app.extensions import db
from app.models import AuditEvent, Campaign, Document, DocumentVersion, ObligationStatus
from app.paperwork.generate import generate
from app.workflows import obligations as obligation_ops
from app.workflows.clock import local_date
from tests.helpers import hand_in, login, open_test_case

TITLE = (
    "Об утверждении перечня общеобразовательных организаций с признаками необъективных "
    "результатов процедур оценки качества образования"
)


def _order_form(campaign: Campaign, **changes: str) -> dict[str, str]:
    data = {
        "number": "1592/1",
        "date": "2023-11-03",
        "title": f"«{TITLE}»",
        "issuer": "Министерство образования Первой области",
        "signatory_position": "Министр образования Первой области",
        "signatory_name": "Е. В. Соколова",
        "version": str(campaign.version),
    }
    return {**data, **changes}


def _png() -> bytes:
    """A 1×1 white PNG."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def _fresh_campaign(campaign_id: int) -> Campaign:
    db.session.expire_all()
    found = db.session.get(Campaign, campaign_id)
    assert found is not None
    return found


def test_the_ministry_records_the_order_and_every_page_shows_it(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    case = open_test_case(world["schools"]["a1"])
    campaign = case.campaign
    login(client, world["users"]["ministry"])
    page = client.get(f"/campaigns/{campaign.id}")
    assert "Внести сведения о приказе" in page.text and "не указан" in page.text
    response = client.post(f"/campaigns/{campaign.id}/order", data=_order_form(campaign))
    assert response.status_code == 302
    saved = _fresh_campaign(campaign.id)
    assert (saved.order_number, saved.order_date, saved.order_title) == (
        "1592/1",
        date(2023, 11, 3),
        TITLE,  # stored without the quotes the documents add
    )
    assert saved.order_signatory_name == "Е. В. Соколова"
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "campaign.order_recorded")
    ).one()
    assert event.before["number"] is None and event.after["number"] == "1592/1"
    assert event.after["date"] == "2023-11-03"
    detail = client.get(f"/campaigns/{campaign.id}").text
    assert "№ 1592/1 от 03.11.2023" in detail and TITLE in detail
    assert "Министр образования Первой области Е. В. Соколова" in detail
    header = client.get(f"/cases/{case.id}").text
    assert re.search(r"Приказ об утверждении: № 1592/1 от 03\.11\.2023 «Об утверждении", header)

    # A correction is one more event, with what the field was and became.
    changed = _order_form(saved, number="1592/2")
    assert client.post(f"/campaigns/{campaign.id}/order", data=changed).status_code == 302
    last = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.action == "campaign.order_recorded")
        .order_by(AuditEvent.seq.desc())
    ).first()
    assert last is not None
    assert (last.before, last.after) == ({"number": "1592/1"}, {"number": "1592/2"})
    assert "Внесены сведения об утверждающем приказе" in client.get("/audit").text


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"number": ""}, "number", "Укажите номер приказа от 03.11.2023."),
        ({"date": ""}, "date", "Укажите дату приказа № 1592/1."),
        ({"date": "2031-05-01"}, "date", "01.05.2031 — дата в будущем"),
        ({"date": "2019-11-03"}, "date", "не может быть датирован раньше 01.01.2023"),
        ({"number": "приказ"}, "number", "«приказ» — не регистрационный номер"),
        (
            {"number": "", "date": ""},
            "number",
            "Укажите номер и дату приказа: название, издавший орган и подписавший относятся к ним.",
        ),
        ({"signatory_name": ""}, "signatory_name", "Для подписи нужны и должность, и фамилия"),
        ({"date": "03.11.2023"}, "date", "Неверное значение даты."),  # WTForms' own, in Russian
    ],
)
def test_bad_values_are_refused_in_russian_at_their_field(
    client: FlaskClient, world: dict[str, Any], changes: dict[str, str], field: str, message: str
) -> None:
    campaign = open_test_case(world["schools"]["a1"]).campaign
    login(client, world["users"]["ministry"])
    response = client.post(f"/campaigns/{campaign.id}/order", data=_order_form(campaign, **changes))
    assert response.status_code == 400
    assert message in response.text
    errors = re.search(
        rf'name="{field}".*?<div class="errors">(.*?)</div>', response.text, re.DOTALL
    )
    assert errors is not None, f"no error shown at {field}"
    saved = _fresh_campaign(campaign.id)
    assert (saved.order_number, saved.order_date, saved.order_title) == (None, None, None)


def test_a_stale_form_is_refused_with_who_changed_it(
    client: FlaskClient, world: dict[str, Any], make: Any
) -> None:
    campaign = open_test_case(world["schools"]["a1"]).campaign
    opened = _order_form(campaign)  # both ministry officials open the page at version 1
    colleague = make.user(world["users"]["ministry"].role, world["region"], full_name="Коллега")
    login(client, colleague)
    assert client.post(f"/campaigns/{campaign.id}/order", data=dict(opened)).status_code == 302
    client.post("/logout", data={})
    login(client, world["users"]["ministry"])
    late = client.post(f"/campaigns/{campaign.id}/order", data={**opened, "number": "7"})
    assert late.status_code == 409, late.text[-3000:]
    assert "Коллега изменил(а) сведения о приказе" in late.text
    assert _fresh_campaign(campaign.id).order_number == "1592/1"


def _handed_in_act(world: dict[str, Any]) -> tuple[Any, Document]:
    """a1's first measure, an act of municipality A, handed in as a PDF."""
    case = open_test_case(world["schools"]["a1"])
    obligation = case.obligations[0]
    hand_in(obligation, world["users"]["municipal_a"])
    db.session.commit()
    document = db.session.get(Document, obligation.document_id)
    assert document is not None
    return case, document


def _sign(client: FlaskClient, case: Any, document: Document, **fields: Any) -> Any:
    data = {"number": "998", "date": "2023-12-29", "state": "", "case_id": str(case.id)}
    return client.post(
        f"/documents/{document.id}/signature",
        data={**data, **fields},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def test_the_issuing_municipality_registers_its_act_with_the_scan(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    case, document = _handed_in_act(world)
    login(client, world["users"]["municipal_a"])
    page = client.get(f"/cases/{case.id}").text
    assert "Подписан? Зарегистрируйте" in page
    response = _sign(client, case, document, file=(io.BytesIO(_png()), "скан приказа.png"))
    assert "зарегистрирован, его скан сохранён отдельной версией" in response.text
    db.session.expire_all()
    versions = db.session.scalars(
        sa.select(DocumentVersion)
        .where(DocumentVersion.document_id == document.id)
        .order_by(DocumentVersion.number)
    ).all()
    assert [v.number for v in versions] == [1, 2]  # the handed-in PDF is kept
    original, scan = versions
    assert (original.reg_number, original.reg_date) == ("998", date(2023, 12, 29))
    assert scan.signed_copy_of_id == original.id and scan.mime == "image/png"
    assert scan.registration == ("998", date(2023, 12, 29))
    assert response.text.count("подписан, № 998 от 29.12.2023") >= 2  # both versions say so
    assert "скан подписанного экземпляра версии 1" in response.text
    registered = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "document.registered")
    ).one()
    assert registered.before == {"version": 1, "number": None, "date": None}
    assert registered.after == {"version": 1, "number": "998", "date": "2023-12-29"}
    assert (
        db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "document.signed_copy"))
        .one()
        .after["copy_of"]
        == 1
    )
    # The reviewer's decision covers the paper and its scan alike.
    obligation_ops.review(
        case.obligations[0].id, accept=True, actor=world["users"]["ministry"], expected_version=None
    )
    db.session.expire_all()
    assert {v.review_status.value for v in versions if v.review_status} == {"accepted"}
    assert case.obligations[0].status is ObligationStatus.ACCEPTED


@pytest.mark.parametrize("role", ["ministry", "school_a1", "auditor", "municipal_b"])
def test_only_the_issuing_organisation_registers(
    client: FlaskClient, world: dict[str, Any], role: str
) -> None:
    case, document = _handed_in_act(world)
    login(client, world["users"][role])
    assert "Подписан? Зарегистрируйте" not in client.get(f"/cases/{case.id}").text
    response = client.post(
        f"/documents/{document.id}/signature",
        data={"number": "998", "date": "2023-12-29"},
        content_type="multipart/form-data",
    )
    assert response.status_code == (404 if role == "municipal_b" else 403)
    db.session.expire_all()
    assert (
        db.session.scalar(sa.select(sa.func.count()).where(DocumentVersion.reg_number.is_not(None)))
        == 0
    )


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        ((b"MZ\x90\x00", "scan.pdf"), "Файлы такого вида не принимаются"),
        ((_png(), "scan.pdf"), "но по содержимому это PNG"),
        ((b"PK\x03\x04garbage", "scan.docx"), "повреждён"),
        ((simple_pdf("x"), "scan.exe"), "Файлы с расширением .exe не принимаются"),
    ],
)
def test_a_scan_is_checked_by_its_content(
    client: FlaskClient, world: dict[str, Any], upload: tuple[bytes, str], message: str
) -> None:
    case, document = _handed_in_act(world)
    login(client, world["users"]["municipal_a"])
    data, name = upload
    response = _sign(client, case, document, file=(io.BytesIO(data), name))
    assert message in response.text
    db.session.expire_all()
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).where(DocumentVersion.document_id == document.id)
        )
        == 1
    )
    assert db.session.get(DocumentVersion, document.versions[0].id).reg_number is None


def test_a_word_file_is_no_scan(client: FlaskClient, world: dict[str, Any]) -> None:
    case = open_test_case(world["schools"]["a1"])
    order = generate(case, "municipal_order", actor=world["users"]["municipal_a"])
    db.session.commit()
    document = db.session.get(Document, order.document_id)
    assert document is not None
    login(client, world["users"]["municipal_a"])
    docx = (io.BytesIO(storage.store().get(order.sha256)), "приказ.docx")
    response = _sign(client, case, document, date=local_date().isoformat(), file=docx)
    assert "загрузите его в PDF, JPG или PNG, а не в DOCX" in response.text
    db.session.expire_all()
    assert db.session.get(DocumentVersion, order.id).reg_number is None  # all or nothing


def test_a_generated_act_is_not_signed_before_it_was_made(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    case = open_test_case(world["schools"]["a1"])
    version = generate(case, "municipal_order", actor=world["users"]["municipal_a"])
    db.session.commit()
    document = db.session.get(Document, version.document_id)
    assert document is not None
    login(client, world["users"]["municipal_a"])
    early = _sign(client, case, document, date="2023-12-29")
    assert (
        "Эта версия сформирована" in early.text
        and "не могла быть подписана 29.12.2023" in early.text
    )
    future = _sign(client, case, document, date="2099-01-01")
    assert "01.01.2099 — дата в будущем" in future.text
    db.session.expire_all()
    assert db.session.get(DocumentVersion, version.id).reg_number is None
    done = _sign(client, case, document, number="№ 12-р", date=local_date().isoformat())
    assert "Подписанный акт зарегистрирован." in done.text
    db.session.expire_all()
    assert db.session.get(DocumentVersion, version.id).reg_number == "12-р"  # «№» dropped


def test_a_registration_changed_meanwhile_is_refused(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    case, document = _handed_in_act(world)
    login(client, world["users"]["municipal_a"])
    _sign(client, case, document)
    stale = _sign(client, case, document, number="999", state="1||")  # opened before the first
    assert "изменились после того, как вы открыли страницу" in stale.text
    db.session.expire_all()
    assert db.session.get(DocumentVersion, document.versions[0].id).reg_number == "998"


def test_a_garbled_date_of_signing_is_explained(client: FlaskClient, world: dict[str, Any]) -> None:
    case, document = _handed_in_act(world)
    login(client, world["users"]["municipal_a"])
    response = _sign(client, case, document, date="29.12.2023")
    assert "Неверное значение даты." in response.text
    db.session.expire_all()
    assert db.session.get(DocumentVersion, document.versions[0].id).reg_number is None
