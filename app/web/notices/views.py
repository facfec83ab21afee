"""The notification centre, the calendar feed, notice settings and the compliance report."""

from __future__ import annotations

import sqlalchemy as sa
from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy.orm import joinedload
from wtforms import SelectField

from app import access
from app.access.web import requires
from app.extensions import db
from app.models.case import Obligation
from app.models.notify import Notification
from app.models.types import utcnow
from app.notices import ics, texts
from app.parsing import parse_int
from app.web.form_choices import choices
from app.web.pagination import paginate
from app.workflows.clock import today_for
from app.workflows.compliance import compliance_xlsx

bp = Blueprint("notices", __name__)


class SettingsForm(FlaskForm):
    email_mode = SelectField()


def _modes() -> list[tuple[str, str]]:
    return [
        ("each", _("an e-mail for every notice")),
        ("digest", _("one e-mail a day (digest)")),
        ("none", _("no e-mail, only here")),
    ]


def unread_count() -> int:
    """Unread notices of the logged-in user (shown in the header)."""
    if not current_user.is_authenticated:
        return 0
    return int(
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Notification)
            .where(Notification.user_id == current_user.id, Notification.read_at.is_(None))
        )
        or 0
    )


@bp.route("/notifications")
@login_required
def inbox() -> str:
    """The user's notices, newest first."""
    stmt = (
        sa.select(Notification)
        .where(Notification.user_id == current_user.id)
        .order_by(Notification.id.desc())
    )
    page = paginate(stmt, current_app.config["OKO_PAGE_SIZE"])
    subjects = _load_subjects(page.items)
    form = SettingsForm(email_mode=current_user.email_mode)
    form.email_mode.choices = choices(_modes())
    html = render_template("notices/inbox.html", page=page, texts=texts, form=form, feed_url=None)
    del subjects  # held until the page is rendered (the identity map keeps only what is used)
    return html


def _load_subjects(notices: list[Notification]) -> list[Obligation]:
    """The obligations the notices are about, with their cases, in one query: each subject line
    looks its obligation up by id, which then costs no query of its own."""
    ids = {n.obligation_id for n in notices if n.obligation_id}
    if not ids:
        return []
    return list(
        db.session.scalars(
            sa.select(Obligation).where(Obligation.id.in_(ids)).options(joinedload(Obligation.case))
        )
    )


@bp.post("/notifications/<int:notification_id>/read")
@login_required
def read(notification_id: int) -> Response:
    """Mark one notice read and open what it is about."""
    notification = db.session.get(Notification, notification_id)
    if (
        notification is None
        or notification.user_id != current_user.id
        or not FlaskForm().validate_on_submit()
    ):
        abort(404)
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.commit()
    return redirect(texts.path(notification))


@bp.post("/notifications/read-all")
@login_required
def read_all() -> Response:
    """Mark every notice read."""
    if not FlaskForm().validate_on_submit():
        abort(400)
    db.session.execute(
        sa.update(Notification)
        .where(Notification.user_id == current_user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    db.session.commit()
    return redirect(url_for("notices.inbox"))


@bp.post("/notifications/settings")
@login_required
def settings() -> Response:
    """How the user wants to be told: every notice by e-mail, a daily digest, or only here."""
    form = SettingsForm()
    form.email_mode.choices = choices(_modes())
    if form.validate_on_submit():
        current_user.email_mode = form.email_mode.data
        db.session.commit()
        flash(_("Saved."), "success")
    return redirect(url_for("notices.inbox"))


@bp.post("/notifications/calendar")
@login_required
def calendar_feed() -> str | Response:
    """Issue a new secret feed URL (shown once; the old one stops working) or turn it off."""
    if not FlaskForm().validate_on_submit():
        abort(400)
    if request.form.get("action") == "revoke":
        ics.revoke_token(current_user)
        db.session.commit()
        flash(_("The calendar feed is turned off."), "success")
        return redirect(url_for("notices.inbox"))
    token = ics.issue_token(current_user)
    db.session.commit()
    stmt = (
        sa.select(Notification)
        .where(Notification.user_id == current_user.id)
        .order_by(Notification.id.desc())
    )
    form = SettingsForm(email_mode=current_user.email_mode)
    form.email_mode.choices = choices(_modes())
    page = paginate(stmt, current_app.config["OKO_PAGE_SIZE"])
    subjects = _load_subjects(page.items)
    html = render_template(
        "notices/inbox.html",
        page=page,
        texts=texts,
        form=form,
        feed_url=url_for("notices.calendar", token=token, _external=True),
    )
    del subjects
    return html


@bp.route("/calendar/<token>.ics")
def calendar(token: str) -> Response:
    """The calendar feed: no login, the secret in the URL is the key."""
    user = ics.user_for_token(token)
    if user is None:
        abort(404)
    return Response(
        ics.feed(user),
        mimetype="text/calendar; charset=utf-8",
        headers={"Cache-Control": "private, max-age=300"},
    )


@bp.route("/dashboard/compliance.xlsx")
@login_required
@requires(access.can_view_dashboard)
def compliance() -> Response:
    """The compliance report of the dashboard as XLSX."""
    data = compliance_xlsx(
        current_user, parse_int(request.args.get("campaign")), today_for(current_user)
    )
    return Response(
        data,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": 'attachment; filename="compliance.xlsx"'},
    )


def init_app(app: Flask) -> None:
    """The unread count for the header."""

    @app.context_processor
    def _unread() -> dict[str, object]:
        return {"unread_notices": unread_count}
