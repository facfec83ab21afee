"""Structured forms a school fills online: the self-analysis of causes («Seven steps», seed 004)
and the ШНОР questionnaire of risk factors (seed 003). The form's state is its obligation's:
draft while open or returned, then submitted, returned with comments, accepted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import LazyString, force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app import audit
from app.errors import InvalidInput
from app.extensions import db
from app.models.case import Case
from app.models.document import DocumentVersion
from app.models.stage import CaseForm
from app.models.types import utcnow
from app.models.user import User
from app.stages.printing import director_signatory, hand_in_record
from app.stages.records import require_responsible
from app.vpr.school import mark_shares, sign_rows
from app.workflows.locking import check_version

MAX_ANSWER = 8000


@dataclass(frozen=True)
class Section:
    key: str
    title: LazyString
    hint: LazyString


@dataclass(frozen=True)
class FormSpec:
    kind: str
    title: LazyString
    takes: str  # what the plan's measure takes: form:<kind>
    template: str  # document kind it prints as
    sections: tuple[Section, ...]


SELF_ANALYSIS = FormSpec(
    "self_analysis",
    _l("Self-analysis of the causes of non-objective results"),
    "form:self_analysis",
    "self_analysis",
    (
        Section(
            "organisation",
            _l("How the test was organised: observers, video, coding of works"),
            _l("Who observed, where video was recorded, whether works were coded before checking."),
        ),
        Section(
            "checking",
            _l("How the works were checked: the commission, the criteria, conflicts of interest"),
            _l("Who checked whose class; whether the criteria were applied as written."),
        ),
        Section(
            "journal",
            _l("Comparison of the VPR marks with the journal marks"),
            _l("Shares of lowered, confirmed and raised marks; what explains the differences."),
        ),
        Section(
            "tasks",
            _l("Basic and advanced tasks"),
            _l("How the basic (Б) and advanced (П) tasks were done compared with the region."),
        ),
        Section(
            "causes",
            _l("Causes found"),
            _l("The causes of non-objective results the school has established."),
        ),
        Section(
            "measures",
            _l("Measures planned"),
            _l("What the school will change, by when, and who is responsible."),
        ),
        Section(
            "control",
            _l("Control of the measures"),
            _l("How and when the school will check that the measures work."),
        ),
    ),
)

RISK_QUESTIONNAIRE = FormSpec(
    "risk_questionnaire",
    _l("Questionnaire on the risk factors of low results"),
    "form:risk_questionnaire",
    "stage_form",
    (
        Section(
            "equipment",
            _l("Equipment and resources of the school"),
            _l("Classrooms, computers, internet, library."),
        ),
        Section(
            "staff",
            _l("Shortage of teachers"),
            _l("Vacancies, teachers teaching outside their subject, high workload."),
        ),
        Section(
            "competence",
            _l("Subject and methodological competence of teachers"),
            _l("Known gaps and how they were found."),
        ),
        Section(
            "failure_risk",
            _l("Pupils at risk of academic failure"),
            _l("Their share, in which grades and subjects."),
        ),
        Section(
            "language",
            _l("Language and cultural barriers"),
            _l("Pupils for whom Russian is not the first language."),
        ),
        Section(
            "environment",
            _l("The school's educational environment"),
            _l("Safety, climate, extracurricular life."),
        ),
        Section(
            "special_needs",
            _l("Pupils with special educational needs"),
            _l("Their share and the support they receive."),
        ),
        Section(
            "motivation",
            _l("Pupils' motivation to learn"),
            _l("How it shows and what is done about it."),
        ),
        Section(
            "parents",
            _l("Parents' involvement"),
            _l("Meetings, communication, participation in school life."),
        ),
        Section(
            "training",
            _l("The school's own system of teacher development"),
            _l("Methodological associations, mentoring, courses."),
        ),
    ),
)

FORMS = {f.kind: f for f in (SELF_ANALYSIS, RISK_QUESTIONNAIRE)}


def spec(kind: str) -> FormSpec:
    """The form definition; KeyError for an unknown kind."""
    return FORMS[kind]


def form_of(case: Case, kind: str) -> CaseForm | None:
    return db.session.scalars(
        sa.select(CaseForm).where(CaseForm.case_id == case.id, CaseForm.kind == kind)
    ).first()


def suggestions(case: Case, kind: str) -> dict[str, str]:
    """Text the school's own analytics suggest for sections still empty (the self-analysis)."""
    if kind != "self_analysis":
        return {}
    shares = mark_shares(case)
    out: dict[str, str] = {}
    if shares:
        out["journal"] = "; ".join(
            _(
                "%(work)s: lowered %(l)d%%, confirmed %(c)d%%, raised %(r)d%% (%(n)d pupils)",
                work=s["work"],
                l=round(100 * s["lowered"]),
                c=round(100 * s["confirmed"]),
                r=round(100 * s["raised"]),
                n=s["n"],
            )
            for s in shares
        )
    signs = sign_rows(case)
    if signs:
        out["tasks"] = "\n".join(f"{s['work']}: {s['title']}. {s['evidence']}" for s in signs)
    return out


