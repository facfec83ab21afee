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
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from app.legal.orders import LENGTHS, OrderValues, order_of
from app.models.case import Campaign
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


class OrderForm(FlaskForm):
    """The campaign's approving order, as its first page reads."""

    number = StringField(_l("Number"), validators=[Optional(), Length(max=50)])
    date = DateField(_l("Date"), validators=[Optional()])
    title = TextAreaField(
        _l("Title"),
        validators=[Optional(), Length(max=LENGTHS["title"])],
        description=_l("As the order names itself: «Об утверждении перечня …»."),
    )
    issuer = StringField(
        _l("Issuing body"),
        validators=[Optional(), Length(max=LENGTHS["issuer"])],
        description=_l("In the nominative, as on the letterhead: «Министерство образования …»."),
    )
    signatory_position = StringField(
        _l("Signed by: position"),
        validators=[Optional(), Length(max=LENGTHS["signatory_position"])],
    )
    signatory_name = StringField(
        _l("Signed by: name"), validators=[Optional(), Length(max=LENGTHS["signatory_name"])]
    )
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])

    @classmethod
    def of(cls, campaign: Campaign) -> OrderForm:
        """The form filled with what the campaign records."""
        order = order_of(campaign)
        return cls(
            formdata=None,
            number=order.number,
            date=order.date,
            title=order.title,
            issuer=order.issuer,
            signatory_position=order.signatory_position,
            signatory_name=order.signatory_name,
            version=campaign.version,
        )

    def values(self) -> OrderValues:
        """The order the form describes."""
        return OrderValues(
            number=self.number.data,
            date=self.date.data,
            title=self.title.data,
            issuer=self.issuer.data,
            signatory_name=self.signatory_name.data,
            signatory_position=self.signatory_position.data,
        )
