"""Administration: users and the school directory."""

from __future__ import annotations

import io

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from app import access, names
from app.access.scope import get_scoped_or_404, region_id_of, scoped
from app.access.web import requires
from app.accounts import users as accounts
from app.documents import checks
from app.documents.templates import active_template, active_template_version
from app.errors import DomainError
from app.extensions import db
from app.models.document import DocumentTemplate
from app.models.org import Organisation, OrgKind
from app.models.user import Role, User
from app.orgs import service as orgs
from app.orgs.directory import import_directory
from app.paperwork import catalog, generate
from app.plans import calendar
from app.web.actions import perform
from app.web.admin.forms import (
    CalendarDayForm,
    ConfirmForm,
    DirectoryImportForm,
    RegionDayForm,
    RegionForm,
    TemplateForm,
    UserCreateForm,
)
from app.web.form_choices import choices
from app.web.pagination import paginate
from app.workflows.clock import local_date, today_for

bp = Blueprint("admin", __name__)


@bp.route("/users")
@login_required
@requires(access.can_manage_users)
def users() -> str:
    """All accounts in the administrator's scope."""
    query = (request.args.get("q") or "").strip()
    stmt = scoped(User, current_user).order_by(User.role, User.email)
    if query:
        stmt = stmt.where(User.search_key.like(names.search_pattern(query), escape="\\"))
    page = paginate(stmt, current_app.config["OKO_PAGE_SIZE"])
    return render_template("admin/users.html", page=page, query=query)


def _organisation_choices() -> list[SelectChoice]:
    orgs = db.session.scalars(
        scoped(Organisation, current_user)
        .where(Organisation.kind != OrgKind.SCHOOL)
        .order_by(Organisation.kind.desc(), Organisation.name)
    )
    return choices((o.id, o.name) for o in orgs)


def _chosen_organisation(form: UserCreateForm) -> Organisation | None:
    if Role(form.role.data).org_kind is OrgKind.SCHOOL:  # a school is chosen by its login
        login = (form.school_login.data or "").strip().lower()
        school = db.session.scalars(
            scoped(Organisation, current_user).where(Organisation.login == login)
        ).first()
        if school is None:
            form.school_login.errors = [_("No school with this login in your region.")]
        return school
    org = db.session.scalars(
        scoped(Organisation, current_user).where(Organisation.id == form.organisation_id.data)
    ).first()
    if org is None:
        form.organisation_id.errors = [_("Choose an organisation.")]
    return org


@bp.route("/users/new", methods=["GET", "POST"])
@login_required
@requires(access.can_manage_users)
def user_new() -> str | Response:
    """Create an account and show its first password once."""
    form = UserCreateForm()
    form.refresh_labels()
    form.organisation_id.choices = _organisation_choices()
    if form.validate_on_submit():
        org = _chosen_organisation(form)
        if org is not None:
            password = accounts.generate_password()
            try:
                user = accounts.create_user(
                    email=form.email.data or "",
                    full_name=form.full_name.data or "",
                    position=form.position.data or None,
                    role=Role(form.role.data),
                    organisation=org,
                    password=password,
                    actor=current_user,
                )
            except DomainError as err:
                flash(err.message, "error")
            else:
                db.session.commit()
                return render_template(
                    "admin/user.html", user=user, new_password=password, form=ConfirmForm()
                )
    return render_template("admin/user_new.html", form=form)


@bp.route("/users/<int:user_id>")
@login_required
@requires(access.can_manage_users)
def user_detail(user_id: int) -> str:
    """One account with its actions."""
    user = get_scoped_or_404(User, user_id, current_user)
    return render_template("admin/user.html", user=user, form=ConfirmForm())


@bp.post("/users/<int:user_id>/active")
@login_required
@requires(access.can_manage_users)
def user_set_active(user_id: int) -> Response:
    """Disable or re-enable an account."""
    user = get_scoped_or_404(User, user_id, current_user)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            accounts.set_active(user, request.form.get("active") == "1", actor=current_user)
        except DomainError as err:
            flash(err.message, "error")
        else:
            db.session.commit()
            flash(
                _("The account is enabled.") if user.active else _("The account is disabled."),
                "success",
            )
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.post("/users/<int:user_id>/reset")
@login_required
@requires(access.can_manage_users)
def user_reset(user_id: int) -> str | Response:
    """Give the account a new random password, shown once."""
    user = get_scoped_or_404(User, user_id, current_user)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return redirect(url_for("admin.user_detail", user_id=user.id))
    password = accounts.reset_password(user, actor=current_user)
    db.session.commit()
    return render_template("admin/user.html", user=user, new_password=password, form=form)


