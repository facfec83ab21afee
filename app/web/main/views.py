"""The home page and the organisations a user can see."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Response, current_app, jsonify, render_template, request
from flask_login import current_user, login_required

from app import access, names
from app.access.scope import get_scoped_or_404, scoped
from app.access.web import requires
from app.documents import storage
from app.extensions import db
from app.models.case import ObligationStatus
from app.models.org import Organisation, OrgKind
from app.models.user import User
from app.web.pagination import paginate
from app.workflows import queries
from app.workflows.clock import today_for

bp = Blueprint("main", __name__)


@bp.route("/")
@login_required
def index() -> str:
    """The user's starting page: what they have to do and by when (the nearest terms of the
    current campaign, what awaits their review), then what lies in their scope."""
    counts = dict(
        db.session.execute(
            scoped(
                Organisation, current_user, sa.select(Organisation.kind, sa.func.count())
            ).group_by(Organisation.kind)
        ).all()
    )
    campaigns = queries.campaigns_for(current_user)
    campaign = campaigns[0] if campaigns else None
    today = today_for(current_user)
    owed, to_review = queries.inbox_rows(current_user, today, campaign.id if campaign else None)
    owed = [o for o in owed if o.status is not ObligationStatus.SUBMITTED]  # waiting on others
    stages = (
        queries.cases_by_stage(current_user, campaign.id)
        if campaign and access.can_view_dashboard(current_user)
        else {}
    )
    return render_template(
        "main/index.html",
        counts=counts,
        campaign=campaign,
        owed=owed,
        to_review=to_review,
        overdue=sum(1 for o in owed if o.overdue),
        cases=sum(stages.values()),
        closed=sum(n for (_track, stage), n in stages.items() if stage == "closed"),
        today=today,
    )


@bp.route("/orgs")
@login_required
@requires(access.can_view_organisations)
def organisations() -> str:
    """Schools in scope, searchable by name or login."""
    query = (request.args.get("q") or "").strip()
    stmt = scoped(Organisation, current_user).where(Organisation.kind == OrgKind.SCHOOL)
    if names.fold(query):
        stmt = stmt.where(Organisation.search_key.like(names.search_pattern(query), escape="\\"))
    stmt = stmt.order_by(Organisation.municipality_id, Organisation.sort_key)
    page = paginate(stmt, current_app.config["OKO_PAGE_SIZE"])
    municipalities = {
        m.id: m
        for m in db.session.scalars(
            scoped(Organisation, current_user).where(Organisation.kind == OrgKind.MUNICIPALITY)
        )
    }
    return render_template(
        "main/organisations.html", page=page, query=query, municipalities=municipalities
    )


@bp.route("/orgs/<int:org_id>")
@login_required
def organisation(org_id: int) -> str:
    """One organisation with its people (and, for a municipality, its schools)."""
    org = get_scoped_or_404(Organisation, org_id, current_user)
    users = db.session.scalars(
        scoped(User, current_user).where(User.organisation_id == org.id).order_by(User.full_name)
    ).all()
    schools = []
    if org.kind is OrgKind.MUNICIPALITY:
        schools = db.session.scalars(
            scoped(Organisation, current_user)
            .where(Organisation.parent_id == org.id)
            .order_by(Organisation.name)
        ).all()
    return render_template("main/organisation.html", org=org, users=users, schools=schools)


@bp.route("/ping")
def ping() -> Response:
    """The trivial endpoint: no database, no session (the floor of the load benchmark)."""
    return Response("ok", mimetype="text/plain")


@bp.route("/healthz")
def health() -> tuple[Response, int]:
    """Liveness for load balancers: the database answers and the document store is writable."""
    checks: dict[str, str] = {}
    try:
        db.session.execute(sa.text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # report, never raise: this is what monitoring reads
        checks["database"] = f"error: {type(exc).__name__}"
        db.session.rollback()
    try:
        storage.store().check()
        checks["storage"] = "ok"
    except Exception as exc:
        checks["storage"] = f"error: {type(exc).__name__}"
    healthy = all(v == "ok" for v in checks.values())
    return jsonify(status="ok" if healthy else "error", checks=checks), 200 if healthy else 503
