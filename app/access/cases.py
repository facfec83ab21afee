"""What a user may do with campaigns, cases and obligations."""

from __future__ import annotations

from typing import Any

from app.access.scope import can_view_org
from app.models.case import PENDING_STATUSES, Campaign, Case, Level, Obligation, ObligationStatus
from app.models.user import Role, User

# The role whose people act for each level of responsibility (the regional institute is the
# ministry's, the methodological centre the municipality's, a leader school a school's).
LEVEL_ROLE = {
    Level.SCHOOL: Role.SCHOOL,
    Level.LEADER_SCHOOL: Role.SCHOOL,
    Level.METHOD_CENTRE: Role.MUNICIPAL,
    Level.MUNICIPALITY: Role.MUNICIPAL,
    Level.INSTITUTE: Role.MINISTRY,
    Level.REGION: Role.MINISTRY,
}
# Roles that review submissions.
REVIEWER_ROLES = (Role.MUNICIPAL, Role.MINISTRY)


def can_view_case(user: User, case: Case) -> bool:
    """Anyone whose scope covers the school."""
    return can_view_org(user, case.school)


def can_take(user: User, case: Case, action: Any) -> bool:
    """The user's role may take the case action (app.workflows.cases.ACTIONS) and the case is
    in the user's scope; whether the case allows it now is the workflow's business."""
    return user.active and user.role in action.roles and can_view_case(user, case)


def levels_acted_by(user: User) -> tuple[Level, ...]:
    """The levels of responsibility the user's role acts for."""
    return tuple(level for level, role in LEVEL_ROLE.items() if role is user.role)


def reviews_as(user: User) -> tuple[Level, ...]:
    """The reviewing levels the user reviews for (none for roles that do not review)."""
    return levels_acted_by(user) if user.role in REVIEWER_ROLES else ()


def has_reviews(user: User) -> bool:
    """The roles that review submissions (the inbox's second part)."""
    return user.active and bool(reviews_as(user))


def role_for_level(level: Level) -> Role:
    """The role whose people act for a level (who is told about an obligation)."""
    return LEVEL_ROLE[level]


def is_responsible(user: User, obligation: Obligation) -> bool:
    """The user belongs to the responsible organisation with the matching role."""
    return (
        user.active
        and user.organisation_id == obligation.responsible_org_id
        and user.role is LEVEL_ROLE[obligation.level]
    )


def can_submit(user: User, obligation: Obligation) -> bool:
    """The responsible party hands in an obligation it still owes."""
    return obligation.status in PENDING_STATUSES and is_responsible(user, obligation)


def is_reviewer(user: User, obligation: Obligation) -> bool:
    """The user's role reviews this obligation and the case is in the user's scope."""
    return (
        obligation.reviewer_level is not None
        and obligation.reviewer_level in reviews_as(user)
        and can_view_case(user, obligation.case)
    )


def can_review(user: User, obligation: Obligation) -> bool:
    """The reviewer decides a submission."""
    return obligation.status is ObligationStatus.SUBMITTED and is_reviewer(user, obligation)


def can_waive(user: User, obligation: Obligation) -> bool:
    """The ministry releases the responsible party from an obligation not done yet."""
    return (
        user.role is Role.MINISTRY
        and not obligation.is_done()
        and can_view_case(user, obligation.case)
    )


def can_assign_person(user: User, obligation: Obligation) -> bool:
    """The responsible organisation, or the ministry, names the person responsible."""
    return is_responsible(user, obligation) or can_waive(user, obligation)


def can_set_support_level(user: User, case: Case) -> bool:
    """The ministry assigns the level of management support."""
    return user.role is Role.MINISTRY and can_view_case(user, case)


def can_edit_plan(user: User, campaign: Campaign) -> bool:
    """The ministry of the campaign's region edits its plan."""
    return user.active and user.role is Role.MINISTRY and user.organisation_id == campaign.region_id


def can_extend_plan(user: User, campaign: Campaign, municipality_id: int) -> bool:
    """A municipality of the campaign's region adds its own measures for its schools."""
    return (
        user.active
        and user.role is Role.MUNICIPAL
        and user.organisation_id == municipality_id
        and user.organisation.region_id == campaign.region_id
    )


def can_record_order(user: User, campaign: Campaign) -> bool:
    """The ministry of the campaign's region records its approving order."""
    return user.active and user.role is Role.MINISTRY and user.organisation_id == campaign.region_id


def can_manage_campaigns(user: User) -> bool:
    """Open campaigns."""
    return user.active and user.role is Role.MINISTRY


def can_import_flags(user: User) -> bool:
    """Import a flag list (opens cases)."""
    return user.active and user.role is Role.MINISTRY


def can_view_dashboard(user: User) -> bool:
    """The compliance dashboard."""
    return user.active and user.role in (Role.MINISTRY, Role.AUDITOR, Role.MUNICIPAL)


def has_inbox(user: User) -> bool:
    """The roles that owe or review obligations."""
    return user.active and user.role in (Role.SCHOOL, Role.MUNICIPAL, Role.MINISTRY)


def is_municipal_of(user: User, case: Case) -> bool:
    """A person of the case's municipal authority."""
    return (
        user.active and user.role is Role.MUNICIPAL and user.organisation_id == case.municipality_id
    )


def is_ministry_of(user: User, case: Case) -> bool:
    """A person of the ministry of the case's region."""
    return (
        user.active
        and user.role is Role.MINISTRY
        and user.organisation_id == case.campaign.region_id
    )


def is_school_of(user: User, case: Case) -> bool:
    """A person of the case's school."""
    return user.active and user.role is Role.SCHOOL and user.organisation_id == case.school_id
