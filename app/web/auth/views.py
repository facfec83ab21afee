"""Logging in and out, and the user's own profile."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from app import readcache
from app.accounts import sessions as user_sessions
from app.accounts import throttle
from app.accounts import tokens as api_tokens
from app.accounts import users as accounts
from app.errors import DomainError
from app.extensions import db, login_manager
from app.models.types import utcnow
from app.models.user import ApiToken, User
from app.web.actions import perform
from app.web.auth.forms import LanguageForm, LoginForm, PasswordForm, TokenForm

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message = None  # the login page itself explains enough
login_manager.session_protection = "strong"
# The cookie's key of the server-side session's secret.
SESSION_KEY = "sid"


@login_manager.user_loader
def load_user(token: str) -> User | None:
    """Session cookies carry "<id>:<session_version>" and the secret of a server-side session:
    a session ended (logout, a password change, a reset, disabling) or expired logs out."""
    user_id, _sep, version = token.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    found = user_sessions.signed_in(session.get(SESSION_KEY), now=utcnow())
    if found is None:
        return None
    user = found.user
    if user.id != int(user_id) or user.session_version != int(version):
        return None
    # read with the user, they cost the page no query: the header's count, and the region
    # (held here: the session's identity map keeps an object only while it is referenced)
    g.unread_notices, g.user_region = found.unread, found.region
    readcache.seen_at(found.snapshot)  # the snapshot the user was read in: the cache's key
    return user


def _log_in(user: User) -> None:
    """Start a fresh cookie session for the user, backed by a new server-side session."""
    session.clear()
    session.permanent = True
    session[SESSION_KEY] = user_sessions.open_session(
        user, now=utcnow(), lifetime=current_app.permanent_session_lifetime
    )
    db.session.commit()
    login_user(user)


def _policy() -> throttle.Policy:
    cfg = current_app.config
    return throttle.Policy(cfg["OKO_LOGIN_DELAY_AFTER"], cfg["OKO_LOGIN_MAX_WAIT_MINUTES"])


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths are followed after login."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and "\\" not in target:
            return target
    return url_for("main.index")


def _wait_message(seconds: int) -> str:
    if seconds >= 120:
        minutes = (seconds + 59) // 60
        return ngettext(
            "Too many failed attempts. Try again in %(num)d minute.",
            "Too many failed attempts. Try again in %(num)d minutes.",
            minutes,
        )
    return ngettext(
        "Too many failed attempts. Try again in %(num)d second.",
        "Too many failed attempts. Try again in %(num)d seconds.",
        seconds,
    )


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    """The login page."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(
                form.email.data or "",
                form.password.data or "",
                ip=request.remote_addr,
                policy=_policy(),
                now=utcnow(),
            )
        except accounts.LoginRefused as refused:
            db.session.commit()  # keep the failure count
            if refused.wait_seconds:
                flash(_wait_message(refused.wait_seconds), "error")
                status = 429
            else:
                flash(_("Wrong e-mail or password."), "error")
                status = 401
        else:
            next_url = _safe_next(request.args.get("next"))
            _log_in(user)
            return redirect(next_url)
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout() -> Response:
    """End the session, on the server too: a copy of the cookie is refused afterwards."""
    user_sessions.end_session(session.get(SESSION_KEY), now=utcnow())
    db.session.commit()
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


@bp.post("/language")
def choose_language() -> Response:
    """Switch the interface language (remembered on the account when logged in)."""
    form = LanguageForm()
    if form.validate_on_submit():
        locale = form.locale.data or "ru"
        session["locale"] = locale
        if current_user.is_authenticated:
            accounts.set_locale(current_user, locale, current_app.config["OKO_LOCALES"])
            db.session.commit()
    return redirect(_safe_next(request.form.get("next")))


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile() -> str | Response:
    """The user's own account: password and language."""
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_own_password(current_user, form.current.data or "", form.new.data or "")
        except DomainError as err:
            form.new.errors = [err.message]
        else:
            locale = session.get("locale")
            _log_in(current_user._get_current_object())  # every other session has ended
            if locale:
                session["locale"] = locale
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("auth.profile"))
    return render_template(
        "auth/profile.html",
        form=form,
        tokens=api_tokens.of_user(current_user),
        token_form=TokenForm(),
        new_token=None,
    )


@bp.post("/profile/tokens")
@login_required
def token_create() -> str | Response:
    """Create a personal API token; its secret is shown once."""
    form = TokenForm()
    if not form.validate_on_submit():
        return redirect(url_for("auth.profile"))
    created = perform(lambda: api_tokens.create(current_user, form.name.data or ""))
    if created is None:
        return redirect(url_for("auth.profile"))
    return render_template(
        "auth/profile.html",
        form=PasswordForm(),
        tokens=api_tokens.of_user(current_user),
        token_form=TokenForm(),
        new_token=created[1],
    )


@bp.post("/profile/tokens/<int:token_id>/revoke")
@login_required
def token_revoke(token_id: int) -> Response:
    """Revoke one of the user's own tokens."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id or not FlaskForm().validate_on_submit():
        abort(404)
    perform(lambda: api_tokens.revoke(token, actor=current_user), _("The token is revoked."))
    return redirect(url_for("auth.profile"))
