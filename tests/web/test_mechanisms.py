"""The monitoring of municipal mechanisms on its pages: a municipality enters seed 002's figures,
the ministry reads them in the region's table and its workbook; who sees what; bad input refused
with its reason; every change in the history."""

from __future__ import annotations

import io
import re
from typing import Any

import sqlalchemy as sa
from flask.testing import FlaskClient
from openpyxl import load_workbook

from app.demo.files import simple_pdf
from app.extensions import db
from app.mechanisms.criteria import criteria_of
from app.models import AuditEvent, MechanismReport
from tests.helpers import login

W = dict[str, Any]


def _codes(w: W) -> dict[str, int]:
    """Criterion ids by code for the world's region."""
    return {c.code: c.id for c in criteria_of(w["region"].id)}


def _save(client: FlaskClient, w: W, year: int, values: dict[str, str], **fields: str) -> Any:
    """Post the municipality A report form for the year (``values`` by criterion code)."""
    ids = _codes(w)
    report = db.session.scalars(
        sa.select(MechanismReport).where(
            MechanismReport.municipality_id == w["mun_a"].id, MechanismReport.year == year
        )
    ).first()
    data = {"version": str(report.version if report else 0), **fields}
    for code, value in values.items():
        key = "previous" if code.endswith("<") else "value"
        data[f"{key}_{ids[code.rstrip('<')]}"] = value
    return client.post(f"/mechanisms/{w['mun_a'].id}/{year}", data=data)


def enter_seed_002(client: FlaskClient, w: W) -> None:
    """Municipality A enters seed 002: 2021 – 60 % and 11 %, 2022 – 96 % and 93 %, approved by
    order № 533 of 30.11.2022 with Бадмаева Л.Н. publishing the materials."""
    login(client, w["users"]["municipal_a"])
    assert _save(client, w, 2021, {"1.1": "60", "1.2": "11"}).status_code == 302
    response = _save(
        client,
        w,
        2022,
        {"1.1": "96", "1.2": "93"},
        conclusions="Произошло увеличение показателя: учтены недочёты, разработаны документы.",
        order_number="533",
        order_date="2022-11-30",
        publisher="Бадмаева Л.Н.",
    )
    assert response.status_code == 302, response.text
    client.post("/logout", data={})


def _row(html: str, municipality_id: int) -> str:
    match = re.search(rf'<tr id="mun-{municipality_id}">(.*?)</tr>', html, re.S)
    assert match, "the municipality has no row"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def test_seed_002_figures_show_in_the_ministrys_table(client: FlaskClient, world: W) -> None:
    enter_seed_002(client, world)
    login(client, world["users"]["ministry"])
    page = client.get("/mechanisms?year=2022")
    assert page.status_code == 200
    row = _row(page.text, world["mun_a"].id)
    assert "96 % 60 % +36 п. п." in row
    assert "93 % 11 % +82 п. п." in row
    assert "№ 533 от 30.11.2022" in row
    assert "36 %" not in row.replace("+36 п. п.", "")
    other = _row(page.text, world["mun_b"].id)  # a municipality with no report has its row
    assert "не утверждено" in other and "п. п." not in other


def test_the_previous_value_is_entered_when_the_year_before_has_no_report(
    client: FlaskClient, world: W
) -> None:
    login(client, world["users"]["municipal_a"])
    response = _save(client, world, 2023, {"1.1": "87,5", "1.1<": "90", "1.2": "40"})
    assert response.status_code == 302
    page = client.get("/mechanisms?year=2023").text
    row = _row(page, world["mun_a"].id)
    assert "87,5 % 90 % * −2,5 п. п." in row
    assert "40 % — —" in row  # no value for 1.2 in 2022: no change


def test_the_table_sorts_by_the_change(client: FlaskClient, world: W, make: Any) -> None:
    enter_seed_002(client, world)
    b_user = world["users"]["municipal_b"]
    login(client, b_user)
    ids = _codes(world)
    for year, value in ((2021, "50"), (2022, "95")):
        client.post(
            f"/mechanisms/{world['mun_b'].id}/{year}",
            data={"version": "0", f"value_{ids['1.1']}": value},
        )
    client.post("/logout", data={})
    login(client, world["users"]["ministry"])
    ascending = client.get(f"/mechanisms?year=2022&sort=c{ids['1.1']}&order=asc").text
    descending = client.get(f"/mechanisms?year=2022&sort=c{ids['1.1']}&order=desc").text
    a, b = f'id="mun-{world["mun_a"].id}"', f'id="mun-{world["mun_b"].id}"'
    assert ascending.index(a) < ascending.index(b)  # +36 before +45
    assert descending.index(b) < descending.index(a)


