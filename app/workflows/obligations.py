"""Operations on obligations: submit, accept or return, waive, assign a person."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from app import access, audit
from app.errors import Conflict, InvalidInput, NotAllowed
from app.extensions import db
from app.models.case import Case, Obligation, ObligationStatus
from app.models.document import DocumentVersion, ReviewStatus
from app.models.plan import DateKind
from app.models.types import utcnow
from app.models.user import User
from app.workflows import stages
from app.workflows.clock import case_date
from app.workflows.derive import follow_ups
from app.workflows.locking import lock, locked


def _record(
    action: str,
    obligation: Obligation,
    actor: User,
    before: ObligationStatus,
    *,
    reason: str | None = None,
    extra: dict[str, object] | None = None,
) -> None:
    after: dict[str, object] = {"status": obligation.status.value, **(extra or {})}
    audit.record_obligation(
        action,
        obligation,
        actor=actor,
        before={"status": before.value},
        after=after,
        reason=reason,
    )


# Measures answered by a record of their own (a form, a protocol, a roadmap): the record's
# hand-in prints it, so a plain submission would leave the obligation without its content.
RECORD_PREFIXES = ("form:", "record:", "roadmap:")


def _touch(obligation: Obligation, actor: User, now: datetime) -> None:
    obligation.updated_at, obligation.updated_by_id = now, actor.id


def _settled(obligation: Obligation, actor: User, now: datetime) -> None:
    """After a state change: the measures that follow an accepted one start their terms, and
    the case's stage follows its obligations."""
    follow_ups(obligation, actor=actor)
    stages.refresh(obligation.case, actor=actor, now=now)


def hand_in(obligation: Obligation, *, actor: User, now: datetime, note: str | None = None) -> None:
    """The state change of a submission (the caller has locked and checked the obligation);
    with no reviewer the obligation is done at once."""
    if obligation.status not in (ObligationStatus.OPEN, ObligationStatus.RETURNED):
        raise Conflict(_("This obligation is not waiting for a submission."))
    before = obligation.status
    obligation.submitted_at = now
    if obligation.reviewer_level is None:
        obligation.status, obligation.completed_at = ObligationStatus.ACCEPTED, now
        obligation.completed_on = case_date(obligation.case, now)
    else:
        obligation.status = ObligationStatus.SUBMITTED
    obligation.comment = None
    _touch(obligation, actor, now)
    _record("obligation.submitted", obligation, actor, before, reason=note)
    db.session.flush()
    _settled(obligation, actor, now)


def submit(
    obligation_id: int,
    *,
    actor: User,
    expected_version: int | None,
    note: str | None = None,
    now: datetime | None = None,
) -> Obligation:
    """The responsible party hands in an obligation that takes no document (one that does is
    handed in by uploading the document)."""
    now = now or utcnow()
    obligation = locked(Obligation, obligation_id, expected_version)
    if not access.is_responsible(actor, obligation):
        raise NotAllowed(_("Only the responsible organisation submits this obligation."))
    if obligation.document_types:
        raise Conflict(_("Upload the document: it is what the obligation asks for."))
    if obligation.takes.startswith(RECORD_PREFIXES):
        raise Conflict(_("Fill in its record on the case page: handing it in prints it."))
    if obligation.takes == "attendance":
        raise Conflict(_("Attendance is recorded by the ministry after the session."))
    hand_in(obligation, actor=actor, now=now, note=note)
    return obligation


def _decide(
    obligation: Obligation, accept: bool, comment: str | None, actor: User, now: datetime
) -> None:
    before = obligation.status
    if accept:
        # Done when it was handed in: a timely submission accepted later is still on time.
        obligation.status = ObligationStatus.ACCEPTED
        obligation.completed_at = obligation.submitted_at or now
        obligation.completed_on = case_date(obligation.case, obligation.completed_at)
    else:
        obligation.status = ObligationStatus.RETURNED
    obligation.comment = comment
    _touch(obligation, actor, now)
    latest = obligation.document.latest if obligation.document else None
    _record(
        "obligation.accepted" if accept else "obligation.returned",
        obligation,
        actor,
        before,
        reason=comment,
        extra={"document_version": latest.number} if latest else None,
    )


