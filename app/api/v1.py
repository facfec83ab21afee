"""REST API v1. Every operation authenticates with a personal token and then goes through the
same permission checks, scope helper and operations as the pages."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import Blueprint, Response, g, jsonify, request, send_file, url_for
from flask_babel import force_locale
from werkzeug.exceptions import NotFound

from app import access, audit
from app.access.scope import get_scoped_or_404, region_id_of, scoped
from app.accounts import tokens
from app.api import schemas as s
from app.api.framework import Api, ApiError, openapi, problem
from app.documents import versions
from app.errors import DomainError, StaleVersion
from app.extensions import csrf, db
from app.models.audit import AuditEvent
from app.models.case import Case, Obligation
from app.models.notify import Notification
from app.models.org import Organisation
from app.models.user import User
from app.notices import texts
from app.vpr import signs
from app.workflows import cases as case_ops
from app.workflows import handin, labels, queries
from app.workflows import obligations as obligation_ops
from app.workflows.clock import today_for

PREFIX = "/api/v1"
bp = Blueprint("api", __name__, url_prefix=PREFIX)
api = Api(bp, "OKO Cases API", "1.0.0")
csrf.exempt(bp)  # no cookies here: every request carries its token
T = TypeVar("T")


def _user() -> User:
    return g.api_user  # type: ignore[no-any-return]


@bp.before_request
def _authenticate() -> Response | None:
    if request.endpoint == "api.describe":
        return None
    header = request.headers.get("Authorization", "")
    scheme, _sep, secret = header.partition(" ")
    user = tokens.user_for(secret.strip()) if scheme.lower() == "bearer" else None
    if user is None:
        return problem(
            401, "Нужен действующий персональный токен: заголовок Authorization: Bearer …"
        )
    g.api_user = user
    return None


@bp.after_request
def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


def _run(operation: Callable[[], T]) -> T:
    """One operation, committed once; domain refusals become problems."""
    try:
        result = operation()
        db.session.commit()
    except StaleVersion as err:
        db.session.rollback()
        raise ApiError(
            409, err.message, changed_by=err.changed_by, changed_at=err.changed_at
        ) from err
    except DomainError as err:
        db.session.rollback()
        raise ApiError(err.status, err.message) from err
    return result


def _scoped(model: type[T], object_id: int) -> T:
    try:
        return get_scoped_or_404(model, object_id, _user())
    except NotFound as err:
        raise ApiError(404, "Объект не найден или недоступен.") from err


def _obligation(o: Obligation) -> s.ObligationOut:
    return s.ObligationOut(
        id=o.id,
        case_id=o.case_id,
        type=o.obligation_type,
        title=labels.obligation_title(o),
        period=o.period or None,
        stage=o.stage,
        level=o.level.value,
        responsible_org_id=o.responsible_org_id,
        responsible_org=o.responsible_org.name,
        due_date=o.due_date,
        status=o.status.value,
        overdue=o.is_overdue(today_for(_user())),
        document_types=list(o.document_types),
        document_id=o.document_id,
        comment=o.comment,
        version=o.version,
    )


def _summary(case: Case, counts: queries.ObligationCounts) -> dict[str, Any]:
    return {
        "id": case.id,
        "campaign_id": case.campaign_id,
        "vpr_year": case.campaign.vpr_year,
        "school_id": case.school_id,
        "school_login": case.school.login or "",
        "school_name": case.school.name,
        "municipality": case.municipality.name if case.municipality else None,
        "category": case.category.value,
        "support_level": case.support_level,
        "markers": sorted(k for k, v in case.markers.items() if v),
        "stage": case.stage,
        "stage_title": labels.stage_title(case),
        "status": case.status.value,
        "years_on_list": case.years_on_list,
        "contract_review": case.contract_review,
        "version": case.version,
        "open_obligations": counts.open,
        "overdue_obligations": counts.overdue,
    }


def _detail(case: Case) -> s.CaseDetail:
    counts = queries.obligation_counts([case.id], today_for(_user())).get(
        case.id, queries.ObligationCounts()
    )
    offered = [
        s.TransitionOut(
            key=t.key,
            title=str(t.title),
            target=t.milestone or ("closed" if t.kind == "close" else case.stage),
            needs_reason=t.needs_reason,
            blocked=blocked,
        )
        for t, blocked in case_ops.actions_for(_user(), case)
    ]
    return s.CaseDetail(
        **_summary(case, counts),
        obligations=[_obligation(o) for o in sorted(case.obligations, key=lambda o: o.id)],
        transitions=offered,
        updated_at=case.updated_at,
        updated_by=case.updated_by.full_name if case.updated_by else None,
    )


@bp.route("/openapi.json")
def describe() -> Response:
    """The OpenAPI description (no token needed)."""
    return jsonify(openapi(api, PREFIX))


@api.route("/me", response=s.Me, errors=(401,), tags=("account",))
def me() -> s.Me:
    """Who the token belongs to."""
    user = _user()
    return s.Me(
        id=user.id,
        email=user.email,
        full_name=user.full_name,
        role=user.role.value,
        organisation_id=user.organisation_id,
        organisation=user.organisation.name,
    )


@api.route("/cases", query=s.CaseQuery, response=s.CaseList, errors=(400, 401))
def list_cases(query: s.CaseQuery) -> s.CaseList:
    """Cases in the token's scope, with the same filters as the case list."""
    filters = queries.CaseFilters(
        campaign=query.campaign,
        municipality=query.municipality,
        stage=query.stage,
        category=query.category,
        level=query.level,
        overdue=query.overdue,
        years=query.years,
        q=query.q.replace("\x00", "").strip(),  # nothing stored holds a NUL
        sort=query.sort,
    )
    stmt = queries.filtered_cases(_user(), filters, today_for(_user()))
    total = (
        db.session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))
        or 0
    )
    items = list(
        db.session.scalars(stmt.limit(query.per_page).offset((query.page - 1) * query.per_page))
    )
    queries.load_for_list(items)
    counts = queries.obligation_counts([c.id for c in items], today_for(_user()))
    return s.CaseList(
        items=[
            s.CaseSummary(**_summary(c, counts.get(c.id, queries.ObligationCounts())))
            for c in items
        ],
        total=total,
        page=query.page,
        pages=max(1, -(-total // query.per_page)),
    )


@api.route("/cases/<int:case_id>", response=s.CaseDetail, errors=(401, 404))
def get_case(case_id: int) -> s.CaseDetail:
    """One case with its obligations and the transitions the token's user may take."""
    return _detail(_scoped(Case, case_id))


@api.route(
    "/cases/<int:case_id>/transitions",
    "POST",
    body=s.TransitionIn,
    response=s.CaseDetail,
    errors=(400, 401, 403, 404, 409),
)
def take_transition(case_id: int, body: s.TransitionIn) -> s.CaseDetail:
    """Act on the case (close it, return a milestone's work for rework, reopen it); send the
    version you saw: a stale one answers 409 naming who changed it."""
    case = _scoped(Case, case_id)
    _run(
        lambda: case_ops.act_on_case(
            case.id,
            body.transition,
            actor=_user(),
            expected_version=body.version,
            reason=body.reason,
        )
    )
    return _detail(_scoped(Case, case_id))


@api.route("/cases/<int:case_id>/history", response=s.History, errors=(401, 404), tags=("history",))
def case_history(case_id: int) -> s.History:
    """Every event of the case with its hash, and whether they check out."""
    case = _scoped(Case, case_id)
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.case_id == case.id).order_by(AuditEvent.seq)
    )
    result = audit.verify_case(case.id)
    return s.History(
        events=[
            s.EventOut(
                seq=e.seq,
                occurred_at=e.occurred_at,
                actor=e.actor_name,
                role=e.actor_role,
                action=e.action,
                before=e.before,
                after=e.after,
                reason=e.reason,
                hash=e.hash,
                prev_hash=e.prev_hash,
            )
            for e in events
        ],
        verified=result.ok,
        checked=result.checked,
    )


