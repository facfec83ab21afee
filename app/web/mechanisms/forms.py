"""Forms of the mechanisms pages: a year's report (one value and, when the year before has no
report, its value per criterion), the approved document, a file of figures, a new criterion."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    Field,
    HiddenField,
    IntegerField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.errors import InvalidInput
from app.mechanisms.numbers import parse_percent
from app.mechanisms.reports import MAX_CONCLUSIONS
from app.models.mechanism import MechanismCriterion


def percentage(form: FlaskForm, field: Field) -> None:
    """A percentage from 0 to 100 with at most one decimal place (or nothing)."""
    try:
        parse_percent(field.data)
    except InvalidInput as err:
        raise ValidationError(err.message) from err


class ReportForm(FlaskForm):
    version = IntegerField(validators=[InputRequired()])
    conclusions = TextAreaField(
        _l("Conclusions"), validators=[Optional(), Length(max=MAX_CONCLUSIONS)]
    )
    order_number = StringField(_l("Order number"), validators=[Optional(), Length(max=50)])
    order_date = DateField(_l("Order date"), validators=[Optional()])
    publisher = StringField(
        _l("Responsible for developing, collecting and publishing the materials on the site"),
        validators=[Optional(), Length(max=300)],
    )


def report_form(
    criteria: list[MechanismCriterion], previous_known: set[int], **data: Any
) -> ReportForm:
    """The report form with a value field per criterion (``value_<id>``) and, for a criterion
    whose year before has no report, a field for that year's value (``previous_<id>``)."""

    class Form(ReportForm):
        pass

    for criterion in criteria:
        setattr(
            Form,
            f"value_{criterion.id}",
            StringField(criterion.code, validators=[Optional(), percentage]),
        )
        if criterion.id not in previous_known:
            setattr(
                Form,
                f"previous_{criterion.id}",
                StringField(criterion.code, validators=[Optional(), percentage]),
            )
    return Form(**data)


class MultiCheckbox(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class DocumentForm(FlaskForm):
    version = IntegerField(validators=[InputRequired()])
    file = FileField(
        _l("The approved report and roadmap (PDF, DOCX …)"), validators=[FileRequired()]
    )
    # Checked by the operation, which names the refusal in the user's language.
    hand_in = MultiCheckbox(
        _l("Hand the same file in for the plan's measures"), coerce=int, validate_choice=False
    )


class ImportForm(FlaskForm):
    file = FileField(_l("Figures (CSV or XLSX)"), validators=[FileRequired()])
    token = HiddenField()
    filename = HiddenField()
    preview = SubmitField(_l("Check and preview"))
    confirm = SubmitField(_l("Import"))


class CriterionForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=20)])
    title = StringField(_l("Criterion"), validators=[DataRequired(), Length(max=500)])
