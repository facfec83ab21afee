"""The auditor's view of the history: recent events in scope and verification of the chain."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, render_template, request
from flask_login import current_user, login_required

from app import access, audit
from app.access.scope import visible_orgs_clause
from app.access.web import requires
from app.extensions import db
from app.models.audit import AuditEvent
from app.models.org import Organisation
from app.web.pagination import paginate
from app.workflows import history as event_history

bp = Blueprint("auditing", __name__)


@bp.route("/audit")
@login_required
@requires(access.can_audit)
def history() -> str:
    """Events of the user's region, newest first, filterable by action; optional verification."""
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
    result = audit.verify() if request.args.get("verify") == "1" else None
    total = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    return render_template(
        "auditing/history.html",
        page=page,
        events=event_history.describe(page.items),
        action=action,
        result=result,
        total=total,
    )
