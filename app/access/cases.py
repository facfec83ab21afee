"""What a user may do with campaigns, cases and obligations."""

from __future__ import annotations

from typing import Any

from app.access.scope import can_view_org
from app.models.case import PENDING_STATUSES, Campaign, Case, Obligation, ObligationStatus
from app.models.org import OrgKind
from app.models.user import ACTING_ROLE, ACTING_ROLES, Role, User

# The roles that review submissions (the organisation a review falls to is the obligation's
# reviewer_org_id; a school never reviews).
REVIEWER_ROLES = frozenset({Role.MINISTRY, Role.INSTITUTE, Role.MUNICIPAL, Role.METHOD_CENTRE})


def can_view_case(user: User, case: Case) -> bool:
    """Anyone whose scope covers the school, and an organisation that owes one of its measures
    (the leader school of a ШНОР school)."""
    return can_view_org(user, case.school) or (
        user.active and any(o.responsible_org_id == user.organisation_id for o in case.obligations)
    )


def can_take(user: User, case: Case, action: Any) -> bool:
    """The user's role may take the case action (app.workflows.cases.ACTIONS) and the case is
    in the user's scope; whether the case allows it now is the workflow's business."""
    return user.active and user.role in action.roles and can_view_case(user, case)


def acts_for_organisation(user: User) -> bool:
    """The user does their organisation's work (the auditor and the administrator only read)."""
    return user.active and user.role in ACTING_ROLES


def has_reviews(user: User) -> bool:
    """The roles that review submissions (the inbox's second part)."""
    return user.active and user.role in REVIEWER_ROLES


def role_for_kind(kind: OrgKind) -> Role:
    """The role whose people act for an organisation of this kind (who is told about an
    obligation it owes)."""
    return ACTING_ROLE[kind]


def is_responsible(user: User, obligation: Obligation) -> bool:
    """The user does the work of the responsible organisation."""
    return acts_for_organisation(user) and user.organisation_id == obligation.responsible_org_id


def can_submit(user: User, obligation: Obligation) -> bool:
    """The responsible party hands in an obligation it still owes."""
    return obligation.status in PENDING_STATUSES and is_responsible(user, obligation)


def is_reviewer(user: User, obligation: Obligation) -> bool:
    """The user reviews for the organisation the obligation's review falls to."""
    return (
        obligation.reviewer_org_id is not None
        and has_reviews(user)
        and user.organisation_id == obligation.reviewer_org_id
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
    return user.active and user.role in (
        Role.MINISTRY,
        Role.AUDITOR,
        Role.INSTITUTE,
        Role.MUNICIPAL,
        Role.METHOD_CENTRE,
    )


def has_inbox(user: User) -> bool:
    """The roles that owe or review obligations."""
    return acts_for_organisation(user)


def is_municipal_of(user: User, case: Case) -> bool:
    """A person of the case's municipal authority (a school under the region has none: the
    ministry does the municipality's part)."""
    return (
        user.active
        and user.role is Role.MUNICIPAL
        and case.municipality_id is not None
        and user.organisation_id == case.municipality_id
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