def _mark_version(
    obligation: Obligation, accept: bool, comment: str | None, actor: User, now: datetime
) -> None:
    latest = obligation.document.latest if obligation.document else None
    # A scan of the signed paper is decided together with the version it is the copy of.
    for version in (latest, latest.signed_copy_of if latest else None):
        if version is not None:
            version.review_status = ReviewStatus.ACCEPTED if accept else ReviewStatus.RETURNED
            version.review_comment, version.reviewed_at = comment, now
            version.reviewed_by_id = actor.id


def review(
    obligation_id: int,
    *,
    accept: bool,
    actor: User,
    expected_version: int | None,
    comment: str | None = None,
    now: datetime | None = None,
) -> Obligation:
    """The reviewer accepts the submission, or returns it with a comment. A municipality-wide
    act is decided once for every case it was handed in for."""
    now = now or utcnow()
    obligation = locked(Obligation, obligation_id, expected_version)
    if obligation.status is not ObligationStatus.SUBMITTED:
        raise Conflict(_("There is no submission to review."))
    if not access.can_review(actor, obligation):
        raise NotAllowed(_("Your role does not review this obligation."))
    comment = (comment or "").strip() or None
    if not accept and not comment:
        raise InvalidInput(_("Say what has to be corrected."))
    targets = [obligation]
    if obligation.document is not None and obligation.document.case_id is None:
        targets += [lock(Obligation, i) for i in _same_act(obligation)]
    for target in targets:
        _decide(target, accept, comment, actor, now)
    _mark_version(obligation, accept, comment, actor, now)
    db.session.flush()
    for target in targets:
        _settled(target, actor, now)
    return obligation


# An accidental acceptance is cheap to take back while nobody has acted on it yet.
UNDO_WINDOW = timedelta(minutes=10)


def _withdrawable_version(
    obligation: Obligation, actor: User, now: datetime
) -> DocumentVersion | None:
    """The version whose acceptance ``actor`` may still withdraw: accepted by them within the
    window, of a document of this case alone (a municipality-wide act is decided for many)."""
    if obligation.status is not ObligationStatus.ACCEPTED or obligation.document is None:
        return None
    latest = obligation.document.latest
    if obligation.document.case_id is None or latest is None:
        return None
    if latest.review_status is not ReviewStatus.ACCEPTED or latest.reviewed_by_id != actor.id:
        return None
    if latest.reviewed_at is None or now - latest.reviewed_at > UNDO_WINDOW:
        return None
    return latest


def withdrawable(case: Case, actor: User, now: datetime | None = None) -> dict[int, datetime]:
    """Obligations of the case whose acceptance ``actor`` may withdraw, with the moment the
    possibility ends."""
    now = now or utcnow()
    found: dict[int, datetime] = {}
    for obligation in case.obligations:
        version = _withdrawable_version(obligation, actor, now)
        if version is not None and version.reviewed_at is not None:
            found[obligation.id] = version.reviewed_at + UNDO_WINDOW
    return found


