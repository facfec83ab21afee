"""The context of each generated document beyond the common blocks, built from a case's real
data (the shapes are the contracts of app.paperwork.catalog; samples.py shows them filled)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from app import access, audit
from app.accounts.users import acting_users
from app.extensions import db
from app.i18n import RU_MONTHS_GENITIVE
from app.legal import orders, requisites
from app.legal.requisites import term
from app.models.audit import AuditEvent
from app.models.case import Case, Level
from app.models.document import RoadmapStatus
from app.models.org import Organisation
from app.models.types import utcnow
from app.models.user import User
from app.paperwork import conclusions
from app.people import signature, surname_initials
from app.plans import dates
from app.plans.measures import rule_of
from app.plans.service import active_measures, plan_of
from app.plans.xlsx import RESPONSIBLE
from app.russian import counted, inflect, morph
from app.stages import attachments, director, questionnaires, recheck, roadmaps, shnor
from app.stages.printing import Images, deadlines, director_signatory
from app.vpr.school import sign_rows
from app.workflows import history as event_history
from app.workflows import labels
from app.workflows.clock import case_date


def in_force_for_track(case: Case) -> list[Any]:
    """The measures of the case's plan on its track for its municipality (every level)."""
    plan = plan_of(case.campaign)
    return [
        row
        for row in active_measures(plan, case.municipality_id)
        if str(case.category) in row.tracks and row.scope is not None
    ]


def _term(row: Any) -> Any:
    """A measure's due date, or its rule in words when it has none."""
    rule = rule_of(row)
    return rule.due if rule.due else dates.describe(rule)


def _signatory(person: User | None, fallback_position: str) -> dict[str, str]:
    """A signature block: the position and «И.О. Фамилия»."""
    if person is None:
        return {"position": fallback_position, "name": ""}
    return {"position": person.position or fallback_position, "name": signature(person.full_name)}


# What the case's work asks of each party, worded as the order's sub-points (seed 001), by the
# name of the term in ``printing.DEADLINE_NAMES``; the term follows each.
SCHOOL_TASKS = (
    (
        "self_analysis",
        "провести самоанализ причин необъективности результатов всероссийских проверочных работ "
        "(далее — ВПР) по региональному шаблону «Семь шагов» и представить его",
    ),
    (
        "information_certificate",
        "представить информационную справку о проведении комплексного анализа корреляции "
        "результатов текущего контроля успеваемости с результатами промежуточной аттестации и "
        "процедур внешней оценки качества образования (ОГЭ, ЕГЭ, ВПР)",
    ),
    (
        "director_indicators",
        "представить заполненную форму сбора информации по показателям эффективности "
        "деятельности руководителя",
    ),
    (
        "strategic_session",
        "обеспечить участие управленческой команды в стратегических сессиях по выстраиванию "
        "механизмов управления качеством образования",
    ),
)
COORDINATOR_TASKS = (
    ("recheck", "организовать перепроверку работ участников ВПР независимыми экспертами"),
    (
        "municipal_acts",
        "разработать нормативные акты по профилактике необъективности процедур оценки качества "
        "образования в подведомственных общеобразовательных организациях",
    ),
    ("director_evaluation", "провести оценку эффективности деятельности руководителей ОО"),
)


def _coordinator(case: Case, actor: User) -> User | None:
    """Who organises the work: the municipal user generating the order, else one of the
    municipality's people."""
    if access.is_municipal_of(actor, case):
        return actor
    if case.municipality_id is None:
        return None
    return next(iter(acting_users(case.municipality_id)), None)


def _addressed(person: User | None) -> str:
    """«Начальнику отдела образования (Старковой О.В.)», the head of a point in the dative."""
    if person is None:
        return "Специалисту, ответственному за организацию работы с ОО"
    position = inflect(person.position, "datv") if person.position else "Ответственному специалисту"
    name = surname_initials(person.full_name, "datv")
    position = position[:1].upper() + position[1:]
    return f"{position} ({name})" if name else position


