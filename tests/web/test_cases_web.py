"""The case screens: list, case page with only the allowed actions, inbox, dashboard, export,
flag-list import with preview."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import openpyxl
import sqlalchemy as sa
from flask.testing import FlaskClient

from app import audit
from app.demo.files import simple_pdf
from app.extensions import db
from app.models import Case, CaseStatus, ObligationStatus
from app.web.cases.page import HISTORY_SHOWN
from app.workflows import obligations as ops
from tests.helpers import REAL_FLAG_LIST, hand_in, login, student_marks_csv


def _buttons(html: str) -> list[str]:
    return [b.strip() for b in re.findall(r"<button[^>]*>\s*([^<]+?)\s*</button>", html)]


def test_case_page_offers_each_role_only_its_actions(
    client: FlaskClient, case_world: dict[str, Any]
) -> None:
    case = case_world["cases"]["a1"]
    login(client, case_world["users"]["school_a1"])
    page = client.get(f"/cases/{case.id}").text
    assert case.school.name in page
    assert "/move" not in page  # no case actions for a school
    certificate = next(o for o in case.obligations if o.obligation_type == "k_certificate")
    assert f"/obligations/{certificate.id}/upload" in page  # the school's own measure
    assert f"/obligations/{case.obligations[0].id}/upload" not in page  # the municipality's act
    client.post("/logout", data={})

    login(client, case_world["users"]["municipal_a"])
    page = client.get(f"/cases/{case.id}").text
    assert f"/obligations/{case.obligations[0].id}/upload" in page
    assert "/move" not in page  # nothing accepted yet: nothing to return for rework
    assert "/waive" not in page
    client.post("/logout", data={})

    login(client, case_world["users"]["ministry"])
    page = client.get(f"/cases/{case.id}").text
    assert "/move" in page and "disabled" in page  # closing is offered, blocked while owed
    assert "/waive" in page
    client.post("/logout", data={})

    login(client, case_world["users"]["auditor"])
    page = client.get(f"/cases/{case.id}").text
    body = page.split("</header>", 1)[1]
    for action in ("/move", "/level", "/upload", "/submit", "/review", "/waive", "/data/"):
        assert action not in body, f"the read-only auditor is offered {action}"
    assert f"/cases/{case.id}/generate/case_history" in body  # the auditor's report
    assert 'id="chain-status"' in page


def test_walk_through_http_and_stale_version(
    client: FlaskClient, case_world: dict[str, Any]
) -> None:
    case = case_world["cases"]["a1"]
    order = case.obligations[0]
    login(client, case_world["users"]["municipal_a"])
    pdf = (io.BytesIO(simple_pdf("Order 5")), "Приказ № 5.pdf")
    client.post(
        f"/obligations/{order.id}/upload",
        data={"version": str(order.version), "text": "Приказ № 5", "file": pdf},
        content_type="multipart/form-data",
    )
    client.post("/logout", data={})
    login(client, case_world["users"]["ministry"])
    db.session.refresh(order)
    client.post(
        f"/obligations/{order.id}/review",
        data={"version": str(order.version), "decision": "accept"},
    )
    db.session.refresh(order)
    assert order.status is ObligationStatus.ACCEPTED
    db.session.refresh(case)
    seen = case.version
    response = client.post(
        f"/cases/{case.id}/move",
        data={"transition": "close_escalated", "version": str(seen), "reason": "Снова в перечне"},
    )
    assert response.status_code == 302
    db.session.refresh(case)
    assert case.status is CaseStatus.ESCALATED and case.stage == "closed"
    # A second tab still showing the old version.
    stale = client.post(
        f"/cases/{case.id}/move",
        data={"transition": "reopen", "version": str(seen), "reason": "x"},
        follow_redirects=True,
    )
    assert case_world["users"]["ministry"].full_name in stale.text
    db.session.refresh(case)
    assert case.status is CaseStatus.ESCALATED


def test_wrong_role_cannot_move_by_forging_a_post(
    client: FlaskClient, case_world: dict[str, Any]
) -> None:
    case = case_world["cases"]["a1"]
    login(client, case_world["users"]["school_a1"])
    response = client.post(
        f"/cases/{case.id}/move",
        data={"transition": "close_escalated", "version": str(case.version), "reason": "x"},
    )
    assert response.status_code == 403
    db.session.refresh(case)
    assert case.status is CaseStatus.OPEN


def _settle(case: Case, ministry: Any) -> None:
    """Nothing left owed: every open obligation waived by the ministry."""
    for obligation in case.obligations:
        if obligation.status is ObligationStatus.OPEN:
            ops.waive(obligation.id, actor=ministry, reason="Проверка", expected_version=None)
    db.session.commit()


def test_list_filters_counts_and_overdue(client: FlaskClient, case_world: dict[str, Any]) -> None:
    ministry = case_world["users"]["ministry"]
    _settle(case_world["cases"]["b1"], ministry)
    login(client, ministry)
    page = client.get("/cases").text
    assert "(2)" in page  # a1 and b1; x1 is in another region
    # The 2023 campaign's terms are long past: a1 owes its measures; b1 owes nothing (its
    # analysis of causes is handed in, the rest waived).
    assert client.get("/cases?overdue=1").text.count('<tr class="overdue">') == 1
    filtered = client.get(f"/cases?municipality={case_world['mun_a'].id}").text
    assert case_world["schools"]["a1"].login in filtered
    assert case_world["schools"]["b1"].login not in filtered
    assert "(0)" in client.get("/cases?years=3").text


def test_export_has_one_row_per_case(client: FlaskClient, case_world: dict[str, Any]) -> None:
    _settle(case_world["cases"]["b1"], case_world["users"]["ministry"])
    login(client, case_world["users"]["ministry"])
    response = client.get("/cases/export?format=csv")
    text = response.data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:3] == ["Год ВПР", "Логин ОО", "ОО"]
    assert len(rows) == 3
    logins = {r[1] for r in rows[1:]}
    assert logins == {case_world["schools"]["a1"].login, case_world["schools"]["b1"].login}
    overdue = {r[1]: r[-1] for r in rows[1:]}
    # Overdue obligations: all nine of a1's required measures; none of b1's.
    assert overdue[case_world["schools"]["a1"].login] == "9"
    assert overdue[case_world["schools"]["b1"].login] == "0"  # handed in
    book = openpyxl.load_workbook(io.BytesIO(client.get("/cases/export?format=xlsx").data))
    assert book.active.max_row == 3


def test_inbox_lists_what_is_owed_by_due_date(
    client: FlaskClient, case_world: dict[str, Any]
) -> None:
    login(client, case_world["users"]["municipal_a"])
    page = client.get("/inbox").text
    assert case_world["schools"]["a1"].name in page
    assert case_world["schools"]["b1"].name not in page
    order = case_world["cases"]["a1"].obligations[0]
    hand_in(order, case_world["users"]["municipal_a"])
    db.session.commit()
    client.post("/logout", data={})
    login(client, case_world["users"]["ministry"])
    page = client.get("/inbox").text
    review_part = (
        page.split("Awaiting my review")[-1]
        if "Awaiting my review" in page
        else page.split("Ждут моей проверки")[-1]
    )
    assert case_world["schools"]["a1"].name in review_part


def test_dashboard_counts_by_municipality(client: FlaskClient, case_world: dict[str, Any]) -> None:
    order = case_world["cases"]["a1"].obligations[0]
    hand_in(order, case_world["users"]["municipal_a"])
    ops.review(order.id, accept=True, actor=case_world["users"]["ministry"], expected_version=None)
    db.session.commit()
    login(client, case_world["users"]["ministry"])
    page = client.get("/dashboard").text
    assert case_world["mun_a"].name in page and case_world["mun_b"].name in page
    assert "Район Икс" not in page
    client.post("/logout", data={})
    login(client, case_world["users"]["municipal_a"])
    page = client.get("/dashboard").text
    assert case_world["mun_a"].name in page and case_world["mun_b"].name not in page


def test_flag_import_preview_then_confirm(
    client: FlaskClient, case_world: dict[str, Any], db_session: Any
) -> None:
    login(client, case_world["users"]["ministry"])
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Case))
    data = REAL_FLAG_LIST.read_bytes()
    preview = client.post(
        "/flags/import",
        data={"file": (io.BytesIO(data), "list.xlsx"), "preview": "1"},
        content_type="multipart/form-data",
    )
    assert preview.status_code == 200
    assert (
        "2023: 159" in preview.text and "2024: 148" in preview.text and "2025: 144" in preview.text
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Case)) == before
    # The preview names what is new, not only how much: the cases with their schools.
    listed = preview.text.split("Открыто сопровождений: 451", 1)[1].split("</details>", 1)[0]
    assert listed.count("<tr>") == 1 + 200  # the heading and the first 200
    assert "… и ещё 251" in listed
    assert re.search(r"<td>2023</td><td title=\"[^\"]+\">[^<]+</td><td>\w+</td><td>", listed)
    token = re.search(r'name="token" value="([0-9a-f]+)"', preview.text)
    assert token
    done = client.post("/flags/import", data={"token": token.group(1), "confirm": "1"})
    assert done.status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Case)) == before + 451 - 0


def test_flag_import_token_of_another_session_is_refused(
    client: FlaskClient, case_world: dict[str, Any], app: Any
) -> None:
    login(client, case_world["users"]["ministry"])
    other = app.test_client()
    login(other, case_world["users"]["ministry"])
    text = "Год;Логин;Муниципалитет;ОО;4 РУ;Количество маркеров\n2024;edu123456;Р;Ш;1;1\n"
    preview = client.post(
        "/flags/import",
        data={"file": (io.BytesIO(text.encode()), "l.csv"), "preview": "1"},
        content_type="multipart/form-data",
    )
    token = re.search(r'name="token" value="([0-9a-f]+)"', preview.text).group(1)
    response = other.post("/flags/import", data={"token": token, "confirm": "1"})
    assert response.status_code == 302
    assert (
        db.session.scalar(sa.select(Case).join(Case.school).where(sa.text("login = 'edu123456'")))
        is None
    )


def test_case_page_shows_the_newest_events_and_checks_them_all(
    client: FlaskClient, case_world: dict[str, Any]
) -> None:
    case = case_world["cases"]["a1"]
    ministry = case_world["users"]["ministry"]
    for n in range(HISTORY_SHOWN + 20):
        audit.record(
            "case.note",
            actor=ministry,
            object_type="case",
            object_id=case.id,
            case_id=case.id,
            after={"note": f"запись {n:03d}"},
        )
    db.session.flush()
    total = len(audit.case_events(case.id))
    login(client, case_world["users"]["auditor"])

    page = client.get(f"/cases/{case.id}").text
    history = page.split('id="chain-status"', 1)[1]
    checked = history.split("</p>", 1)[0]
    assert f"проверена: {total} событи" in checked  # the check covers every event
    assert f"запись {HISTORY_SHOWN + 19:03d}" in history  # the newest first …
    assert f"запись {19:03d}" not in history  # … and only the newest HISTORY_SHOWN
    assert history.count("<tr>") == HISTORY_SHOWN + 1  # the header and the events
    assert f"Показать всю историю: {total} событи" in history

    whole = client.get(f"/cases/{case.id}?history=all").text.split('id="chain-status"', 1)[1]
    assert whole.count("<tr>") == total + 1
    assert "запись 000" in whole
    assert "Показать всю историю" not in whole


def test_a_school_on_two_lists_has_its_cases_linked(
    client: FlaskClient, case_world: dict[str, Any]
) -> None:
    from app.models import Category
    from tests.helpers import open_test_case

    objectivity = case_world["cases"]["a1"]
    shnor = open_test_case(case_world["schools"]["a1"], category=Category.LOW_RESULTS)
    db.session.commit()
    login(client, case_world["users"]["school_a1"])
    page = client.get(f"/cases/{objectivity.id}").text
    assert f'href="/cases/{shnor.id}"' in page and "ШНОР" in page
    other = client.get(f"/cases/{shnor.id}").text
    assert f'href="/cases/{objectivity.id}"' in other
    assert "/forms/self_analysis" not in other and "/recheck" not in other


def test_a_case_page_lists_only_the_acts_that_answer_it(
    client: FlaskClient, case_world: dict[str, Any], make: Any
) -> None:
    """A ШНОР case of municipality B does not show B's act answering the objectivity cases."""
    from app.models import Category
    from tests.helpers import open_test_case

    act = case_world["document"]  # municipality B's analysis of causes, for b1
    shnor = open_test_case(case_world["schools"]["b2"], category=Category.LOW_RESULTS)
    objectivity = open_test_case(case_world["schools"]["b2"])
    db.session.commit()
    login(client, case_world["users"]["ministry"])
    link = f"/documents/{act.id}/v/1"
    assert link in client.get(f"/cases/{case_world['cases']['b1'].id}").text
    assert link in client.get(f"/cases/{objectivity.id}").text  # it answers its measure too
    assert link not in client.get(f"/cases/{shnor.id}").text


