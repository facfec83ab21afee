"""The recheck: an expert commission of teachers from other schools, the works it rechecks,
the statistics and the protocol (seed 004: «перепроверка … независимыми экспертами»)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _

from app import access, audit, lazy
from app.analytics import charts
from app.analytics.recheck import read_recheck, recheck_protocol
from app.errors import InvalidInput, NotAllowed
from app.extensions import db
from app.models.case import Case
from app.models.document import DocumentVersion
from app.models.org import Organisation, OrgKind
from app.models.stage import CommissionMember, Expert, RecheckWork
from app.models.user import User
from app.russian import inflect
from app.stages.printing import hand_in_record
from app.stages.records import current_obligation, may_fill
from app.tabular import FileRefused

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy.module("pandas")

OBLIGATION = "record:recheck_protocol"


def _require(user: User, case: Case) -> None:
    """The municipality and the ministry run a case's recheck, and so does whoever the plan
    makes responsible for it (a school's own commission, the regional institute)."""
    if not (access.can_run_case_support(user, case) or may_fill(user, case, OBLIGATION)):
        raise NotAllowed(_("Only the municipality runs the recheck."))


def register_of(case: Case) -> int:
    """The organisation whose register of experts a case's commission draws on."""
    return case.municipality_id if case.municipality_id is not None else case.campaign.region_id


def experts_of(municipality_id: int) -> list[Expert]:
    return list(
        db.session.scalars(
            sa.select(Expert)
            .where(Expert.municipality_id == municipality_id, Expert.active.is_(True))
            .order_by(Expert.full_name)
        )
    )


def add_expert(
    municipality: Organisation,
    school: Organisation,
    full_name: str,
    subject: str,
    position: str | None,
    *,
    actor: User,
) -> Expert:
    """Register a teacher who can recheck works."""
    if not access.can_keep_experts(actor, municipality.id):
        raise NotAllowed(_("Only the municipality keeps its list of experts."))
    region = municipality.region_id or municipality.id
    if school.kind is not OrgKind.SCHOOL or school.region_id != region:
        raise InvalidInput(_("Choose the expert's school in the region."))
    if not full_name.strip() or not subject.strip():
        raise InvalidInput(_("Give the expert's name and subject."))
    expert = Expert(
        municipality_id=municipality.id,
        school_id=school.id,
        full_name=full_name.strip(),
        subject=subject.strip(),
        position=(position or "").strip() or None,
    )
    db.session.add(expert)
    db.session.flush()
    audit.record(
        "recheck.expert_added",
        actor=actor,
        object_type="expert",
        object_id=expert.id,
        org_id=municipality.id,
        after={"name": expert.full_name, "school_id": school.id, "subject": expert.subject},
    )
    return expert


def _school_commission(case: Case) -> bool:
    """Whether the plan has the school recheck its own works (a school subject commission,
    seed 004): then its own teachers check under an independent observer."""
    obligation = current_obligation(case, OBLIGATION)
    return obligation is not None and obligation.responsible_org_id == case.school_id


def _flagged(school_id: int, case: Case) -> bool:
    """The school is on one of the campaign's lists (its teachers are not independent)."""
    return bool(
        db.session.scalar(
            sa.select(Case.id).where(
                Case.school_id == school_id, Case.campaign_id == case.campaign_id
            )
        )
    )


def add_member(
    case: Case, expert: Expert, *, chair: bool, actor: User, observer: bool = False
) -> CommissionMember:
    """Put an expert on the case's commission, or an independent observer. An expert of a school
    on the campaign's lists is not independent; the school's own teachers check only in a school
    commission, and never observe."""
    _require(actor, case)
    if not expert.active or expert.municipality_id not in (
        register_of(case),
        case.campaign.region_id,
    ):
        raise InvalidInput(_("Choose an active expert from the register of the case's commission."))
    own = expert.school_id == case.school_id
    if own and (observer or not _school_commission(case)):
        raise InvalidInput(_("An expert cannot recheck the works of their own school."))
    if not own and _flagged(expert.school_id, case):
        raise InvalidInput(_("An expert of a school on the campaign's lists is not independent."))
    exists = db.session.scalar(
        sa.select(CommissionMember.id).where(
            CommissionMember.case_id == case.id, CommissionMember.expert_id == expert.id
        )
    )
    if exists:
        raise InvalidInput(_("The expert is already on the commission."))
    if chair:
        db.session.execute(
            sa.update(CommissionMember)
            .where(CommissionMember.case_id == case.id)
            .values(chair=False)
        )
    chair = chair and not observer
    member = CommissionMember(case_id=case.id, expert_id=expert.id, chair=chair, observer=observer)
    db.session.add(member)
    db.session.flush()
    audit.record(
        "recheck.member_added",
        actor=actor,
        object_type="case",
        object_id=case.id,
        org_id=case.school_id,
        case_id=case.id,
        after={"expert": expert.full_name, "chair": chair, "observer": observer},
    )
    return member


def members(case: Case) -> list[CommissionMember]:
    return list(
        db.session.scalars(
            sa.select(CommissionMember)
            .where(CommissionMember.case_id == case.id)
            .order_by(CommissionMember.chair.desc(), CommissionMember.id)
        )
    )


def works(case: Case) -> list[RecheckWork]:
    return list(
        db.session.scalars(
            sa.select(RecheckWork)
            .where(RecheckWork.case_id == case.id)
            .order_by(RecheckWork.subject, RecheckWork.grade, RecheckWork.participant)
        )
    )


def import_works(case: Case, data: bytes, *, actor: User) -> int:
    """Load the recheck results (§5) of the case's school, replacing the earlier rows."""
    _require(actor, case)
    frame, problems = read_recheck(data)
    if problems:
        raise FileRefused(problems)
    mine = frame[frame["school_login"].astype(str) == case.school.login]
    if mine.empty:
        raise InvalidInput(
            _("The file has no rows for the school %(login)s.", login=case.school.login)
        )
    db.session.execute(sa.delete(RecheckWork).where(RecheckWork.case_id == case.id))
    for r in mine.itertuples(index=False):
        db.session.add(
            RecheckWork(
                case_id=case.id,
                subject=str(r.subject),
                grade=int(r.grade),
                participant=str(r.participant),
                score_school=int(r.score_school),
                mark_school=int(r.mark_school),
                score_recheck=int(r.score_recheck),
                mark_recheck=int(r.mark_recheck),
            )
        )
    db.session.flush()
    audit.record(
        "recheck.works_imported",
        actor=actor,
        object_type="case",
        object_id=case.id,
        org_id=case.school_id,
        case_id=case.id,
        after={"works": len(mine)},
    )
    return len(mine)


def save_work(case: Case, values: dict[str, Any], *, actor: User) -> RecheckWork:
    """Enter or correct one work on screen (an expert's result may be filled in later)."""
    _require(actor, case)
    subject, grade, participant = (
        str(values["subject"]).strip(),
        int(values["grade"]),
        str(values["participant"]).strip(),
    )
    if not subject or not participant or not 4 <= grade <= 11:
        raise InvalidInput(_("Give the subject, the grade (4–11) and the participant's code."))
    for key in ("mark_school", "mark_recheck"):
        if values.get(key) is not None and int(values[key]) not in (2, 3, 4, 5):
            raise InvalidInput(_("A mark is 2, 3, 4 or 5."))
    work = db.session.scalars(
        sa.select(RecheckWork).where(
            RecheckWork.case_id == case.id,
            RecheckWork.subject == subject,
            RecheckWork.grade == grade,
            RecheckWork.participant == participant,
        )
    ).first() or RecheckWork(case_id=case.id, subject=subject, grade=grade, participant=participant)
    before = (
        {"score_recheck": work.score_recheck, "mark_recheck": work.mark_recheck}
        if work.id
        else None
    )
    work.score_school, work.mark_school = int(values["score_school"]), int(values["mark_school"])
    work.score_recheck = (
        int(values["score_recheck"]) if values.get("score_recheck") is not None else None
    )
    work.mark_recheck = (
        int(values["mark_recheck"]) if values.get("mark_recheck") is not None else None
    )
    db.session.add(work)
    db.session.flush()
    audit.record(
        "recheck.work_saved",
        actor=actor,
        object_type="case",
        object_id=case.id,
        org_id=case.school_id,
        case_id=case.id,
        before=before,
        after={
            "participant": participant,
            "score_recheck": work.score_recheck,
            "mark_recheck": work.mark_recheck,
        },
    )
    return work


def assign(case: Case, *, actor: User) -> int:
    """Share the works without an expert among the commission, in turn; returns how many."""
    _require(actor, case)
    team = [m for m in members(case) if not m.observer]
    if not team:
        raise InvalidInput(_("Form the commission first."))
    pending = [w for w in works(case) if w.expert_id is None]
    for index, work in enumerate(pending):
        work.expert_id = team[index % len(team)].expert_id
    db.session.flush()
    return len(pending)


def rechecked_rows(case: Case) -> list[sa.Row[Any]]:
    """The rechecked works (those with the experts' result) as plain rows, in the order of
    the works' list: one statement, built once."""
    return list(db.session.execute(_RECHECKED, {"case_id": case.id}))


_RECHECKED = (
    sa.select(
        RecheckWork.subject,
        RecheckWork.grade,
        RecheckWork.participant,
        RecheckWork.score_school,
        RecheckWork.score_recheck,
        RecheckWork.mark_school,
        RecheckWork.mark_recheck,
    )
    .where(
        RecheckWork.case_id == sa.bindparam("case_id", type_=sa.Integer),
        RecheckWork.score_recheck.is_not(None),
    )
    .order_by(RecheckWork.subject, RecheckWork.grade, RecheckWork.participant)
)


def frame(case: Case, rows: list[sa.Row[Any]] | None = None) -> pd.DataFrame:
    """The rechecked works as the analytics want them (of ``rows`` when read already)."""
    login = case.school.login
    return pd.DataFrame(
        [
            {
                "school_login": login,
                "subject": w.subject,
                "grade": w.grade,
                "participant": w.participant,
                "score_school": w.score_school,
                "score_recheck": w.score_recheck,
                "mark_school": w.mark_school,
                "mark_recheck": w.mark_recheck,
            }
            for w in (rechecked_rows(case) if rows is None else rows)
        ]
    )


def statistics(case: Case) -> dict[str, Any] | None:
    """The protocol's figures; None before any work is rechecked (without pandas: a page of a
    case with nothing rechecked does not import it). Pages show the chart from its own
    address (scatter_png), so that showing the figures never draws it."""
    rows = rechecked_rows(case)
    return _statistics(case, frame(case, rows)) if rows else None


def _statistics(case: Case, rechecked: pd.DataFrame) -> dict[str, Any] | None:
    return None if rechecked.empty else recheck_protocol(rechecked, case.school.login or "")


def scatter_png(case: Case) -> bytes | None:
    """The school's scores against the experts' (drawn now); None before any work is rechecked."""
    return _scatter(frame(case))


def _scatter(rechecked: pd.DataFrame) -> bytes | None:
    if rechecked.empty:
        return None
    return charts.recheck_scatter_png(
        rechecked["score_school"],
        rechecked["score_recheck"],
        title=_("School scores and recheck scores"),
    )


def hand_in_protocol(case: Case, *, actor: User, now: datetime | None = None) -> DocumentVersion:
    """Print the protocol (commission, works, statistics) and hand the obligation in."""
    if frame(case).empty:
        raise InvalidInput(_("Enter the experts' results before handing the protocol in."))
    commission = members(case)
    own = any(m.expert.school_id == case.school_id for m in commission if not m.observer)
    if own and not any(m.observer for m in commission):
        raise InvalidInput(
            _("A school's own commission checks under an independent observer: add one first.")
        )
    with force_locale("ru"):
        context, images = printable(case)
    return hand_in_record(
        case,
        OBLIGATION,
        "recheck_protocol",
        context,
        actor=actor,
        images=images,
        title="Протокол перепроверки",
        now=now,
    )


def printable(case: Case) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The commission, the works and their statistics (blank tables before the recheck)."""
    commission = [
        {
            "role": "Председатель комиссии"
            if m.chair
            else "Независимый наблюдатель"
            if m.observer
            else "Член комиссии",
            "name": m.expert.full_name,
            "position": f"{m.expert.position or 'учитель'} "
            f"{inflect(m.expert.school.name, 'gent', in_sentence=True)}",
        }
        for m in members(case)
    ]
    rechecked = frame(case)  # read once for the figures and the chart
    found = _statistics(case, rechecked)
    base = {"commission": commission, "charts": [], "conclusion": None}
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
    scatter = _scatter(rechecked)
    images = {} if scatter is None else {"scatter": scatter}
    charts = [{"title": "Первичные баллы до и после перепроверки", "image": k} for k in images]
    return {
        **base,
        "works": works,
        "by_work": by_work,
        "summary": summary,
        "charts": charts,
    }, images
