"""What a user may do with a case or an obligation. Views, templates, the API and the
operations all ask these same questions."""

from __future__ import annotations

from app.models.case import PENDING_STATUSES, Campaign, Case, Level, Obligation, ObligationStatus
from app.models.user import Role, User
from app.scope import can_view_org
from app.workflows import registry
from app.workflows.definitions import Transition

LEVEL_ROLE = {
    Level.SCHOOL: Role.SCHOOL,
    Level.MUNICIPALITY: Role.MUNICIPAL,
    Level.REGION: Role.MINISTRY,
}


def can_view_case(user: User, case: Case) -> bool:
    """Anyone whose scope covers the school."""
    return can_view_org(user, case.school)


def can_take(user: User, case: Case, transition: Transition) -> bool:
    """The role may take the transition and the case is in the user's scope (guards aside)."""
    return (
        case.stage == transition.source
        and user.role in transition.roles
        and can_view_case(user, case)
    )


def transitions_for(user: User, case: Case) -> list[tuple[Transition, str | None]]:
    """The transitions this user may take now, each with the reason it is blocked (or None)."""
    workflow = registry.of_case(case)
    offered = []
    for transition in workflow.transitions_from(case.stage):
        if not can_take(user, case, transition):
            continue
        reason = next((r for g in transition.guards if (r := g(case)) is not None), None)
        offered.append((transition, reason))
    return offered


def is_responsible(user: User, obligation: Obligation) -> bool:
    """The user belongs to the responsible organisation with the matching role."""
    return (
        user.organisation_id == obligation.responsible_org_id
        and user.role is LEVEL_ROLE[obligation.level]
    )


def can_submit(user: User, obligation: Obligation) -> bool:
    return obligation.status in PENDING_STATUSES and is_responsible(user, obligation)


def can_review(user: User, obligation: Obligation) -> bool:
    return (
        obligation.status is ObligationStatus.SUBMITTED
        and obligation.reviewer_role == user.role.value
        and can_view_case(user, obligation.case)
    )


def can_waive(user: User, obligation: Obligation) -> bool:
    return (
        user.role is Role.MINISTRY
        and not obligation.is_done()
        and can_view_case(user, obligation.case)
    )


def can_set_support_level(user: User, case: Case) -> bool:
    return user.role is Role.MINISTRY and can_view_case(user, case)


def can_edit_schedule(user: User, campaign: Campaign) -> bool:
    return user.role is Role.MINISTRY and user.organisation_id == campaign.region_id


def can_manage_campaigns(user: User) -> bool:
    return user.role is Role.MINISTRY


def can_import_flags(user: User) -> bool:
    return user.role is Role.MINISTRY


def can_view_dashboard(user: User) -> bool:
    return user.role in (Role.MINISTRY, Role.AUDITOR, Role.MUNICIPAL)


def has_inbox(user: User) -> bool:
    return user.role in (Role.SCHOOL, Role.MUNICIPAL, Role.MINISTRY)
