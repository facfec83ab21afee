"""Two demo cases of the 2025 campaign walked through every stage with each stage's record
filled by the role that owns it: an objectivity case (self-analysis, roadmap, recheck commission
and protocol, strategic session, director evaluation) and a ШНОР case (risk questionnaire,
roadmaps, leader school with its joint plan, teachers' competence assessments).

The texts are what a school and a municipality in the seeds would write."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime

import sqlalchemy as sa

from app.accounts.users import users_of
from app.demo.files import simple_pdf
from app.extensions import db
from app.models import RoadmapStatus
from app.models.case import Case, Obligation
from app.models.org import Organisation, OrgKind
from app.models.user import Role, User
from app.stages import director, questionnaires, recheck, sessions, shnor
from app.stages.records import current_obligation
from app.stages.roadmaps import ItemValues, roadmap_of
from app.stages.roadmaps import save_item as save_roadmap_item
from app.workflows import obligations as obligation_ops
from app.workflows.cases import advance_case
from app.workflows.handin import upload_for_obligation

SHOWCASE_LOGIN = "edu990001"  # a demo school login printed by `flask demo seed`


def _at(day: str, hour: int = 9) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def _user(role: Role, org_id: int) -> User:
    found = users_of(role, org_id)
    assert found, f"no {role.value} user for organisation {org_id}"
    return found[0]


def _obligation(case: Case, kind: str) -> Obligation:
    found = current_obligation(case, kind)
    assert found is not None, f"case {case.id} has no {kind}"
    return found


def _accept(case: Case, kind: str, reviewer: User, day: str) -> None:
    obligation_ops.review(
        _obligation(case, kind).id,
        accept=True,
        actor=reviewer,
        expected_version=None,
        now=_at(day, 15),
    )


def _upload(case: Case, kind: str, actor: User, day: str, title: str) -> None:
    upload_for_obligation(
        _obligation(case, kind).id,
        f"{kind}.pdf",
        simple_pdf(title),
        actor=actor,
        expected_version=None,
        now=_at(day),
    )


def _move(case: Case, key: str, actor: User, day: str) -> None:
    advance_case(case.id, key, actor=actor, expected_version=None, now=_at(day, 16))


def _neighbours(case: Case, count: int, exclude: set[int]) -> list[Organisation]:
    """Other schools of the case's municipality (then of the region), in login order."""
    rows = db.session.scalars(
        sa.select(Organisation)
        .where(
            Organisation.kind == OrgKind.SCHOOL,
            Organisation.region_id == case.campaign.region_id,
            Organisation.id.not_in(exclude | {case.school_id}),
        )
        .order_by((Organisation.parent_id != case.municipality_id), Organisation.login)
        .limit(count)
    ).all()
    return list(rows)


def _recheck_works(login: str) -> bytes:
    """§5 recheck results: 24 works in Russian (grade 5); the experts lower five marks."""
    rng = random.Random(login)
    lines = [
        "Логин ОО;Предмет;Параллель;Код участника;Первичный балл ОО;"
        "Первичный балл перепроверка;Отметка ОО;Отметка перепроверка"
    ]

    def mark(score: int) -> int:
        return 5 if score >= 38 else 4 if score >= 29 else 3 if score >= 18 else 2

    for number in range(24):
        school = rng.randint(24, 44)
        expert = school - (rng.randint(4, 9) if number % 5 == 0 else rng.randint(0, 1))
        lines.append(
            f"{login};Русский язык;5;{50100 + number};{school};{expert};{mark(school)};{mark(expert)}"
        )
    return ("\n".join(lines) + "\n").encode("utf-8")


