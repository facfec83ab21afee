"""Forms of the campaign pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, HiddenField, IntegerField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, NumberRange, Optional


class CampaignForm(FlaskForm):
    vpr_year = IntegerField(
        _l("Year of the VPR that produced the list"),
        validators=[DataRequired(), NumberRange(2000, 2100)],
    )
    order_number = StringField(
        _l("Approving order: number"), validators=[Optional(), Length(max=50)]
    )
    order_date = DateField(_l("Approving order: date"), validators=[Optional()])


class DeadlineForm(FlaskForm):
    obligation_type = HiddenField(validators=[DataRequired()])
    due_date = DateField(_l("Due date"), validators=[DataRequired()])
    reason = StringField(_l("Reason for the change"), validators=[Optional(), Length(max=500)])


class FlagImportForm(FlaskForm):
    file = FileField(_l("Flag list (CSV or XLSX)"))
    token = HiddenField()
    preview = SubmitField(_l("Check and preview"))
    confirm = SubmitField(_l("Import"))
