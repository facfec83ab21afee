"""One sweep: every notice the schedule implies as of a moment, each created exactly once."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import joinedload

from app.accounts.users import acting_users
from app.extensions import db
from app.models.case import PENDING_STATUSES, Case, CaseStatus, Level, Obligation
from app.models.notify import Notification, NotificationLog
from app.models.types import utcnow
from app.models.user import User
from app.notices import rules
from app.plans import calendar
from app.workflows.clock import local_date
from app.workflows.derive import org_of_level

log = logging.getLogger(__name__)
SUPERVISOR = {
    Level.SCHOOL: Level.MUNICIPALITY,
    Level.LEADER_SCHOOL: Level.MUNICIPALITY,
    Level.METHOD_CENTRE: Level.MUNICIPALITY,
    Level.MUNICIPALITY: Level.REGION,
    Level.INSTITUTE: Level.REGION,
}


@dataclass
class SweepReport:
    today: Any = None
    sent: Counter[str] = field(default_factory=Counter)
    already: int = 0

    @property
    def total(self) -> int:
        return sum(self.sent.values())


def policy() -> rules.Policy:
    """The notice policy from the settings."""
    cfg = current_app.config
    return rules.Policy(tuple(cfg["OKO_REMIND_DAYS"]), cfg["OKO_ESCALATE_AFTER_DAYS"])


def recipients(obligation: Obligation, kind: str) -> list[User]:
    """The responsible people; for an escalation, the supervising organisation's."""
    level = obligation.level
    if kind == rules.ESCALATION:
        supervisor = SUPERVISOR.get(level)
        if supervisor is None:
            return []
        above = org_of_level(obligation.case, supervisor)
        if above == obligation.responsible_org_id:
            return []  # the ministry acting for a school under the region answers to itself
        return acting_users(above)
    if obligation.responsible_user is not None and obligation.responsible_user.active:
        return [obligation.responsible_user]
    return acting_users(obligation.responsible_org_id)


def claim(subject: str, kind: str, offset: int, recipient: User) -> bool:
    """Insert the log row unless it exists; True when this sweep is the one that sends."""
    table = NotificationLog.__table__
    dialect = db.session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    stmt = (
        insert.values(
            subject=subject,
            kind=kind,
            offset_days=offset,
            recipient_id=recipient.id,
            created_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["subject", "kind", "offset_days", "recipient_id"])
        .returning(table.c.id)
    )
    return db.session.execute(stmt).first() is not None


def _notify(
    user: User,
    kind: str,
    *,
    case: Case | None,
    obligation: Obligation | None,
    params: dict[str, Any],
) -> None:
    mode = "skipped" if user.email_mode != "each" else "pending"
    db.session.add(
        Notification(
            user_id=user.id,
            kind=kind,
            case_id=case.id if case else None,
            obligation_id=obligation.id if obligation else None,
            params=params,
            email_status=mode,
        )
    )


def _pending_obligations(today: Any, pol: rules.Policy) -> list[Obligation]:
    horizon = today + timedelta(days=2 * max(pol.remind_days) + 14)  # covers N working days
    return list(
        db.session.scalars(
            sa.select(Obligation)
            .join(Case, Case.id == Obligation.case_id)
            .where(
                Obligation.status.in_(PENDING_STATUSES),
                Obligation.due_date.is_not(None),
                Obligation.due_date <= horizon,
                Case.status == CaseStatus.OPEN,
            )
            .options(
                joinedload(Obligation.case).joinedload(Case.campaign),
                joinedload(Obligation.responsible_user),
            )
            .order_by(Obligation.due_date, Obligation.id)
        ).unique()
    )


def _obligation_notices(today: Any, pol: rules.Policy, report: SweepReport) -> None:
    obligations = _pending_obligations(today, pol)
    if not obligations:
        return
    first = min(o.due_date for o in obligations if o.due_date is not None)
    cal = calendar.load(first - timedelta(days=40), today + timedelta(days=60))
    for obligation in obligations:
        assert obligation.due_date is not None  # the query keeps only dated ones
        last_day = (
            obligation.due_date
            if obligation.due_inclusive
            else cal.previous_working(obligation.due_date - timedelta(days=1))
        )  # «до» a date: the day before is the last one
        for notice in rules.notices_due(last_day, today, cal, pol):
            for person in recipients(obligation, notice.kind):
                if not claim(f"obligation:{obligation.id}", notice.kind, notice.offset, person):
                    report.already += 1
                    continue
                params = {
                    "due_date": obligation.due_date.isoformat(),
                    "offset": notice.offset,
                    "type": obligation.obligation_type,
                    "school": obligation.case.school.name,
                }
                _notify(
                    person, notice.kind, case=obligation.case, obligation=obligation, params=params
                )
                report.sent[notice.kind] += 1


def sweep(now: datetime | None = None) -> SweepReport:
    """Create every notice due as of ``now`` that has not been created before (one transaction,
    committed by the caller; e-mails go out after the commit)."""
    today = local_date(now)
    report = SweepReport(today=today)
    _obligation_notices(today, policy(), report)
    db.session.flush()
    log.info("sweep %s: %s new notices, %s already sent", today, dict(report.sent), report.already)
    return report


__all__ = ["SweepReport", "sweep"]