def _points(
    case: Case, person: User | None, issued: Any, act: dict[str, Any], reviewed: list[str]
) -> list[Any]:
    """The numbered points of the municipal order: each addressed, each task with its term."""
    due = deadlines(case)
    municipality = (
        inflect(case.municipality.name, "gent", in_sentence=True) if case.municipality else ""
    )
    points: list[dict[str, Any]] = [
        {
            "text": "Утвердить перечень общеобразовательных организаций "
            + (f"{municipality} " if municipality else "")
            + "с признаками необъективных результатов процедур оценки качества образования "
            "(далее — ОО) с указанием уровней управленческого сопровождения (приложение 1).",
            "tasks": [],
        },
        {
            "text": "Утвердить план мероприятий по работе с ОО с указанием ответственных "
            "исполнителей и сроков (приложение 2).",
            "tasks": [],
        },
        {
            "text": _addressed(person) + ":",
            "tasks": [
                text + term(due.get(name), issued, "в срок не позднее") + ";"
                for name, text in COORDINATOR_TASKS
                if name in due
            ],
        },
        {
            "text": "Руководителям ОО:",
            "tasks": [
                text + term(due.get(name), issued) + ";"
                for name, text in SCHOOL_TASKS
                if name in due
            ],
        },
    ]
    for point in points:
        if point["tasks"]:
            last = point["tasks"][-1].rstrip(";")
            point["tasks"][-1] = last if last.endswith(".") else last + "."
    points = [p for p in points if p["tasks"] or not p["text"].endswith(":")]
    if reviewed:
        points.append(
            {
                "text": "При оценке эффективности деятельности руководителей ОО, включённых в "
                f"перечень третий год подряд ({', '.join(reviewed)}), рассмотреть вопрос о "
                "продлении трудовых договоров с руководителями.",
                "tasks": [],
            }
        )
    if act["administration"]:
        points.append(
            {
                "text": f"{act['act_name'].capitalize()} вступает в силу со дня подписания.",
                "tasks": [],
            }
        )
    points.append(
        {
            "text": f"Контроль за исполнением настоящего {act['act_genitive']} оставляю за собой.",
            "tasks": [],
        }
    )
    for number, point in enumerate(points, start=1):
        point["number"] = number
    return points


def municipal_order(case: Case, actor: User) -> tuple[dict[str, Any], Images]:
    cases = db.session.scalars(
        sa.select(Case).where(
            Case.campaign_id == case.campaign_id,
            Case.municipality_id == case.municipality_id,
            Case.category == case.category,
        )
    ).all()
    schools = sorted(
        (
            {
                "name": c.school.name,
                "director": c.school.director,
                "markers": sorted(k for k, v in c.markers.items() if v),
                "support_level": c.support_level,
                "years_on_list": c.years_on_list,
                "contract_review": c.contract_review,
            }
            for c in cases
        ),
        key=lambda s: natural(str(s["name"])),
    )
    issued = case_date(case)
    rows = in_force_for_track(case)
    titles = {row.key: row.title for row in rows}
    measures = [
        {
            "title": row.title,
            "responsible": RESPONSIBLE[Level(row.responsible)],
            "due_date": _named_term(row, titles),
            "result": row.result or "",
        }
        for row in rows
    ]
    coordinator = _coordinator(case, actor)
    issuer_org = case.municipality or case.school
    act = requisites.issuer(issuer_org)
    return {
        "schools": schools,
        "measures": measures,
        "points": _points(
            case,
            coordinator,
            issued,
            act,
            [str(s["name"]) for s in schools if s["contract_review"]],
        ),
        "signatory": _head(issuer_org)
        or _signatory(coordinator, "Руководитель органа управления образованием"),
    }, {}


def _head(org: Organisation) -> dict[str, str] | None:
    """The signature block of the organisation's head, when recorded."""
    if not org.head_name:
        return None
    return {"position": org.head_position or "", "name": signature(org.head_name)}


