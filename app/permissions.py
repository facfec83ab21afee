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


PERMISSION_CHECKS = {
    "can_manage_users": can_manage_users,
    "can_import_directory": can_import_directory,
    "can_view_organisations": can_view_organisations,
}


def init_app(app: Flask) -> None:
    """Expose ``can('check_name', *args)`` to templates."""

    def can(name: str, *args: Any) -> bool:
        return current_user.is_authenticated and PERMISSION_CHECKS[name](current_user, *args)

    app.jinja_env.globals["can"] = can
