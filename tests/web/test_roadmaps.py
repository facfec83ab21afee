"""Structured roadmaps: edited by their own organisation, reported on monthly."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask.testing import FlaskClient

from app.extensions import db
from app.models import AuditEvent, Roadmap, RoadmapStatus
from app.stages.roadmaps import report_periods
from tests.helpers import login, open_test_case


def test_monthly_reports_are_due_on_the_last_working_monday(world: dict[str, Any]) -> None:
    case = open_test_case(world["schools"]["a1"])
    periods = dict(report_periods(case.campaign))
    assert sorted(periods)[0] == "2023-11" and sorted(periods)[-1] == "2024-05"
    assert periods["2023-11"] == date(2023, 11, 27)
    assert periods["2024-01"] == date(2024, 1, 29)
    assert periods["2024-04"] == date(2024, 4, 22)  # 29 April 2024 was a day off


def test_school_keeps_its_roadmap_and_reports(client: FlaskClient, world: dict[str, Any]) -> None:
    case = open_test_case(world["schools"]["a1"])
    login(client, world["users"]["school_a1"])
    # Opening the page changes nothing; the school starts its roadmap with the button.
    assert "Начать дорожную карту" in client.get(f"/cases/{case.id}/roadmap").text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Roadmap)) == 0
    page = client.post(f"/cases/{case.id}/roadmap", data={}, follow_redirects=True)
    assert "Самодиагностика причин необъективности" in page.text
    roadmap = db.session.scalars(
        sa.select(Roadmap).where(Roadmap.owner_org_id == case.school_id)
    ).one()
    first = roadmap.items[0]
    client.post(
        f"/roadmaps/{roadmap.id}/items",
        data={
            "item_id": str(first.id),
            "measure": first.measure,
            "deadline": "до 30.11.2023",
            "responsible": "Петрова А. С.",
            "indicator": first.indicator,
            "status": "done",
            "progress_note": "Самоанализ сдан 28.11 <вовремя> & без замечаний",
        },
    )
    client.post(
        f"/roadmaps/{roadmap.id}/items",
        data={
            "measure": "Круглый стол с родителями",
            "deadline": "март",
            "responsible": "Директор",
            "indicator": "Проведён",
            "status": "planned",
        },
    )
    period, _due = report_periods(case.campaign)[0]
    client.post(
        f"/roadmaps/{roadmap.id}/reports", data={"period": period, "text": "Проведён педсовет."}
    )
    db.session.expire_all()
    page = client.get(f"/roadmaps/{roadmap.id}").text
    assert "&lt;вовремя&gt; &amp; без замечаний" in page
    assert "Круглый стол с родителями" in page
    assert "Проведён педсовет." in page
    months = (
        "январь",
        "февраль",
        "март",
        "апрель",
        "май",
        "июнь",
        "июль",
        "август",
        "сентябрь",
        "октябрь",
        "ноябрь",
        "декабрь",
    )
    assert f"<td>{months[int(period[5:]) - 1]} {period[:4]}</td>" in page  # the month in words
    assert roadmap.items[0].status is RoadmapStatus.DONE
    assert len(roadmap.items) == 9
    actions = db.session.scalars(
        sa.select(AuditEvent.action)
        .where(AuditEvent.object_type == "roadmap", AuditEvent.object_id == roadmap.id)
        .order_by(AuditEvent.seq)
    ).all()
    assert actions == [
        "roadmap.created",
        "roadmap.item_saved",
        "roadmap.item_saved",
        "roadmap.report_submitted",
    ]


def test_others_see_but_do_not_edit(client: FlaskClient, world: dict[str, Any]) -> None:
    from app.stages.roadmaps import roadmap_of

    case = open_test_case(world["schools"]["a1"])
    roadmap = roadmap_of(
        case.school, case.campaign, "objectivity", actor=world["users"]["school_a1"]
    )
    db.session.commit()
    login(client, world["users"]["municipal_a"])
    page = client.get(f"/roadmaps/{roadmap.id}")
    assert page.status_code == 200
    assert "Add a measure" not in page.text and "Добавить мероприятие" not in page.text
    assert (
        client.post(
            f"/roadmaps/{roadmap.id}/items", data={"measure": "x", "status": "planned"}
        ).status_code
        == 403
    )
    client.post("/logout", data={})
    login(client, world["users"]["school_b1"])
    assert client.get(f"/roadmaps/{roadmap.id}").status_code == 404
    assert client.get(f"/cases/{case.id}/roadmap").status_code == 404