def natural(text: str) -> list[Any]:
    """A sort key that puts «№ 3» before «№ 20»."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def information_certificate(case: Case, actor: User) -> tuple[dict[str, Any], Images]:
    director = director_signatory(case)
    found = attachments.correlations(case)
    if found is None:
        return {
            "analytics": None,
            "conclusions": conclusions.text_for(case, "information_certificate"),
            "signatory": director,
        }, {}
    rows = [
        {
            "subject": r["subject"],
            "class_name": r["class"],
            "measure": r["measure_label"],
            "compared_with": r["compared_label"],
            "n": r["n"],
            "spearman": r.get("spearman"),
            "spearman_low": _ci(r, "spearman_ci", 0),
            "spearman_high": _ci(r, "spearman_ci", 1),
            "spearman_p": r.get("spearman_p"),
            "kendall": r.get("kendall_tau_b"),
            "kendall_p": r.get("kendall_p"),
            "kappa": r.get("kappa"),
            "lowered": r.get("lowered"),
            "confirmed": r.get("confirmed"),
            "raised": r.get("raised"),
            "verdict": r["wording"],
        }
        for r in found["rows"]
    ]
    tables = [
        {
            "title": f"{r['subject']}, {r['class']}: {r['measure_label']} и {r['compared_label']}",
            "row_label": r["measure_label"],
            "column_label": r["compared_label"],
            "rows": [
                {"mark": m, "counts": list(counts)}
                for m, counts in zip((2, 3, 4, 5), r["contingency"], strict=True)
            ],
        }
        for r in found["rows"]
        if r["status"] == "ok" and r.get("contingency")
    ][:6]
    titles = {
        "agreement": "Доли понизивших, подтвердивших и повысивших отметку",
        "contingency": "Таблица сопряжённости отметок",
    }
    analytics = {
        "source": f"Файл «{found['version'].filename}» (версия {found['version'].number})",
        "computed_at": utcnow(),
        "min_n": 10,
        "correlations": rows,
        "signs": sign_rows(case),
        "contingency": tables,
        "charts": [{"title": titles[k], "image": k} for k in found["images"]],
    }
    return {
        "analytics": analytics,
        "conclusions": conclusions.text_for(case, "information_certificate"),
        "signatory": director,
    }, found["images"]


def _ci(row: dict[str, Any], key: str, i: int) -> float | None:
    value = row.get(key)
    return value[i] if value else None


def case_history(case: Case, actor: User) -> tuple[dict[str, Any], Images]:
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.case_id == case.id).order_by(AuditEvent.seq)
    ).all()
    result = audit.verify_case(case.id)
    message = (
        f"События дела проверены: {result.checked}; каждое совпадает со своим хешем и связано с предыдущим."
        if result.ok
        else f"Цепочка нарушена на событии {result.broken_seq}: {result.problem}."
    )
    stages = [
        {
            "stage": labels.stage_title(v.stage),
            "entered_at": v.entered_at,
            "left_at": v.left_at,
            "entered_by": v.entered_by.full_name if v.entered_by else "система",
            "reason": v.reason,
        }
        for v in case.stages
    ]
    obligations = [
        {
            "title": labels.obligation_title(o),
            "responsible": o.responsible_org.name,
            "due_date": o.due_date,
            "status": str(labels.OBLIGATION_STATUS[o.status]),
            "completed_on": o.completed_on,
            "comment": o.comment,
        }
        for o in case.obligations
    ]
    rows = [
        {
            "seq": v.event.seq,
            "occurred_at": v.event.occurred_at,
            "actor": v.actor,
            "role": v.role,
            "action": v.action,
            "before": "; ".join(f"{c.label}: {c.before}" for c in v.changes if c.before),
            "after": "; ".join(f"{c.label}: {c.after}" for c in v.changes if c.after),
            "change": v.sentence,
            "reason": v.event.reason,
            "hash": v.event.hash,
            "prev_hash": v.event.prev_hash,
        }
        for v in event_history.describe(events)
    ]
    now: datetime = utcnow()
    return {
        "stages": stages,
        "obligations": obligations,
        "events": rows,
        "verification": {
            "ok": result.ok,
            "checked": result.checked,
            "checked_at": now,
            "message": message,
        },
        "generated_at": now,
        "generated_by": {"name": actor.full_name, "role": actor.role.label},
    }, {}


def recheck_protocol(case: Case, actor: User) -> tuple[dict[str, Any], Images]:
    context, images = recheck.printable(case)
    return {**context, "conclusion": conclusions.text_for(case, "recheck_protocol")}, images


REGION_TASKS = (
    (
        "municipal_acts",
        "утвердить на муниципальном уровне нормативные акты по профилактической работе по "
        "недопущению признаков необъективности процедур оценки качества образования в "
        "подведомственных общеобразовательных организациях",
        "в срок не позднее",
    ),
    (
        "director_evaluation",
        "провести оценку эффективности деятельности руководителей общеобразовательных "
        "организаций, включённых в перечень,",
        "в срок не позднее",
    ),
    (
        "strategic_session",
        "обеспечить участие управленческих команд общеобразовательных организаций, включённых в "
        "перечень, в очных стратегических сессиях по выстраиванию механизмов управления "
        "качеством образования",
        "в срок до",
    ),
)
LEVEL_TITLES = {
    1: "1 уровень управленческого сопровождения",
    2: "2 уровень управленческого сопровождения",
    3: "3 уровень управленческого сопровождения",
    None: "Уровень управленческого сопровождения не установлен",
}


def _levels(case: Case) -> list[dict[str, Any]]:
    """The campaign's schools of the case's track, grouped by their level of support."""
    cases = db.session.scalars(
        sa.select(Case).where(Case.campaign_id == case.campaign_id, Case.category == case.category)
    ).all()
    groups: dict[int | None, list[dict[str, Any]]] = {}
    for c in cases:
        above = c.municipality.name if c.municipality else "подведомственные Министерству"
        groups.setdefault(c.support_level, []).append(
            {"name": c.school.name, "municipality": above, "years_on_list": c.years_on_list}
        )
    return [
        {
            "level": level,
            "title": LEVEL_TITLES[level],
            "schools": sorted(groups[level], key=lambda s: (s["municipality"], natural(s["name"]))),
        }
        for level in sorted(groups, key=lambda v: (v is None, v or 0))
    ]


def regional_order(case: Case, actor: User) -> tuple[dict[str, Any], Images]:
    """Seed 000's order: the ministry approves the list by levels of support and sets the
    municipalities' tasks with the plan's terms; signed by the order's recorded signatory."""
    order = orders.printable(case.campaign)
    issued = order["day"] if order and order["day"] else case_date(case)
    due = deadlines(case)
    tasks = [
        text + term(due.get(name), issued, words) + ";"
        for name, text, words in REGION_TASKS
        if name in due
    ]
    if tasks:
        tasks[-1] = tasks[-1].rstrip(";")
        tasks[-1] += "" if tasks[-1].endswith(".") else "."
    points: list[dict[str, Any]] = [
        {
            "text": "Утвердить перечень общеобразовательных организаций с признаками "
            "необъективных результатов процедур оценки качества образования в распределении по "
            f"уровням управленческого сопровождения в {case.campaign.school_year} учебном году "
            "(приложение).",
            "tasks": [],
        },
        {
            "text": "Руководителям муниципальных органов управления образованием, руководителям "
            "общеобразовательных организаций, подведомственных Министерству, и частных "
            "общеобразовательных организаций:",
            "tasks": tasks,
        },
        {"text": "Контроль за исполнением настоящего приказа оставляю за собой.", "tasks": []},
    ]
    points = [p for p in points if p["tasks"] or not p["text"].endswith(":")]
    for number, point in enumerate(points, start=1):
        point["number"] = number
    signatory = order["signatory"] if order and order["signatory"] else None
    return {
        "levels": _levels(case),
        "points": points,
        "signatory": {"position": signatory["position"], "name": signature(signatory["name"])}
        if signatory
        else _signatory(actor, "Министр образования"),
        "addressees": [
            "Руководителям муниципальных органов управления образованием",
            "Руководителям образовательных организаций, подведомственных Министерству",
            "Руководителям частных образовательных организаций",
        ],
    }, {}


