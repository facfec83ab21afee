"""The context of each generated document, built from a case's real data (the shapes are the
contracts of app.documents.catalog; samples.py shows them filled)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from app import audit
from app.cases.helpers import describe_values
from app.documents import attachments
from app.extensions import db
from app.models.audit import AuditEvent
from app.models.case import Case, Category
from app.models.document import Roadmap
from app.models.org import Organisation
from app.models.types import utcnow
from app.models.user import Role, User
from app.vpr import signs, store
from app.workflows import labels, registry
from app.workflows.campaigns import schedule_of
from app.workflows.clock import local_date

Images = dict[str, bytes]


def common(case: Case) -> dict[str, Any]:
    """The blocks every document receives (labels in Russian: documents are Russian)."""
    school, campaign = case.school, case.campaign
    region = db.session.get(Organisation, campaign.region_id)
    return {
        "region": {"name": region.name if region else "", "authority": None},
        "municipality": {"name": case.municipality.name, "authority": None},
        "school": {
            "name": school.name,
            "login": school.login,
            "type": school.school_type,
            "director": school.director,
            "email": school.email,
            "phone": school.phone,
        },
        "campaign": {
            "title": campaign.title,
            "vpr_year": campaign.vpr_year,
            "school_year": campaign.school_year,
            "order_number": campaign.order_number,
            "order_date": campaign.order_date,
            "deadlines": schedule_of(campaign),
        },
        "case": {
            "category": str(labels.CATEGORY[case.category]),
            "markers": sorted(k for k, v in case.markers.items() if v),
            "marker_count": case.marker_count,
            "support_level": case.support_level,
            "years_on_list": case.years_on_list,
            "contract_review": case.contract_review,
            "stage": str(registry.stage_title(case)),
            "status": str(labels.CASE_STATUS[case.status]),
        },
        "document": {"number": None, "date": local_date(), "place": None},
    }


def _signatory(person: User | None, fallback_position: str) -> dict[str, str]:
    if person is None:
        return {"position": fallback_position, "name": ""}
    return {"position": person.position or fallback_position, "name": person.full_name}


def _first(role: Role, org_id: int) -> User | None:
    return db.session.scalars(
        sa.select(User)
        .where(User.role == role, User.organisation_id == org_id, User.active.is_(True))
        .order_by(User.id)
    ).first()


def sign_rows(case: Case) -> list[dict[str, Any]]:
    """The fired signs of the school in the region's latest computation for the campaign year."""
    run = signs.latest_run(case.campaign.region, case.campaign.vpr_year)
    if run is None:
        return []
    return [
        {
            "work": f"{e['grade']} {e['code']}",
            "number": e["sign"],
            "title": e["title"],
            "found": True,
            "evidence": f"{describe_values(e.get('numbers'))}. Регион: {describe_values(e.get('reference'))}",
        }
        for e in signs.evidence_of(run, case.school.login or "")
    ]


def mark_shares(case: Case) -> list[dict[str, Any]]:
    """Lowered / confirmed / raised shares of VPR marks against journal marks, per test work."""
    frame = store.load_frame(
        case.campaign.region, [case.campaign.vpr_year], school_id=case.school_id
    )
    if frame.empty:
        return []
    paired = frame.dropna(subset=["journal_mark"])
    rows = []
    for (grade, code), group in paired.groupby(["grade", "code"], observed=True):
        diff = group["mark"].astype(int) - group["journal_mark"].astype(int)
        rows.append(
            {
                "work": f"{grade} {code}",
                "n": len(group),
                "lowered": float((diff < 0).mean()),
                "confirmed": float((diff == 0).mean()),
                "raised": float((diff > 0).mean()),
            }
        )
    return rows


