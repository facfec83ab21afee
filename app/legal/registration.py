"""Registering a signed act: the number and date its issuing organisation's office gave it, and
the scan of the signed paper stored as a version of its own, the signed copy, beside the text
that was signed (a generated version is kept as it was)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from app import access, audit
from app.documents import checks
from app.documents.versions import store_version
from app.errors import Conflict, InvalidInput, NotAllowed
from app.extensions import db
from app.legal.numbers import (
    EARLIEST,
    InvalidField,
    check_not_ahead,
    check_number,
    clean_number,
    dotted,
)
from app.models.document import Document, DocumentVersion
from app.models.types import utcnow
from app.models.user import User

log = logging.getLogger(__name__)

REGISTERED = "document.registered"
SIGNED_COPY = "document.signed_copy"
# A signed copy is a scan of the paper.
SCANS = (checks.PDF, checks.JPEG, checks.PNG)


@dataclass(frozen=True)
class Scan:
    """An uploaded file offered as the scan of the signed paper."""

    filename: str
    data: bytes


def signed_original(document: Document) -> DocumentVersion | None:
    """The version a signature belongs to: the newest one, or the one the newest is the signed
    copy of."""
    latest = document.latest
    if latest is None:
        return None
    return latest.signed_copy_of or latest


def state_of(version: DocumentVersion) -> str:
    """What the signature form was opened on («3|998|2023-12-29»): a later change refuses it."""
    day = version.reg_date.isoformat() if version.reg_date else ""
    return f"{version.number}|{version.reg_number or ''}|{day}"


def _local_day(version: DocumentVersion) -> date:
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return version.uploaded_at.astimezone(zone).date()


def _check(version: DocumentVersion, number: str | None, day: date | None, today: date) -> str:
    if number is None:
        raise InvalidField("number", _("Enter the number the act was registered under."))
    if day is None:
        raise InvalidField("date", _("Enter the date the act was signed."))
    check_number(number)
    check_not_ahead(day, today)
    if version.template_key and day < _local_day(version):
        raise InvalidField(
            "date",
            _(
                "This version was generated on %(made)s: it cannot have been signed on %(day)s.",
                made=dotted(_local_day(version)),
                day=dotted(day),
            ),
        )
    if day < EARLIEST:
        raise InvalidField("date", _("%(day)s is too early for a registration.", day=dotted(day)))
    return number


def _register(
    document: Document, version: DocumentVersion, number: str, day: date, actor: User
) -> bool:
    if (version.reg_number, version.reg_date) == (number, day):
        return False
    before = {"version": version.number, "number": version.reg_number, "date": version.reg_date}
    version.reg_number, version.reg_date = number, day
    version.registered_at, version.registered_by_id = utcnow(), actor.id
    db.session.flush()
    audit.record(
        REGISTERED,
        actor=actor,
        object_type="document",
        object_id=document.id,
        org_id=document.owner_org_id,
        case_id=document.case_id,
        before=before,
        after={"version": version.number, "number": number, "date": day},
    )
    return True


def _attach(
    document: Document, original: DocumentVersion, scan: Scan, actor: User
) -> DocumentVersion:
    kind, filename = checks.check_upload(
        scan.filename, scan.data, current_app.config["MAX_CONTENT_LENGTH"]
    )
    if kind not in SCANS:
        raise InvalidField(
            "file",
            _(
                "A signed copy is a scan of the paper: upload it as PDF, JPG or PNG, not %(type)s.",
                type=kind.label,
            ),
        )
    copy = store_version(document, scan.data, kind, filename, actor=actor)
    copy.signed_copy_of_id = original.id
    # The scan is the paper of the version that was handed in: it carries that version's review,
    # so that the newest version still says where the document stands.
    copy.review_status, copy.review_comment = original.review_status, original.review_comment
    copy.reviewed_at, copy.reviewed_by_id = original.reviewed_at, original.reviewed_by_id
    db.session.flush()
    audit.record(
        SIGNED_COPY,
        actor=actor,
        object_type="document",
        object_id=document.id,
        org_id=document.owner_org_id,
        case_id=document.case_id,
        after={"version": copy.number, "copy_of": original.number, "sha256": copy.sha256},
    )
    return copy


def record_signature(
    document: Document,
    number: str | None,
    day: date | None,
    scan: Scan | None,
    *,
    actor: User,
    today: date,
    expected: str | None,
) -> DocumentVersion:
    """Register the document's signed version under its number and date and, when a scan of the
    signed paper is given, store it as the signed copy; each change goes into the history.
    Returns the signed copy, or the registered version."""
    if not access.can_register_act(actor, document):
        raise NotAllowed(_("Only the organisation that issues this act registers it."))
    original = signed_original(document)
    if original is None:
        raise InvalidInput(_("The document has no version to register yet."))
    original = db.session.scalars(
        sa.select(DocumentVersion)
        .where(DocumentVersion.id == original.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    if expected is not None and expected != state_of(original):
        raise Conflict(
            _(
                "The document or its registration changed after you opened the page. Reload "
                "the page and try again."
            )
        )
    number = _check(original, clean_number(number), day, today)
    assert day is not None  # checked above
    registered = _register(document, original, number, day, actor)
    if scan is not None:
        return _attach(document, original, scan, actor)
    if not registered:
        raise InvalidInput(_("Nothing to record: the registration is as it was."))
    log.info("document %s version %s registered by user %s", document.id, original.number, actor.id)
    return original
