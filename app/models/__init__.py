"""All mapped classes, imported so that Alembic and the app see one complete metadata."""

from app.models.audit import AuditEvent
from app.models.case import (
    CalendarDay,
    CalendarYear,
    Campaign,
    CampaignDeadline,
    Case,
    CaseStage,
    CaseStatus,
    Category,
    Level,
    Obligation,
    ObligationStatus,
)
from app.models.document import (
    Document,
    DocumentTemplate,
    DocumentVersion,
    ReviewStatus,
    Roadmap,
    RoadmapItem,
    RoadmapReport,
    RoadmapStatus,
)
from app.models.notify import Notification, NotificationLog
from app.models.org import Organisation, OrgKind
from app.models.user import ApiToken, LoginThrottle, Role, User
from app.models.vpr import SignRun, VprImport, VprResult, VprSpec

__all__ = [
    "ApiToken",
    "AuditEvent",
    "CalendarDay",
    "CalendarYear",
    "Campaign",
    "CampaignDeadline",
    "Case",
    "CaseStage",
    "CaseStatus",
    "Category",
    "Document",
    "DocumentTemplate",
    "DocumentVersion",
    "Level",
    "LoginThrottle",
    "Notification",
    "NotificationLog",
    "Obligation",
    "ObligationStatus",
    "OrgKind",
    "Organisation",
    "ReviewStatus",
    "Roadmap",
    "RoadmapItem",
    "RoadmapReport",
    "RoadmapStatus",
    "Role",
    "SignRun",
    "User",
    "VprImport",
    "VprResult",
    "VprSpec",
]
