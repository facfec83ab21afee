"""Role × endpoint matrix: every endpoint answers each role as intended, on real objects in and
out of the role's scope, and the outcome is checked where a person would notice it.

For each endpoint the matrix builds one world, then for each role logs in on a fresh client and
calls the endpoint inside a savepoint that is rolled back afterwards, so that every role meets
the same world. A page allowed to a role must answer 200 (or its redirect); a page refused must
answer 403 or 404. A form post allowed to a role must change what its ``effect`` reads; a post
refused must answer 403 or 404 and change nothing. So removing any permission check from a view
makes a row fail: the role it kept out now gets the page, or changes the record.

Every endpoint of the application must appear in ENDPOINTS (test_every_endpoint_is_in_the_matrix).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.demo.files import simple_pdf
from app.extensions import db
from app.models import (
    ApiToken,
    Campaign,
    Case,
    ChainCheck,
    Document,
    DocumentConclusion,
    DocumentVersion,
    ExamResult,
    MechanismCriterion,
    MechanismReport,
    Notification,
    Obligation,
    Organisation,
    PlanMeasure,
    RecheckWork,
    RegionDay,
    Roadmap,
    RoadmapItem,
    RoadmapReport,
    SignRun,
    StrategicSession,
    User,
    VprImport,
    VprSpec,
)
from tests.helpers import accept_a1_order, login, student_marks_csv

ROLES = ("ministry", "auditor", "admin", "municipal_a", "school_a1")
ALL = frozenset(ROLES)
NOBODY: frozenset[str] = frozenset()
ABOVE_SCHOOL = ALL - {"school_a1"}
MINISTRY = frozenset({"ministry"})
REGION_READERS = frozenset({"ministry", "auditor", "admin"})
VPR_READERS = frozenset({"ministry", "auditor"})
MECHANISM_READERS = frozenset({"ministry", "auditor", "municipal_a"})
W = dict[str, Any]


def _case(w: W, key: str = "a1") -> Case:
    return w["cases"][key]


def _order(w: W, key: str = "a1") -> Obligation:
    return _case(w, key).obligations[0]


def _fresh(model: type, object_id: int) -> Any:
    """The row as the database holds it now (not as this test's session remembers it)."""
    db.session.expire_all()
    return db.session.get(model, object_id)


def _database_digest() -> str:
    """A hash of every row of every table: a refused request must leave it as it was."""
    import hashlib

    digest = hashlib.sha256()
    connection = db.session.connection()
    for table in db.metadata.sorted_tables:
        order = list(table.primary_key.columns) or list(table.columns)
        for row in connection.execute(sa.select(table).order_by(*order)):
            digest.update(repr(tuple(row)).encode())
        digest.update(table.name.encode())
    return digest.hexdigest()


def _count(model: Any, *where: Any) -> int:
    db.session.expire_all()
    return int(db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where)))


@dataclass(frozen=True)
class Endpoint:
    """How to call an endpoint, who may use it, and what an allowed call changes."""

    path: Callable[[W], str]
    allowed: frozenset[str]
    method: str = "GET"
    form: Callable[[W], dict[str, Any]] = lambda w: {}
    public: bool = False  # reachable without logging in
    # A POST's outcome, read from the database as (world, role) -> value: it must differ after
    # an allowed call and stay the same after a refused one.
    effect: Callable[[W, str], Any] | None = None
    setup: Callable[[W], None] | None = None  # state the endpoint needs to succeed
    ok: tuple[int, ...] = (200,)  # what an allowed GET answers
    multipart: bool = False


def _marks_uploaded(key: str) -> Callable[[W], None]:
    """The school's marks uploaded to its case, so that the case has correlation charts."""

    def setup(w: W) -> None:
        from app.stages import attachments

        case = _case(w, key)
        data = student_marks_csv(case.school.login)
        attachments.upload(case, "student_marks", "marks.csv", data, actor=w["users"]["ministry"])
        db.session.flush()

    return setup


def _pdf() -> tuple[io.BytesIO, str]:
    return io.BytesIO(simple_pdf("x")), "order.pdf"


def _one_work_rechecked(w: W) -> None:
    """An expert's result for one of a1's works, so that its recheck has a chart to show."""
    from app.stages import recheck

    recheck.save_work(
        _case(w),
        {
            "subject": "Математика",
            "grade": 4,
            "participant": "P1",
            "score_school": 12,
            "mark_school": 4,
            "score_recheck": 10,
            "mark_recheck": 4,
        },
        actor=w["users"]["ministry"],
    )
    db.session.flush()


def _plan_with_school_roadmap(w: W) -> None:
    """The ministry adds a self-analysis and a school roadmap to the plan (a1 now owes both)."""
    from app.demo.cases import extend_plan

    extend_plan(_case(w).campaign, w["users"]["ministry"])
    db.session.flush()


