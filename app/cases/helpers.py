"""Template helpers for case pages: labels and titles from the workflow definitions."""

from __future__ import annotations

import base64
from typing import Any

from flask import Flask
from flask_babel import format_decimal

from app.workflows import labels, registry


def _short(value: Any) -> str:
    if isinstance(value, float):
        return format_decimal(value, "#,##0.###")
    if isinstance(value, dict):
        return "{" + describe_values(value) + "}"
    if isinstance(value, list):
        return ", ".join(_short(v) for v in value)
    return "—" if value is None else str(value)


def describe_values(values: dict[str, Any] | None) -> str:
    """Before/after values and evidence numbers as short text, numbers in the user's locale."""
    if not values:
        return ""
    return "; ".join(f"{k}: {_short(v)}" for k, v in values.items())


def init_app(app: Flask) -> None:
    """Register the helpers as Jinja globals."""
    app.jinja_env.filters["b64"] = lambda data: base64.b64encode(data).decode()
    app.jinja_env.globals.update(
        labels=labels,
        stage_title=registry.stage_title,
        obligation_title=registry.obligation_title,
        describe_values=describe_values,
    )
