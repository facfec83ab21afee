"""How the demo's people answer an obligation, whatever its measure takes: through the operation
the obligation's own page calls, with what a school or a municipality in the seeds would write.
Every answer is handed in by the responsible organisation's user and decided by the reviewing
level's user, on the days the caller gives."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime

import sqlalchemy as sa

from app.accounts.users import acting_users, users_of
from app.demo.files import simple_pdf
from app.extensions import db
from app.models import RoadmapStatus
from app.models.case import PENDING_STATUSES, Case, Obligation, ObligationStatus
from app.models.document import Roadmap
from app.models.org import Organisation, OrgKind
from app.models.stage import StrategicSession
from app.models.user import Role, User
from app.stages import director, questionnaires, recheck, sessions, shnor
from app.stages.roadmaps import ItemValues, roadmap_of, save_item, submit_report
from app.workflows import obligations as obligation_ops
from app.workflows.handin import upload_for_obligation

SELF_ANALYSIS = {
    "organisation": "Общественные наблюдатели присутствовали в 2 из 4 аудиторий; видеозапись не "
    "велась; работы не кодировались.",
    "checking": "Работы 5-х классов проверяли учителя, ведущие в этих классах; согласование "
    "спорных ответов не проводилось.",
    "journal": "Отметку по журналу подтвердили 58 % обучающихся, повысили 35 %.",
    "causes": "Проверка работ своих классов; отсутствие наблюдателей; неполное применение "
    "критериев.",
    "measures": "Перекрёстная проверка с соседней школой; видеонаблюдение во всех аудиториях.",
    "control": "Внутришкольный контроль в марте; отчёт на педагогическом совете в апреле.",
}
RISK_QUESTIONNAIRE = {
    "staff": "Вакансии учителя математики и физики; два учителя ведут предметы не по профилю.",
    "failure_risk": "14 % обучающихся 5–7 классов с отметкой «2» по итогам четверти.",
    "language": "9 % обучающихся — дети из семей мигрантов.",
    "parents": "На родительские собрания приходит около трети родителей.",
    "training": "Методическое объединение работает формально; наставничества нет.",
}
FORMS = {"self_analysis": SELF_ANALYSIS, "risk_questionnaire": RISK_QUESTIONNAIRE}
ROADMAP_ITEMS = (
    ("Педагогический совет «Объективность оценивания»", "январь", "Директор", "Протокол"),
    ("Перекрёстная проверка ВПР с другой школой", "апрель", "Заместитель директора", "Акт"),
    ("Видеонаблюдение во всех аудиториях ВПР", "апрель", "Заместитель директора", "Видеозаписи"),
)
JOINT_PLAN_ITEMS = (
    ("Взаимопосещение уроков математики", "ежемесячно", "Школа-лидер и школа", "Протокол"),
    ("Совместное методическое объединение", "февраль", "Школа-лидер", "Протокол"),
)
DIRECTOR_VALUES = {
    "recheck": "79 %",
    "acts": "Приказ о мерах по обеспечению объективности",
    "observation": "4 аудитории, 4 наблюдателя",
    "agreement": "58 %",
    "roadmap": "3 из 3",
    "training": "5 педагогов, курсы «Оценивание по ФГОС»",
}
DIRECTOR_SCORES = {
    "recheck": 1,
    "acts": 2,
    "observation": 2,
    "agreement": 1,
    "roadmap": 2,
    "training": 2,
}
TEACHERS = (
    ("Петров Павел Петрович", "Математика", 54, "Дефицит: геометрия, текстовые задачи"),
    ("Васильева Анна Игоревна", "Русский язык", 71, "Дефицитов не выявлено"),
)
EXPERTS = (
    ("Кузнецова Мария Андреевна", "учитель высшей категории"),
    ("Орлова Елена Сергеевна", "учитель первой категории"),
)


def at(day: date | str, hour: int = 9) -> datetime:
    value = date.fromisoformat(day) if isinstance(day, str) else day
    return datetime(value.year, value.month, value.day, hour, tzinfo=UTC)


def user_of(role: Role, org_id: int) -> User:
    found = users_of(role, org_id)
    assert found, f"no {role.value} user for organisation {org_id}"
    return found[0]


def acting(org_id: int) -> User:
    """The first person who does the organisation's work."""
    found = acting_users(org_id)
    assert found, f"nobody acts for organisation {org_id}"
    return found[0]


