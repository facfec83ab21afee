"""Forms of the case pages. They only carry values; operations do the work."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.web.form_choices import choices


class TransitionForm(FlaskForm):
    transition = HiddenField(validators=[DataRequired()])
    version = IntegerField(validators=[InputRequired()])
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=2000)])


class SupportLevelForm(FlaskForm):
    version = IntegerField(validators=[InputRequired()])
    level = SelectField(
        _l("Level of management support"),
        choices=choices([("", "—"), ("1", "1"), ("2", "2"), ("3", "3")]),
    )


class ObligationForm(FlaskForm):
    version = IntegerField(validators=[InputRequired()])
    text = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=4000)])
    decision = StringField(validators=[Optional()])
