"""All mapped classes, imported so that Alembic and the app see one complete metadata."""

from app.models.audit import AuditEvent
from app.models.org import Organisation, OrgKind
from app.models.user import LoginThrottle, Role, User

__all__ = ["AuditEvent", "LoginThrottle", "OrgKind", "Organisation", "Role", "User"]
