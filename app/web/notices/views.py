"""The notification centre, the calendar feed, notice settings and the compliance report."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import SelectField

from app import access, readcache
from app.access.web import requires
from app.extensions import db
from app.models.notify import Notification
from app.models.types import utcnow
from app.notices import ics, items, rules, texts
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


def kind_titles() -> dict[str, str]:
    """The kinds of notice a person chooses for, in Russian first."""
    return {
        rules.RETURNED: _("A hand-in returned for correction"),
        rules.ACCEPTED: _("A hand-in accepted"),
        rules.NEW_OBLIGATION: _("A new obligation from the plan"),
        rules.INVITED: _("An invitation to a strategic session"),
        rules.SESSION_CHANGED: _("A strategic session moved"),
        rules.SESSION_CANCELLED: _("A strategic session cancelled"),
        rules.CASE_OPENED: _("A new case"),
        rules.REMINDER: _("A deadline coming up"),
        rules.DUE_TODAY: _("A deadline today"),
        rules.OVERDUE: _("An overdue obligation"),
        rules.ESCALATION: _("An obligation not done in time (escalation)"),
    }


def unread_count() -> int:
    """Unread notices of the logged-in user (shown in the header)."""
    if not current_user.is_authenticated:
        return 0
    if "unread_notices" in g:  # read by the user loader with the user
        return int(g.unread_notices)
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
@readcache.cached_page(lambda: today_for(current_user))  # the day: what is overdue
def inbox() -> str:
    """The user's notices, newest first."""
    stmt = (
        sa.select(Notification)
        .where(Notification.user_id == current_user.id)
        .order_by(Notification.id.desc())
    )
    page = paginate(stmt, current_app.config["OKO_PAGE_SIZE"])
    form = SettingsForm(email_mode=current_user.email_mode)
    form.email_mode.choices = choices(_modes())
    return _centre(page, form, feed_url=None)


def _centre(page: Any, form: SettingsForm, feed_url: str | None) -> str:
    """The centre's page. The obligations its notices list are loaded in one query (and held
    until the page is rendered: each subject line then looks its title up at no cost)."""
    return render_template(
        "notices/inbox.html",
        page=page,
        texts=texts,
        shown=items.Shown(page.items),
        form=form,
        feed_url=feed_url,
        kinds=kind_titles(),
        modes=_modes(),
        chosen=current_user.notice_modes or {},
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
        g.pop("unread_notices", None)  # the loader's count no longer holds
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
    g.pop("unread_notices", None)  # the loader's count no longer holds
    return redirect(url_for("notices.inbox"))


@bp.post("/notifications/settings")
@login_required
def settings() -> Response:
    """How the user wants to be told: every notice by e-mail, a daily digest, or only here."""
    form = SettingsForm()
    form.email_mode.choices = choices(_modes())
    if form.validate_on_submit():
        current_user.email_mode = form.email_mode.data
        allowed = {value for value, _title in _modes()}
        chosen = {
            kind: request.form.get(f"kind_{kind}", "")
            for kind in kind_titles()
            if request.form.get(f"kind_{kind}") in allowed
        }
        current_user.notice_modes = chosen  # a new dict: the JSON column sees the change
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
    return _centre(page, form, url_for("notices.calendar", token=token, _external=True))


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
