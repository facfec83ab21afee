"""Strategic sessions with the management teams of flagged schools (seeds 000 and 001): the
ministry plans them, invites cases up to the capacity, schools name their participants,
attendance is recorded and closes the school's obligation; decisions and materials are kept on
the session for the invited schools; absence shows on the dashboard."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from app import access, audit
from app.documents import checks
from app.documents.versions import store_version
from app.errors import Conflict, InvalidInput, NotAllowed
from app.extensions import db
from app.models.case import PENDING_STATUSES, Campaign, Case, CaseStatus, Obligation
from app.models.document import Document, DocumentVersion
from app.models.stage import SessionInvite, StrategicSession
from app.models.user import User
from app.stages.records import current_obligation
from app.workflows import obligations

OBLIGATION = "attendance"
# The directions of seed 000 (letter of the Kaliningrad ministry, 08.11.2023).
DIRECTIONS = (
    "Анализ результатов оценочных процедур и причин необъективности",
    "Внутренняя система оценки качества образования (ВСОКО)",
    "Управление качеством образования: цели, показатели, решения",
    "Работа с педагогическими кадрами: профессиональные дефициты и их преодоление",
    "Организация и проведение оценочных процедур: наблюдение, кодирование, перекрёстная проверка",
    "Взаимодействие с родителями и общественностью",
)


def _ministry(actor: User, region_id: int) -> None:
    if not access.can_run_sessions(actor, region_id):
        raise NotAllowed(_("Only the ministry runs strategic sessions."))


def plan(
    campaign: Campaign,
    *,
    title: str,
    starts_at: datetime,
    place: str | None,
    online_link: str | None,
    directions: list[str],
    capacity: int,
    actor: User,
) -> StrategicSession:
    """A new session of the campaign."""
    _ministry(actor, campaign.region_id)
    if not title.strip() or not (place or online_link):
        raise InvalidInput(_("Give the session a title and a place or an online link."))
    if not 1 <= capacity <= 500:
        raise InvalidInput(_("The capacity is between 1 and 500 schools."))
    if online_link and not online_link.startswith(("https://", "http://")):
        raise InvalidInput(_("The online link must start with https://."))
    session = StrategicSession(
        region_id=campaign.region_id,
        campaign_id=campaign.id,
        title=title.strip(),
        starts_at=starts_at,
        place=(place or "").strip() or None,
        online_link=(online_link or "").strip() or None,
        directions=[d for d in directions if d in DIRECTIONS],
        capacity=capacity,
    )
    db.session.add(session)
    db.session.flush()
    audit.record(
        "session.planned",
        actor=actor,
        object_type="session",
        object_id=session.id,
        org_id=campaign.region_id,
        after={"title": session.title, "starts_at": starts_at, "capacity": capacity},
    )
    return session


def eligible_cases(session: StrategicSession) -> list[Case]:
    """Open cases of the campaign whose plan asks for a strategic session they have not
    attended, not invited yet."""
    invited = sa.select(SessionInvite.case_id).where(SessionInvite.session_id == session.id)
    owing = sa.select(Obligation.case_id).where(
        Obligation.takes == OBLIGATION, Obligation.status.in_(PENDING_STATUSES)
    )
    return list(
        db.session.scalars(
            sa.select(Case)
            .where(
                Case.campaign_id == session.campaign_id,
                Case.status == CaseStatus.OPEN,
                Case.id.in_(owing),
                Case.id.not_in(invited),
            )
            .order_by(Case.id)
        )
    )


def invite(session: StrategicSession, cases: list[Case], *, actor: User) -> list[SessionInvite]:
    """Invite the management teams of these cases, within the capacity."""
    _ministry(actor, session.region_id)
    if session.cancelled_at is not None:
        raise Conflict(_("The session is cancelled."))
    if len(session.invites) + len(cases) > session.capacity:
        raise Conflict(
            _(
                "The session has room for %(n)d more schools.",
                n=session.capacity - len(session.invites),
            )
        )
    allowed = {c.id for c in eligible_cases(session)}
    created = []
    for case in cases:
        if case.id not in allowed:
            raise InvalidInput(_("Only open cases that owe a strategic session can be invited."))
        created.append(SessionInvite(session_id=session.id, case_id=case.id, participants=[]))
        db.session.add(created[-1])
    db.session.flush()
    db.session.refresh(session, ["invites"])
    audit.record(
        "session.invited",
        actor=actor,
        object_type="session",
        object_id=session.id,
        org_id=session.region_id,
        after={"cases": [c.id for c in cases]},
    )
    return created


def _took_place(session: StrategicSession) -> bool:
    return any(invite_row.attended is not None for invite_row in session.invites)


def _open_for_change(session: StrategicSession, actor: User, reason: str) -> str:
    _ministry(actor, session.region_id)
    if session.cancelled_at is not None:
        raise Conflict(_("The session is cancelled."))
    if _took_place(session):
        raise Conflict(_("Attendance is recorded: the session has taken place."))
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Say why: the invited schools read it in the history."))
    return reason


def reschedule(
    session: StrategicSession,
    *,
    starts_at: datetime,
    place: str | None,
    online_link: str | None,
    reason: str,
    actor: User,
) -> None:
    """Move the session or change where it is held, before it has taken place."""
    reason = _open_for_change(session, actor, reason)
    place, online_link = (place or "").strip() or None, (online_link or "").strip() or None
    if not (place or online_link):
        raise InvalidInput(_("Give the session a place or an online link."))
    if online_link and not online_link.startswith(("https://", "http://")):
        raise InvalidInput(_("The online link must start with https://."))
    before = {"starts_at": session.starts_at, "place": session.place, "link": session.online_link}
    session.starts_at, session.place, session.online_link = starts_at, place, online_link
    audit.record(
        "session.changed",
        actor=actor,
        object_type="session",
        object_id=session.id,
        org_id=session.region_id,
        before=before,
        after={
            "starts_at": starts_at,
            "place": place,
            "link": online_link,
            "cases": [i.case_id for i in session.invites],
        },
        reason=reason,
    )


def cancel(session: StrategicSession, *, reason: str, actor: User, now: datetime) -> None:
    """Cancel a session that has not taken place; its schools still owe a session and can be
    invited to another."""
    reason = _open_for_change(session, actor, reason)
    session.cancelled_at, session.cancel_reason = now, reason
    audit.record(
        "session.cancelled",
        actor=actor,
        object_type="session",
        object_id=session.id,
        org_id=session.region_id,
        after={"cases": [i.case_id for i in session.invites]},
        reason=reason,
    )


def name_participants(
    invite_row: SessionInvite, participants: list[dict[str, str]], *, actor: User
) -> None:
    """The school names who of its management team will attend."""
    case = db.session.get(Case, invite_row.case_id)
    assert case is not None
    if not access.can_name_participants(actor, case):
        raise NotAllowed(_("The school names its own participants."))
    cleaned = [
        {"name": p["name"].strip()[:200], "position": p.get("position", "").strip()[:200]}
        for p in participants
        if p.get("name", "").strip()
    ][:10]
    if not cleaned:
        raise InvalidInput(_("Name at least one participant."))
    invite_row.participants = cleaned
    audit.record(
        "session.participants_named",
        actor=actor,
        object_type="session",
        object_id=invite_row.session_id,
        org_id=case.school_id,
        case_id=case.id,
        after={"participants": cleaned},
    )


def record_attendance(
    invite_row: SessionInvite, attended: bool, *, actor: User, now: datetime
) -> None:
    """Whether the team came; attending closes the school's strategic-session obligation."""
    session = invite_row.session
    _ministry(actor, session.region_id)
    if session.cancelled_at is not None:
        raise Conflict(_("The session is cancelled."))
    if now < session.starts_at:
        raise Conflict(_("Attendance is recorded once the session has begun."))
    case = db.session.get(Case, invite_row.case_id)
    assert case is not None
    invite_row.attended, invite_row.recorded_at = attended, now
    audit.record(
        "session.attendance",
        actor=actor,
        object_type="session",
        object_id=session.id,
        org_id=case.school_id,
        case_id=case.id,
        after={"attended": attended},
    )
    obligation = current_obligation(case, OBLIGATION)
    if attended and obligation is not None and not obligation.is_done():
        obligations.accept_on_record(
            obligation.id,
            actor=actor,
            when=session.starts_at,
            reason=_("The management team attended «%(t)s».", t=session.title),
        )


