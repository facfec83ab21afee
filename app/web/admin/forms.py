"""Administration forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

from app.models.user import Role
from app.web.form_choices import choices


class UserCreateForm(FlaskForm):
    email = StringField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=300)])
    position = StringField(_l("Position"), validators=[Optional(), Length(max=300)])
    role = SelectField(_l("Role"))
    organisation_id = SelectField(
        _l("Organisation (region or municipality)"), coerce=int, validate_choice=False
    )
    school_login = StringField(
        _l("School login (for school users)"), validators=[Optional(), Length(max=16)]
    )

    def refresh_labels(self) -> None:
        """Role labels are lazy strings: evaluate them in the request's locale."""
        self.role.choices = choices((r.value, r.label) for r in Role)


class ConfirmForm(FlaskForm):
    """A bare form: a button with a CSRF token."""


class DirectoryImportForm(FlaskForm):
    file = FileField(_l("School directory (CSV or XLSX)"), validators=[FileRequired()])
    preview = SubmitField(_l("Check without importing"))
    submit = SubmitField(_l("Import"))


class CalendarDayForm(FlaskForm):
    day = DateField(_l("Date"), validators=[DataRequired()])
    working = SelectField(
        _l("The day is"), choices=choices([("0", _l("a day off")), ("1", _l("a working day"))])
    )
    name = StringField(_l("Name or reason"), validators=[Optional(), Length(max=200)])


class RegionForm(FlaskForm):
    timezone = SelectField(_l("Time zone of the region"))


class RegionDayForm(FlaskForm):
    day = DateField(_l("Date"), validators=[DataRequired()])
    working = SelectField(
        _l("The day is"),
        choices=choices(
            [
                ("0", _l("a day off in the region")),
                ("1", _l("a working day in the region")),
                ("", _l("as in the federal calendar (remove)")),
            ]
        ),
        validate_choice=False,
    )
    name = StringField(_l("Name or reason"), validators=[Optional(), Length(max=200)])


class TemplateForm(FlaskForm):
    key = SelectField(_l("Document"))
    file = FileField(_l("Template (.docx)"), validators=[FileRequired()])
