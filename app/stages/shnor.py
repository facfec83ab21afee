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
from app.models.case import PENDING_STATUSES, Case, Category, Level, Obligation
from app.models.document import DocumentVersion, Roadmap
from app.models.org import Organisation, OrgKind
from app.models.stage import CompetenceAssessment, Mentorship
from app.models.types import utcnow
from app.models.user import User
from app.stages import roadmaps
from app.stages.printing import hand_in_record
from app.stages.records import current_obligation, require_responsible
from app.stages.roadmaps import MENTOR_PLAN, roadmap_of
from app.workflows import obligations
from app.workflows.locking import lock

# What a roadmap handed in answers: a school's its roadmap measure, the joint plan with the leader
# school its own, a municipality's its municipal roadmap measure.
SCHOOL_ROADMAP, MENTOR_ROADMAP, MUNICIPAL_ROADMAP = (
    "roadmap:school",
    "roadmap:mentor",
    "roadmap:municipal",
)
COMPETENCE = "record:competence_assessment"
LEADER = "record:leader_assignment"


def mentorship_of(case: Case) -> Mentorship | None:
    return db.session.scalars(sa.select(Mentorship).where(Mentorship.case_id == case.id)).first()


def assign_leader(
    case: Case, leader: Organisation, *, actor: User, now: datetime | None = None
) -> Mentorship:
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
        sa.select(Case.id).where(Case.school_id == leader.id, Case.campaign_id == case.campaign_id)
    )
    if flagged:
        raise InvalidInput(_("A school on one of the campaign's lists cannot be a leader school."))
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
    _leader_takes_over(case, leader, actor=actor, now=now or utcnow())
    return mentorship


def _leader_takes_over(case: Case, leader: Organisation, *, actor: User, now: datetime) -> None:
    """The assignment answers its measure, and the leader school's measures become its own."""
    for obligation in case.obligations:
        if obligation.level is Level.LEADER_SCHOOL and not obligation.is_done():
            obligation.responsible_org_id = leader.id
    assignment = current_obligation(case, LEADER)
    if assignment is not None and assignment.status in PENDING_STATUSES:
        obligations.hand_in(lock(Obligation, assignment.id), actor=actor, now=now)


def mentor_plan(case: Case, *, actor: User) -> Roadmap:
    """The joint plan with the leader school, kept as a roadmap of the ШНОР school."""
    if not access.can_start_mentor_plan(actor, case):
        raise NotAllowed(_("The ШНОР school or its leader school starts the joint plan."))
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
    require_responsible(actor, case, COMPETENCE)
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
        COMPETENCE,
        "stage_form",
        extra,
        actor=actor,
        title="Оценка компетенций учителей",
        now=now,
    )


def obligation_for_roadmap(case: Case, roadmap: Roadmap) -> str | None:
    """The obligation a roadmap answers in this case, if it has one pending."""
    if roadmap.category == MENTOR_PLAN:
        kind = MENTOR_ROADMAP
    elif roadmap.owner.kind is OrgKind.SCHOOL:
        kind = SCHOOL_ROADMAP
    else:
        kind = MUNICIPAL_ROADMAP
    obligation = current_obligation(case, kind)
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