def _measure(w: W, key: str) -> Any:
    db.session.expire_all()
    return db.session.scalars(
        sa.select(PlanMeasure).where(
            PlanMeasure.plan_id == _case(w).campaign.plan.id, PlanMeasure.key == key
        )
    ).one()


def _measure_form(w: W, key: str, **changes: Any) -> dict[str, Any]:
    """The measure page's fields for a measure of a1's plan, with changes."""
    from app.plans.measures import from_row

    m = from_row(_measure(w, key))
    data: dict[str, Any] = {
        "number": m.number,
        "title": m.title,
        "result": m.result,
        "responsible": m.responsible.value,
        "reviewer_1": m.reviewers[0].value if m.reviewers[0] else "",
        "reviewer_2": m.reviewers[1].value if m.reviewers[1] else "",
        "reviewer_3": m.reviewers[2].value if m.reviewers[2] else "",
        "tracks": [t.value for t in m.tracks],
        "levels": [str(n) for n in m.levels],
        "min_years": str(m.min_years),
        "scope": m.scope.value,
        "takes": m.takes,
        "milestone": m.milestone,
        "date_kind": m.when.kind.value,
        "due": m.when.due.isoformat() if m.when.due else "",
        "start": m.when.start.isoformat() if m.when.start else "",
        "days": "",
        "after": "",
        "reminders": "5, 1",
        "seed": m.seed,
        "reason": "Письмо министерства",
    }
    if m.when.inclusive:
        data["inclusive"] = "y"
    if m.required:
        data["required"] = "y"
    return {**data, **changes}


def _recheck_csv(w: W) -> tuple[io.BytesIO, str]:
    login_ = w["schools"]["a1"].login
    text = (
        "Логин ОО;Предмет;Параллель;Код участника;Первичный балл ОО;Первичный балл перепроверка;"
        "Отметка ОО;Отметка перепроверка\n"
        f"{login_};Математика;4;P1;10;8;4;3\n{login_};Математика;4;P2;7;7;3;3\n"
    )
    return io.BytesIO(text.encode()), "recheck.csv"


def _mechanisms_of_a(w: W) -> MechanismReport | None:
    """Municipality A's report for 2022 as the database holds it now."""
    db.session.expire_all()
    return db.session.scalars(
        sa.select(MechanismReport).where(
            MechanismReport.municipality_id == w["mun_a"].id, MechanismReport.year == 2022
        )
    ).first()


def _mechanism_values_of_a(w: W) -> list[float]:
    report = _mechanisms_of_a(w)
    return [float(v.value) for v in report.values if v.value is not None] if report else []


def _mechanisms_form(w: W) -> dict[str, Any]:
    """Seed 002's 2022 figure of criterion 1.1 for municipality A."""
    from app.mechanisms.criteria import criteria_of

    first = criteria_of(w["region"].id)[0]
    return {"version": "0", f"value_{first.id}": "96", "conclusions": "Рост показателя"}


def _a1_act(w: W) -> int:
    """The document of municipality A's act that answers a1's first measure (0 before it is
    handed in: the anonymous check calls the path without the endpoint's setup)."""
    return int(_fresh(Obligation, _order(w).id).document_id or 0)


def _certificate(w: W) -> Obligation:
    """a1's obligation answered by the information certificate."""
    return next(o for o in _case(w).obligations if o.takes == "document:certificate")


def _user_column(column: str) -> Callable[[W, str], Any]:
    return lambda w, role: getattr(_fresh(User, w["users"][role].id), column)