def test_the_case_page_shows_the_marks_charts_from_their_own_address(
    client: FlaskClient, case_world: dict[str, Any]
) -> None:
    """The correlation charts of the school's marks are images the page links to (drawn when
    the file was uploaded), not data inside the page; the address answers what the case page's
    scope allows."""
    from app.stages import attachments

    case, users = case_world["cases"]["a1"], case_world["users"]
    data = student_marks_csv(case.school.login)
    attachments.upload(case, "student_marks", "marks.csv", data, actor=users["school_a1"])
    db.session.commit()
    login(client, users["municipal_a"])
    page = client.get(f"/cases/{case.id}").text
    charts = re.findall(rf'<img alt="(\w+)" src="(/cases/{case.id}/marks/\w+\.png)"', page)
    assert charts and "data:image/png" not in page
    assert [name for name, _url in charts] == attachments.correlations(case)["charts"]  # type: ignore[index]
    for name, url in charts:
        answer = client.get(url)
        assert answer.status_code == 200 and answer.mimetype == "image/png"
        assert answer.data == attachments.correlation_chart(case, name)
        assert answer.data.startswith(b"\x89PNG")
    assert client.get(f"/cases/{case.id}/marks/nothing.png").status_code == 404
    client.post("/logout", data={})
    login(client, users["municipal_b"])  # another municipality's case: not even its charts
    assert client.get(charts[0][1]).status_code == 404
