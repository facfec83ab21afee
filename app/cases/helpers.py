"""Template helpers for case pages: labels and titles from the workflow definitions."""

from __future__ import annotations

from typing import Any

from flask import Flask

from app.workflows import labels, registry


def _describe_values(values: dict[str, Any] | None) -> str:
    if not values:
        return ""
    return "; ".join(f"{k}: {v}" for k, v in values.items())


def init_app(app: Flask) -> None:
    """Register the helpers as Jinja globals."""
    app.jinja_env.globals.update(
        labels=labels,
        stage_title=registry.stage_title,
        obligation_title=registry.obligation_title,
        describe_values=_describe_values,
    )