ENDPOINTS: dict[str, Endpoint] = {
    # -- accounts -------------------------------------------------------------------------------
    "auth.login": Endpoint(lambda w: "/login", ALL, public=True, ok=(302,)),  # already in
    "auth.logout": Endpoint(lambda w: "/logout", ALL, method="POST"),
    "auth.choose_language": Endpoint(
        lambda w: "/language",
        ALL,
        method="POST",
        form=lambda w: {"locale": "en"},
        public=True,
        effect=_user_column("locale"),
    ),
    "auth.profile": Endpoint(lambda w: "/profile", ALL),
    "auth.token_create": Endpoint(
        lambda w: "/profile/tokens",
        ALL,
        method="POST",
        form=lambda w: {"name": "скрипт"},
        effect=lambda w, role: _count(ApiToken, ApiToken.user_id == w["users"][role].id),
    ),
    "auth.token_revoke": Endpoint(  # only the owner revokes a token
        lambda w: f"/profile/tokens/{w['token'].id}/revoke",
        frozenset({"school_a1"}),
        method="POST",
        effect=lambda w, role: _fresh(ApiToken, w["token"].id).revoked_at,
    ),
    # -- directory and people ------------------------------------------------------------------
    "main.index": Endpoint(lambda w: "/", ALL),
    "main.ping": Endpoint(lambda w: "/ping", ALL, public=True),
    "main.health": Endpoint(lambda w: "/healthz", ALL, public=True),
    "main.organisations": Endpoint(lambda w: "/orgs", ABOVE_SCHOOL),
    "main.organisation": Endpoint(lambda w: f"/orgs/{w['schools']['a1'].id}", ALL),
    "main.organisation[b1]": Endpoint(lambda w: f"/orgs/{w['schools']['b1'].id}", REGION_READERS),
    "admin.users": Endpoint(lambda w: "/admin/users", frozenset({"admin"})),
    "admin.user_new": Endpoint(lambda w: "/admin/users/new", frozenset({"admin"})),
    "admin.user_detail": Endpoint(
        lambda w: f"/admin/users/{w['users']['school_a1'].id}", frozenset({"admin"})
    ),
    "admin.user_set_active": Endpoint(
        lambda w: f"/admin/users/{w['users']['school_b1'].id}/active",
        frozenset({"admin"}),
        method="POST",
        form=lambda w: {"active": "0"},
        effect=lambda w, role: _fresh(User, w["users"]["school_b1"].id).active,
    ),
    "admin.user_reset": Endpoint(
        lambda w: f"/admin/users/{w['users']['school_b1'].id}/reset",
        frozenset({"admin"}),
        method="POST",
        effect=lambda w, role: _fresh(User, w["users"]["school_b1"].id).password_hash,
    ),
    "admin.directory": Endpoint(lambda w: "/admin/directory", frozenset({"admin", "ministry"})),
    "admin.calendar_days": Endpoint(lambda w: "/admin/calendar?year=2024", frozenset({"admin"})),
    "admin.region_settings[page]": Endpoint(
        lambda w: "/admin/region", frozenset({"ministry", "admin"})
    ),
    "admin.region_settings": Endpoint(
        lambda w: "/admin/region",
        frozenset({"ministry", "admin"}),
        method="POST",
        form=lambda w: {"part": "zone", "timezone": "Asia/Vladivostok"},
        effect=lambda w, role: _fresh(Organisation, w["region"].id).timezone,
    ),
    "admin.region_settings[day]": Endpoint(
        lambda w: "/admin/region",
        frozenset({"ministry", "admin"}),
        method="POST",
        form=lambda w: {"part": "day", "day": "2023-09-15", "working": "0", "name": "Праздник"},
        effect=lambda w, role: _count(RegionDay, RegionDay.region_id == w["region"].id),
    ),
    "admin.templates": Endpoint(lambda w: "/admin/templates", frozenset({"admin"})),
    "admin.template_download": Endpoint(
        lambda w: "/admin/templates/roadmap.docx", frozenset({"admin"})
    ),
    # -- cases and obligations -----------------------------------------------------------------
    "cases.case_list": Endpoint(lambda w: "/cases", ALL),
    "cases.case_export": Endpoint(lambda w: "/cases/export?format=csv", ALL),
    "cases.case_detail": Endpoint(lambda w: f"/cases/{_case(w).id}", ALL),
    "cases.case_detail[b1]": Endpoint(lambda w: f"/cases/{_case(w, 'b1').id}", REGION_READERS),
    "cases.case_move": Endpoint(
        lambda w: f"/cases/{_case(w).id}/move",
        frozenset({"ministry", "municipal_a"}),
        method="POST",
        form=lambda w: {
            "transition": "return:municipal_acts",
            "version": str(_case(w).version),
            "reason": "Анализ без выводов",
        },
        effect=lambda w, role: _fresh(Obligation, _order(w).id).status,
        setup=accept_a1_order,
    ),
    "cases.case_level": Endpoint(
        lambda w: f"/cases/{_case(w).id}/level",
        MINISTRY,
        method="POST",
        form=lambda w: {"level": "3", "version": str(_case(w).version)},
        effect=lambda w, role: _fresh(Case, _case(w).id).support_level,
    ),
    "cases.obligation_action": Endpoint(  # waive
        lambda w: f"/obligations/{_order(w).id}/waive",
        MINISTRY,
        method="POST",
        form=lambda w: {"version": str(_order(w).version), "text": "Приказ издан ранее"},
        effect=lambda w, role: _fresh(Obligation, _order(w).id).status,
    ),
    "cases.obligation_action[review]": Endpoint(  # b1's order awaits the ministry's review
        lambda w: f"/obligations/{_order(w, 'b1').id}/review",
        MINISTRY,
        method="POST",
        form=lambda w: {"version": str(_order(w, "b1").version), "decision": "accept"},
        effect=lambda w, role: _fresh(Obligation, _order(w, "b1").id).status,
    ),
    "documents.upload": Endpoint(
        lambda w: f"/obligations/{_order(w).id}/upload",
        frozenset({"municipal_a"}),
        method="POST",
        form=lambda w: {"version": str(_order(w).version), "file": _pdf()},
        effect=lambda w, role: _fresh(Obligation, _order(w).id).status,
        multipart=True,
    ),
    "documents.download": Endpoint(  # municipality B's act, for b1
        lambda w: f"/documents/{w['document'].id}/v/1", REGION_READERS
    ),
    "documents.sign": Endpoint(  # a1's act of municipality A: its people register it
        lambda w: f"/documents/{_a1_act(w)}/signature",
        frozenset({"municipal_a"}),
        method="POST",
        form=lambda w: {"number": "998", "date": "2023-12-29", "file": _pdf(), "state": ""},
        effect=lambda w, role: (
            _count(DocumentVersion, DocumentVersion.document_id == _a1_act(w)),
            _count(DocumentVersion, DocumentVersion.reg_number.is_not(None)),
        ),
        setup=accept_a1_order,
        multipart=True,
    ),
    "documents.upload_data": Endpoint(
        lambda w: f"/cases/{_case(w).id}/data/recheck_results",
        frozenset({"ministry", "municipal_a"}),
        method="POST",
        form=lambda w: {"file": _recheck_csv(w)},
        effect=lambda w, role: _count(RecheckWork, RecheckWork.case_id == _case(w).id),
        multipart=True,
    ),
    "documents.generate_document": Endpoint(
        lambda w: f"/cases/{_case(w).id}/generate/case_history",
        frozenset({"ministry", "auditor", "admin", "municipal_a"}),
        method="POST",
        effect=lambda w, role: _count(
            DocumentVersion.__table__.join(Document.__table__),
            Document.case_id == _case(w).id,
            Document.kind == "case_history",
        ),
    ),
    "documents.hand_in_generated": Endpoint(
        lambda w: f"/cases/{_case(w).id}/hand-in/information_certificate",
        frozenset({"school_a1"}),  # the school answers its certificate
        method="POST",
        effect=lambda w, role: _fresh(Obligation, _certificate(w).id).status,
    ),
    "documents.conclusions_page": Endpoint(
        lambda w: f"/cases/{_case(w).id}/conclusions/information_certificate",
        frozenset({"ministry", "municipal_a", "school_a1"}),
    ),
    "documents.conclusions_page[post]": Endpoint(
        lambda w: f"/cases/{_case(w).id}/conclusions/information_certificate",
        frozenset({"ministry", "municipal_a", "school_a1"}),
        method="POST",
        form=lambda w: {"text": "Выводы комиссии.", "version": "0"},
        effect=lambda w, role: _count(
            DocumentConclusion, DocumentConclusion.case_id == _case(w).id
        ),
    ),
    # -- roadmaps ------------------------------------------------------------------------------
    "roadmaps.case_roadmap": Endpoint(lambda w: f"/cases/{_case(w).id}/roadmap", ALL, ok=(302,)),
    "roadmaps.case_roadmap[start]": Endpoint(  # b1's school alone may start b1's roadmap
        lambda w: f"/cases/{_case(w, 'b1').id}/roadmap",
        NOBODY,
        method="POST",
        effect=lambda w, role: _count(Roadmap),
    ),
    "roadmaps.show": Endpoint(lambda w: f"/roadmaps/{w['roadmap'].id}", ALL),
    "roadmaps.save_item": Endpoint(
        lambda w: f"/roadmaps/{w['roadmap'].id}/items",
        frozenset({"school_a1"}),
        method="POST",
        form=lambda w: {"measure": "Педсовет", "status": "planned"},
        effect=lambda w, role: _count(RoadmapItem, RoadmapItem.roadmap_id == w["roadmap"].id),
    ),
    "roadmaps.submit_report": Endpoint(
        lambda w: f"/roadmaps/{w['roadmap'].id}/reports",
        frozenset({"school_a1"}),
        method="POST",
        form=lambda w: {"period": "2023-11", "text": "Отчёт за ноябрь"},
        effect=lambda w, role: _count(RoadmapReport, RoadmapReport.roadmap_id == w["roadmap"].id),
    ),
    "roadmaps.hand_in": Endpoint(
        lambda w: f"/roadmaps/{w['roadmap'].id}/hand-in",
        frozenset({"school_a1"}),
        method="POST",
        effect=lambda w, role: next(
            o.status
            for o in _fresh(Case, _case(w).id).obligations
            if o.obligation_type == "school_roadmap"
        ),
        setup=_plan_with_school_roadmap,
    ),
    # -- notices -------------------------------------------------------------------------------
    "notices.inbox": Endpoint(lambda w: "/notifications", ALL),
    "notices.read": Endpoint(
        lambda w: f"/notifications/{w['notices']['school_a1'].id}/read",
        frozenset({"school_a1"}),
        method="POST",
        effect=lambda w, role: _fresh(Notification, w["notices"]["school_a1"].id).read_at,
    ),
    "notices.read_all": Endpoint(
        lambda w: "/notifications/read-all",
        ALL,
        method="POST",
        effect=lambda w, role: _count(
            Notification,
            Notification.user_id == w["users"][role].id,
            Notification.read_at.is_(None),
        ),
    ),
    "notices.settings": Endpoint(
        lambda w: "/notifications/settings",
        ALL,
        method="POST",
        form=lambda w: {"email_mode": "none"},
        effect=_user_column("email_mode"),
    ),
    "notices.calendar_feed": Endpoint(
        lambda w: "/notifications/calendar",
        ALL,
        method="POST",
        effect=_user_column("calendar_token_hash"),
    ),
    "notices.calendar": Endpoint(lambda w: f"/calendar/{w['feed']}.ics", ALL, public=True),
    "notices.compliance": Endpoint(
        lambda w: "/dashboard/compliance.xlsx", frozenset({"ministry", "auditor", "municipal_a"})
    ),
    # -- VPR and signs -------------------------------------------------------------------------
    "vpr.index": Endpoint(lambda w: "/vpr/", VPR_READERS),
    "vpr.upload_specs": Endpoint(
        lambda w: "/vpr/specs",
        MINISTRY,
        method="POST",
        form=lambda w: {"file": (io.BytesIO(w["spec_json"]), "specs.json")},
        effect=lambda w, role: _count(VprSpec, VprSpec.year == 2024),
        multipart=True,
    ),
    "vpr.upload_results": Endpoint(
        lambda w: "/vpr/imports",
        MINISTRY,
        method="POST",
        form=lambda w: {"file": (io.BytesIO(w["vpr_csv"]), "results.csv")},
        effect=lambda w, role: _count(VprImport),
        multipart=True,
    ),
    "vpr.upload_exams": Endpoint(
        lambda w: "/vpr/exams",
        MINISTRY,
        method="POST",
        form=lambda w: {
            "file": (
                io.BytesIO(
                    "Год;Экзамен;Предмет;Логин ОО;Код участника;Первичный балл;Тестовый балл;"
                    f"Отметка\n2024;ОГЭ;Математика;{w['schools']['a1'].login};p1;20;;4\n".encode()
                ),
                "exams.csv",
            )
        },
        effect=lambda w, role: _count(ExamResult),
        multipart=True,
    ),
    "vpr.job_status": Endpoint(lambda w: f"/vpr/imports/{w['vpr_job'].id}.json", VPR_READERS),
    "vpr.compute": Endpoint(
        lambda w: "/vpr/signs",
        MINISTRY,
        method="POST",
        form=lambda w: {"year": "2023"},
        effect=lambda w, role: _count(SignRun),
    ),
    "vpr.run": Endpoint(lambda w: f"/vpr/signs/{w['sign_run'].id}", VPR_READERS),
    "vpr.download": Endpoint(lambda w: f"/vpr/signs/{w['sign_run'].id}/list.csv", VPR_READERS),
    "vpr.approve": Endpoint(
        lambda w: f"/vpr/signs/{w['sign_run'].id}/approve",
        MINISTRY,
        method="POST",
        effect=lambda w, role: _count(Case, Case.school_id == w["schools"]["a2"].id),
    ),
    "vpr.school": Endpoint(
        lambda w: f"/vpr/signs/{w['sign_run'].id}/{w['schools']['a2'].login}", VPR_READERS
    ),
    "vpr.indicators_page": Endpoint(lambda w: "/vpr/indicators", VPR_READERS),
    "vpr.indicators_xlsx": Endpoint(lambda w: "/vpr/indicators.xlsx", VPR_READERS),
    "vpr.evidence_json": Endpoint(
        lambda w: f"/vpr/signs/{w['sign_run'].id}/{w['schools']['a2'].login}/evidence.json",
        VPR_READERS,
    ),
    "vpr.chart": Endpoint(  # a school sees its own charts, nobody outside its lineage does
        lambda w: f"/vpr/charts/2023/{w['schools']['a1'].login}/4/Математика/histogram.png", ALL
    ),
    "vpr.chart[b1]": Endpoint(
        lambda w: f"/vpr/charts/2023/{w['schools']['b1'].login}/4/Математика/histogram.png",
        REGION_READERS,
    ),
    # -- stage records -------------------------------------------------------------------------
    "stages.form": Endpoint(lambda w: f"/cases/{_case(w).id}/forms/self_analysis", ALL),
    "stages.recheck_page": Endpoint(lambda w: f"/cases/{_case(w).id}/recheck", ALL),
    "stages.recheck_chart": Endpoint(
        lambda w: f"/cases/{_case(w).id}/recheck/scores.png", ALL, setup=_one_work_rechecked
    ),
    "stages.marks_chart": Endpoint(  # the case page's charts: whoever sees the case
        lambda w: f"/cases/{_case(w).id}/marks/agreement.png", ALL, setup=_marks_uploaded("a1")
    ),
    "stages.marks_chart[b1]": Endpoint(
        lambda w: f"/cases/{_case(w, 'b1').id}/marks/agreement.png",
        REGION_READERS,
        setup=_marks_uploaded("b1"),
    ),
    "stages.recheck_action": Endpoint(
        lambda w: f"/cases/{_case(w).id}/recheck/work",
        frozenset({"ministry", "municipal_a"}),
        method="POST",
        form=lambda w: {
            "subject": "Математика",
            "grade": "4",
            "participant": "P9",
            "score_school": "9",
            "mark_school": "4",
        },
        effect=lambda w, role: _count(RecheckWork, RecheckWork.case_id == _case(w).id),
    ),
    "stages.experts": Endpoint(lambda w: "/experts", frozenset({"ministry", "municipal_a"})),
    "stages.director_page": Endpoint(lambda w: f"/cases/{_case(w).id}/director", ALL),
    "stages.mentoring": Endpoint(lambda w: f"/cases/{_case(w).id}/mentoring", ALL),
    "stages.mentoring[plan]": Endpoint(  # a1 is on the objectivity list: no joint plan for anyone
        lambda w: f"/cases/{_case(w).id}/mentoring",
        NOBODY,
        method="POST",
        form=lambda w: {"action": "plan"},
        effect=lambda w, role: _count(Roadmap),
    ),
    "sessions.index": Endpoint(lambda w: "/sessions", ALL),
    "sessions.show": Endpoint(
        lambda w: f"/sessions/{w['session'].id}", frozenset({"ministry", "auditor", "admin"})
    ),
    "sessions.act": Endpoint(
        lambda w: f"/sessions/{w['session'].id}/decisions",
        MINISTRY,
        method="POST",
        form=lambda w: {"decisions": "Разработать планы ВСОКО"},
        effect=lambda w, role: _fresh(StrategicSession, w["session"].id).decisions,
    ),
    # -- municipal mechanisms -------------------------------------------------------------------
    "mechanisms.index": Endpoint(lambda w: "/mechanisms?year=2022", MECHANISM_READERS),
    "mechanisms.export": Endpoint(lambda w: "/mechanisms/2022.xlsx", MECHANISM_READERS),
    "mechanisms.report": Endpoint(lambda w: f"/mechanisms/{w['mun_a'].id}/2022", MECHANISM_READERS),
    "mechanisms.report[b]": Endpoint(  # municipality B's: not municipality A's to read
        lambda w: f"/mechanisms/{w['mun_b'].id}/2022", frozenset({"ministry", "auditor"})
    ),
    "mechanisms.report[save]": Endpoint(
        lambda w: f"/mechanisms/{w['mun_a'].id}/2022",
        frozenset({"municipal_a"}),
        method="POST",
        form=_mechanisms_form,
        effect=lambda w, role: _mechanism_values_of_a(w),
    ),
    "mechanisms.attach": Endpoint(
        lambda w: f"/mechanisms/{w['mun_a'].id}/2022/document",
        frozenset({"municipal_a"}),
        method="POST",
        form=lambda w: {"version": "0", "file": _pdf()},
        effect=lambda w, role: getattr(_mechanisms_of_a(w), "document_id", None),
        multipart=True,
    ),
    "mechanisms.import_figures": Endpoint(lambda w: "/mechanisms/import", MINISTRY),
    "mechanisms.add_criterion": Endpoint(
        lambda w: "/mechanisms/criteria",
        MINISTRY,
        method="POST",
        form=lambda w: {"code": "1.3", "title": "Система методической работы"},
        effect=lambda w, role: _count(
            MechanismCriterion, MechanismCriterion.region_id == w["region"].id
        ),
    ),
    # -- overview, campaigns, history -------------------------------------------------------------
    "overview.inbox": Endpoint(
        lambda w: "/inbox", frozenset({"ministry", "municipal_a", "school_a1"})
    ),
    "overview.dashboard": Endpoint(
        lambda w: "/dashboard", frozenset({"ministry", "auditor", "municipal_a"})
    ),
    "campaigns.campaign_list": Endpoint(lambda w: "/campaigns", ABOVE_SCHOOL),
    "campaigns.campaign_detail": Endpoint(
        lambda w: f"/campaigns/{_case(w).campaign_id}", ABOVE_SCHOOL
    ),
    "campaigns.campaign_order": Endpoint(
        lambda w: f"/campaigns/{_case(w).campaign_id}/order",
        MINISTRY,
        method="POST",
        form=lambda w: {
            "number": "1592/1",
            "date": "2023-11-03",
            "title": "Об утверждении перечня общеобразовательных организаций",
            "issuer": "Министерство образования Первой области",
            "signatory_position": "Министр образования",
            "signatory_name": "Е. В. Соколова",
            "version": str(_fresh(Campaign, _case(w).campaign_id).version),
        },
        effect=lambda w, role: _fresh(Campaign, _case(w).campaign_id).order_number,
    ),
    "plans.show": Endpoint(lambda w: f"/campaigns/{_case(w).campaign_id}/plan", ABOVE_SCHOOL),
    "plans.download": Endpoint(
        lambda w: f"/campaigns/{_case(w).campaign_id}/plan.xlsx", ABOVE_SCHOOL
    ),
    "plans.measure": Endpoint(  # the ministry moves the certificate's date
        lambda w: f"/campaigns/{_case(w).campaign_id}/plan/measures/k_certificate",
        MINISTRY,
        method="POST",
        form=lambda w: _measure_form(w, "k_certificate", due="2024-01-12"),
        effect=lambda w, role: _measure(w, "k_certificate").due_on,
    ),
    "plans.measure[new]": Endpoint(  # a municipality's own earlier date for its schools
        lambda w: f"/campaigns/{_case(w).campaign_id}/plan/measures/new",
        frozenset({"ministry", "municipal_a"}),
        method="POST",
        form=lambda w: _measure_form(w, "k_certificate", due="2024-01-10"),
        effect=lambda w, role: _count(
            PlanMeasure, PlanMeasure.plan_id == _case(w).campaign.plan.id
        ),
    ),
    "plans.withdraw": Endpoint(
        lambda w: f"/campaigns/{_case(w).campaign_id}/plan/measures/k_mmo/withdraw",
        MINISTRY,
        method="POST",
        form=lambda w: {"reason": "Контроль ММО ведётся по другому плану"},
        effect=lambda w, role: _measure(w, "k_mmo").withdrawn_at is None,
    ),
    "plans.import_workbook": Endpoint(
        lambda w: f"/campaigns/{_case(w).campaign_id}/plan/import", MINISTRY
    ),
    "campaigns.flags_import": Endpoint(lambda w: "/flags/import", MINISTRY),
    "auditing.history": Endpoint(lambda w: "/audit", REGION_READERS),
    "auditing.verify": Endpoint(
        lambda w: "/audit/verify",
        REGION_READERS,
        method="POST",
        effect=lambda w, role: _count(ChainCheck),
    ),
}