def walk_objectivity(case: Case, ministry: User) -> None:
    """The 2025 case of the showcase school, from the municipal order to closing."""
    school, municipal = (
        _user(Role.SCHOOL, case.school_id),
        _user(Role.MUNICIPAL, case.municipality_id),
    )
    _upload(
        case,
        "municipal_order",
        municipal,
        "2025-11-14",
        "Приказ о мерах по обеспечению объективности",
    )
    _accept(case, "municipal_order", ministry, "2025-11-17")
    _move(case, "start_self_analysis", municipal, "2025-11-18")

    questionnaires.save(
        case,
        "self_analysis",
        {
            "organisation": "Общественные наблюдатели присутствовали в 2 из 4 аудиторий; видеозапись не велась; "
            "работы не кодировались.",
            "checking": "Работы 5-х классов проверяли учителя, ведущие в этих классах; согласование спорных "
            "ответов не проводилось.",
            "journal": "Отметку по журналу подтвердили 58 % обучающихся, повысили 35 %.",
            "causes": "Проверка работ своих классов; отсутствие наблюдателей; неполное применение критериев.",
            "measures": "Перекрёстная проверка с МБОУ СОШ соседнего округа; видеонаблюдение во всех аудиториях.",
        },
        actor=school,
        expected_version=None,
    )
    questionnaires.submit(case, "self_analysis", actor=school, now=_at("2025-11-26"))
    obligation_ops.review(
        _obligation(case, "self_analysis").id,
        accept=False,
        actor=municipal,
        expected_version=None,
        now=_at("2025-11-27"),
        comment="Добавьте раздел о контроле выполнения мер.",
    )
    form = questionnaires.form_of(case, "self_analysis")
    assert form is not None
    questionnaires.save(
        case,
        "self_analysis",
        {
            **form.answers,
            "control": "Внутришкольный контроль в марте; отчёт на педагогическом совете в апреле.",
        },
        actor=school,
        expected_version=form.version,
    )
    questionnaires.submit(case, "self_analysis", actor=school, now=_at("2025-11-28"))
    _accept(case, "self_analysis", municipal, "2025-12-01")
    _move(case, "to_roadmap", municipal, "2025-12-02")

    plan = roadmap_of(case.school, case.campaign, case.category.value, actor=school)
    for what, when, who, result in (
        (
            "Педагогический совет «Объективность оценивания»",
            "январь 2026",
            "Директор",
            "Протокол педсовета",
        ),
        (
            "Перекрёстная проверка ВПР с другой школой",
            "апрель 2026",
            "Заместитель директора",
            "Приказ, акт",
        ),
        (
            "Видеонаблюдение во всех аудиториях ВПР",
            "апрель 2026",
            "Заместитель директора",
            "Видеозаписи",
        ),
    ):
        save_roadmap_item(
            plan, None, ItemValues(what, when, who, result, RoadmapStatus.PLANNED), actor=school
        )
    shnor.hand_in_roadmap(case, plan, actor=school, now=_at("2025-12-15"))
    _accept(case, "school_roadmap", municipal, "2025-12-16")
    _upload(case, "municipal_acts", municipal, "2025-12-18", "Муниципальная дорожная карта")
    _accept(case, "municipal_acts", ministry, "2025-12-19")
    _move(case, "to_recheck", municipal, "2025-12-22")

    first, second = _neighbours(case, 2, set())
    chair = recheck.add_expert(
        case.municipality,
        first,
        "Кузнецова Мария Андреевна",
        "Русский язык",
        "учитель высшей категории",
        actor=municipal,
    )
    member = recheck.add_expert(
        case.municipality,
        second,
        "Орлова Елена Сергеевна",
        "Русский язык",
        "учитель первой категории",
        actor=municipal,
    )
    recheck.add_member(case, chair, chair=True, actor=municipal)
    recheck.add_member(case, member, chair=False, actor=municipal)
    recheck.import_works(case, _recheck_works(case.school.login or "school"), actor=municipal)
    recheck.assign(case, actor=municipal)
    recheck.hand_in_protocol(case, actor=municipal, now=_at("2026-01-12"))
    _accept(case, "recheck_protocol", ministry, "2026-01-13")
    _upload(case, "information_certificate", school, "2026-01-13", "Информационная справка")
    _accept(case, "information_certificate", municipal, "2026-01-14")
    _move(case, "to_strategic_session", ministry, "2026-01-14")

    session = sessions.plan(
        case.campaign,
        title="Стратегическая сессия «Объективность оценивания»",
        starts_at=_at("2026-02-12", 7),
        place="Институт развития образования, ауд. 214",
        online_link=None,
        directions=list(sessions.DIRECTIONS[:3]),
        capacity=30,
        actor=ministry,
    )
    (invite,) = sessions.invite(session, [case], actor=ministry)
    sessions.name_participants(
        invite,
        [
            {"name": case.school.director or "Директор", "position": "директор"},
            {"name": "Смирнова Ольга Петровна", "position": "заместитель директора по УВР"},
        ],
        actor=school,
    )
    sessions.record_attendance(invite, True, actor=ministry, now=_at("2026-02-12", 12))
    sessions.record_decisions(
        session,
        "Школам — ввести перекрёстную проверку ВПР; муниципалитетам — "
        "обеспечить наблюдателей во всех аудиториях.",
        actor=ministry,
    )
    _move(case, "to_director_evaluation", ministry, "2026-02-13")

    director.save_school_values(
        case,
        {
            "recheck": "79 %",
            "acts": "Приказ № 112 от 20.11.2025",
            "observation": "4 аудитории, 4 наблюдателя",
            "agreement": "58 %",
            "roadmap": "3 из 3",
            "training": "5 педагогов, курсы «Оценивание по ФГОС»",
        },
        actor=school,
    )
    director.hand_in_school_part(case, actor=school, now=_at("2026-02-20"))
    _accept(case, "director_indicators", municipal, "2026-02-24")
    director.save_scores(
        case,
        {"recheck": 1, "acts": 2, "observation": 2, "agreement": 1, "roadmap": 2, "training": 2},
        "Признать руководителя частично эффективным; продолжить сопровождение школы.",
        actor=municipal,
    )
    director.hand_in_evaluation(case, actor=municipal, now=_at("2026-02-27"))
    _accept(case, "director_evaluation", ministry, "2026-03-02")
    _move(case, "to_monitoring", ministry, "2026-03-10")
    _upload(case, "final_report", school, "2026-05-20", "Итоговый отчёт")
    _accept(case, "final_report", municipal, "2026-05-25")


