"""The director's effectiveness evaluation (seed 001): a versioned indicator set with weights;
the school fills its values by its deadline (16 January), the municipal commission scores them
by its own (22 January); the result, the decision and the evaluation sheet follow."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _

from app import access, audit
from app.errors import InvalidInput, NotAllowed
from app.extensions import db
from app.models.case import Case
from app.models.document import DocumentVersion
from app.models.stage import DirectorEvaluation, IndicatorSet
from app.models.types import utcnow
from app.models.user import User
from app.stages.printing import director_signatory, hand_in_record
from app.stages.records import require_responsible

SCHOOL_PART, COMMISSION_PART = "record:director_indicators", "record:director_evaluation"
RESULTS = {
    "effective": "эффективен",
    "partly": "частично эффективен",
    "not_effective": "неэффективен",
}
DEFAULT_INDICATORS = (
    (
        "recheck",
        "Доля отметок ВПР, подтверждённых при перепроверке",
        3,
        "Доля подтверждённых отметок, %",
    ),
    (
        "acts",
        "Локальные акты ОО об объективности оценочных процедур",
        2,
        "Реквизиты приказов и положений",
    ),
    (
        "observation",
        "Общественное наблюдение и видеонаблюдение при проведении ВПР",
        2,
        "Сколько аудиторий, кто наблюдал",
    ),
    (
        "agreement",
        "Согласованность отметок по журналу с результатами ВПР",
        3,
        "Доля подтвердивших отметку, %",
    ),
    (
        "roadmap",
        "Выполнение мероприятий дорожной карты в срок",
        2,
        "Выполнено мероприятий из запланированных",
    ),
    (
        "training",
        "Повышение квалификации педагогов по вопросам оценивания",
        1,
        "Сколько педагогов, какие курсы",
    ),
)


def active_set() -> IndicatorSet:
    """The indicator set in use; version 1 is the default one."""
    found = db.session.scalars(
        sa.select(IndicatorSet)
        .where(IndicatorSet.active.is_(True))
        .order_by(IndicatorSet.version.desc())
    ).first()
    if found is not None:
        return found
    default = IndicatorSet(
        version=1,
        title="Показатели эффективности руководителя ОО (базовый набор)",
        indicators=[
            {"key": k, "title": t, "weight": w, "max_score": 2, "prompt": p}
            for k, t, w, p in DEFAULT_INDICATORS
        ],
    )
    db.session.add(default)
    db.session.flush()
    return default


def new_version(
    title: str,
    indicators: list[dict[str, Any]],
    effective_from: float,
    partly_from: float,
    *,
    actor: User,
) -> IndicatorSet:
    """The ministry configures a new set; evaluations already started keep their version."""
    if not access.can_configure_indicators(actor):
        raise NotAllowed(_("Only the ministry configures the indicators."))
    if not indicators or not 0 < partly_from < effective_from <= 1:
        raise InvalidInput(
            _("List the indicators; the thresholds satisfy 0 < partly < effective ≤ 1.")
        )
    keys = [i["key"] for i in indicators]
    if len(set(keys)) != len(keys) or any(
        i["weight"] < 1 or i["max_score"] < 1 for i in indicators
    ):
        raise InvalidInput(
            _("Each indicator needs its own key, a weight and a maximum score of at least 1.")
        )
    current = active_set()
    current.active = False
    row = IndicatorSet(
        version=current.version + 1,
        title=title.strip() or current.title,
        indicators=indicators,
        effective_from=effective_from,
        partly_from=partly_from,
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        "indicators.new_version",
        actor=actor,
        object_type="indicator_set",
        object_id=row.id,
        org_id=actor.organisation_id,
        after={"version": row.version, "indicators": indicators},
    )
    return row


def evaluation_of(case: Case) -> DirectorEvaluation:
    """The case's evaluation, started with the set in use."""
    found = db.session.scalars(
        sa.select(DirectorEvaluation).where(DirectorEvaluation.case_id == case.id)
    ).first()
    if found is None:
        found = DirectorEvaluation(
            case_id=case.id, set_version=active_set().version, school_values={}, scores={}
        )
        db.session.add(found)
        db.session.flush()
    return found


def indicators_of(evaluation: DirectorEvaluation) -> IndicatorSet:
    row = db.session.scalars(
        sa.select(IndicatorSet).where(IndicatorSet.version == evaluation.set_version)
    ).one()
    return row


