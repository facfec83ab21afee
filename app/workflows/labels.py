"""Localised labels for codes that appear on pages and in documents."""

from __future__ import annotations

from typing import Any

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l

from app.models.case import CaseStatus, Category, Level, ObligationStatus
from app.models.document import ReviewStatus

CATEGORY = {
    Category.OBJECTIVITY: _l("Signs of non-objective results"),
    Category.LOW_RESULTS: _l("Low educational results (ШНОР)"),
}
CATEGORY_SHORT = {Category.OBJECTIVITY: _l("non-objectivity"), Category.LOW_RESULTS: _l("ШНОР")}
CASE_STATUS = {
    CaseStatus.OPEN: _l("in progress"),
    CaseStatus.RESOLVED: _l("closed: resolved"),
    CaseStatus.ESCALATED: _l("closed: escalated"),
}
LEVEL = {
    Level.SCHOOL: _l("school"),
    Level.MUNICIPALITY: _l("municipality"),
    Level.REGION: _l("region"),
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
    "case.support_level_changed": _l("Support level changed"),
    "case.flags_updated": _l("Markers updated from a flag list"),
    "obligation.created": _l("Obligation created"),
    "obligation.submitted": _l("Obligation submitted"),
    "obligation.accepted": _l("Obligation accepted"),
    "obligation.returned": _l("Obligation returned"),
    "obligation.waived": _l("Obligation waived"),
    "obligation.assigned": _l("Responsible person assigned"),
    "obligation.due_changed": _l("Due date changed"),
    "obligation.satisfied_by_act": _l("Answered by the municipality's act"),
    "document.uploaded": _l("Document uploaded"),
    "document.generated": _l("Document generated"),
    "roadmap.created": _l("Roadmap started"),
    "roadmap.item_saved": _l("Roadmap measure saved"),
    "roadmap.report_submitted": _l("Monthly report submitted"),
    "campaign.created": _l("Campaign created"),
    "campaign.deadline_changed": _l("Campaign schedule changed"),
    "calendar.day_changed": _l("Calendar corrected"),
    "user.created": _l("User created"),
    "user.disabled": _l("User disabled"),
    "user.enabled": _l("User enabled"),
    "user.password_reset": _l("Password reset"),
    "user.password_changed": _l("Password changed"),
    "org.created": _l("Organisation created"),
    "org.updated": _l("Organisation updated"),
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
