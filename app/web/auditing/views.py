"""The auditor's view of the history: recent events in scope and verification of the chain."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from app import access, audit
from app.access.scope import region_id_of, visible_orgs_clause
from app.access.web import requires
from app.extensions import db
from app.jobs import chaincheck
from app.models.audit import AuditEvent, VerifiedUpTo
from app.models.org import Organisation
from app.web.pagination import paginate
from app.workflows import history as event_history

bp = Blueprint("auditing", __name__)


@bp.route("/audit")
@login_required
@requires(access.can_audit)
def history() -> str:
    """Events of the user's region, newest first, filterable by action; the region's latest
    verification."""
    action = (request.args.get("action") or "").strip()
    org = sa.orm.aliased(Organisation)
    stmt = (
        sa.select(AuditEvent)
        .join(org, org.id == AuditEvent.org_id)
        .where(visible_orgs_clause(current_user, org))
        .order_by(AuditEvent.seq.desc())
    )
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    page = paginate(stmt, current_app.config["OKO_PAGE_SIZE"])
    check = chaincheck.latest_check(region_id_of(current_user))
    return render_template(
        "auditing/history.html",
        page=page,
        events=event_history.describe(page.items),
        action=action,
        check=check,
        chain_break=_break_in_scope(),
        csrf=FlaskForm(),
    )


def _break_in_scope() -> VerifiedUpTo | None:
    """The background walk of the whole chain, when it last found a break at an event the
    user may see (another region's break is theirs to be told of)."""
    point = audit.verified_point()
    if point is None or point.broken_seq is None:
        return None
    org = sa.orm.aliased(Organisation)
    seen = db.session.scalar(
        sa.select(AuditEvent.seq)
        .join(org, org.id == AuditEvent.org_id)
        .where(AuditEvent.seq == point.broken_seq, visible_orgs_clause(current_user, org))
    )
    return point if seen is not None else None


@bp.post("/audit/verify")
@login_required
@requires(access.can_audit)
def verify() -> Response:
    """Ask for the region's history to be verified in the background."""
    if not FlaskForm().validate_on_submit():
        abort(400)
    chaincheck.request_check(region_id_of(current_user), actor=current_user)
    db.session.commit()
    flash(_("The verification is queued: its result appears here within a minute."), "success")
    return redirect(url_for("auditing.history"))