@api.route("/obligations", query=s.ObligationQuery, response=s.ObligationList, errors=(400, 401))
def list_obligations(query: s.ObligationQuery) -> s.ObligationList:
    """Obligations in scope: of one case, or (owed=true) those the user's organisation owes."""
    stmt = scoped(Obligation, _user()).order_by(Obligation.due_date, Obligation.id).limit(500)
    if query.case_id:
        stmt = stmt.where(Obligation.case_id == query.case_id)
    if query.owed:
        stmt = stmt.where(Obligation.responsible_org_id == _user().organisation_id)
    if query.status:
        stmt = stmt.where(Obligation.status == query.status)
    return s.ObligationList(items=[_obligation(o) for o in db.session.scalars(stmt)])


@api.route("/obligations/<int:obligation_id>", response=s.ObligationOut, errors=(401, 404))
def get_obligation(obligation_id: int) -> s.ObligationOut:
    """One obligation."""
    return _obligation(_scoped(Obligation, obligation_id))


@api.route(
    "/obligations/<int:obligation_id>/submit",
    "POST",
    body=s.SubmitIn,
    response=s.ObligationOut,
    errors=(400, 401, 403, 404, 409),
)
def submit_obligation(obligation_id: int, body: s.SubmitIn) -> s.ObligationOut:
    """Hand in an obligation that takes no document."""
    obligation = _scoped(Obligation, obligation_id)
    _run(
        lambda: obligation_ops.submit(
            obligation.id, actor=_user(), expected_version=body.version, note=body.note
        )
    )
    return _obligation(_scoped(Obligation, obligation_id))