def municipal_order(case: Case, actor: User) -> tuple[dict[str, Any], Images]:
    cases = db.session.scalars(
        sa.select(Case).where(
            Case.campaign_id == case.campaign_id,
            Case.municipality_id == case.municipality_id,
            Case.category == Category.OBJECTIVITY,
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
        key=lambda s: str(s["name"]),
    )
    deadlines = schedule_of(case.campaign)
    measures = [
        (
            "Самоанализ причин необъективности результатов ВПР по региональному шаблону «Семь шагов»",
            "Руководители ОО",
            deadlines.get("self_analysis"),
        ),
        (
            "Перепроверка работ участников ВПР независимыми экспертами",
            "Муниципальный орган управления образованием",
            deadlines.get("recheck"),
        ),
        (
            "Утверждение муниципальных нормативных актов по профилактике необъективности",
            "Муниципальный орган управления образованием",
            deadlines.get("municipal_acts"),
        ),
        (
            "Информационная справка о соответствии текущих отметок, промежуточной аттестации и результатов ВПР, ОГЭ, ЕГЭ",
            "Руководители ОО",
            deadlines.get("information_certificate"),
        ),
        (
            "Заполнение формы показателей эффективности руководителя",
            "Руководители ОО",
            deadlines.get("director_indicators"),
        ),
        (
            "Оценка эффективности деятельности руководителей ОО",
            "Муниципальная комиссия",
            deadlines.get("director_evaluation"),
        ),
        (
            "Участие управленческих команд ОО в стратегических сессиях",
            "Руководители ОО",
            deadlines.get("strategic_session"),
        ),
        (
            "Отчёт о ходе реализации дорожной карты",
            "Методический центр",
            "ежемесячно, в последний понедельник месяца",
        ),
    ]
    coordinator = (
        actor if actor.role is Role.MUNICIPAL else _first(Role.MUNICIPAL, case.municipality_id)
    )
    return {
        **common(case),
        "schools": schools,
        "coordinator": {"name": coordinator.full_name, "position": coordinator.position or ""}
        if coordinator
        else None,
        "measures": [{"title": t, "responsible": r, "due_date": d} for t, r, d in measures],
        "signatory": _signatory(coordinator, "Руководитель органа управления образованием"),
    }, {}


def roadmap(case: Case, actor: User, found: Roadmap | None = None) -> tuple[dict[str, Any], Images]:
    """The school's roadmap for the case (or the given one, e.g. the joint plan with a leader)."""
    if found is None:
        found = db.session.scalars(
            sa.select(Roadmap).where(
                Roadmap.owner_org_id == case.school_id,
                Roadmap.campaign_id == case.campaign_id,
                Roadmap.category == case.category.value,
            )
        ).first()
    status = {s: str(lbl) for s, lbl in _roadmap_labels().items()}
    items = [
        {
            "section": None,
            "number": i.position,
            "measure": i.measure,
            "deadline": i.deadline,
            "responsible": i.responsible,
            "indicator": i.indicator,
            "status": status.get(i.status),
            "progress": i.progress_note,
        }
        for i in (found.items if found else [])
    ]
    director = {"position": f"Директор {case.school.name}", "name": case.school.director or ""}
    return {**common(case), "approved_by": None, "items": items, "signatory": director}, {}


def _roadmap_labels() -> dict[Any, Any]:
    from app.documents.roadmap_views import STATUS_LABELS

    return STATUS_LABELS


def self_analysis(case: Case, actor: User) -> tuple[dict[str, Any], Images]:
    """The self-analysis as the school has filled it in online (blank sections otherwise)."""
    from app.stages import forms

    form = forms.form_of(case, "self_analysis")
    return {
        **common(case),
        **forms.printable(case, forms.SELF_ANALYSIS, form.answers if form else {}),
    }, {}


def information_certificate(case: Case, actor: User) -> tuple[dict[str, Any], Images]:
    director = {"position": f"Директор {case.school.name}", "name": case.school.director or ""}
    found = attachments.correlations(case)
    if found is None:
        return {**common(case), "analytics": None, "conclusions": None, "signatory": director}, {}
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
        **common(case),
        "analytics": analytics,
        "conclusions": None,
        "signatory": director,
    }, found["images"]


