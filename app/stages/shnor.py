"""The ШНОР track's own content (seed 003): the leader school assigned as a mentor with the joint
plan, the record of the teachers' competence assessments, and the roadmaps handed in as
documents."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _

from app import access, audit
from app.errors import InvalidInput, NotAllowed
from app.extensions import db
from app.models.case import Case, Category
from app.models.document import DocumentVersion, Roadmap
from app.models.org import Organisation, OrgKind
from app.models.stage import CompetenceAssessment, Mentorship
from app.models.user import User
from app.stages import roadmaps
from app.stages.printing import hand_in_record
from app.stages.records import current_obligation, require_responsible
from app.stages.roadmaps import MENTOR_PLAN, roadmap_of

# Roadmaps that answer an obligation when handed in, by the roadmap's category.
ROADMAP_OBLIGATIONS = {
    "objectivity": "school_roadmap",
    "low_results": "school_roadmap_lr",
    MENTOR_PLAN: MENTOR_PLAN,
}


def mentorship_of(case: Case) -> Mentorship | None:
    return db.session.scalars(sa.select(Mentorship).where(Mentorship.case_id == case.id)).first()


def assign_leader(case: Case, leader: Organisation, *, actor: User) -> Mentorship:
    """Pair the ШНОР school with a leader school of the region that is not itself on the list."""
    if not access.can_run_case_support(actor, case):
        raise NotAllowed(_("The municipality assigns the leader school."))
    if case.category is not Category.LOW_RESULTS:
        raise InvalidInput(_("Leader schools are assigned on the ШНОР track."))
    if (
        leader.kind is not OrgKind.SCHOOL
        or leader.id == case.school_id
        or leader.region_id != case.campaign.region_id
    ):
        raise InvalidInput(_("Choose another school of the region as the leader."))
    flagged = db.session.scalar(
        sa.select(Case.id).where(
            Case.school_id == leader.id,
            Case.campaign_id == case.campaign_id,
            Case.category == Category.LOW_RESULTS,
        )
    )
    if flagged:
        raise InvalidInput(_("A school on the ШНОР list itself cannot be a leader school."))
    mentorship = mentorship_of(case) or Mentorship(case_id=case.id, leader_school_id=leader.id)
    before = {"leader_school_id": mentorship.leader_school_id} if mentorship.id else None
    mentorship.leader_school_id, mentorship.assigned_by_id = leader.id, actor.id
    db.session.add(mentorship)
    db.session.flush()
    audit.record(
        "mentoring.assigned",
        actor=actor,
        object_type="case",
        object_id=case.id,
        org_id=case.school_id,
        case_id=case.id,
        before=before,
        after={"leader_school_id": leader.id, "leader": leader.name},
    )
    return mentorship


def mentor_plan(case: Case, *, actor: User) -> Roadmap:
    """The joint plan with the leader school, kept as a roadmap of the ШНОР school."""
    return roadmap_of(case.school, case.campaign, MENTOR_PLAN, actor=actor)


def assessments(case: Case) -> list[CompetenceAssessment]:
    return list(
        db.session.scalars(
            sa.select(CompetenceAssessment)
            .where(CompetenceAssessment.case_id == case.id)
            .order_by(CompetenceAssessment.assessed_on, CompetenceAssessment.id)
        )
    )


def add_assessment(
    case: Case,
    *,
    teacher: str,
    subject: str,
    assessed_on: date,
    method: str,
    score: int | None,
    conclusion: str | None,
    actor: User,
) -> CompetenceAssessment:
    """Record one teacher's professional competence assessment."""
    require_responsible(actor, case, "competence_assessment")
    if not teacher.strip() or not subject.strip() or not method.strip():
        raise InvalidInput(_("Give the teacher, the subject and the method."))
    if score is not None and not 0 <= score <= 100:
        raise InvalidInput(_("The result is a percentage from 0 to 100."))
    row = CompetenceAssessment(
        case_id=case.id,
        teacher=teacher.strip(),
        subject=subject.strip(),
        assessed_on=assessed_on,
        method=method.strip(),
        score=score,
        conclusion=(conclusion or "").strip() or None,
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        "competence.recorded",
        actor=actor,
        object_type="case",
        object_id=case.id,
        org_id=case.school_id,
        case_id=case.id,
        after={"teacher": row.teacher, "subject": row.subject, "score": score},
    )
    return row


def hand_in_assessments(case: Case, *, actor: User, now: datetime | None = None) -> DocumentVersion:
    """Print the record of the competence assessments and hand its obligation in."""
    rows = assessments(case)
    if not rows:
        raise InvalidInput(_("Record at least one assessment first."))
    with force_locale("ru"):
        sections = [
            {
                "title": f"{r.teacher} — {r.subject}",
                "answer": f"{r.assessed_on:%d.%m.%Y}; {r.method}; результат: "
                f"{'—' if r.score is None else f'{r.score} %'}. {r.conclusion or ''}".strip(),
            }
            for r in rows
        ]
    signatory = {
        "position": "Руководитель муниципального органа управления образованием",
        "name": actor.full_name,
    }
    extra = {
        "title": "Оценка профессиональных компетенций учителей",
        "subtitle": case.school.name,
        "sections": sections,
        "signatory": signatory,
    }
    return hand_in_record(
        case,
        "competence_assessment",
        "stage_form",
        extra,
        actor=actor,
        title="Оценка компетенций учителей",
        now=now,
    )


def obligation_for_roadmap(case: Case, roadmap: Roadmap) -> str | None:
    """The obligation a roadmap answers in this case, if it has one pending."""
    kind = ROADMAP_OBLIGATIONS.get(roadmap.category)
    obligation = current_obligation(case, kind) if kind else None
    return kind if obligation is not None and not obligation.is_done() else None


def hand_in_roadmap(
    case: Case, roadmap: Roadmap, *, actor: User, now: datetime | None = None
) -> DocumentVersion:
    """Print the roadmap (or the joint plan) and hand in the obligation it answers."""
    kind = obligation_for_roadmap(case, roadmap)
    if kind is None:
        raise InvalidInput(_("No obligation of the case waits for this roadmap now."))
    if not roadmap.items:
        raise InvalidInput(_("Add the measures before handing the roadmap in."))
    with force_locale("ru"):
        context = roadmaps.printable(case, roadmap)
    return hand_in_record(
        case, kind, "roadmap", context, actor=actor, title="Дорожная карта", now=now
    )