def _endpoint_of(name: str) -> str:
    return name.split("[", 1)[0]


def _call(client: FlaskClient, endpoint: Endpoint, w: W, *, csrf: bool = True) -> Any:
    if endpoint.method == "POST":
        return client.post(
            endpoint.path(w),
            data=endpoint.form(w),
            csrf=csrf,
            content_type="multipart/form-data" if endpoint.multipart else None,
        )
    return client.get(endpoint.path(w))


def test_every_endpoint_is_in_the_matrix(app: Flask) -> None:
    registered = {
        r.endpoint
        for r in app.url_map.iter_rules()
        if r.endpoint != "static" and not r.endpoint.startswith("api.")
    }  # the API has its own matrix in test_api.py
    listed = {_endpoint_of(name) for name in ENDPOINTS}
    assert registered - listed == set(), "add the new endpoints to the matrix"
    assert listed - registered == set(), "the matrix lists endpoints that do not exist"


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_role_endpoint_matrix(
    app: Flask, client: FlaskClient, matrix_world: W, rolled_back: Callable[[], Any], name: str
) -> None:
    endpoint = ENDPOINTS[name]
    if endpoint.setup:
        endpoint.setup(matrix_world)
        db.session.commit()
    for role in ROLES:
        with rolled_back():
            client = app.test_client()  # a fresh session for each role
            login(client, matrix_world["users"][role])
            before = endpoint.effect(matrix_world, role) if endpoint.effect else None
            refused = role not in endpoint.allowed
            digest = _database_digest() if refused else None
            response = _call(client, endpoint, matrix_world)
            after = endpoint.effect(matrix_world, role) if endpoint.effect else None
            status = response.status_code
            if refused:
                assert status in (403, 404), f"{role} must not reach {name}, got {status}"
                assert after == before, f"{role} changed what {name} changes: {before} → {after}"
                db.session.expire_all()
                assert _database_digest() == digest, f"{role} wrote to the database via {name}"
            elif endpoint.method == "GET":
                assert status in endpoint.ok, f"{role} should reach {name}, got {status}"
            else:
                assert status in (200, 302), f"{role} should reach {name}, got {status}"
                if endpoint.effect:
                    assert after != before, f"{role} reached {name} and nothing changed"
                if name == "auth.logout":
                    assert client.get("/profile").status_code == 302, "still logged in"


