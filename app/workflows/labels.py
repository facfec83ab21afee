"""Localised labels for codes that appear on pages and in documents."""

from __future__ import annotations

from typing import Any

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l

from app.models.case import CaseStatus, Category, Level, ObligationStatus
from app.models.document import ReviewStatus
from app.models.org import Subordination
from app.plans.measures import MILESTONES

CATEGORY = {
    Category.OBJECTIVITY: _l("Signs of non-objective results"),
    Category.LOW_RESULTS: _l("Low educational results (ШНОР)"),
    Category.ADVERSE: _l("Adverse social conditions (ШФНСУ)"),
}
CATEGORY_SHORT = {
    Category.OBJECTIVITY: _l("non-objectivity"),
    Category.LOW_RESULTS: _l("ШНОР"),
    Category.ADVERSE: _l("ШФНСУ"),
}
SUBORDINATION = {
    Subordination.MUNICIPAL: _l("municipal school"),
    Subordination.REGIONAL: _l("school subordinate to the ministry"),
    Subordination.PRIVATE: _l("private school"),
}
CASE_STATUS = {
    CaseStatus.OPEN: _l("in progress"),
    CaseStatus.RESOLVED: _l("closed: resolved"),
    CaseStatus.ESCALATED: _l("closed: escalated"),
}
LEVEL = {
    Level.SCHOOL: _l("school"),
    Level.LEADER_SCHOOL: _l("leader school"),
    Level.METHOD_CENTRE: _l("methodological centre"),
    Level.MUNICIPALITY: _l("municipality"),
    Level.INSTITUTE: _l("regional institute"),
    Level.REGION: _l("ministry"),
}
OBLIGATION_STATUS = {
    ObligationStatus.OPEN: _l("open"),
    ObligationStatus.SUBMITTED: _l("submitted, awaiting review"),
    ObligationStatus.RETURNED: _l("returned for correction"),
    ObligationStatus.ACCEPTED: _l("accepted"),
    ObligationStatus.WAIVED: _l("waived"),
}
REVIEW_STATUS = {
    ReviewStatus.PENDING: _l("awaiting review"),
    ReviewStatus.ACCEPTED: _l("accepted"),
    ReviewStatus.RETURNED: _l("returned"),
}
ACTION = {
    "case.created": _l("Case opened"),
    "case.transition": _l("Stage changed"),
    "case.action": _l("Case action"),
    "case.support_level_changed": _l("Support level changed"),
    "case.flags_updated": _l("Markers updated from a flag list"),
    "obligation.created": _l("Obligation created"),
    "obligation.submitted": _l("Obligation submitted"),
    "obligation.accepted": _l("Obligation accepted"),
    "obligation.returned": _l("Obligation returned"),
    "obligation.acceptance_withdrawn": _l("Acceptance withdrawn"),
    "obligation.waived": _l("Obligation waived"),
    "obligation.assigned": _l("Responsible person assigned"),
    "obligation.due_changed": _l("Due date changed"),
    "obligation.changed": _l("Obligation changed with the plan"),
    "obligation.reopened": _l("Obligation returned for rework"),
    "obligation.reviewer_changed": _l("Reviewer changed"),
    "obligation.satisfied_by_act": _l("Answered by the municipality's act"),
    "document.uploaded": _l("Document uploaded"),
    "document.generated": _l("Document generated"),
    "document.registered": _l("Signed act registered"),
    "document.signed_copy": _l("Scan of the signed paper attached"),
    "roadmap.created": _l("Roadmap started"),
    "roadmap.item_saved": _l("Roadmap measure saved"),
    "roadmap.report_submitted": _l("Monthly report submitted"),
    "campaign.created": _l("Campaign created"),
    "campaign.deadline_changed": _l("Campaign schedule changed"),
    "campaign.order_recorded": _l("Approving order recorded"),
    "plan.created": _l("Plan made from templates"),
    "plan.measure_saved": _l("Plan measure saved"),
    "plan.measure_withdrawn": _l("Plan measure withdrawn"),
    "plan.replaced": _l("Plan imported"),
    "calendar.day_changed": _l("Calendar corrected"),
    "user.created": _l("User created"),
    "user.disabled": _l("User disabled"),
    "user.enabled": _l("User enabled"),
    "user.password_reset": _l("Password reset"),
    "user.password_changed": _l("Password changed"),
    "org.created": _l("Organisation created"),
    "org.updated": _l("Organisation updated"),
    "mechanisms.saved": _l("Municipal mechanisms report saved"),
    "mechanisms.document_attached": _l("Approved mechanisms report attached"),
    "mechanisms.criterion_added": _l("Mechanisms criterion added"),
    "mechanisms.import_figures": _l("Mechanisms figures imported"),
    "calendar.region_day": _l("Region's own day set"),
    "org.timezone_changed": _l("Time zone changed"),
    "case.recorded": _l("Case entered from the region's records"),
    "form.saved": _l("Form saved"),
    "competence.recorded": _l("Competence assessment recorded"),
    "director.scored": _l("Director evaluated"),
    "director.values_saved": _l("Director's indicators entered"),
    "indicators.new_version": _l("New version of the indicators"),
    "mentoring.assigned": _l("Leader school assigned"),
    "document.conclusion_saved": _l("Document conclusions saved"),
    "recheck.expert_added": _l("Expert added to the register"),
    "recheck.member_added": _l("Commission member added"),
    "recheck.work_saved": _l("Rechecked work saved"),
    "recheck.works_imported": _l("Rechecked works imported"),
    "session.planned": _l("Strategic session planned"),
    "session.changed": _l("Strategic session moved"),
    "session.cancelled": _l("Strategic session cancelled"),
    "session.invited": _l("Invited to a strategic session"),
    "session.participants_named": _l("Session participants named"),
    "session.attendance": _l("Attendance recorded"),
    "session.decisions": _l("Session decisions recorded"),
    "session.material": _l("Session material attached"),
    "signs.computed": _l("Signs computed from VPR results"),
    "signs.approved": _l("Proposed list approved"),
    "vpr.imported": _l("VPR results imported"),
    "template.uploaded": _l("Document template replaced"),
    "user.api_token_created": _l("API token issued"),
    "user.api_token_revoked": _l("API token revoked"),
    "user.calendar_feed_issued": _l("Calendar feed issued"),
    "user.calendar_feed_revoked": _l("Calendar feed revoked"),
}


def _short(value: Any) -> str:
    if isinstance(value, float):
        return format_decimal(value, "#,##0.###")
    if isinstance(value, dict):
        return "{" + describe_values(value) + "}"
    if isinstance(value, list):
        return ", ".join(_short(v) for v in value)
    return "—" if value is None else str(value)


def describe_values(values: dict[str, Any] | None) -> str:
    """Before/after values and evidence numbers as short text, numbers in the user's locale."""
    if not values:
        return ""
    return "; ".join(f"{k}: {_short(v)}" for k, v in values.items())


def stage_title(value: Any, key: str | None = None) -> str:
    """The localised title of a milestone: of ``key``, or of a case's stage."""
    stage = key or (value if isinstance(value, str) else value.stage)
    return str(MILESTONES.get(stage, stage))


def obligation_title(obligation: Any) -> str:
    """What an obligation is, as its plan's measure says (with the month of a monthly one)."""
    title = obligation.measure.title
    if obligation.period:
        return f"{title} ({obligation.period[5:]}.{obligation.period[:4]})"
    return str(title)


# The fields of history events (before / after), as the case history report names them.
SYSTEM = _l("the system")
