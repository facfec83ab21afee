"""Pages of strategic sessions."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from app import access
from app.access.scope import can_view_org
from app.extensions import db
from app.models.case import Case
from app.models.stage import SessionInvite, StrategicSession
from app.models.types import utcnow
from app.parsing import parse_int
from app.stages import sessions
from app.web.actions import perform
from app.workflows import queries
from app.workflows.clock import user_zone

bp = Blueprint("sessions", __name__)


def _session_or_404(session_id: int) -> StrategicSession:
    session = db.session.get(StrategicSession, session_id)
    if session is None or not access.can_view_session(current_user, session.id):
        abort(404)
    return session


def _checked() -> None:
    if not FlaskForm().validate_on_submit():
        abort(400)


@bp.route("/sessions", methods=["GET", "POST"])
@login_required
def index() -> str | Response:
    """The sessions the user can see; the ministry plans new ones."""
    if request.method == "POST":
        _checked()
        campaign = next(
            (
                c
                for c in queries.campaigns_for(current_user)
                if c.id == parse_int(request.form.get("campaign"))
            ),
            None,
        )
        if campaign is None:
            abort(400)
        try:
            local = datetime.fromisoformat(request.form.get("starts_at", ""))
        except ValueError:
            abort(400)
        starts_at = local.replace(tzinfo=user_zone(current_user)).astimezone(UTC)
        created = perform(
            lambda: sessions.plan(
                campaign,
                title=request.form.get("title", ""),
                starts_at=starts_at,
                place=request.form.get("place"),
                online_link=request.form.get("online_link"),
                directions=request.form.getlist("directions"),
                capacity=parse_int(request.form.get("capacity")) or 0,
                actor=current_user,
            ),
            _("The session is planned."),
        )
        if created is not None:
            return redirect(url_for("sessions.show", session_id=created.id))
        return redirect(url_for("sessions.index"))
    return render_template(
        "stages/sessions.html",
        sessions=sessions.sessions_for(current_user),
        campaigns=queries.campaigns_for(current_user),
        directions=sessions.DIRECTIONS,
        csrf=FlaskForm(),
        can_plan=access.can_plan_sessions(current_user),
    )


@bp.route("/sessions/<int:session_id>")
@login_required
def show(session_id: int) -> str:
    """A session: who is invited, who comes, who came, what was decided."""
    session = _session_or_404(session_id)
    rows = db.session.execute(
        sa.select(SessionInvite, Case)
        .join(Case, Case.id == SessionInvite.case_id)
        .where(SessionInvite.session_id == session.id)
        .order_by(SessionInvite.id)
    ).all()
    visible = [(i, c) for i, c in rows if can_view_org(current_user, c.school)]
    ministry = access.can_run_sessions(current_user, session.region_id)
    return render_template(
        "stages/session.html",
        session=session,
        rows=visible,
        ministry=ministry,
        eligible=sessions.eligible_cases(session) if ministry else [],
        csrf=FlaskForm(),
        materials=sessions.materials(session),
        now=utcnow(),
        started=utcnow() >= session.starts_at,
        took_place=any(i.attended is not None for i in session.invites),
        local_start=session.starts_at.astimezone(user_zone(current_user)).strftime(
            "%Y-%m-%dT%H:%M"
        ),
    )


@bp.post(
    "/sessions/<int:session_id>/<any(invite, participants, attendance, decisions, material,"
    " reschedule, cancel):action>"
)
@login_required
def act(session_id: int, action: str) -> Response:
    """Invite cases, name participants, record attendance or decisions, attach materials."""
    session = _session_or_404(session_id)
    _checked()
    form = request.form
    if action == "invite":
        ids = {int(i) for i in form.getlist("case_id") if i.isdigit()}
        chosen = [c for c in sessions.eligible_cases(session) if c.id in ids]
        perform(
            lambda: sessions.invite(session, chosen, actor=current_user),
            _("The schools are invited."),
        )
    elif action == "material":
        upload = request.files.get("file")
        if upload is None:
            abort(400)
        data = upload.read()
        perform(
            lambda: sessions.attach_material(
                session,
                upload.filename or "",
                data,
                actor=current_user,
                max_bytes=current_app.config["MAX_CONTENT_LENGTH"],
            ),
            _("The material is attached."),
        )
    elif action == "reschedule":
        try:
            local = datetime.fromisoformat(form.get("starts_at", ""))
        except ValueError:
            abort(400)
        perform(
            lambda: sessions.reschedule(
                session,
                starts_at=local.replace(tzinfo=user_zone(current_user)).astimezone(UTC),
                place=form.get("place"),
                online_link=form.get("online_link"),
                reason=form.get("reason", "")[:2000],
                actor=current_user,
            ),
            _("The session is changed; the history tells the invited schools why."),
        )
    elif action == "cancel":
        perform(
            lambda: sessions.cancel(
                session, reason=form.get("reason", "")[:2000], actor=current_user, now=utcnow()
            ),
            _("The session is cancelled; its schools can be invited to another."),
        )
    elif action == "decisions":
        perform(
            lambda: sessions.record_decisions(
                session, form.get("decisions", ""), actor=current_user
            ),
            _("Saved."),
        )
    else:
        invite_row = db.session.get(SessionInvite, parse_int(form.get("invite_id")) or 0)
        if invite_row is None or invite_row.session_id != session.id:
            abort(404)
        if action == "participants":
            people = [
                {"name": n, "position": p}
                for n, p in zip(form.getlist("name"), form.getlist("position"), strict=False)
            ]
            perform(
                lambda: sessions.name_participants(invite_row, people, actor=current_user),
                _("Saved."),
            )
        else:
            attended = form.get("attended") == "1"
            perform(
                lambda: sessions.record_attendance(
                    invite_row, attended, actor=current_user, now=utcnow()
                ),
                _("Saved."),
            )
    return redirect(url_for("sessions.show", session_id=session.id))


__all__ = ["bp"]
