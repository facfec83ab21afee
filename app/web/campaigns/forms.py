"""Forms of the campaign pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.plans.templates import DEFAULT, TEMPLATES
from app.web.form_choices import choices


class MultiCheckbox(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class CampaignForm(FlaskForm):
    vpr_year = IntegerField(
        _l("Year of the VPR that produced the list"),
        validators=[DataRequired(), NumberRange(2000, 2100)],
    )
    order_number = StringField(
        _l("Approving order: number"), validators=[Optional(), Length(max=50)]
    )
    order_date = DateField(_l("Approving order: date"), validators=[Optional()])
    templates = MultiCheckbox(_l("Plan templates"))

    def with_choices(self) -> CampaignForm:
        self.templates.choices = choices((t.key, t.title) for t in TEMPLATES.values())
        if not self.templates.data:
            self.templates.data = list(DEFAULT)
        return self


class FlagImportForm(FlaskForm):
    file = FileField(_l("Flag list (CSV or XLSX)"))
    live_year = IntegerField(
        _l("The live year (earlier years are recorded as history)"),
        validators=[Optional(), NumberRange(2000, 2100)],
    )
    token = HiddenField()
    preview = SubmitField(_l("Check and preview"))
    confirm = SubmitField(_l("Import"))
