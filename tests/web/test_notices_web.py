"""The notification centre, the calendar feed and the compliance report."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, time
from typing import Any

import openpyxl
from flask.testing import FlaskClient
from icalendar import Calendar

from app.extensions import db
from app.notices.sweep import sweep
from app.workflows import queries
from tests.helpers import login, open_test_case


def test_unread_count_and_mark_read(client: FlaskClient, world: dict[str, Any]) -> None:
    case = open_test_case(world["schools"]["a1"])
    order = next(o for o in case.obligations if o.obligation_type == "k_recheck")
    sweep(datetime.combine(order.due_date, time(7), UTC))  # 30.11: the first term, alone
    db.session.commit()
    login(client, world["users"]["municipal_a"])
    page = client.get("/").text
    assert '<span class="badge count" id="unread-count">1</span>' in page
    centre = client.get("/notifications").text
    assert case.school.name in centre
    notification_id = re.search(r"/notifications/(\d+)/read", centre).group(1)
    opened = client.post(f"/notifications/{notification_id}/read", data={})
    assert opened.headers["Location"] == f"/cases/{case.id}#obligation-{order.id}"
    assert 'id="unread-count"' not in client.get("/").text
    # Somebody else's notice cannot be opened or marked.
    client.post("/logout", data={})
    login(client, world["users"]["municipal_b"])
    assert client.post(f"/notifications/{notification_id}/read", data={}).status_code == 404


def test_calendar_feed_matches_the_inbox_and_can_be_revoked(
    client: FlaskClient, world: dict[str, Any], app: Any
) -> None:
    open_test_case(world["schools"]["a1"])
    open_test_case(world["schools"]["a2"])
    db.session.commit()
    user = world["users"]["municipal_a"]
    login(client, user)
    page = client.post("/notifications/calendar", data={}).text
    url = re.search(r'id="feed-url">([^<]+)<', page).group(1)
    path = url.split("://", 1)[1].split("/", 1)[1]
    anonymous = app.test_client()
    feed = anonymous.get("/" + path)
    assert feed.status_code == 200
    assert feed.mimetype == "text/calendar"
    events = [c for c in Calendar.from_ical(feed.data).walk() if c.name == "VEVENT"]
    owed, to_review = queries.inbox(user)
    dated = [o for o in [*owed, *to_review] if o.due_date is not None]  # «постоянно»: no date
    assert {(str(e["uid"]), e.decoded("dtstart")) for e in events} == {
        (f"obligation-{o.id}@oko", o.due_date) for o in dated
    }
    assert len(events) == len(dated) == 12  # six dated measures of municipality A, two cases
    titles = {f"obligation-{o.id}@oko": o.measure.title for o in dated}
    for event in events:
        assert titles[str(event["uid"])][:40] in str(event["summary"])
    client.post("/notifications/calendar", data={"action": "revoke"})
    assert anonymous.get("/" + path).status_code == 404
    assert anonymous.get("/calendar/not-a-token.ics").status_code == 404


def test_compliance_report_xlsx(client: FlaskClient, case_world: dict[str, Any]) -> None:
    login(client, case_world["users"]["ministry"])
    response = client.get("/dashboard/compliance.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:3] == ("Муниципалитет", "Обязательство", "Исполнено в срок")
    body = {(r[0], r[1]): r[2:] for r in rows[2:-1]}
    a_order = body[
        (
            "Район А",
            "Анализ причин необъективности результатов ВПР и низких образовательных результатов "
            "в общеобразовательных организациях",
        )
    ]
    assert a_order[2] == 1  # overdue: a1's analysis of causes (b1's is handed in)
    assert rows[-1][0] == "Итого"
    assert "Район Икс" not in {r[0] for r in rows}


def test_email_mode_setting(client: FlaskClient, world: dict[str, Any]) -> None:
    user = world["users"]["school_a1"]
    login(client, user)
    client.post("/notifications/settings", data={"email_mode": "digest"})
    db.session.refresh(user)
    assert user.email_mode == "digest"
    client.post("/notifications/settings", data={"email_mode": "spam"})
    db.session.refresh(user)
    assert user.email_mode == "digest"


def test_the_centre_lists_a_grouped_notice_with_its_schools(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    cases = [open_test_case(world["schools"][key]) for key in ("a1", "a2", "b1")]
    sweep(datetime(2023, 12, 28, 7, tzinfo=UTC))  # the municipal acts 3 working days late
    db.session.commit()
    login(client, world["users"]["ministry"])
    assert '<span class="badge count" id="unread-count">1</span>' in client.get("/").text
    centre = client.get("/notifications").text
    # Район А: 4 acts, 2 rechecks; Район Б: 4 acts, 1 recheck.
    assert "Не исполнено в срок: 11 обязательств" in centre
    for case in cases:
        causes = next(o for o in case.obligations if o.obligation_type == "k_causes")
        link = f'<a href="/cases/{case.id}#obligation-{causes.id}" title="{case.school.name}">'
        assert f"{link}{case.school.short_name}</a>" in centre  # the full name on hover
    assert centre.count("один документ отвечает за все 2 школы") == 4  # Район А's acts
    assert "Ответственный: Район Б" in centre
    notification_id = re.search(r"/notifications/(\d+)/read", centre).group(1)
    opened = client.post(f"/notifications/{notification_id}/read", data={})
    assert opened.headers["Location"] == f"/notifications#notice-{notification_id}"
    assert f'id="notice-{notification_id}"' in client.get("/notifications").text