def walk_shnor(case: Case, ministry: User) -> None:
    """A 2025 ШНОР case, from the municipal order to the teachers' competence assessments."""
    school, municipal = (
        _user(Role.SCHOOL, case.school_id),
        _user(Role.MUNICIPAL, case.municipality_id),
    )
    _upload(case, "municipal_order_lr", municipal, "2025-11-14", "Приказ о сопровождении ШНОР")
    _accept(case, "municipal_order_lr", ministry, "2025-11-17")
    _move(case, "start_diagnostics", municipal, "2025-11-18")

    questionnaires.save(
        case,
        "risk_questionnaire",
        {
            "staff": "Вакансии учителя математики и физики; два учителя ведут предметы не по профилю.",
            "failure_risk": "14 % обучающихся 5–7 классов с отметкой «2» по итогам четверти.",
            "language": "9 % обучающихся — дети из семей мигрантов.",
            "parents": "На родительские собрания приходит около трети родителей.",
            "training": "Методическое объединение работает формально; наставничества нет.",
        },
        actor=school,
        expected_version=None,
    )
    questionnaires.submit(case, "risk_questionnaire", actor=school, now=_at("2025-12-01"))
    _accept(case, "risk_questionnaire", municipal, "2025-12-03")
    _move(case, "to_roadmap", municipal, "2025-12-04")

    plan = roadmap_of(case.school, case.campaign, case.category.value, actor=school)
    save_roadmap_item(
        plan,
        None,
        ItemValues(
            "Диагностика предметных компетенций учителей математики",
            "январь 2026",
            "Заместитель директора",
            "Справка",
            RoadmapStatus.PLANNED,
        ),
        actor=school,
    )
    shnor.hand_in_roadmap(case, plan, actor=school, now=_at("2025-12-18"))
    _accept(case, "school_roadmap_lr", municipal, "2025-12-19")
    _upload(
        case, "municipal_roadmap_lr", municipal, "2025-12-22", "Муниципальная дорожная карта ШНОР"
    )
    _accept(case, "municipal_roadmap_lr", ministry, "2025-12-23")
    _move(case, "to_mentoring", municipal, "2025-12-24")

    (leader,) = _neighbours(case, 1, _shnor_schools(case))
    shnor.assign_leader(case, leader, actor=municipal)
    joint = shnor.mentor_plan(case, actor=school)
    for what, when, who in (
        ("Взаимопосещение уроков математики", "ежемесячно", "Школа-лидер и школа"),
        ("Совместное методическое объединение", "февраль 2026", "Школа-лидер"),
    ):
        save_roadmap_item(
            joint,
            None,
            ItemValues(what, when, who, "Протокол", RoadmapStatus.PLANNED),
            actor=school,
        )
    shnor.hand_in_roadmap(case, joint, actor=school, now=_at("2026-01-20"))
    _accept(case, "mentor_plan", municipal, "2026-01-22")
    _move(case, "to_competence", municipal, "2026-01-23")

    for teacher, subject, score, conclusion in (
        ("Петров Павел Петрович", "Математика", 54, "Дефицит: геометрия, текстовые задачи"),
        ("Васильева Анна Игоревна", "Русский язык", 71, "Дефицитов не выявлено"),
    ):
        shnor.add_assessment(
            case,
            teacher=teacher,
            subject=subject,
            assessed_on=date(2026, 2, 10),
            method="Региональная диагностика предметных компетенций",
            score=score,
            conclusion=conclusion,
            actor=municipal,
        )
    shnor.hand_in_assessments(case, actor=municipal, now=_at("2026-02-16"))
    _accept(case, "competence_assessment", ministry, "2026-02-18")
    _move(case, "to_monitoring", municipal, "2026-03-02")


def _shnor_schools(case: Case) -> set[int]:
    return set(
        db.session.scalars(
            sa.select(Case.school_id).where(
                Case.campaign_id == case.campaign_id, Case.category == case.category
            )
        )
    )


__all__ = ["SHOWCASE_LOGIN", "walk_objectivity", "walk_shnor"]