def _ci(row: dict[str, Any], key: str, i: int) -> float | None:
    value = row.get(key)
    return value[i] if value else None


def recheck_protocol(case: Case, actor: User) -> tuple[dict[str, Any], Images]:
    """The commission, the works and their statistics (blank tables before the recheck)."""
    from app.stages import recheck as stage

    commission = [
        {
            "role": "Председатель комиссии" if m.chair else "Член комиссии",
            "name": m.expert.full_name,
            "position": f"{m.expert.position or 'учитель'} ({m.expert.school.name})",
        }
        for m in stage.members(case)
    ]
    found = stage.statistics(case)
    base = {**common(case), "commission": commission, "charts": [], "conclusion": None}
    if found is None:
        return {**base, "works": [], "by_work": [], "summary": None}, {}
    works = [
        {
            "work": f"{w['grade']} {w['subject']}",
            "participant": w["participant"],
            "score_school": w["score_school"],
            "score_recheck": w["score_recheck"],
            "score_change": w["score_change"],
            "mark_school": w["mark_school"],
            "mark_recheck": w["mark_recheck"],
            "confirmed": w["confirmed"],
        }
        for w in found["works"]
    ]
    by_work = [
        {
            "work": f"{b['grade']} {b['subject']}",
            "n": b["n"],
            "confirmed": b["confirmed"],
            "share_confirmed": b["share_confirmed"],
            "mean_shift": b["mean_shift"],
            "wilcoxon_p": b.get("wilcoxon_p"),
            "meets_target": b["meets_target"],
        }
        for b in found["by_work"]
    ]
    s = found["summary"]
    summary = {
        "n": s["n"],
        "confirmed": s["confirmed"],
        "lowered": s["lowered"],
        "raised": s["raised"],
        "share_confirmed": s["share_confirmed"],
        "share_low": s["share_confirmed_ci"][0],
        "share_high": s["share_confirmed_ci"][1],
        "target": s["target"],
        "meets_target": s["meets_target"],
        "mean_shift": s["mean_shift"],
        "wilcoxon_p": s.get("wilcoxon_p"),
        "wording": s["wording"],
    }
    charts = [
        {"title": "Первичные баллы до и после перепроверки", "image": k} for k in found["images"]
    ]
    return {
        **base,
        "works": works,
        "by_work": by_work,
        "summary": summary,
        "charts": charts,
    }, found["images"]


def director_evaluation(case: Case, actor: User) -> tuple[dict[str, Any], Images]:
    """The evaluation sheet as filled so far (values and scores of the indicator set in use)."""
    from app.stages.director import sheet_context

    return {**common(case), **sheet_context(case)}, {}


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
            "stage": str(registry.stage_title(case, v.stage)),
            "entered_at": v.entered_at,
            "left_at": v.left_at,
            "entered_by": v.entered_by.full_name if v.entered_by else "система",
            "reason": v.reason,
        }
        for v in case.stages
    ]
    obligations = [
        {
            "title": str(registry.obligation_title(o)),
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
            "seq": e.seq,
            "occurred_at": e.occurred_at,
            "actor": e.actor_name,
            "role": e.actor_role,
            "action": str(labels.ACTION.get(e.action, e.action)),
            "before": describe_values(e.before),
            "after": describe_values(e.after),
            "reason": e.reason,
            "hash": e.hash,
            "prev_hash": e.prev_hash,
        }
        for e in events
    ]
    now: datetime = utcnow()
    return {
        **common(case),
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


BUILDERS = {
    "municipal_order": municipal_order,
    "roadmap": roadmap,
    "self_analysis": self_analysis,
    "information_certificate": information_certificate,
    "recheck_protocol": recheck_protocol,
    "director_evaluation": director_evaluation,
    "case_history": case_history,
}

__all__ = ["BUILDERS", "common"]
