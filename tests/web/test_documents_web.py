"""Uploading and downloading through the pages: scope, headers, Cyrillic names."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import quote

from flask.testing import FlaskClient

from app.demo.files import simple_pdf
from app.extensions import db
from app.models import ObligationStatus
from app.workflows.handin import upload_for_obligation
from tests.helpers import login, open_test_case


def test_upload_page_flow_and_download_headers(client: FlaskClient, world: dict[str, Any]) -> None:
    case = open_test_case(world["schools"]["a1"])
    order = case.obligations[0]
    login(client, world["users"]["municipal_a"])
    content = simple_pdf("Order 12")
    response = client.post(
        f"/obligations/{order.id}/upload",
        data={
            "version": str(order.version),
            "file": (io.BytesIO(content), "Приказ № 12 «О работе».pdf"),
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Документ загружен и сдан на проверку" in response.text
    db.session.refresh(order)
    assert order.status is ObligationStatus.SUBMITTED
    url = f"/documents/{order.document_id}/v/1"
    assert url in response.text
    download = client.get(url)
    assert download.status_code == 200
    assert download.data == content
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''" + quote("Приказ № 12 «О работе».pdf") in disposition


def test_a_refused_upload_is_explained_on_the_page(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    order = open_test_case(world["schools"]["a1"]).obligations[0]
    login(client, world["users"]["municipal_a"])
    response = client.post(
        f"/obligations/{order.id}/upload",
        data={"version": str(order.version), "file": (io.BytesIO(b"MZ\0\0"), "order.pdf")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Файлы такого вида не принимаются" in response.text
    db.session.refresh(order)
    assert order.status is ObligationStatus.OPEN


def test_school_documents_are_private_to_the_school(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    case = open_test_case(world["schools"]["b1"])
    analysis = next(o for o in case.obligations if o.obligation_type == "k_certificate")
    version = upload_for_obligation(
        analysis.id,
        "Справка.pdf",
        simple_pdf("b1"),
        actor=world["users"]["school_b1"],
        expected_version=None,
    )
    db.session.commit()
    url = f"/documents/{version.document_id}/v/1"
    login(client, world["users"]["school_a1"])
    assert client.get(url).status_code == 404
    assert client.get(f"/documents/{version.document_id}/v/2").status_code == 404
    client.post("/logout", data={})
    login(client, world["users"]["municipal_a"])
    assert client.get(url).status_code == 404
    client.post("/logout", data={})
    login(client, world["users"]["school_b1"])
    assert client.get(url).status_code == 200
