"""The site's sections in every page's header, drawn once for each set of sections a user may
open: a page's nav is fourteen permission checks, twenty URLs and twenty translations, and
what it shows depends on nothing else than which checks pass, the locale and the site's root.

The checks still run on every request (they are attribute comparisons); only their drawing is
remembered, keyed on the checks' outcome, so a change of role shows at the next page. The
fragment holds no data and nothing of the user: no token, no count, no name.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, request
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup

from app import access

# Every check _nav.html asks for, by name; the template reads them from ``allowed``.
NAV_CHECKS = (
    "has_inbox",
    "can_view_dashboard",
    "can_view_campaigns",
    "can_open_sessions",
    "can_view_vpr",
    "can_audit",
    "can_import_flags",
    "has_expert_register",
    "can_view_mechanisms",
    "can_view_organisations",
    "can_import_directory",
    "can_keep_own_region",
    "can_manage_users",
)
# Locales × sites' roots × sets of sections is a handful; the bound is against surprises.
MAX_DRAWN = 256


def allowed_sections(user: Any) -> frozenset[str]:
    """The names of NAV_CHECKS the user passes (none for an anonymous visitor)."""
    if not user.is_authenticated:
        return frozenset()
    return frozenset(name for name in NAV_CHECKS if getattr(access, name)(user))


def init_app(app: Flask) -> None:
    """Expose ``nav_links()`` to templates: _nav.html drawn for the current user's sections."""
    drawn: dict[tuple[str, str, frozenset[str]], Markup] = {}

    def nav_links() -> Markup:
        allowed = allowed_sections(current_user._get_current_object())
        key = (str(get_locale()), request.script_root, allowed)
        html = drawn.get(key)
        if html is None:
            if len(drawn) >= MAX_DRAWN:
                drawn.clear()
            template = app.jinja_env.get_template("_nav.html")
            html = drawn[key] = Markup(template.render(allowed=allowed))  # noqa: S704 -- autoescaped
        return html

    app.jinja_env.globals["nav_links"] = nav_links
