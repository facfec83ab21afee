"""Printing a case's records: the blocks every document receives, and handing a printed record
in as the version that answers its obligation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import force_locale

from app.documents import checks
from app.documents.render import render
from app.documents.templates import active_template
from app.extensions import db
from app.legal import orders, requisites
from app.models.case import Case, Obligation
from app.models.document import DocumentVersion
from app.models.org import Organisation
from app.models.types import utcnow
from app.models.user import User
from app.people import signature
from app.russian import inflect
from app.stages.records import require_responsible
from app.workflows import labels
from app.workflows.clock import case_date, case_zone
from app.workflows.handin import hand_in_version
from app.workflows.locking import lock

Images = dict[str, bytes]


def common(case: Case, issued_by: Organisation | None = None) -> dict[str, Any]:
    """The blocks every document receives (labels in Russian: documents are Russian); the issuer
    is the school unless ``issued_by`` names another organisation."""
    school, campaign = case.school, case.campaign
    region = db.session.get(Organisation, campaign.region_id)
    # A school under the region answers to the ministry: its "municipality" is the region.
    above = case.municipality or region
    by_region = issued_by is not None and region is not None and issued_by.id == region.id
    issuer = requisites.issuer(issued_by or school, campaign.order_issuer if by_region else None)
    return {
        "region": {
            "name": region.name if region else "",
            "authority": region.authority if region else None,
            "name_genitive": inflect(region.name, "gent", in_sentence=True) if region else "",
        },
        "municipality": {
            "name": above.name if above else "",
            "authority": requisites.issuing_body(above) if above else None,
            "authority_dative": requisites.addressee(above),
            "name_genitive": inflect(above.name, "gent", in_sentence=True) if above else "",
        },
        "issuer": issuer,
        "school": {
            "name": school.name,
            "name_genitive": inflect(school.name, "gent", in_sentence=True),
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
            "deadlines": deadlines(case),
        },
        "order": orders.printable(campaign),
        "case": {
            "category": str(labels.CATEGORY[case.category]),
            "markers": sorted(k for k, v in case.markers.items() if v),
            "marker_count": case.marker_count,
            "support_level": case.support_level,
            "years_on_list": case.years_on_list,
            "contract_review": case.contract_review,
            "stage": labels.stage_title(case),
            "status": str(labels.CASE_STATUS[case.status]),
        },
        "document": {"number": None, "date": case_date(case), "place": issuer["place"]},
    }


# The names documents use for the terms of the case's work, by what answers each.
DEADLINE_NAMES = {
    "form:self_analysis": "self_analysis",
    "record:recheck_protocol": "recheck",
    "document:certificate": "information_certificate",
    "record:director_indicators": "director_indicators",
    "record:director_evaluation": "director_evaluation",
    "attendance": "strategic_session",
    "form:risk_questionnaire": "risk_questionnaire",
    "roadmap:school": "school_roadmap",
}


def deadlines(case: Case) -> dict[str, Any]:
    """The due dates of the case's own obligations: by measure key, and by the names above; the
    municipal acts by the last of their dates."""
    out: dict[str, Any] = {}
    for o in case.obligations:
        if o.due_date is None or o.period:
            continue
        out[o.obligation_type] = o.due_date
        name = DEADLINE_NAMES.get(o.takes)
        if name and name not in out:
            out[name] = o.due_date
        if o.stage == "municipal_acts":
            out["municipal_acts"] = max(out.get("municipal_acts", o.due_date), o.due_date)
    return out


def director_signatory(case: Case) -> dict[str, str]:
    """The school director's signature block: «Директор муниципального … учреждения …» and
    «И.И. Иванова»."""
    school = inflect(case.school.name, "gent", in_sentence=True)
    return {"position": f"Директор {school}", "name": signature(case.school.director or "")}


def hand_in_record(
    case: Case,
    takes: str,
    template_key: str,
    extra: dict[str, Any],
    *,
    actor: User,
    title: str,
    images: Images | None = None,
    note: str | None = None,
    now: datetime | None = None,
) -> DocumentVersion:
    """Print the record with the template in use and hand its obligation in with the document."""
    obligation = require_responsible(actor, case, takes)
    obligation = lock(Obligation, obligation.id)
    version, template = active_template(template_key)
    with force_locale("ru"):
        context = {**common(case), **extra}
    data = render(template, context, images or {}, timezone=str(case_zone(case)))
    filename = checks.sanitise_filename(f"{title} — {case.school.name}", checks.DOCX)
    return hand_in_version(
        obligation,
        data,
        checks.DOCX,
        filename,
        actor=actor,
        now=now or utcnow(),
        note=note,
        template=(template_key, version),
    )
