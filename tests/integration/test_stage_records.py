"""A case walked through every stage, each stage's record filled by the right role, printable,
and the dashboard telling who has not yet done their part."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from docx import Document as Docx
from flask.testing import FlaskClient

from app.demo.cases import extend_plan
from app.documents import storage
from app.errors import Conflict, InvalidInput, NotAllowed
from app.extensions import db
from app.models import Category, DocumentVersion, ObligationStatus, RoadmapStatus
from app.stages import director, questionnaires, recheck, sessions, shnor
from app.stages.records import current_obligation
from app.stages.roadmaps import ItemValues, roadmap_of
from app.stages.roadmaps import save_item as save_roadmap_item
from app.workflows import obligations as ops
from app.workflows import queries
from app.workflows.cases import act_on_case
from tests.helpers import hand_in, login, open_test_case
from tests.integration.test_generated_documents import _recheck_csv


def _accept(case: Any, kind: str, reviewer: Any) -> None:
    obligation = current_obligation(case, kind)
    ops.review(obligation.id, accept=True, actor=reviewer, expected_version=None)


def _printed(case: Any, kind: str) -> str:
    """The text of the document handed in for an obligation (generated from the record)."""
    obligation = current_obligation(case, kind)
    version = db.session.scalars(
        sa.select(DocumentVersion)
        .where(DocumentVersion.document_id == obligation.document_id)
        .order_by(DocumentVersion.number.desc())
    ).first()
    assert version is not None and version.template_key, f"{kind} was not printed from its record"
    doc = Docx(io.BytesIO(storage.store().get(version.sha256)))
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def _of_type(case: Any, key: str) -> Any:
    return next(o for o in case.obligations if o.obligation_type == key)


def _accept_type(case: Any, key: str, reviewer: Any) -> None:
    ops.review(_of_type(case, key).id, accept=True, actor=reviewer, expected_version=None)


def test_an_objectivity_case_through_every_stage(world: dict[str, Any], make: Any) -> None:
    u = world["users"]
    school, municipal, ministry = u["school_a1"], u["municipal_a"], u["ministry"]
    case = open_test_case(world["schools"]["a1"])
    extend_plan(case.campaign, ministry)  # the ministry adds a self-analysis and a roadmap
    case.years_on_list, case.contract_review = 3, True

    # Self-analysis: the school drafts, hands in; the municipality returns it, then accepts v2.
    with pytest.raises(NotAllowed):
        questionnaires.save(
            case, "self_analysis", {"causes": "x"}, actor=municipal, expected_version=None
        )
    questionnaires.save(
        case,
        "self_analysis",
        {"organisation": "Наблюдатели в 4 аудиториях", "causes": "Проверка своих классов"},
        actor=school,
        expected_version=None,
    )
    questionnaires.submit(case, "self_analysis", actor=school)
    assert "Проверка своих классов" in _printed(case, "form:self_analysis")
    ops.review(
        current_obligation(case, "form:self_analysis").id,
        accept=False,
        actor=municipal,
        expected_version=None,
        comment="Опишите меры",
    )
    form = questionnaires.form_of(case, "self_analysis")
    questionnaires.save(
        case,
        "self_analysis",
        {**form.answers, "measures": "Перекрёстная проверка"},
        actor=school,
        expected_version=form.version,
    )
    questionnaires.submit(case, "self_analysis", actor=school)
    _accept(case, "form:self_analysis", municipal)
    with pytest.raises(Conflict):  # accepted: the record is closed
        questionnaires.save(
            case, "self_analysis", {"causes": "y"}, actor=school, expected_version=None
        )

    # Roadmap: the school's roadmap printed and handed in; the municipality's acts uploaded.
    plan = roadmap_of(case.school, case.campaign, "objectivity", actor=school)
    save_roadmap_item(
        plan,
        None,
        ItemValues(
            "Педсовет по объективности", "январь", "Директор", "Протокол", RoadmapStatus.PLANNED
        ),
        actor=school,
    )
    shnor.hand_in_roadmap(case, plan, actor=school)
    assert "Педсовет по объективности" in _printed(case, "roadmap:school")
    _accept(case, "roadmap:school", municipal)
    for act in ("k_causes", "k_vpr_acts", "k_control_order", "k_prevention_acts"):
        hand_in(_of_type(case, act), municipal)
        _accept_type(case, act, ministry)

    # Recheck: a commission of teachers from other schools; never an expert of this school.
    own = recheck.add_expert(
        world["mun_a"],
        world["schools"]["a1"],
        "Учитель Своей Школы",
        "Русский язык",
        None,
        actor=municipal,
    )
    other = recheck.add_expert(
        world["mun_a"],
        world["schools"]["a2"],
        "Кузнецова Мария",
        "Русский язык",
        "учитель",
        actor=municipal,
    )
    with pytest.raises(InvalidInput, match=r"own school|своей"):
        recheck.add_member(case, own, chair=True, actor=municipal)
    recheck.add_member(case, other, chair=True, actor=municipal)
    assert recheck.import_works(case, _recheck_csv(case.school.login), actor=municipal) == 12
    assert recheck.assign(case, actor=municipal) == 12
    stats = recheck.statistics(case)
    # One of the twelve marks moves on recheck (23 → 21 primary points): 11/12 confirmed, above the 90 % target.
    assert stats["summary"]["n"] == 12 and stats["summary"]["share_confirmed"] == pytest.approx(
        11 / 12
    )
    assert stats["summary"]["meets_target"]
    recheck.hand_in_protocol(case, actor=municipal)
    assert "Кузнецова Мария" in _printed(case, "record:recheck_protocol")
    _accept(case, "record:recheck_protocol", ministry)
    hand_in(_of_type(case, "k_certificate"), school)
    _accept_type(case, "k_certificate", municipal)

    # Strategic session: planned, the case invited, the school names its team, attendance closes it.
    session = sessions.plan(
        case.campaign,
        title="Стратегическая сессия № 1",
        starts_at=datetime(2024, 2, 15, 7, tzinfo=UTC),
        place="Калининград, ул. Желябова, 11",
        online_link=None,
        directions=list(sessions.DIRECTIONS[:2]),
        capacity=1,
        actor=ministry,
    )
    (invite,) = sessions.invite(session, [case], actor=ministry)
    with pytest.raises(Conflict):  # capacity 1
        sessions.invite(session, [case], actor=ministry)
    with pytest.raises(NotAllowed):
        sessions.name_participants(invite, [{"name": "X"}], actor=u["school_b1"])
    sessions.name_participants(
        invite, [{"name": "Иванова И. И.", "position": "директор"}], actor=school
    )
    sessions.record_attendance(invite, True, actor=ministry, now=datetime.now(UTC))
    attended = current_obligation(case, "attendance")
    assert (
        attended.status is ObligationStatus.ACCEPTED
        and attended.completed_on.isoformat() == "2024-02-15"
    )

    # Director evaluation: the school's values, then the commission's scores and decision.
    director.save_school_values(case, {"recheck": "0 %", "acts": "Приказ № 112"}, actor=school)
    director.hand_in_school_part(case, actor=school)
    assert "Приказ № 112" in _printed(case, "record:director_indicators")
    _accept(case, "record:director_indicators", municipal)
    with pytest.raises(InvalidInput):
        director.save_scores(case, {"recheck": 9}, "", actor=municipal)
    evaluation = director.save_scores(
        case, {"recheck": 0, "acts": 2, "observation": 1}, "Частично эффективен", actor=municipal
    )
    assert evaluation.result == "not_effective" and evaluation.max_total == 26
    director.hand_in_evaluation(case, actor=municipal)
    sheet = _printed(case, "record:director_evaluation")
    assert (
        "неэффективен" in sheet and "продлении трудового договора" in sheet
    )  # third year: contract review
    _accept(case, "record:director_evaluation", ministry)
    assert case.stage == "monitoring"  # nothing required is owed any more
    act_on_case(case.id, "close_resolved", actor=ministry, expected_version=None)
    assert case.stage == "closed"


def test_the_dashboard_shows_who_owes_what(client: FlaskClient, world: dict[str, Any]) -> None:
    u = world["users"]
    late = open_test_case(world["schools"]["a1"])
    done = open_test_case(world["schools"]["b1"])
    ops.waive(
        _of_type(done, "k_recheck").id, actor=u["ministry"], reason="x", expected_version=None
    )
    # On 1 December the recheck (due 30.11) is overdue for a1; nothing else is due within two
    # weeks, and b1's recheck is waived.
    parts = queries.pending_parts(u["ministry"], late.campaign_id, date(2023, 12, 1))
    assert [(p.case_id, p.obligation_type, p.stage, p.overdue) for p in parts] == [
        (late.id, "k_recheck", "recheck", True)
    ]
    soon = queries.pending_parts(u["ministry"], late.campaign_id, date(2023, 12, 12))
    assert {p.obligation_type for p in soon if p.case_id == late.id} == {
        "k_recheck",
        "k_causes",
        "k_vpr_acts",
        "k_control_order",
        "k_prevention_acts",
    }
    db.session.commit()
    login(client, u["ministry"])
    page = client.get("/dashboard").text
    assert world["mun_a"].name in page.split("Absent")[0]
    assert late.school.name in page


def test_low_results_track_records(world: dict[str, Any]) -> None:
    u = world["users"]
    school, municipal, ministry = u["school_a1"], u["municipal_a"], u["ministry"]
    case = open_test_case(world["schools"]["a1"], category=Category.LOW_RESULTS)
    questionnaires.save(
        case,
        "risk_questionnaire",
        {"staff": "Нет учителя физики", "parents": "Низкая вовлечённость"},
        actor=school,
        expected_version=None,
    )
    questionnaires.submit(case, "risk_questionnaire", actor=school)
    assert "Нет учителя физики" in _printed(case, "form:risk_questionnaire")
    _accept(case, "form:risk_questionnaire", municipal)
    school_plan = roadmap_of(case.school, case.campaign, "low_results", actor=school)
    assert "эффективный режим" in school_plan.title  # the ШНОР roadmap, not an objectivity one
    assert "объективност" not in " ".join(i.measure for i in school_plan.items).lower()
    shnor.hand_in_roadmap(case, school_plan, actor=school)
    assert "эффективный режим" in _printed(case, "roadmap:school")
    _accept(case, "roadmap:school", municipal)
    with pytest.raises(InvalidInput):
        shnor.assign_leader(case, world["schools"]["a1"], actor=municipal)
    shnor.assign_leader(case, world["schools"]["a2"], actor=municipal)
    plan = shnor.mentor_plan(case, actor=school)
    save_roadmap_item(
        plan,
        None,
        ItemValues(
            "Взаимопосещение уроков", "ежемесячно", "Школа-лидер", "8 уроков", RoadmapStatus.PLANNED
        ),
        actor=school,
    )
    shnor.hand_in_roadmap(case, plan, actor=school)
    assert "Взаимопосещение уроков" in _printed(case, "roadmap:mentor")
    _accept(case, "roadmap:mentor", municipal)

    # The regional institute (acting through the ministry's people) assesses the teachers.
    with pytest.raises(NotAllowed):
        shnor.add_assessment(
            case,
            teacher="Петров П. П.",
            subject="Математика",
            assessed_on=date(2024, 3, 1),
            method="Региональная диагностика",
            score=54,
            conclusion=None,
            actor=municipal,
        )
    shnor.add_assessment(
        case,
        teacher="Петров П. П.",
        subject="Математика",
        assessed_on=date(2024, 3, 1),
        method="Региональная диагностика",
        score=54,
        conclusion="Дефицит: геометрия",
        actor=ministry,
    )
    shnor.hand_in_assessments(case, actor=ministry)
    assert "Петров П. П. — Математика" in _printed(case, "record:competence_assessment")