def test_the_workbook_has_the_figures(client: FlaskClient, world: W) -> None:
    enter_seed_002(client, world)
    login(client, world["users"]["auditor"])
    response = client.get("/mechanisms/2022.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = {r[0]: r for r in sheet.iter_rows(min_row=4, values_only=True)}
    row = rows[world["mun_a"].name]
    assert row[1:7] == (96, 60, 36, 93, 11, 82)
    assert row[7] == "533" and row[8].date().isoformat() == "2022-11-30"
    assert row[9] == "Бадмаева Л.Н."
    assert rows[world["mun_b"].name][1] is None


def _page(client: FlaskClient, user: Any, path: str) -> int:
    login(client, user)
    status = client.get(path).status_code
    client.post("/logout", data={})
    return status


def test_who_sees_what(client: FlaskClient, world: W) -> None:
    enter_seed_002(client, world)
    users, mun_a = world["users"], world["mun_a"]
    report = f"/mechanisms/{mun_a.id}/2022"
    assert _page(client, users["ministry"], report) == 200
    assert _page(client, users["auditor"], report) == 200
    assert _page(client, users["municipal_a"], report) == 200
    assert _page(client, users["municipal_b"], report) == 404
    assert _page(client, users["ministry_x"], report) == 404  # another region's ministry
    assert _page(client, users["school_a1"], report) == 404
    assert _page(client, users["school_a1"], "/mechanisms") == 403
    assert _page(client, users["admin"], "/mechanisms") == 403
    login(client, users["municipal_b"])
    own = client.get("/mechanisms?year=2022").text
    assert f'id="mun-{world["mun_b"].id}"' in own and mun_a.name not in own
    sheet = load_workbook(io.BytesIO(client.get("/mechanisms/2022.xlsx").data)).active
    assert mun_a.name not in [r[0] for r in sheet.iter_rows(values_only=True)]
    client.post("/logout", data={})
    login(client, users["school_a1"])
    assert client.get("/mechanisms/2022.xlsx").status_code == 403
    assert 'href="/mechanisms"' not in client.get("/").text
    client.post("/logout", data={})
    login(client, users["auditor"])
    assert 'href="/mechanisms"' in client.get("/").text


def test_only_the_municipality_edits_its_report(client: FlaskClient, world: W) -> None:
    enter_seed_002(client, world)
    for role in ("ministry", "auditor", "municipal_b"):
        login(client, world["users"][role])
        response = _save(client, world, 2022, {"1.1": "10"})
        assert response.status_code in (403, 404), role
        client.post("/logout", data={})
    db.session.expire_all()
    page_values = db.session.scalars(
        sa.select(MechanismReport).where(
            MechanismReport.municipality_id == world["mun_a"].id, MechanismReport.year == 2022
        )
    ).one()
    assert {float(v.value) for v in page_values.values} == {96.0, 93.0}


def test_bad_input_is_refused_with_its_reason(client: FlaskClient, world: W) -> None:
    login(client, world["users"]["municipal_a"])
    page = _save(client, world, 2022, {"1.1": "136", "1.2": "abc"})
    assert page.status_code == 400
    assert "не может превышать 100" in page.text
    assert "от 0 до 100" in page.text
    page = _save(client, world, 2022, {"1.1": "96"}, order_number="533")
    assert page.status_code == 400
    assert "и номер, и дату приказа" in page.text
    page = client.get(f"/mechanisms/{world['mun_a'].id}/1990", follow_redirects=True)
    assert "Год должен быть целым числом от 2015 до" in page.text
    page = client.get("/mechanisms?year=3000")
    assert "Год должен быть целым числом от 2015 до" in page.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MechanismReport)) == 0


def test_a_stale_form_is_refused(client: FlaskClient, world: W) -> None:
    login(client, world["users"]["municipal_a"])
    path, ids = f"/mechanisms/{world['mun_a'].id}/2021", _codes(world)
    assert client.post(path, data={"version": "0", f"value_{ids['1.1']}": "60"}).status_code == 302
    # A second form opened before the report existed, sent after it was saved:
    response = client.post(path, data={"version": "0", f"value_{ids['1.1']}": "61"})
    assert response.status_code == 409
    assert "в неё были внесены изменения" in response.text
    assert client.post(path, data={"version": "1", f"value_{ids['1.1']}": "62"}).status_code == 302
    assert client.post(path, data={"version": "1", f"value_{ids['1.1']}": "63"}).status_code == 409
    db.session.expire_all()
    report = db.session.scalars(sa.select(MechanismReport)).one()
    assert [float(v.value) for v in report.values] == [62.0]


