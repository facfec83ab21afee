"""Uploading documents to obligations and downloading versions."""

from __future__ import annotations

import io

from flask import Blueprint, abort, redirect, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from werkzeug.wrappers import Response
from wtforms import IntegerField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from app.documents import service
from app.models.case import Obligation
from app.scope import get_scoped_or_404
from app.web import perform
from app.workflows import permissions

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
    if not permissions.is_responsible(current_user, obligation):
        abort(403)
    form = UploadForm()
    if not form.validate_on_submit():
        abort(400)
    data = form.file.data.read()
    perform(
        lambda: service.upload_for_obligation(
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
    found = service.download(document_id, number, current_user)
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
