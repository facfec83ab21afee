"""Autogenerate rendering: the application's column types are written as plain SQLAlchemy types,
so migrations never import application code."""

from app.models.types import UTCDateTime


def render_item(type_, obj, autogen_context):
    """Render UTCDateTime as sa.DateTime(); everything else the default way."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False
