"""Request and response shapes of the API (pydantic): they validate and they document."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Text = Field(default=None, max_length=2000)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CaseQuery(BaseModel):
    """The case list's filters, as on the screen."""

    campaign: int | None = Field(default=None, ge=1, le=2**31 - 1)
    municipality: int | None = Field(default=None, ge=1, le=2**31 - 1)
    stage: str | None = Field(default=None, max_length=40, pattern=r"^[a-z_]+$")
    category: Literal["objectivity", "low_results"] | None = None
    level: int | None = Field(default=None, ge=1, le=3)
    overdue: bool = False
    years: int | None = Field(default=None, ge=1, le=50)
    q: str = Field(default="", max_length=100)
    sort: Literal["school", "municipality", "stage", "years", "markers", "updated"] = "school"
    page: int = Field(default=1, ge=1, le=100000)
    per_page: int = Field(default=50, ge=1, le=200)


class CaseSummary(BaseModel):
    id: int
    campaign_id: int
    vpr_year: int
    school_id: int
    school_login: str
    school_name: str
    municipality: str | None
    category: str
    support_level: int | None
    markers: list[str]
    stage: str
    stage_title: str
    status: str
    years_on_list: int
    contract_review: bool
    version: int
    open_obligations: int
    overdue_obligations: int


class CaseList(BaseModel):
    items: list[CaseSummary]
    total: int
    page: int
    pages: int


class ObligationOut(BaseModel):
    id: int
    case_id: int
    type: str
    title: str
    period: str | None = None
    stage: str
    level: str
    responsible_org_id: int
    responsible_org: str
    due_date: date | None
    status: str
    overdue: bool
    document_types: list[str]
    document_id: int | None
    comment: str | None
    version: int


class TransitionOut(BaseModel):
    key: str
    title: str
    target: str
    needs_reason: bool
    blocked: str | None


class CaseDetail(CaseSummary):
    obligations: list[ObligationOut]
    transitions: list[TransitionOut]
    updated_at: datetime
    updated_by: str | None


class TransitionIn(Strict):
    transition: str = Field(min_length=1, max_length=60, pattern=r"^[a-z_]+(:[a-z_]+)?$")
    version: int = Field(ge=1, le=2**31 - 1)
    reason: str | None = Text


class ObligationQuery(BaseModel):
    case_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    owed: bool = False
    status: Literal["open", "submitted", "returned", "accepted", "waived"] | None = None


class ObligationList(BaseModel):
    items: list[ObligationOut]


class SubmitIn(Strict):
    version: int = Field(ge=1, le=2**31 - 1)
    note: str | None = Text


class ReviewIn(Strict):
    version: int = Field(ge=1, le=2**31 - 1)
    accept: bool
    comment: str | None = Text


class UploadForm(BaseModel):
    version: int = Field(ge=1, le=2**31 - 1)
    note: str | None = Text


class DocumentVersionOut(BaseModel):
    document_id: int
    number: int
    filename: str
    mime: str
    size: int
    sha256: str
    uploaded_at: datetime
    review_status: str | None
    download: str


class EventOut(BaseModel):
    seq: int
    occurred_at: datetime
    actor: str
    role: str
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    reason: str | None
    hash: str
    prev_hash: str


class History(BaseModel):
    events: list[EventOut]
    verified: bool
    checked: int


class NotificationQuery(BaseModel):
    unread: bool = False


class NotificationOut(BaseModel):
    id: int
    kind: str
    subject: str
    path: str
    created_at: datetime
    read: bool


class NotificationList(BaseModel):
    items: list[NotificationOut]
    unread: int


class ProposedRow(BaseModel):
    year: int
    login: str
    municipality: str | None
    school: str
    markers: dict[str, int | None]
    marker_count: int


class ProposedList(BaseModel):
    year: int
    run_id: int
    computed_at: datetime
    rules: dict[str, Any]
    rows: list[ProposedRow]


class Me(BaseModel):
    id: int
    email: str
    full_name: str
    role: str
    organisation_id: int
    organisation: str