def record_decisions(session: StrategicSession, text: str, *, actor: User) -> None:
    """The session's decisions, for every invited school to read."""
    _ministry(actor, session.region_id)
    session.decisions = text.strip()[:20000] or None
    audit.record(
        "session.decisions",
        actor=actor,
        object_type="session",
        object_id=session.id,
        org_id=session.region_id,
        after={"decisions": session.decisions},
    )


def attach_material(
    session: StrategicSession, name: str, data: bytes, *, actor: User, max_bytes: int
) -> DocumentVersion:
    """A file of the session (programme, presentation, resolution) for its invited schools."""
    _ministry(actor, session.region_id)
    kind, filename = checks.check_upload(name, data, max_bytes)
    document = Document(
        owner_org_id=session.region_id,
        campaign_id=session.campaign_id,
        session_id=session.id,
        kind="session_material",
        created_by_id=actor.id,
    )
    db.session.add(document)
    db.session.flush()
    version = store_version(document, data, kind, filename, actor=actor)
    audit.record(
        "session.material",
        actor=actor,
        object_type="session",
        object_id=session.id,
        org_id=session.region_id,
        after={"document": document.id, "filename": filename, "sha256": version.sha256},
    )
    return version


def materials(session: StrategicSession) -> list[Document]:
    """The session's files, oldest first."""
    return list(
        db.session.scalars(
            sa.select(Document).where(Document.session_id == session.id).order_by(Document.id)
        )
    )


def sessions_for(user: User) -> list[StrategicSession]:
    """The sessions the user may open, newest first."""
    return list(db.session.scalars(access.sessions_stmt(user)))


def absences(region_id: int, campaign_id: int | None) -> list[tuple[SessionInvite, Case]]:
    """Invited teams recorded as absent (for the dashboard)."""
    stmt = (
        sa.select(SessionInvite, Case)
        .join(Case, Case.id == SessionInvite.case_id)
        .join(StrategicSession, StrategicSession.id == SessionInvite.session_id)
        .where(StrategicSession.region_id == region_id, SessionInvite.attended.is_(False))
    )
    if campaign_id:
        stmt = stmt.where(StrategicSession.campaign_id == campaign_id)
    return [(i, c) for i, c in db.session.execute(stmt)]