@dataclass(frozen=True)
class People:
    """Who acts in one case: its school, its municipality (the ministry for a school under the
    region), the ministry; and for each obligation whoever its organisations' people are."""

    school: User
    municipal: User
    ministry: User

    @classmethod
    def of(cls, case: Case, ministry: User) -> People:
        municipal = acting(case.municipality_id) if case.municipality_id else ministry
        return cls(acting(case.school_id), municipal, ministry)

    def responsible(self, obligation: Obligation) -> User:
        return acting(obligation.responsible_org_id)

    def reviewer(self, obligation: Obligation) -> User | None:
        if obligation.reviewer_org_id is None:
            return None
        return acting(obligation.reviewer_org_id)


def pending(obligation: Obligation) -> bool:
    return obligation.status in PENDING_STATUSES


def neighbours(case: Case, count: int, exclude: set[int]) -> list[Organisation]:
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


def listed_schools(case: Case) -> set[int]:
    return set(
        db.session.scalars(sa.select(Case.school_id).where(Case.campaign_id == case.campaign_id))
    )


def recheck_works(login: str) -> bytes:
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


def _commission(case: Case, actor: User) -> None:
    """The register's experts from two schools not on any list, the chair first; the works
    imported."""
    if not recheck.members(case):
        keeper_id = recheck.register_of(case)
        keeper = db.session.get(Organisation, keeper_id)
        assert keeper is not None
        registered = {e.school_id: e for e in recheck.experts_of(keeper_id)}
        chosen = []
        others = neighbours(case, 2, listed_schools(case))
        for school, (name, position) in zip(others, EXPERTS, strict=False):
            expert = registered.get(school.id) or recheck.add_expert(
                keeper, school, name, "Русский язык", position, actor=acting(keeper_id)
            )
            chosen.append(expert)
        for number, expert in enumerate(chosen):
            recheck.add_member(case, expert, chair=number == 0, actor=actor)
    if not recheck.works(case):
        recheck.import_works(case, recheck_works(case.school.login or "school"), actor=actor)
        recheck.assign(case, actor=actor)


def _session(case: Case, ministry: User, day: date) -> StrategicSession:
    """The campaign's strategic session on ``day`` (planned by the ministry on first use)."""
    found = db.session.scalars(
        sa.select(StrategicSession)
        .where(StrategicSession.campaign_id == case.campaign_id)
        .order_by(StrategicSession.id.desc())
    ).first()
    if found is not None and len(found.invites) < found.capacity:
        return found
    return sessions.plan(
        case.campaign,
        title="Стратегическая сессия «Управление качеством образования»",
        starts_at=at(day, 7),
        place="Институт развития образования, ауд. 214",
        online_link=None,
        directions=list(sessions.DIRECTIONS[:3]),
        capacity=60,
        actor=ministry,
    )


def _attend(case: Case, people: People, day: date) -> None:
    session = _session(case, people.ministry, day)
    invite = next((i for i in session.invites if i.case_id == case.id), None)
    if invite is None:
        (invite,) = sessions.invite(session, [case], actor=people.ministry)
    sessions.name_participants(
        invite,
        [
            {"name": case.school.director or "Директор", "position": "директор"},
            {"name": "Смирнова Ольга Петровна", "position": "заместитель директора по УВР"},
        ],
        actor=people.school,
    )
    sessions.record_attendance(
        invite, True, actor=people.ministry, now=at(session.starts_at.date(), 12)
    )


def _filled(roadmap: Roadmap, items: tuple[tuple[str, str, str, str], ...], actor: User) -> Roadmap:
    """The roadmap with the demo's measures when it has none yet."""
    if not roadmap.items:
        for what, when, who, result in items:
            values = ItemValues(what, when, who, result, RoadmapStatus.PLANNED)
            save_item(roadmap, None, values, actor=actor)
    return roadmap


