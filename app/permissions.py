"""Named permission checks, shared by views, templates, the API and the CLI.

Object visibility (which rows a user may see at all) lives in app.scope; the checks here say what
a user may *do*. Case rules live in app.workflows.permissions.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, abort, current_app
from flask_login import current_user

from app.models.user import Role, User

F = TypeVar("F", bound=Callable[..., Any])

REGION_ROLES = frozenset({Role.MINISTRY, Role.AUDITOR, Role.ADMIN})


def can_manage_users(user: User) -> bool:
    """Create, disable and reset accounts."""
    return user.role is Role.ADMIN


def can_import_directory(user: User) -> bool:
    """Load the school directory."""
    return user.role in (Role.ADMIN, Role.MINISTRY)


def can_view_organisations(user: User) -> bool:
    """Browse the organisations in scope (everyone above school level)."""
    return user.role is not Role.SCHOOL


def requires(check: Callable[[User], bool]) -> Callable[[F], F]:
    """View decorator: 403 unless the logged-in user passes ``check``."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
            if not check(current_user):
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def can_view_campaigns(user: User) -> bool:
    """See campaigns and their schedules (everyone above school level)."""
    return user.role is not Role.SCHOOL


def _checks() -> dict[str, Callable[..., bool]]:
    from app.auditing.views import can_audit
    from app.vpr.views import can_view_vpr
    from app.workflows import permissions as wf

    return {
        "can_manage_users": can_manage_users,
        "can_import_directory": can_import_directory,
        "can_view_organisations": can_view_organisations,
        "can_view_campaigns": can_view_campaigns,
        "has_inbox": wf.has_inbox,
        "can_view_dashboard": wf.can_view_dashboard,
        "can_import_flags": wf.can_import_flags,
        "can_audit": can_audit,
        "can_view_vpr": can_view_vpr,
    }


def init_app(app: Flask) -> None:
    """Expose ``can('check_name', *args)`` to templates."""
    checks = _checks()

    def can(name: str, *args: Any) -> bool:
        return current_user.is_authenticated and checks[name](current_user, *args)

    app.jinja_env.globals["can"] = can