def withdraw_acceptance(
    obligation_id: int, *, actor: User, expected_version: int | None, now: datetime | None = None
) -> Obligation:
    """The reviewer takes back an acceptance made by mistake, within minutes: the submission is
    awaiting review again and the terms the acceptance started are unset; the history keeps both."""
    now = now or utcnow()
    obligation = locked(Obligation, obligation_id, expected_version)
    if not access.is_reviewer(actor, obligation):
        raise NotAllowed(_("Your role does not review this obligation."))
    version = _withdrawable_version(obligation, actor, now)
    if version is None:
        raise Conflict(
            ngettext(
                "The acceptance can no longer be withdrawn: only its reviewer can, within"
                " %(num)d minute.",
                "The acceptance can no longer be withdrawn: only its reviewer can, within"
                " %(num)d minutes.",
                int(UNDO_WINDOW.total_seconds() // 60),
            )
        )
    before = obligation.status
    obligation.status = ObligationStatus.SUBMITTED
    obligation.completed_at = obligation.completed_on = None
    obligation.comment = None
    for v in (version, version.signed_copy_of):
        if v is not None:
            v.review_status, v.review_comment = ReviewStatus.PENDING, None
            v.reviewed_at, v.reviewed_by_id = None, None
    _touch(obligation, actor, now)
    _record(
        "obligation.acceptance_withdrawn",
        obligation,
        actor,
        before,
        extra={"document_version": version.number},
    )
    _unset_follow_ups(obligation, actor)
    db.session.flush()
    stages.refresh(obligation.case, actor=actor, now=now)
    return obligation


def _unset_follow_ups(withdrawn: Obligation, actor: User) -> None:
    """Terms «N working days after» the withdrawn acceptance wait for its next acceptance."""
    for o in withdrawn.case.obligations:
        if (
            o.due_date is not None
            and o.status is ObligationStatus.OPEN
            and o.measure.date_kind is DateKind.AFTER_MEASURE
            and o.measure.after_key == withdrawn.obligation_type
        ):
            audit.record_obligation(
                "obligation.due_changed",
                o,
                actor=actor,
                before={"due_date": o.due_date},
                after={"due_date": None, "cause": "acceptance_withdrawn"},
            )
            o.due_date = None


def _same_act(obligation: Obligation) -> list[int]:
    """Other submitted obligations answered by the same municipality-wide document."""
    return list(
        db.session.scalars(
            sa.select(Obligation.id)
            .where(
                Obligation.document_id == obligation.document_id,
                Obligation.status == ObligationStatus.SUBMITTED,
                Obligation.id != obligation.id,
            )
            .order_by(Obligation.id)
        )
    )


def waive(
    obligation_id: int,
    *,
    actor: User,
    reason: str,
    expected_version: int | None,
    now: datetime | None = None,
) -> Obligation:
    """The ministry releases the responsible party from the obligation, with a reason."""
    now = now or utcnow()
    obligation = locked(Obligation, obligation_id, expected_version)
    if not access.can_waive(actor, obligation):
        raise NotAllowed(_("Only the ministry waives obligations that are not done."))
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Give a reason for waiving the obligation."))
    before = obligation.status
    obligation.status, obligation.completed_at = ObligationStatus.WAIVED, now
    obligation.completed_on = case_date(obligation.case, now)
    obligation.comment = reason
    _touch(obligation, actor, now)
    _record("obligation.waived", obligation, actor, before, reason=reason)
    db.session.flush()
    _settled(obligation, actor, now)
    return obligation


def assign_person(
    obligation_id: int, person: User | None, *, actor: User, expected_version: int | None
) -> Obligation:
    """Name the person responsible within the responsible organisation (or clear it)."""
    obligation = locked(Obligation, obligation_id, expected_version)
    if not access.can_assign_person(actor, obligation):
        raise NotAllowed(_("Only the responsible organisation or the ministry assigns a person."))
    if person is not None and person.organisation_id != obligation.responsible_org_id:
        raise InvalidInput(_("The person must belong to the responsible organisation."))
    before = obligation.responsible_user_id
    obligation.responsible_user_id = person.id if person else None
    _touch(obligation, actor, utcnow())
    audit.record_obligation(
        "obligation.assigned",
        obligation,
        actor=actor,
        before={"responsible_user_id": before},
        after={"responsible_user_id": obligation.responsible_user_id},
    )
    db.session.flush()
    return obligation


def accept_on_record(
    obligation_id: int, *, actor: User, when: datetime, reason: str, now: datetime | None = None
) -> Obligation:
    """The reviewer records that the obligation was met (a session attended): it is accepted as
    done on ``when`` without a document."""
    now = now or utcnow()
    obligation = lock(Obligation, obligation_id)
    if not access.is_reviewer(actor, obligation):
        raise NotAllowed(_("Your role does not review this obligation."))
    if obligation.is_done():
        return obligation
    before = obligation.status
    obligation.status, obligation.submitted_at = ObligationStatus.ACCEPTED, when
    obligation.completed_at, obligation.completed_on = when, case_date(obligation.case, when)
    _touch(obligation, actor, now)
    _record("obligation.accepted", obligation, actor, before, reason=reason)
    db.session.flush()
    _settled(obligation, actor, now)
    return obligation
