"""Uploading documents to obligations and downloading versions."""

from __future__ import annotations

import io

from flask import Blueprint, abort, flash, redirect, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from werkzeug.wrappers import Response
from wtforms import DateField, HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from app import access
from app.access import get_scoped_or_404
from app.documents import versions
from app.errors import DomainError
from app.extensions import db
from app.legal.registration import Scan, record_signature
from app.models.case import Case, Obligation
from app.models.document import Document
from app.paperwork import catalog, generate
from app.stages import attachments
from app.tabular import FileRefused
from app.web.actions import perform
from app.workflows import handin
from app.workflows.clock import local_date

bp = Blueprint("documents", __name__)


class UploadForm(FlaskForm):
    file = FileField(validators=[FileRequired()])
    version = IntegerField(validators=[InputRequired()])
    text = TextAreaField(validators=[Optional(), Length(max=4000)])


@bp.post("/obligations/<int:obligation_id>/upload")
@login_required
def upload(obligation_id: int) -> Response:
    """Upload the obligation's document: a new version, handed in for review."""
    obligation = get_scoped_or_404(Obligation, obligation_id, current_user)
    if not access.is_responsible(current_user, obligation):
        abort(403)
    form = UploadForm()
    if not form.validate_on_submit():
        abort(400)
    data = form.file.data.read()
    perform(
        lambda: handin.upload_for_obligation(
            obligation.id,
            form.file.data.filename or "",
            data,
            actor=current_user,
            expected_version=form.version.data,
            note=form.text.data,
        ),
        _("The document is uploaded and handed in for review."),
    )
    return redirect(
        url_for(
            "cases.case_detail", case_id=obligation.case_id, _anchor=f"obligation-{obligation.id}"
        )
    )


@bp.route("/documents/<int:document_id>/v/<int:number>")
@login_required
def download(document_id: int, number: int) -> Response:
    """One version of a document, if the user may see it (else 404)."""
    found = versions.download(document_id, number, current_user)
    if found is None:
        abort(404)
    version, content = found
    response = send_file(
        io.BytesIO(content),
        mimetype=version.mime,
        as_attachment=True,
        download_name=version.filename,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


class DataForm(FlaskForm):
    file = FileField(validators=[FileRequired()])


@bp.post("/cases/<int:case_id>/data/<any(student_marks, recheck_results):key>")
@login_required
def upload_data(case_id: int, key: str) -> Response:
    """Attach the school's student marks (§4) or the recheck results (§5) to the case."""
    case = get_scoped_or_404(Case, case_id, current_user)
    if not access.can_upload_data(current_user, case, key):
        abort(403)
    form = DataForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        attachments.upload(
            case, key, form.file.data.filename or "", form.file.data.read(), actor=current_user
        )
        db.session.commit()
        flash(_("The data are stored; the analysis below is updated."), "success")
    except FileRefused as err:
        db.session.rollback()
        flash(err.message, "error")
        for problem in err.problems[:15]:
            flash(str(problem), "error")
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
    return redirect(url_for("cases.case_detail", case_id=case.id, _anchor="analytics"))


@bp.post("/cases/<int:case_id>/generate/<key>")
@login_required
def generate_document(case_id: int, key: str) -> Response:
    """Fill a document template with the case's data; the result is stored as a new version."""
    case = get_scoped_or_404(Case, case_id, current_user)
    if not catalog.has_kind(key):
        abort(404)
    if not access.can_generate(current_user, case, key):
        abort(403)
    if not FlaskForm().validate_on_submit():
        abort(400)
    version = perform(
        lambda: generate.generate(case, key, actor=current_user), _("The document is ready.")
    )
    if version is None:
        return redirect(url_for("cases.case_detail", case_id=case.id))
    return redirect(
        url_for("cases.case_detail", case_id=case.id, _anchor=f"document-{version.document_id}")
    )


class SignatureForm(FlaskForm):
    number = StringField(validators=[Optional(), Length(max=100)])
    date = DateField(validators=[Optional()])
    file = FileField()
    state = HiddenField()
    case_id = IntegerField(validators=[Optional()])


@bp.post("/documents/<int:document_id>/signature")
@login_required
def sign(document_id: int) -> Response:
    """Register the document's signed act under the number and date its office gave it and,
    with a file, keep the scan of the signed paper as its signed copy (the issuing organisation
    only)."""
    document = db.session.get(Document, document_id)
    if document is None or not access.can_view_document(current_user, document):
        abort(404)
    if not access.can_register_act(current_user, document):
        abort(403)
    form = SignatureForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        for errors in form.errors.values():
            flash(str(errors[0]), "error")  # WTForms' own message, in the user's language
    else:
        upload = form.file.data
        scan = Scan(upload.filename or "", upload.read()) if upload and upload.filename else None
        perform(
            lambda: record_signature(
                document,
                form.number.data,
                form.date.data,
                scan,
                actor=current_user,
                today=local_date(),
                expected=form.state.data or None,
            ),
            _("The signed act is registered.")
            if scan is None
            else _("The signed act is registered and its scan is kept as a version of its own."),
        )
    if form.case_id.data:
        return redirect(
            url_for(
                "cases.case_detail", case_id=form.case_id.data, _anchor=f"document-{document.id}"
            )
        )
    return redirect(url_for("main.index"))