def save_school_values(case: Case, values: dict[str, str], *, actor: User) -> DirectorEvaluation:
    """The school's own values for the indicators."""
    require_responsible(actor, case, SCHOOL_PART)
    evaluation = evaluation_of(case)
    keys = {i["key"] for i in indicators_of(evaluation).indicators}
    cleaned = {k: v.strip()[:1000] for k, v in values.items() if k in keys and v and v.strip()}
    audit.record(
        "director.values_saved",
        actor=actor,
        object_type="case",
        object_id=case.id,
        org_id=case.school_id,
        case_id=case.id,
        before=evaluation.school_values,
        after=cleaned,
    )
    evaluation.school_values, evaluation.updated_at = cleaned, utcnow()
    return evaluation


def result_for(total: int, max_total: int, indicator_set: IndicatorSet) -> str:
    """Effective, partly effective or not effective by the share of the maximum."""
    share = total / max_total if max_total else 0
    if share >= indicator_set.effective_from:
        return "effective"
    return "partly" if share >= indicator_set.partly_from else "not_effective"


def save_scores(
    case: Case, scores: dict[str, int], decision: str, *, actor: User
) -> DirectorEvaluation:
    """The commission's scores: the total, the result and the decision."""
    require_responsible(actor, case, COMMISSION_PART)
    evaluation = evaluation_of(case)
    indicator_set = indicators_of(evaluation)
    by_key = {i["key"]: i for i in indicator_set.indicators}
    for key, score in scores.items():
        if key not in by_key or not 0 <= score <= by_key[key]["max_score"]:
            raise InvalidInput(_("A score is between 0 and the indicator's maximum."))
    before = {"scores": evaluation.scores, "result": evaluation.result}
    evaluation.scores = {k: int(v) for k, v in scores.items()}
    evaluation.total = sum(by_key[k]["weight"] * v for k, v in evaluation.scores.items())
    evaluation.max_total = sum(i["weight"] * i["max_score"] for i in indicator_set.indicators)
    evaluation.result = result_for(evaluation.total, evaluation.max_total, indicator_set)
    evaluation.decision, evaluation.updated_at = decision.strip()[:4000] or None, utcnow()
    audit.record(
        "director.scored",
        actor=actor,
        object_type="case",
        object_id=case.id,
        org_id=case.school_id,
        case_id=case.id,
        before=before,
        after={"scores": evaluation.scores, "total": evaluation.total, "result": evaluation.result},
    )
    return evaluation


def sheet_context(case: Case) -> dict[str, Any]:
    """The evaluation sheet's context (Russian): values, scores, result, contract review."""
    evaluation = evaluation_of(case)
    indicator_set = indicators_of(evaluation)
    rows = [
        {
            "number": str(n),
            "title": i["title"],
            "weight": i["weight"],
            "value": evaluation.school_values.get(i["key"]),
            "score": evaluation.scores.get(i["key"]),
        }
        for n, i in enumerate(indicator_set.indicators, start=1)
    ]
    review = (
        "ОО включена в перечень третий год подряд: рассмотреть вопрос о продлении трудового договора "
        "с руководителем."
        if case.contract_review
        else None
    )
    return {
        "indicators": rows,
        "evaluation": {
            "method": f"{indicator_set.title}, версия {indicator_set.version}",
            "total": evaluation.total,
            "max_total": evaluation.max_total,
            "result": RESULTS.get(evaluation.result or ""),
            "decision": evaluation.decision,
            "recommendation": review,
        },
        "commission": [],
    }


def hand_in_school_part(case: Case, *, actor: User, now: datetime | None = None) -> DocumentVersion:
    """Print the school's indicator form and hand it in (seed 001: by 16 January)."""
    evaluation = evaluation_of(case)
    if not evaluation.school_values:
        raise InvalidInput(_("Fill in the indicators before handing them in."))
    indicator_set = indicators_of(evaluation)
    with force_locale("ru"):
        sections = [
            {
                "title": f"{i['title']} ({i['prompt']})",
                "answer": evaluation.school_values.get(i["key"]),
            }
            for i in indicator_set.indicators
        ]
    extra = {
        "title": "Показатели эффективности руководителя",
        "subtitle": indicator_set.title,
        "sections": sections,
        "signatory": director_signatory(case),
    }
    return hand_in_record(
        case,
        SCHOOL_PART,
        "stage_form",
        extra,
        actor=actor,
        title="Показатели руководителя",
        now=now,
    )


def hand_in_evaluation(case: Case, *, actor: User, now: datetime | None = None) -> DocumentVersion:
    """Print the evaluation sheet and hand the commission's obligation in (by 22 January)."""
    if evaluation_of(case).result is None:
        raise InvalidInput(_("Score the indicators before handing the evaluation in."))
    return hand_in_record(
        case,
        COMMISSION_PART,
        "director_evaluation",
        sheet_context(case),
        actor=actor,
        title="Оценочный лист руководителя",
        now=now,
    )
