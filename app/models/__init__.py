"""All mapped classes, imported so that Alembic and the app see one complete metadata."""

from app.models.audit import AuditEvent, VerifiedUpTo
from app.models.case import (
    CalendarDay,
    CalendarYear,
    Campaign,
    Case,
    CaseStage,
    CaseStatus,
    Category,
    Level,
    Obligation,
    ObligationStatus,
    RegionDay,
)
from app.models.chaincheck import ChainCheck
from app.models.document import (
    Document,
    DocumentConclusion,
    DocumentTemplate,
    DocumentVersion,
    ReviewStatus,
    Roadmap,
    RoadmapItem,
    RoadmapReport,
    RoadmapStatus,
)
from app.models.figures import DataFigures
from app.models.mechanism import MechanismCriterion, MechanismReport, MechanismValue
from app.models.notify import Notification, NotificationLog
from app.models.org import Organisation, OrgKind
from app.models.plan import DateKind, Plan, PlanMeasure, PlanVersion, Scope
from app.models.stage import (
    CaseForm,
    CommissionMember,
    CompetenceAssessment,
    DirectorEvaluation,
    Expert,
    IndicatorSet,
    Mentorship,
    RecheckWork,
    SessionInvite,
    StrategicSession,
)
from app.models.stash import UploadStash
from app.models.user import ApiToken, LoginThrottle, Role, User, UserSession
from app.models.vpr import ExamResult, SignRun, SignRunSchool, VprImport, VprResult, VprSpec

__all__ = [
    "ApiToken",
    "AuditEvent",
    "CalendarDay",
    "CalendarYear",
    "Campaign",
    "Case",
    "CaseForm",
    "CaseStage",
    "CaseStatus",
    "Category",
    "ChainCheck",
    "CommissionMember",
    "CompetenceAssessment",
    "DataFigures",
    "DateKind",
    "DirectorEvaluation",
    "Document",
    "DocumentConclusion",
    "DocumentTemplate",
    "DocumentVersion",
    "ExamResult",
    "Expert",
    "IndicatorSet",
    "Level",
    "LoginThrottle",
    "MechanismCriterion",
    "MechanismReport",
    "MechanismValue",
    "Mentorship",
    "Notification",
    "NotificationLog",
    "Obligation",
    "ObligationStatus",
    "OrgKind",
    "Organisation",
    "Plan",
    "PlanMeasure",
    "PlanVersion",
    "RecheckWork",
    "RegionDay",
    "ReviewStatus",
    "Roadmap",
    "RoadmapItem",
    "RoadmapReport",
    "RoadmapStatus",
    "Role",
    "Scope",
    "SessionInvite",
    "SignRun",
    "SignRunSchool",
    "StrategicSession",
    "UploadStash",
    "User",
    "UserSession",
    "VerifiedUpTo",
    "VprImport",
    "VprResult",
    "VprSpec",
]