def _regional_order(case: Case, actor: User) -> tuple[dict[str, Any], Images]:
    context, images = regional_order(case, actor)
    return {k: v for k, v in context.items() if k != "addressees"}, images


def roadmap_report(case: Case, actor: User) -> tuple[dict[str, Any], Images]:
    """Seed 004: the monthly analytical report on the school roadmap: the month's report text
    and where each measure stands."""
    context = roadmaps.printable(case)
    found = roadmaps.school_roadmap(case)
    latest = max(found.reports, key=lambda r: r.period) if found and found.reports else None
    day = case_date(case)
    year, month = (
        (int(latest.period[:4]), int(latest.period[5:])) if latest else (day.year, day.month)
    )
    month_name = morph().parse(RU_MONTHS_GENITIVE[month - 1])[0].normal_form
    states = [i.status for i in (found.items if found else [])]
    total = len(states)
    done = sum(s is RoadmapStatus.DONE for s in states)
    going = sum(s is RoadmapStatus.IN_PROGRESS for s in states)
    failed = sum(s is RoadmapStatus.NOT_DONE for s in states)
    summary = (
        f"Из {counted(total, 'мероприятие', 'gent')} дорожной карты выполнено {done}, "
        f"выполняется {going}, не выполнено {failed}, не начато {total - done - going - failed}."
        if total
        else "Мероприятия дорожной карты не внесены."
    )
    return {
        "period": f"{month_name} {year} г.",
        "summary": summary,
        "text": latest.text if latest else None,
        "items": context["items"],
        "signatory": context["signatory"],
    }, {}


