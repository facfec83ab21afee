"""Shared steps of stage records: finding the obligation a record answers, and handing a
generated document in for it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from app.documents import checks
from app.documents.contexts import common
from app.documents.generate import active_template
from app.documents.render import render
from app.documents.service import hand_in_version
from app.domain import Conflict, NotAllowed
from app.models.case import PENDING_STATUSES, Case, Obligation
from app.models.document import DocumentVersion
from app.models.types import utcnow
from app.models.user import User
from app.workflows import permissions
from app.workflows.locking import lock


def current_obligation(case: Case, obligation_type: str) -> Obligation | None:
    """The case's newest obligation of a type (from its latest stay in the stage)."""
    found = [o for o in case.obligations if o.obligation_type == obligation_type]
    return max(found, key=lambda o: o.id) if found else None


def editable(case: Case, obligation_type: str) -> bool:
    """A record may be changed while its obligation still waits for a submission."""
    obligation = current_obligation(case, obligation_type)
    return obligation is not None and obligation.status in PENDING_STATUSES


def require_responsible(user: User, case: Case, obligation_type: str) -> Obligation:
    """The pending obligation the user's organisation must answer, or a refusal saying why."""
    obligation = current_obligation(case, obligation_type)
    if obligation is None:
        raise Conflict(_("The case has not reached the stage of this record yet."))
    if not permissions.is_responsible(user, obligation):
        raise NotAllowed(_("Only the responsible organisation fills in this record."))
    if obligation.status not in PENDING_STATUSES:
        raise Conflict(_("The record has been handed in; it can be changed after it is returned."))
    return obligation


def hand_in_record(
    case: Case,
    obligation_type: str,
    template_key: str,
    extra: dict[str, Any],
    *,
    actor: User,
    title: str,
    images: dict[str, bytes] | None = None,
    note: str | None = None,
    now: datetime | None = None,
) -> DocumentVersion:
    """Print the record with the template in use and hand its obligation in with the document."""
    obligation = require_responsible(actor, case, obligation_type)
    obligation = lock(Obligation, obligation.id)
    version, template = active_template(template_key)
    with force_locale("ru"):
        context = {**common(case), **extra}
    data = render(
        template, context, images or {}, timezone=current_app.config["BABEL_DEFAULT_TIMEZONE"]
    )
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
