"""What a user may do with the installation and the region's reference data."""

from __future__ import annotations

from app.models.user import Role, User


def can_manage_users(user: User) -> bool:
    """Create, disable and reset accounts."""
    return user.active and user.role is Role.ADMIN


def can_import_directory(user: User) -> bool:
    """Load the school directory."""
    return user.active and user.role in (Role.ADMIN, Role.MINISTRY)


def can_view_organisations(user: User) -> bool:
    """Browse the organisations in scope (everyone above school level)."""
    return user.active and user.role is not Role.SCHOOL


def can_view_campaigns(user: User) -> bool:
    """See campaigns and their schedules (everyone above school level)."""
    return user.active and user.role is not Role.SCHOOL


def can_keep_region_calendar(user: User, region_id: int) -> bool:
    """A region's own non-working days: its ministry or its administrator."""
    return (
        user.active
        and user.role in (Role.MINISTRY, Role.ADMIN)
        and user.organisation_id == region_id
    )


def can_keep_own_region(user: User) -> bool:
    """The region's settings page: its ministry and its administrator."""
    return user.active and user.role in (Role.MINISTRY, Role.ADMIN)


def can_correct_calendar(user: User) -> bool:
    """Correct a day of the production calendar."""
    return user.active and user.role is Role.ADMIN


def can_manage_templates(user: User) -> bool:
    """Upload a new version of a document template."""
    return user.active and user.role is Role.ADMIN


def can_configure_indicators(user: User) -> bool:
    """Publish a new version of the director-effectiveness indicators."""
    return user.active and user.role is Role.MINISTRY


def can_audit(user: User) -> bool:
    """Auditors, the ministry and administrators read the whole history of their region."""
    return user.active and user.role in (Role.AUDITOR, Role.MINISTRY, Role.ADMIN)


def can_manage_vpr(user: User) -> bool:
    """The ministry imports results and runs the signs."""
    return user.active and user.role is Role.MINISTRY


def can_view_vpr(user: User) -> bool:
    """The ministry and auditors see the signs and their evidence."""
    return user.active and user.role in (Role.MINISTRY, Role.AUDITOR)
