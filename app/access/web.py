"""The permission checks where HTTP meets them: a view decorator, and ``can()`` in templates."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, abort, current_app
from flask_login import current_user

from app import access
from app.models.user import User

F = TypeVar("F", bound=Callable[..., Any])


def requires(check: Callable[[User], bool]) -> Callable[[F], F]:
    """View decorator: 403 unless the logged-in user passes ``check``."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            user = current_user._get_current_object()
            if not user.is_authenticated:
                return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
            if not check(user):
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def init_app(app: Flask) -> None:
    """Expose ``can('check_name', *args)`` to templates: any check of app.access by name."""
    checks = {name: getattr(access, name) for name in access.CHECKS}

    def can(name: str, *args: Any) -> bool:
        user = current_user._get_current_object()  # the checks read it directly, not by proxy
        return bool(user.is_authenticated and checks[name](user, *args))

    app.jinja_env.globals["can"] = can
