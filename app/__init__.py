"""OKO Cases. The application factory is app.factory.create_app; importing one part of the
package (the analytics, say) loads nothing but what that part imports."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.config import ROOT

if TYPE_CHECKING:
    from flask import Flask

__all__ = ["ROOT", "create_app"]


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application; ``config`` overrides settings read from the environment."""
    from app.factory import create_app as build

    return build(config)
