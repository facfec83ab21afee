"""A measure of a plan as plain data (what templates are written in, what the XLSX carries), the
rules of which cases it applies to and who reviews it, and the milestones a case's work passes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from flask_babel import lazy_gettext as _l

from app.models.case import Category, Level
from app.models.plan import PlanMeasure, Scope
from app.plans.dates import DateRule

ALL_LEVELS = (1, 2, 3)
# The lengths of the plan_measure columns a person writes in one line.
NUMBER_MAX, SEED_MAX, KEY_MAX = 20, 200, 60

# The milestones of a case's work, in the order the work usually runs; a case's stage is the
# first of its milestones with something still owed (app.workflows.stages).
MILESTONES: dict[str, Any] = {
    "flagged": _l("Flagged"),
    "diagnostics": _l("Diagnostics questionnaire"),
    "self_analysis": _l("Self-analysis"),
    "recheck": _l("Recheck"),
    "municipal_acts": _l("Municipal acts"),
    "roadmap": _l("Roadmaps"),
    "mentoring": _l("Leader school mentoring"),
    "certificate": _l("Information certificate"),
    "director_evaluation": _l("Director effectiveness evaluation"),
    "competence": _l("Professional competence assessment"),
    "strategic_session": _l("Strategic session"),
    "monitoring": _l("Monitoring"),
    "closed": _l("Closed"),
}
MILESTONE_ORDER = tuple(MILESTONES)

# What a measure can take, with the page or record that answers it.
TAKES_PREFIXES = ("document:", "form:", "record:", "roadmap:")
TAKES_PLAIN = ("attendance", "nothing")


@dataclass(frozen=True)
class Measure:
    """One measure of a plan, as plain data."""

    key: str
    number: str
    title: str
    responsible: Level
    when: DateRule
    milestone: str
    tracks: tuple[Category, ...] = (Category.OBJECTIVITY,)
    result: str = ""
    # The reviewing level for cases at support levels 1, 2 and 3 (None: done when handed in).
    reviewers: tuple[Level | None, Level | None, Level | None] = (None, None, None)
    takes: str = "nothing"
    levels: tuple[int, ...] = ALL_LEVELS
    min_years: int = 1
    school_kinds: tuple[str, ...] = ()
    scope: Scope = Scope.SCHOOL
    reminders: tuple[int, ...] = (5, 1)
    seed: str = ""
    required: bool = True

    @property
    def document_types(self) -> list[str]:
        """The document types an upload answering it is filed as."""
        if self.takes.startswith("document:"):
            return [self.takes.split(":", 1)[1]]
        return []

    def shifted(self, **changes: Any) -> Measure:
        return replace(self, **changes)


def reviewed_by(
    level: Level | None = None,
    *,
    l1: Level | None = None,
    l2: Level | None = None,
    l3: Level | None = None,
) -> tuple[Level | None, Level | None, Level | None]:
    """Reviewers per support level: one for all (``level``), or each level's own."""
    if level is not None:
        return (level, level, level)
    return (l1, l2, l3)


def effective_level(support_level: int | None, default_level: int | None) -> int | None:
    """The level a case is supported at: its own, or the plan's default while it has none."""
    return support_level if support_level is not None else default_level


def applies(
    measure: Measure | PlanMeasure,
    *,
    track: Category,
    level: int | None,
    years_on_list: int,
    school_kind: str | None = None,
) -> bool:
    """Whether a measure applies to a case on this track, at this support level (None: no
    level and no default: only measures for every level), so many years on the list, of this
    kind of school."""
    tracks = [str(t) for t in measure.tracks]
    levels = list(measure.levels) or list(ALL_LEVELS)
    kinds = list(measure.school_kinds)
    if str(track) not in tracks:
        return False
    if level is None and sorted(levels) != list(ALL_LEVELS):
        return False
    if level is not None and level not in levels:
        return False
    if years_on_list < (measure.min_years or 1):
        return False
    return not kinds or school_kind is None or school_kind in kinds


def reviewer_for(measure: Measure | PlanMeasure, level: int | None) -> Level | None:
    """The level that reviews this measure for a case at the support level."""
    reviewers = list(measure.reviewers) + [None] * 3
    value = reviewers[(level or 1) - 1]
    return Level(value) if value else None


def rule_of(measure: PlanMeasure) -> DateRule:
    """The date rule a stored measure carries."""
    return DateRule(
        measure.date_kind,
        due=measure.due_on,
        start=measure.starts_on,
        days=measure.days,
        after=measure.after_key,
        inclusive=measure.inclusive,
        monthly=measure.monthly_rule,
    )


def to_row(measure: Measure, position: int) -> dict[str, Any]:
    """The column values of a PlanMeasure for a measure."""
    rule = measure.when
    return {
        "key": measure.key,
        "position": position,
        "number": measure.number,
        "title": measure.title,
        "result": measure.result,
        "responsible": measure.responsible.value,
        "reviewers": [r.value if r else None for r in measure.reviewers],
        "tracks": [t.value for t in measure.tracks],
        "levels": list(measure.levels),
        "min_years": measure.min_years,
        "school_kinds": list(measure.school_kinds),
        "scope": measure.scope,
        "takes": measure.takes,
        "milestone": measure.milestone,
        "seed": measure.seed,
        "required": measure.required,
        "date_kind": rule.kind,
        "due_on": rule.due,
        "starts_on": rule.start,
        "days": rule.days,
        "after_key": rule.after,
        "inclusive": rule.inclusive,
        "monthly_rule": rule.monthly,
        "reminders": list(measure.reminders),
    }


def from_row(row: PlanMeasure) -> Measure:
    """The plain measure a stored one is."""
    reviewers = [Level(r) if r else None for r in (list(row.reviewers) + [None] * 3)[:3]]
    return Measure(
        key=row.key,
        number=row.number,
        title=row.title,
        responsible=Level(row.responsible),
        when=rule_of(row),
        milestone=row.milestone,
        tracks=tuple(Category(t) for t in row.tracks),
        result=row.result or "",
        reviewers=(reviewers[0], reviewers[1], reviewers[2]),
        takes=row.takes,
        levels=tuple(row.levels) or ALL_LEVELS,
        min_years=row.min_years,
        school_kinds=tuple(row.school_kinds),
        scope=row.scope,
        reminders=tuple(row.reminders),
        seed=row.seed or "",
        required=row.required,
    )