def test_anonymous_users_are_sent_to_login(client: FlaskClient, matrix_world: W) -> None:
    for name, endpoint in ENDPOINTS.items():
        response = _call(client, endpoint, matrix_world)
        if endpoint.public:
            assert not response.headers.get("Location", "").startswith("/login"), name
        else:
            assert response.status_code == 302, name
            assert response.headers["Location"].startswith("/login"), name


def test_every_form_post_needs_a_csrf_token(
    client: FlaskClient, matrix_world: W, rolled_back: Callable[[], Any]
) -> None:
    for name, endpoint in ENDPOINTS.items():
        if endpoint.method != "POST":
            continue
        role = sorted(endpoint.allowed)[0] if endpoint.allowed else "admin"
        with rolled_back():
            if endpoint.setup:
                endpoint.setup(matrix_world)
            login(client, matrix_world["users"][role])
            before = endpoint.effect(matrix_world, role) if endpoint.effect else None
            response = _call(client, endpoint, matrix_world, csrf=False)
            assert response.status_code == 400, f"{name} accepted a post without a CSRF token"
            if endpoint.effect:
                assert endpoint.effect(matrix_world, role) == before, name


# Which organisations each role's user may see in the `world` fixture (written out by hand,
# independently of app.access.scope).
VISIBLE = {
    "ministry": {"region", "mun_a", "mun_b", "a1", "a2", "b1", "b2"},
    "auditor": {"region", "mun_a", "mun_b", "a1", "a2", "b1", "b2"},
    "admin": {"region", "mun_a", "mun_b", "a1", "a2", "b1", "b2"},
    "municipal_a": {"mun_a", "a1", "a2"},
    "school_a1": {"a1"},
}


