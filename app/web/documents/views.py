"""Uploading documents to obligations and downloading versions."""

from __future__ import annotations

import io

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
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
from app.paperwork import catalog, conclusions, generate
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


@bp.post("/cases/<int:case_id>/hand-in/<key>")
@login_required
def hand_in_generated(case_id: int, key: str) -> Response:
    """Generate the paper and hand it in as the obligation's next version, without a download."""
    case = get_scoped_or_404(Case, case_id, current_user)
    if not catalog.has_kind(key):
        abort(404)
    if not generate.can_hand_in(current_user, case, key):
        abort(403)
    if not FlaskForm().validate_on_submit():
        abort(400)
    version = perform(
        lambda: generate.hand_in_generated(case, key, actor=current_user),
        _("The generated document is handed in for review."),
    )
    anchor = f"document-{version.document_id}" if version is not None else "documents"
    return redirect(url_for("cases.case_detail", case_id=case.id, _anchor=anchor))


class ConclusionsForm(FlaskForm):
    text = TextAreaField(validators=[InputRequired(), Length(max=conclusions.LIMIT)])
    version = IntegerField(validators=[InputRequired()])


@bp.route("/cases/<int:case_id>/conclusions/<key>", methods=["GET", "POST"])
@login_required
def conclusions_page(case_id: int, key: str) -> Response | str:
    """The conclusions of the case's paper, prefilled from the computed figures, edited by the
    person who produces it and kept for the next generation."""
    case = get_scoped_or_404(Case, case_id, current_user)
    if key not in conclusions.KINDS:
        abort(404)
    if not access.can_write_conclusions(current_user, case, key):
        abort(403)
    saved = conclusions.conclusion_of(case, key)
    form = ConclusionsForm()
    if form.validate_on_submit():
        done = perform(
            lambda: conclusions.save(
                case,
                key,
                form.text.data or "",
                actor=current_user,
                expected_version=form.version.data,
            ),
            _("The conclusions are saved; the next generated document prints them."),
        )
        if done is not None:
            return redirect(url_for("cases.case_detail", case_id=case.id, _anchor="documents"))
    elif request.method == "POST":
        flash(_("Write the conclusions: they cannot be empty."), "error")
    if not form.is_submitted():
        form.text.data = conclusions.text_for(case, key)
        form.version.data = saved.version if saved is not None else 0
    return render_template(
        "documents/conclusions.html",
        case=case,
        key=key,
        title=catalog.kind(key).title,
        form=form,
        saved=saved,
        suggested=conclusions.suggested(case, key),
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