def test_every_change_is_in_the_history(client: FlaskClient, world: W) -> None:
    enter_seed_002(client, world)
    events = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.action == "mechanisms.saved", AuditEvent.org_id == world["mun_a"].id)
        .order_by(AuditEvent.seq)
    ).all()
    assert [e.after["year"] for e in events] == [2021, 2022]
    assert events[1].after["1.1"] == 96 and events[1].after["order_number"] == "533"
    login(client, world["users"]["municipal_a"])
    _save(
        client,
        world,
        2022,
        {"1.1": "97", "1.2": "93"},
        order_number="533",
        order_date="2022-11-30",
        publisher="Бадмаева Л.Н.",
        conclusions="Произошло увеличение показателя: учтены недочёты, разработаны документы.",
    )
    last = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.action == "mechanisms.saved")
        .order_by(AuditEvent.seq.desc())
    ).first()
    assert last.before == {"1.1": 96} and last.after == {"year": 2022, "1.1": 97}
    client.post("/logout", data={})
    login(client, world["users"]["auditor"])
    assert "Отчёт о муниципальных механизмах сохранён" in client.get("/audit").text


def test_the_approved_document_is_attached_and_kept_from_schools(
    client: FlaskClient, world: W
) -> None:
    enter_seed_002(client, world)
    login(client, world["users"]["municipal_a"])
    report = db.session.scalars(
        sa.select(MechanismReport).where(MechanismReport.year == 2022)
    ).one()
    response = client.post(
        f"/mechanisms/{world['mun_a'].id}/2022/document",
        data={
            "version": str(report.version),
            "file": (io.BytesIO(simple_pdf("Приказ 533")), "prikaz-533.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    db.session.expire_all()
    report = db.session.get(MechanismReport, report.id)
    assert report.document is not None
    link = f"/documents/{report.document_id}/v/1"
    assert link in client.get(f"/mechanisms/{world['mun_a'].id}/2022").text
    client.post("/logout", data={})
    assert _page(client, world["users"]["ministry"], link) == 200
    assert _page(client, world["users"]["school_a1"], link) == 404
    assert _page(client, world["users"]["municipal_b"], link) == 404


def test_the_ministry_adds_a_criterion(client: FlaskClient, world: W) -> None:
    login(client, world["users"]["ministry"])
    response = client.post(
        "/mechanisms/criteria", data={"code": "1.3", "title": "Система методической работы"}
    )
    assert response.status_code == 302
    page = client.get("/mechanisms?year=2022").text
    assert "1.3 Система методической работы" in page
    refused = client.post("/mechanisms/criteria", data={"code": "1.1", "title": "Дубликат"})
    assert "уже есть критерий 1.1" in client.get(refused.headers["Location"]).text
    assert [c.code for c in criteria_of(world["other_region"].id)] == ["1.1", "1.2"]


def test_the_approved_file_hands_in_the_plans_measure(client: FlaskClient, world: W) -> None:
    """Under the Chernozemelsky plan the order of 30 November takes the same file: attached on
    the mechanisms page, it is handed in for the measure too, for every case of the
    municipality."""
    from app.models import ObligationStatus
    from app.workflows.campaigns import create_campaign
    from tests.helpers import open_test_case

    create_campaign(world["region"], 2022, actor=None, templates="chernozemelsky_mechanisms")
    cases = [open_test_case(world["schools"][k], year=2022) for k in ("a1", "a2")]
    owed = [o for c in cases for o in c.obligations if o.obligation_type == "zm_roadmaps_order"]
    assert len(owed) == 2 and owed[0].due_date.isoformat() == "2022-11-30"
    enter_seed_002(client, world)
    login(client, world["users"]["municipal_a"])
    page = client.get(f"/mechanisms/{world['mun_a'].id}/2022").text
    assert "В плане кампании" in page and f"obligation-{owed[0].id}" in page
    report = db.session.scalars(
        sa.select(MechanismReport).where(MechanismReport.year == 2022)
    ).one()
    response = client.post(
        f"/mechanisms/{world['mun_a'].id}/2022/document",
        data={
            "version": str(report.version),
            "file": (io.BytesIO(simple_pdf("Prikaz 533")), "prikaz-533.pdf"),
            "hand_in": str(owed[0].id),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    db.session.expire_all()
    statuses = {db.session.get(type(o), o.id).status for o in owed}
    assert statuses == {ObligationStatus.SUBMITTED}
    assert "сдано на проверку" in client.get(f"/mechanisms/{world['mun_a'].id}/2022").text
    # A measure no longer owed is refused, and nothing is stored.
    again = client.post(
        f"/mechanisms/{world['mun_a'].id}/2022/document",
        data={
            "version": str(db.session.get(MechanismReport, report.id).version),
            "file": (io.BytesIO(simple_pdf("Prikaz 533 v2")), "prikaz-533.pdf"),
            "hand_in": str(owed[0].id),
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Это мероприятие плана не ожидает этого документа." in again.text
    db.session.expire_all()
    assert len(db.session.get(MechanismReport, report.id).document.versions) == 1