def _named_term(row: Any, titles: dict[str, str]) -> Any:
    """A measure's term in words, other measures named by their titles, not their keys."""
    value = _term(row)
    if isinstance(value, str):
        for key, title in titles.items():
            value = value.replace(f"мероприятия {key}", f"мероприятия «{title}»")
    return value


def shnor_joint_plan(case: Case, actor: User) -> tuple[dict[str, Any], Images]:
    """Seed 003: the ШНОР school's and its leader school's joint plan, from the plan's measures
    that the school or its leader school answer."""
    mentorship = shnor.mentorship_of(case)
    leader = mentorship.leader_school if mentorship is not None else None
    rows = [
        row
        for row in in_force_for_track(case)
        if Level(row.responsible) in (Level.SCHOOL, Level.LEADER_SCHOOL)
    ]
    due = {o.measure_id: o.due_date for o in case.obligations if o.due_date and not o.period}
    titles = {row.key: row.title for row in in_force_for_track(case)}
    items = [
        {
            "number": number,
            "measure": row.title,
            "deadline": due.get(row.id) or _named_term(row, titles),
            "responsible": "Школа-лидер"
            if Level(row.responsible) is Level.LEADER_SCHOOL
            else "ОО (ШНОР)",
            "result": row.result or "",
        }
        for number, row in enumerate(rows, start=1)
    ]
    leader_signatory = (
        {
            "position": f"Директор {inflect(leader.name, 'gent', in_sentence=True)}",
            "name": signature(leader.director or ""),
        }
        if leader is not None
        else None
    )
    return {
        "leader": {
            "name": leader.name,
            "name_genitive": inflect(leader.name, "gent", in_sentence=True),
            "director": leader.director,
        }
        if leader
        else None,
        "items": items,
        "signatory": director_signatory(case),
        "leader_signatory": leader_signatory,
    }, {}


Builder = Callable[[Case, User], tuple[dict[str, Any], Images]]

# The context of each kind beyond the common blocks; a stage record prints its own.
BUILDERS: dict[str, Builder] = {
    "municipal_order": municipal_order,
    "regional_order": _regional_order,
    "regional_letter": regional_order,
    "roadmap": lambda case, actor: (roadmaps.printable(case), {}),
    "shnor_joint_plan": shnor_joint_plan,
    "roadmap_report": roadmap_report,
    "self_analysis": lambda case, actor: (questionnaires.printable_self_analysis(case), {}),
    "information_certificate": information_certificate,
    "recheck_protocol": recheck_protocol,
    "director_evaluation": lambda case, actor: (director.sheet_context(case), {}),
    "case_history": case_history,
}