def _roadmap(case: Case, obligation: Obligation, actor: User) -> Roadmap:
    owner = db.session.get(Organisation, obligation.responsible_org_id)
    assert owner is not None
    return _filled(
        roadmap_of(owner, case.campaign, case.category.value, actor=actor), ROADMAP_ITEMS, actor
    )


def hand_in(obligation: Obligation, people: People, day: date) -> None:
    """The responsible organisation answers the obligation on ``day`` the way its page does."""
    if not pending(obligation):
        return  # answered already, e.g. by a municipality's act handed in for another case
    case, now = obligation.case, at(day)
    actor = people.responsible(obligation)
    takes = obligation.takes
    if takes.startswith("document:"):
        upload_for_obligation(
            obligation.id,
            f"{obligation.obligation_type}.pdf",
            simple_pdf(obligation.measure.title[:80]),
            actor=actor,
            expected_version=None,
            now=now,
        )
    elif takes.startswith("form:"):
        kind = takes.split(":", 1)[1]
        form = questionnaires.form_of(case, kind)
        questionnaires.save(
            case, kind, FORMS[kind], actor=actor, expected_version=form.version if form else None
        )
        questionnaires.submit(case, kind, actor=actor, now=now)
    elif takes == "record:recheck_protocol":
        _commission(case, actor)
        recheck.hand_in_protocol(case, actor=actor, now=now)
    elif takes == "record:director_indicators":
        director.save_school_values(case, DIRECTOR_VALUES, actor=actor)
        director.hand_in_school_part(case, actor=actor, now=now)
    elif takes == "record:director_evaluation":
        director.save_scores(
            case,
            DIRECTOR_SCORES,
            "Признать руководителя частично эффективным; продолжить сопровождение школы.",
            actor=actor,
        )
        director.hand_in_evaluation(case, actor=actor, now=now)
    elif takes == "record:competence_assessment":
        if not shnor.assessments(case):
            for teacher, subject, score, conclusion in TEACHERS:
                shnor.add_assessment(
                    case,
                    teacher=teacher,
                    subject=subject,
                    assessed_on=day,
                    method="Региональная диагностика предметных компетенций",
                    score=score,
                    conclusion=conclusion,
                    actor=actor,
                )
        shnor.hand_in_assessments(case, actor=actor, now=now)
    elif takes == "record:leader_assignment":
        (leader,) = neighbours(case, 1, listed_schools(case))
        shnor.assign_leader(case, leader, actor=actor, now=now)
    elif takes == "record:roadmap_report":
        roadmap = _roadmap(case, obligation, actor)
        if not any(r.period == obligation.period for r in roadmap.reports):
            submit_report(
                roadmap,
                obligation.period,
                "Проведены мероприятия месяца по плану; отклонений нет.",
                actor=actor,
                now=now,
            )
    elif takes == "roadmap:mentor":
        joint = _filled(shnor.mentor_plan(case, actor=actor), JOINT_PLAN_ITEMS, actor)
        shnor.hand_in_roadmap(case, joint, actor=actor, now=now)
    elif takes.startswith("roadmap:"):
        shnor.hand_in_roadmap(case, _roadmap(case, obligation, actor), actor=actor, now=now)
    elif takes == "attendance":
        _attend(case, people, day)
    else:
        obligation_ops.submit(obligation.id, actor=actor, expected_version=None, now=now)


def decide(
    obligation: Obligation, people: People, day: date, *, comment: str | None = None
) -> None:
    """The reviewing level accepts the submission (or, with a comment, returns it)."""
    if obligation.status is not ObligationStatus.SUBMITTED:
        return
    reviewer = people.reviewer(obligation)
    assert reviewer is not None
    obligation_ops.review(
        obligation.id,
        accept=comment is None,
        actor=reviewer,
        expected_version=None,
        comment=comment,
        now=at(day, 15),
    )


def complete(obligation: Obligation, people: People, day: date, review_day: date) -> None:
    hand_in(obligation, people, day)
    decide(obligation, people, review_day)