def _orgs(case_world: W) -> dict[str, Organisation]:
    orgs = {k: case_world[k] for k in ("region", "other_region", "mun_a", "mun_b", "mun_x")}
    orgs.update(case_world["schools"])
    return orgs


@pytest.mark.parametrize("role", ROLES)
def test_changing_the_id_never_shows_another_organisation(
    client: FlaskClient, case_world: W, role: str
) -> None:
    login(client, case_world["users"][role])
    for key, org in _orgs(case_world).items():
        page = client.get(f"/orgs/{org.id}")
        if key in VISIBLE[role]:
            assert page.status_code == 200, f"{role} should see {key}"
            assert org.name in page.text
        else:
            assert page.status_code == 404, f"{role} must not see {key}"
            assert org.name not in page.text


def test_admin_of_one_region_cannot_touch_users_of_another(
    client: FlaskClient, case_world: W, make: Any
) -> None:
    stranger: User = make.user(case_world["users"]["ministry_x"].role, case_world["other_region"])
    login(client, case_world["users"]["admin"])
    assert client.get(f"/admin/users/{stranger.id}").status_code == 404
    assert client.post(f"/admin/users/{stranger.id}/reset", data={}).status_code == 404
    assert (
        client.post(f"/admin/users/{stranger.id}/active", data={"active": "0"}).status_code == 404
    )
    assert _fresh(User, stranger.id).active is True
    listing = client.get("/admin/users?q=")
    assert stranger.email not in listing.text


