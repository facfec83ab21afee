"""Who may see and do what with the monitoring of municipal mechanisms: the ministry and its
auditors read the region's table, a municipality reads and fills in its own reports, the ministry
imports the figures and adds criteria; schools see none of it."""

from __future__ import annotations

from app.access.scope import can_view_org
from app.models.org import Organisation, OrgKind
from app.models.user import Role, User

READERS = (Role.MINISTRY, Role.AUDITOR, Role.MUNICIPAL)


def can_view_mechanisms(user: User) -> bool:
    """The ministry, auditors and municipalities open the monitoring (for the navigation)."""
    return user.active and user.role in READERS


def can_view_mechanisms_of(user: User, municipality: Organisation) -> bool:
    """The municipality's reports: by the region's ministry and auditors and by itself."""
    return (
        can_view_mechanisms(user)
        and municipality.kind is OrgKind.MUNICIPALITY
        and can_view_org(user, municipality)
    )


def can_edit_mechanisms(user: User, municipality: Organisation) -> bool:
    """A municipality's own people enter its figures, conclusions and approving order."""
    return (
        user.active
        and user.role is Role.MUNICIPAL
        and municipality.kind is OrgKind.MUNICIPALITY
        and user.organisation_id == municipality.id
    )


def can_import_mechanisms(user: User) -> bool:
    """The ministry loads the region's figures from a file."""
    return user.active and user.role is Role.MINISTRY


def can_add_mechanism_criterion(user: User) -> bool:
    """The ministry adds a criterion of its own region's evaluation."""
    return user.active and user.role is Role.MINISTRY
