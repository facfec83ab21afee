"""The context of each generated document beyond the common blocks, built from a case's real
data (the shapes are the contracts of app.paperwork.catalog; samples.py shows them filled)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from app import access, audit
from app.accounts.users import acting_users
from app.analytics import correlation
from app.extensions import db
from app.models.audit import AuditEvent
from app.models.case import Case, Level
from app.models.types import utcnow
from app.models.user import User
from app.plans import dates
from app.plans.measures import rule_of
from app.plans.service import active_measures, plan_of
from app.plans.xlsx import RESPONSIBLE
from app.stages import attachments, director, questionnaires, recheck, roadmaps
from app.stages.printing import Images, director_signatory
from app.vpr.school import sign_rows
from app.workflows import history as event_history
from app.workflows import labels


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
    if person is None:
        return {"position": fallback_position, "name": ""}
    return {"position": person.position or fallback_position, "name": person.full_name}


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
        key=lambda s: str(s["name"]),
    )
    measures = [
        {
            "title": row.title,
            "responsible": RESPONSIBLE[Level(row.responsible)],
            "due_date": _term(row),
        }
        for row in in_force_for_track(case)
    ]
    coordinator = (
        actor
        if access.is_municipal_of(actor, case)
        else next(iter(acting_users(case.municipality_id)), None)
        if case.municipality_id is not None
        else None
    )
    return {
        "schools": schools,
        "coordinator": {"name": coordinator.full_name, "position": coordinator.position or ""}
        if coordinator
        else None,
        "measures": measures,
        "signatory": _signatory(coordinator, "Руководитель органа управления образованием"),
    }, {}


def information_certificate(case: Case, actor: User) -> tuple[dict[str, Any], Images]:
    director = director_signatory(case)
    found = attachments.correlations(case)
    if found is None:
        return {"analytics": None, "conclusions": None, "signatory": director}, {}
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
        "conclusions": correlation.conclusions(found["rows"]),
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
            "actor": v.event.actor_name,
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


Builder = Callable[[Case, User], tuple[dict[str, Any], Images]]

# The context of each kind beyond the common blocks; a stage record prints its own.
BUILDERS: dict[str, Builder] = {
    "municipal_order": municipal_order,
    "roadmap": lambda case, actor: (roadmaps.printable(case), {}),
    "self_analysis": lambda case, actor: (questionnaires.printable_self_analysis(case), {}),
    "information_certificate": information_certificate,
    "recheck_protocol": lambda case, actor: recheck.printable(case),
    "director_evaluation": lambda case, actor: (director.sheet_context(case), {}),
    "case_history": case_history,
}
