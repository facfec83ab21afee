"""The stage records through their pages, as each role uses them: who may fill what, what a
refusal says, and what the others then see."""

from __future__ import annotations

import io
from typing import Any

from flask.testing import FlaskClient

from app.demo.cases import extend_plan
from app.demo.files import simple_pdf
from app.extensions import db
from app.models import Category, ObligationStatus
from app.stages import director, shnor
from app.stages.records import current_obligation
from app.workflows import obligations as ops
from tests.helpers import login, open_test_case
from tests.integration.test_generated_documents import _recheck_csv


def _accept(case: Any, kind: str, reviewer: Any) -> None:
    ops.review(
        current_obligation(case, kind).id, accept=True, actor=reviewer, expected_version=None
    )


def test_self_analysis_page_draft_hand_in_and_read_only_for_others(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    u = world["users"]
    case = open_test_case(world["schools"]["a1"])
    extend_plan(case.campaign, u["ministry"])  # the ministry adds the self-analysis
    db.session.commit()
    url = f"/cases/{case.id}/forms/self_analysis"

    login(client, u["school_a1"])
    page = client.get(url).text
    assert "Организация проведения: наблюдатели" in page and "Сохранить черновик" in page
    saved = client.post(
        url,
        data={"organisation": "Наблюдатели в 4 аудиториях", "causes": "Проверка своих классов"},
        follow_redirects=True,
    )
    assert "Черновик сохранён" in saved.text and "Наблюдатели в 4 аудиториях" in saved.text
    handed = client.post(
        url,
        data={
            "organisation": "Наблюдатели в 4 аудиториях",
            "causes": "Проверка своих классов",
            "submit": "1",
        },
        follow_redirects=True,
    )
    assert "Сдано на проверку" in handed.text
    assert current_obligation(case, "form:self_analysis").status is ObligationStatus.SUBMITTED
    late = client.post(url, data={"causes": "Другое"}, follow_redirects=True)
    assert "Запись сдана" in late.text  # handed in: closed until returned
    client.post("/logout", data={})

    login(client, u["municipal_a"])
    page = client.get(url).text
    assert "Проверка своих классов" in page and "Сохранить черновик" not in page
    assert client.post(url, data={"causes": "Чужая правка"}).status_code == 403
    assert "Чужая правка" not in client.get(url).text
    client.post("/logout", data={})

    login(client, u["school_b1"])
    assert client.get(url).status_code == 404


def test_recheck_pages_commission_works_and_protocol(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    u = world["users"]
    case = open_test_case(world["schools"]["a1"])
    db.session.commit()
    base = f"/cases/{case.id}/recheck"

    login(client, u["municipal_a"])
    assert client.get(f"{base}/scores.png").status_code == 404  # nothing rechecked: no chart
    for login_, name in (
        (world["schools"]["a1"].login, "Своя Учительница"),
        (world["schools"]["a2"].login, "Кузнецова Мария"),
    ):
        client.post(
            "/experts", data={"school_login": login_, "full_name": name, "subject": "Русский язык"}
        )
    experts_page = client.get("/experts").text
    assert "Своя Учительница" in experts_page and "Кузнецова Мария" in experts_page
    from app.stages.recheck import experts_of

    own, other = sorted(
        experts_of(world["mun_a"].id), key=lambda e: e.full_name != "Своя Учительница"
    )
    refused = client.post(
        f"{base}/member", data={"expert_id": str(own.id), "chair": "1"}, follow_redirects=True
    )
    assert "не может перепроверять работы своей школы" in refused.text
    client.post(f"{base}/member", data={"expert_id": str(other.id), "chair": "1"})
    loaded = client.post(
        f"{base}/works",
        data={"file": (io.BytesIO(_recheck_csv(case.school.login)), "recheck.csv")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Загружено работ: 12" in loaded.text
    bad = client.post(
        f"{base}/works",
        data={"file": (io.BytesIO(b"MZ\0\0"), "recheck.csv")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Загружено работ" not in bad.text and 'class="flash error' in bad.text
    shared = client.post(f"{base}/assign", data={}, follow_redirects=True)
    assert "Работы распределены между членами комиссии" in shared.text
    page = client.post(f"{base}/protocol", data={}, follow_redirects=True).text
    assert (
        "Протокол сдан" in page
        and "11 из 12 (92 %" in page
        and "целевое значение 90 % достигнуто" in page
    )
    assert "0,67" in page and "p = 0,125" in page  # Russian decimal commas
    chart = f"{base}/scores.png"
    assert f'src="{chart}"' in page and 'alt="Баллы, выставленные в школе, и баллы' in page
    drawn = client.get(chart)
    assert drawn.status_code == 200 and drawn.mimetype == "image/png"
    assert drawn.data.startswith(b"\x89PNG") and len(drawn.data) > 5000
    assert f'src="{chart}"' in client.get(f"/cases/{case.id}").text  # the case page, too
    assert current_obligation(case, "record:recheck_protocol").status is ObligationStatus.SUBMITTED
    client.post("/logout", data={})

    login(client, u["school_a1"])
    assert "Кузнецова Мария" in client.get(base).text
    assert client.get(chart).status_code == 200
    assert client.post(f"{base}/assign", data={}).status_code == 403
    client.post("/logout", data={})

    login(client, u["school_b1"])  # another municipality's school sees neither page nor chart
    assert client.get(chart).status_code == 404


def test_strategic_session_pages_plan_invite_attend_and_materials(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    u = world["users"]
    case = open_test_case(world["schools"]["a1"])
    db.session.commit()

    login(client, u["ministry"])
    planned = client.post(
        "/sessions",
        data={
            "campaign": str(case.campaign_id),
            "title": "Стратегическая сессия № 1",
            "starts_at": "2024-02-15T10:00",
            "place": "Калининград, ул. Желябова, 11",
            "capacity": "5",
            "directions": "Взаимодействие с родителями и общественностью",
        },
        follow_redirects=True,
    )
    assert "Сессия запланирована" in planned.text and case.school.short_name in planned.text
    session_url = planned.request.path
    client.post(f"{session_url}/invite", data={"case_id": str(case.id)})
    pdf = simple_pdf("Программа сессии")
    attached = client.post(
        f"{session_url}/material",
        data={"file": (io.BytesIO(pdf), "Программа.pdf")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Программа.pdf" in attached.text
    refused = client.post(
        f"{session_url}/material",
        data={"file": (io.BytesIO(b"MZ\0\0"), "Итоги.pdf")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Файлы такого вида не принимаются" in refused.text and "Итоги.pdf" not in refused.text
    material_url = attached.text.split('href="/documents/')[1].split('"')[0]
    client.post("/logout", data={})

    login(client, u["school_a1"])
    page = client.get(session_url).text
    assert "Стратегическая сессия № 1" in page and "Программа.pdf" in page
    assert client.get(f"/documents/{material_url}").data == pdf
    client.post(
        f"{session_url}/participants",
        data={
            "invite_id": page.split('name="invite_id" value="')[1].split('"')[0],
            "name": "Иванова Ирина Ивановна",
            "position": "директор",
        },
    )
    assert (
        client.post(
            f"{session_url}/material",
            data={"file": (io.BytesIO(pdf), "x.pdf")},
            content_type="multipart/form-data",
        ).status_code
        == 403
    )
    client.post("/logout", data={})

    login(client, u["school_b1"])  # not invited: neither the session nor its materials
    assert client.get(session_url).status_code == 404
    assert client.get(f"/documents/{material_url}").status_code == 404
    client.post("/logout", data={})

    login(client, u["ministry"])
    page = client.get(session_url).text
    assert (
        "Иванова Ирина Ивановна (директор)" in page and page.count(".pdf</a>") == 1
    )  # the school's try refused
    invite_id = page.split('name="invite_id" value="')[1].split('"')[0]
    client.post(f"{session_url}/attendance", data={"invite_id": invite_id, "attended": "1"})
    db.session.expire_all()
    attended = current_obligation(case, "attendance")
    assert (
        attended.status is ObligationStatus.ACCEPTED
        and attended.completed_on.isoformat() == "2024-02-15"
    )


def test_director_page_school_values_then_commission_scores(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    u = world["users"]
    case = open_test_case(world["schools"]["a1"])
    db.session.commit()
    url = f"/cases/{case.id}/director"

    login(client, u["municipal_a"])  # the school's part is the school's alone
    assert (
        client.post(url, data={"part": "school", "value_acts": "Чужие данные"}).status_code == 403
    )
    client.post("/logout", data={})

    login(client, u["school_a1"])
    handed = client.post(
        url,
        data={
            "part": "school",
            "value_recheck": "92 %",
            "value_acts": "Приказ № 112",
            "submit": "1",
        },
        follow_redirects=True,
    )
    assert "Сдано на проверку" in handed.text and "Приказ № 112" in handed.text
    client.post("/logout", data={})

    _accept(case, "record:director_indicators", u["municipal_a"])
    db.session.commit()
    login(client, u["municipal_a"])
    too_high = client.post(
        url, data={"part": "commission", "score_recheck": "9"}, follow_redirects=True
    )
    assert "Балл — от 0 до максимума показателя" in too_high.text
    scores = {f"score_{key}": "2" for key, *_rest in director.DEFAULT_INDICATORS}
    done = client.post(
        url,
        data={"part": "commission", **scores, "decision": "Эффективен", "submit": "1"},
        follow_redirects=True,
    )
    assert "Сдано на проверку" in done.text and "эффективен" in done.text
    assert (
        current_obligation(case, "record:director_evaluation").status is ObligationStatus.SUBMITTED
    )


def test_mentoring_page_leader_school_and_assessments(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    u = world["users"]
    case = open_test_case(world["schools"]["a1"], category=Category.LOW_RESULTS)
    db.session.commit()
    url = f"/cases/{case.id}/mentoring"

    login(client, u["school_a1"])
    refused = client.post(
        url, data={"action": "leader", "leader_login": world["schools"]["a2"].login}
    )
    assert (
        refused.status_code == 403 and shnor.mentorship_of(case) is None
    )  # the municipality assigns it
    client.post("/logout", data={})

    login(client, u["municipal_a"])
    itself = client.post(
        url,
        data={"action": "leader", "leader_login": world["schools"]["a1"].login},
        follow_redirects=True,
    )
    assert "Выберите школой-лидером другую школу региона" in itself.text
    assigned = client.post(
        url,
        data={"action": "leader", "leader_login": world["schools"]["a2"].login},
        follow_redirects=True,
    )
    assert "Школа-лидер назначена" in assigned.text and world["schools"]["a2"].name in assigned.text
    assert shnor.mentorship_of(case) is not None

    client.post(url, data={"action": "plan"})
    plan = shnor.mentor_plan(case, actor=u["school_a1"])
    from app.models import RoadmapStatus
    from app.stages.roadmaps import ItemValues, save_item

    save_item(
        plan,
        None,
        ItemValues(
            "Взаимопосещение уроков", "ежемесячно", "Школа-лидер", "8 уроков", RoadmapStatus.PLANNED
        ),
        actor=u["school_a1"],
    )
    shnor.hand_in_roadmap(case, plan, actor=u["school_a1"])
    _accept(case, "roadmap:mentor", u["municipal_a"])
    db.session.commit()
    # The teachers' competences are assessed by the regional institute, for which the
    # ministry's people act.
    client.post("/logout", data={})
    login(client, u["ministry"])
    record = {
        "action": "assessment",
        "teacher": "Петров П. П.",
        "subject": "Математика",
        "method": "Диагностика",
        "score": "54",
        "conclusion": "Дефицит: геометрия",
    }
    undated = client.post(url, data={**record, "assessed_on": "31.02.2024"}, follow_redirects=True)
    assert "Укажите дату оценки" in undated.text and "Дефицит: геометрия" not in undated.text
    over = client.post(
        url, data={**record, "assessed_on": "2024-03-01", "score": "140"}, follow_redirects=True
    )
    assert "Результат — процент от 0 до 100" in over.text
    added = client.post(url, data={**record, "assessed_on": "2024-03-01"}, follow_redirects=True)
    assert "Оценка записана" in added.text and "Дефицит: геометрия" in added.text
    handed = client.post(url, data={"action": "hand_in_assessments"}, follow_redirects=True)
    assert "Сдано на проверку" in handed.text
    assert (
        current_obligation(case, "record:competence_assessment").status
        is ObligationStatus.SUBMITTED
    )
