"""Forms of the plan pages: one measure, and a workbook to read back."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.models.case import Category, Level
from app.models.plan import DateKind, Scope
from app.plans.measures import MILESTONES
from app.web.form_choices import choices
from app.workflows import labels

# What a measure can take, as a person chooses it.
TAKES = {
    "nothing": _l("a plain report that it is done"),
    "attendance": _l("attendance recorded by the ministry"),
    "document:order": _l("a document: an order"),
    "document:normative_act": _l("a document: a normative act"),
    "document:analysis": _l("a document: an analysis"),
    "document:certificate": _l("a document: the information certificate"),
    "document:decision": _l("a document: a decision"),
    "document:report": _l("a document: a report"),
    "form:self_analysis": _l("the self-analysis form («Seven steps»)"),
    "form:risk_questionnaire": _l("the ШНОР risk questionnaire"),
    "record:recheck_protocol": _l("the recheck protocol"),
    "record:director_indicators": _l("the director's indicator form"),
    "record:director_evaluation": _l("the director evaluation sheet"),
    "record:competence_assessment": _l("the teachers' competence assessments"),
    "record:leader_assignment": _l("the leader school's assignment"),
    "record:roadmap_report": _l("the monthly roadmap report"),
    "roadmap:school": _l("the school roadmap"),
    "roadmap:mentor": _l("the joint plan with the leader school"),
    "roadmap:municipal": _l("the municipal roadmap"),
}
DATE_KINDS = {
    DateKind.FIXED: _l("a date of the order"),
    DateKind.PERIOD: _l("a period (from … to …)"),
    DateKind.MONTHLY: _l("every month (last working Monday)"),
    DateKind.AFTER_OPEN: _l("working days after the case opens"),
    DateKind.AFTER_MEASURE: _l("working days after another measure is accepted"),
    DateKind.ONGOING: _l("ongoing, no date"),
}
SCOPES = {
    Scope.SCHOOL: _l("each school's own"),
    Scope.MUNICIPALITY: _l("one for the whole municipality"),
    Scope.REGION: _l("one for the whole region"),
}


class MultiCheckbox(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class MeasureForm(FlaskForm):
    number = StringField(_l("№"), validators=[Optional(), Length(max=20)])
    title = TextAreaField(_l("Measure"), validators=[DataRequired(), Length(max=4000)])
    result = TextAreaField(_l("Result / indicator"), validators=[Optional(), Length(max=4000)])
    responsible = SelectField(_l("Responsible executor"))
    reviewer_1 = SelectField(_l("Reviewed at support level 1 by"))
    reviewer_2 = SelectField(_l("Reviewed at support level 2 by"))
    reviewer_3 = SelectField(_l("Reviewed at support level 3 by"))
    tracks = MultiCheckbox(_l("Lists it applies to"))
    levels = MultiCheckbox(_l("Support levels it applies to"))
    min_years = IntegerField(
        _l("Years on the list in a row, at least"), default=1, validators=[NumberRange(1, 10)]
    )
    scope = SelectField(_l("One hand-in answers for"))
    takes = SelectField(_l("What answers it"))
    milestone = SelectField(_l("Milestone"))
    date_kind = SelectField(_l("Term"))
    due = DateField(_l("Date (or the last day)"), validators=[Optional()])
    start = DateField(_l("First day"), validators=[Optional()])
    days = IntegerField(_l("Working days"), validators=[Optional(), NumberRange(0, 366)])
    after = SelectField(_l("After the measure"), validate_choice=False)
    inclusive = BooleanField(_l("«не позднее» (on or before); unticked: «до» (before)"))
    reminders = StringField(
        _l("Reminders, working days before (e.g. 5, 1)"), validators=[Optional(), Length(max=40)]
    )
    required = BooleanField(_l("Required (counts for the stage and the compliance)"))
    seed = StringField(_l("Source"), validators=[Optional(), Length(max=200)])
    overrides = SelectField(
        _l("Replaces the regional measure (an earlier internal date)"), validate_choice=False
    )
    reason = StringField(
        _l("Why the plan changes (recorded in every case)"),
        validators=[InputRequired(), Length(max=500)],
    )

    def with_choices(self, measure_keys: list[tuple[str, str]]) -> MeasureForm:
        none = [("", "—")]
        levels = [(level.value, str(labels.LEVEL[level])) for level in Level]
        self.responsible.choices = choices(levels)
        for field in (self.reviewer_1, self.reviewer_2, self.reviewer_3):
            field.choices = choices(none + levels)
        self.tracks.choices = choices((c.value, labels.CATEGORY[c]) for c in Category)
        self.levels.choices = choices((str(n), str(n)) for n in (1, 2, 3))
        self.scope.choices = choices((s.value, t) for s, t in SCOPES.items())
        self.takes.choices = choices(TAKES.items())
        self.milestone.choices = choices((k, t) for k, t in MILESTONES.items() if k != "closed")
        self.date_kind.choices = choices((k.value, t) for k, t in DATE_KINDS.items())
        self.after.choices = choices(none + measure_keys)
        self.overrides.choices = choices(none + measure_keys)
        return self


class ImportForm(FlaskForm):
    file = FileField(_l("Plan workbook (XLSX)"), validators=[FileRequired()])
    reason = StringField(
        _l("Why the plan changes (recorded in every case)"),
        validators=[InputRequired(), Length(max=500)],
    )
    token = HiddenField()
    preview = SubmitField(_l("Check and preview"))
    confirm = SubmitField(_l("Import"))


class WithdrawForm(FlaskForm):
    reason = StringField(
        _l("Why the measure is withdrawn"), validators=[InputRequired(), Length(max=500)]
    )