@bp.route("/directory", methods=["GET", "POST"])
@login_required
@requires(access.can_import_directory)
def directory() -> str:
    """Upload the school directory: check it, then import it whole."""
    form = DirectoryImportForm()
    report = None
    if form.validate_on_submit():
        region = db.session.get(Organisation, current_user.organisation_id)
        assert region is not None
        dry_run = bool(form.preview.data)
        report = import_directory(
            form.file.data.read(), region=region, actor=current_user, dry_run=dry_run
        )
        if report.ok and not dry_run:
            db.session.commit()
            flash(_("The directory has been imported."), "success")
        else:
            db.session.rollback()
    return render_template("admin/directory.html", form=form, report=report)


@bp.route("/calendar", methods=["GET", "POST"])
@login_required
@requires(access.can_correct_calendar)
def calendar_days() -> str | Response:
    """The production calendar's exceptions for a year; the administrator corrects a day."""
    form = CalendarDayForm()
    if form.validate_on_submit() and form.day.data is not None:
        day = form.day.data
        perform(
            lambda: calendar.set_day(
                day, form.working.data == "1", form.name.data, actor=current_user
            ),
            _("The calendar is corrected."),
        )
        return redirect(url_for("admin.calendar_days", year=day.year))
    year = request.args.get("year", type=int) or local_date().year
    year = min(max(year, 2000), 2100)
    return render_template(
        "admin/calendar.html", form=form, year=year, days=calendar.exceptions_of_year(year)
    )


@bp.route("/region", methods=["GET", "POST"])
@login_required
@requires(access.can_keep_own_region)
def region_settings() -> str | Response:
    """The region's time zone and its own non-working (or working) days on top of the federal
    production calendar."""
    region = db.session.get(Organisation, region_id_of(current_user))
    assert region is not None
    which = request.form.get("part")
    zone_form = RegionForm(timezone=region.timezone)
    zone_form.timezone.choices = choices(orgs.RUSSIAN_ZONES)
    day_form = RegionDayForm()
    if which == "zone" and zone_form.validate_on_submit() and zone_form.timezone.data:
        name = zone_form.timezone.data
        perform(
            lambda: orgs.set_region_timezone(region, name, actor=current_user),
            _("The region's time zone is saved."),
        )
        return redirect(url_for("admin.region_settings"))
    if which == "day" and day_form.validate_on_submit() and day_form.day.data is not None:
        day, working = day_form.day.data, day_form.working.data
        perform(
            lambda: calendar.set_region_day(
                region.id,
                day,
                None if working == "" else working == "1",
                day_form.name.data,
                actor=current_user,
            ),
            _("The region's calendar is corrected."),
        )
        return redirect(url_for("admin.region_settings", year=day.year))
    year = min(max(request.args.get("year", type=int) or today_for(current_user).year, 2000), 2100)
    return render_template(
        "admin/region.html",
        region=region,
        zone_form=zone_form,
        day_form=day_form,
        year=year,
        days=calendar.region_days(region.id, year),
    )


@bp.route("/templates", methods=["GET", "POST"])
@login_required
@requires(access.can_manage_templates)
def templates() -> str | Response:
    """The document templates in use; upload a new version of one."""
    form = TemplateForm()
    form.key.choices = choices((k.key, k.title) for k in catalog.KINDS)
    if form.validate_on_submit():
        data = form.file.data.read()
        row = perform(
            lambda: generate.register_template(
                form.key.data, data, form.file.data.filename or "", actor=current_user
            ),
        )
        if row is not None:
            flash(_("Template version %(n)d is now in use.", n=row.version), "success")
            return redirect(url_for("admin.templates"))
    versions = {k.key: active_template_version(k.key) for k in catalog.KINDS}
    history = db.session.scalars(
        sa.select(DocumentTemplate).order_by(DocumentTemplate.key, DocumentTemplate.version.desc())
    ).all()
    return render_template(
        "admin/templates.html", form=form, kinds=catalog.KINDS, versions=versions, history=history
    )


@bp.route("/templates/<key>.docx")
@login_required
@requires(access.can_manage_templates)
def template_download(key: str) -> Response:
    """The template in use for a kind, to edit and upload again."""
    if key not in {k.key for k in catalog.KINDS}:
        abort(404)
    version, data = active_template(key)
    return send_file(
        io.BytesIO(data),
        as_attachment=True,
        download_name=f"{key}-v{version}.docx",
        mimetype=checks.DOCX.mime,
    )