@api.route(
    "/obligations/<int:obligation_id>/review",
    "POST",
    body=s.ReviewIn,
    response=s.ObligationOut,
    errors=(400, 401, 403, 404, 409),
)
def review_obligation(obligation_id: int, body: s.ReviewIn) -> s.ObligationOut:
    """Accept a submission, or return it with a comment."""
    obligation = _scoped(Obligation, obligation_id)
    _run(
        lambda: obligation_ops.review(
            obligation.id,
            accept=body.accept,
            actor=_user(),
            expected_version=body.version,
            comment=body.comment,
        )
    )
    return _obligation(_scoped(Obligation, obligation_id))


@api.route(
    "/obligations/<int:obligation_id>/documents",
    "POST",
    upload=s.UploadForm,
    response=s.DocumentVersionOut,
    status=201,
    errors=(400, 401, 403, 404, 409, 413),
)
def upload_document(obligation_id: int, upload: s.UploadForm) -> s.DocumentVersionOut:
    """Upload the obligation's document (multipart, field «file»): a new version, handed in."""
    obligation = _scoped(Obligation, obligation_id)
    file = request.files.get("file")
    if file is None:
        raise ApiError(400, "Нет файла: поле «file».")
    data = file.read()
    version = _run(
        lambda: handin.upload_for_obligation(
            obligation.id,
            file.filename or "",
            data,
            actor=_user(),
            expected_version=upload.version,
            note=upload.note,
        )
    )
    return _version(version)


def _version(version: Any) -> s.DocumentVersionOut:
    return s.DocumentVersionOut(
        document_id=version.document_id,
        number=version.number,
        filename=version.filename,
        mime=version.mime,
        size=version.size,
        sha256=version.sha256,
        uploaded_at=version.uploaded_at,
        review_status=version.review_status.value if version.review_status else None,
        download=url_for(
            "api.download_document", document_id=version.document_id, number=version.number
        ),
    )


@api.route(
    "/documents/<int:document_id>/versions/<int:number>",
    binary=True,
    errors=(401, 404),
    tags=("documents",),
)
def download_document(document_id: int, number: int) -> Response:
    """The content of one version of a document in scope."""
    found = versions.download(document_id, number, _user())
    if found is None:
        raise ApiError(404, "Документ не найден или недоступен.")
    version, content = found
    return send_file(
        io.BytesIO(content),
        mimetype=version.mime,
        as_attachment=True,
        download_name=version.filename,
    )


@api.route(
    "/notifications",
    query=s.NotificationQuery,
    response=s.NotificationList,
    errors=(400, 401),
    tags=("notifications",),
)
def list_notifications(query: s.NotificationQuery) -> s.NotificationList:
    """The user's notices, newest first (at most 200)."""
    stmt = sa.select(Notification).where(Notification.user_id == _user().id)
    if query.unread:
        stmt = stmt.where(Notification.read_at.is_(None))
    rows = db.session.scalars(stmt.order_by(Notification.id.desc()).limit(200)).all()
    unread = (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Notification)
            .where(Notification.user_id == _user().id, Notification.read_at.is_(None))
        )
        or 0
    )
    with force_locale(_user().locale or "ru"):
        items = [
            s.NotificationOut(
                id=n.id,
                kind=n.kind,
                subject=texts.subject(n),
                path=texts.path(n),
                created_at=n.created_at,
                read=n.read_at is not None,
            )
            for n in rows
        ]
    return s.NotificationList(items=items, unread=unread)


@api.route(
    "/signs/<int(min=2000, max=2100):year>/proposed",
    response=s.ProposedList,
    errors=(401, 403, 404),
    tags=("signs",),
)
def proposed_list(year: int) -> s.ProposedList:
    """The latest proposed list of schools with signs for a year (ministry and auditors)."""
    if not access.can_view_vpr(_user()):
        raise ApiError(403, "Перечень доступен министерству и аудиторам.")
    region = db.session.get(Organisation, region_id_of(_user()))
    run = signs.latest_run(region, year) if region else None
    if run is None or region is None:
        raise ApiError(404, "Признаки за этот год не рассчитаны.")
    frame = signs.proposed(run, region)
    fixed = {"Год", "Логин", "Муниципалитет", "ОО", "Количество маркеров", "Категория"}
    rows = [
        s.ProposedRow(
            year=int(r["Год"]),
            login=str(r["Логин"]),
            municipality=str(r["Муниципалитет"]),
            school=str(r["ОО"]),
            marker_count=int(r["Количество маркеров"]),
            markers={
                k: (None if v is None or v != v else int(v)) for k, v in r.items() if k not in fixed
            },
        )
        for r in frame.to_dict("records")
    ]
    return s.ProposedList(
        year=year, run_id=run.id, computed_at=run.created_at, rules=run.rules, rows=rows
    )


__all__ = ["bp"]
