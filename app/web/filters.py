"""Template helpers: labels of codes, titles of milestones and measures, values of the history."""

from __future__ import annotations

import base64
import json

from flask import Flask, has_request_context
from flask_login import current_user

from app import names
from app.analytics.explain import explain
from app.workflows import labels
from app.workflows.clock import user_zone
from app.workflows.labels import describe_values


def region_timezone() -> str | None:
    """The time zone in which the signed-in user's pages show times: their region's."""
    if not has_request_context() or not current_user or not current_user.is_authenticated:
        return None
    return str(user_zone(current_user))


def init_app(app: Flask) -> None:
    """Register the helpers as Jinja globals."""
    app.jinja_env.filters["b64"] = lambda data: base64.b64encode(data).decode()
    app.jinja_env.filters["short_name"] = names.short_name
    # The raw event as stored, readable (Cyrillic as letters); autoescaped like any text.
    app.jinja_env.filters["raw_json"] = lambda value: json.dumps(
        value, ensure_ascii=False, sort_keys=True, default=str
    )
    app.jinja_env.globals.update(
        labels=labels,
        stage_title=labels.stage_title,
        obligation_title=labels.obligation_title,
        describe_values=describe_values,
        explain_evidence=explain,
    )
