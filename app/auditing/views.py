"""The auditor's view of the history: recent events in scope and verification of the chain."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, render_template, request
from flask_login import current_user, login_required

from app import audit
from app.extensions import db
from app.models.audit import AuditEvent
from app.models.org import Organisation
from app.models.user import Role, User
from app.pagination import paginate
from app.permissions import requires
from app.scope import visible_orgs_clause

bp = Blueprint("auditing", __name__)


def can_audit(user: User) -> bool:
    """Auditors, the ministry and administrators read the whole history of their region."""
    return user.role in (Role.AUDITOR, Role.MINISTRY, Role.ADMIN)


@bp.route("/audit")
@login_required
@requires(can_audit)
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
        "auditing/history.html", page=page, action=action, result=result, total=total
    )
