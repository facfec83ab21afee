"""Template helpers: labels of codes, titles of milestones and measures, values of the history."""

from __future__ import annotations

import base64

from flask import Flask

from app.workflows import labels
from app.workflows.labels import describe_values


def init_app(app: Flask) -> None:
    """Register the helpers as Jinja globals."""
    app.jinja_env.filters["b64"] = lambda data: base64.b64encode(data).decode()
    app.jinja_env.globals.update(
        labels=labels,
        stage_title=labels.stage_title,
        obligation_title=labels.obligation_title,
        describe_values=describe_values,
    )