def save(
    case: Case, kind: str, answers: dict[str, str], *, actor: User, expected_version: int | None
) -> CaseForm:
    """Keep a draft of the answers (only while the obligation waits for the school)."""
    form_spec = spec(kind)
    require_responsible(actor, case, form_spec.takes)
    keys = {s.key for s in form_spec.sections}
    cleaned = {k: v.strip() for k, v in answers.items() if k in keys and v and v.strip()}
    if any(len(v) > MAX_ANSWER for v in cleaned.values()):
        raise InvalidInput(_("An answer is longer than %(n)d characters.", n=MAX_ANSWER))
    form = form_of(case, kind)
    if form is None:
        form = CaseForm(case_id=case.id, kind=kind, answers={})
        db.session.add(form)
    else:
        check_version(form, expected_version)  # type: ignore[arg-type]
    before = dict(form.answers)
    changed = sorted(k for k in keys if before.get(k) != cleaned.get(k))
    if not changed and form.id:
        return form
    form.answers, form.updated_at, form.updated_by_id = cleaned, utcnow(), actor.id
    db.session.flush()
    audit.record(
        "form.saved",
        actor=actor,
        object_type="case_form",
        object_id=form.id,
        org_id=case.school_id,
        case_id=case.id,
        before={k: before.get(k) for k in changed},
        after={k: cleaned.get(k) for k in changed},
    )
    return form


def submit(case: Case, kind: str, *, actor: User, now: datetime | None = None) -> DocumentVersion:
    """Print the form and hand its obligation in for review."""
    form_spec = spec(kind)
    form = form_of(case, kind)
    answers = form.answers if form else {}
    if not answers:
        raise InvalidInput(_("Fill in the form before handing it in."))
    with force_locale("ru"):  # documents are Russian whatever the screen's language
        extra = printable(case, form_spec, answers)
        title = str(form_spec.title)
    return hand_in_record(
        case,
        form_spec.takes,
        form_spec.template,
        extra,
        actor=actor,
        title=title,
        now=now,
    )


def printable(case: Case, form_spec: FormSpec, answers: dict[str, Any]) -> dict[str, Any]:
    """The document context of a form (call under the document's locale)."""
    sections = [{"title": str(s.title), "answer": answers.get(s.key)} for s in form_spec.sections]
    extra: dict[str, Any] = {"sections": sections, "signatory": director_signatory(case)}
    if form_spec.template == "self_analysis":
        return extra | {"signs": sign_rows(case), "shares": mark_shares(case)}
    return extra | {"title": str(form_spec.title), "subtitle": None}


def printable_self_analysis(case: Case) -> dict[str, Any]:
    """The self-analysis as the school has filled it in online (blank sections otherwise)."""
    form = form_of(case, SELF_ANALYSIS.kind)
    return printable(case, SELF_ANALYSIS, form.answers if form else {})