def test_lists_show_only_the_scope(client: FlaskClient, case_world: W) -> None:
    login(client, case_world["users"]["municipal_a"])
    listing = client.get("/orgs").text
    for key, school in case_world["schools"].items():
        assert (school.login in listing) == (key in VISIBLE["municipal_a"]), key


CASE_VISIBLE = {
    "ministry": {"a1", "b1"},
    "auditor": {"a1", "b1"},
    "admin": {"a1", "b1"},
    "municipal_a": {"a1"},
    "school_a1": {"a1"},
}


@pytest.mark.parametrize("role", ROLES)
def test_changing_a_case_or_obligation_id_never_leaks(
    client: FlaskClient, case_world: W, role: str
) -> None:
    login(client, case_world["users"][role])
    for key, case in case_world["cases"].items():
        page = client.get(f"/cases/{case.id}")
        obligation = case.obligations[0]
        status_before = obligation.status
        post = client.post(
            f"/obligations/{obligation.id}/waive", data={"version": "1", "text": "x"}
        )
        if key in CASE_VISIBLE[role]:
            assert page.status_code == 200, f"{role} should see case {key}"
            assert case.school.name in page.text
        else:
            assert page.status_code == 404, f"{role} must not see case {key}"
            assert case.school.name not in page.text
            assert post.status_code == 404, f"{role} must not act on case {key}"
            assert _fresh(Obligation, obligation.id).status == status_before
    listing = client.get("/cases").text
    for key, case in case_world["cases"].items():
        assert (case.school.login in listing) == (key in CASE_VISIBLE[role]), (role, key)
