"""Read-side queries for lists, the inbox and the dashboard; always scoped to the user."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, fields
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased, contains_eager, defer, joinedload, selectinload
from werkzeug.datastructures import MultiDict

from app import access, names, readcache
from app.access.scope import (
    region_id_of,
    scope_kind,
    scope_params,
    scope_root,
    scoped,
    scoped_by_params,
    visible_orgs_by_params,
    visible_orgs_clause,
)
from app.extensions import db
from app.models.case import (
    DONE_STATUSES,
    PENDING_STATUSES,
    Campaign,
    Case,
    CaseStage,
    CaseStatus,
    Category,
    Obligation,
    ObligationStatus,
    on_time_clause,
    overdue_clause,
)
from app.models.document import Document, DocumentVersion
from app.models.org import Organisation, OrgKind
from app.models.plan import PlanMeasure
from app.models.user import User
from app.parsing import parse_int

SORTS = {
    "school": (Organisation.sort_key, Case.id),
    "municipality": (Case.municipality_id, Organisation.sort_key),
    "stage": (Case.stage, Case.id),
    "years": (Case.years_on_list.desc(), Case.id),
    "markers": (Case.marker_count.desc(), Case.id),
    "updated": (Case.updated_at.desc(), Case.id),
}


ALL = "all"  # the campaign filter's value for every campaign


@dataclass(frozen=True)
class CaseFilters:
    """The filters of the case list, read from query arguments (unknown values are ignored)."""

    campaign: int | None = None
    municipality: int | None = None
    stage: str | None = None
    category: str | None = None
    level: int | None = None
    overdue: bool = False
    years: int | None = None  # at least this many years on the list
    q: str = ""
    sort: str = "school"

    @classmethod
    def from_args(
        cls, args: MultiDict[str, str], default_campaign: int | None = None
    ) -> CaseFilters:
        """``default_campaign`` when the arguments name none; «all» asks for every campaign."""
        category = args.get("category") or None
        sort = args.get("sort", "school")
        raw_campaign = args.get("campaign")
        if raw_campaign is None:
            campaign = default_campaign
        else:
            campaign = None if raw_campaign == ALL else parse_int(raw_campaign)
        return cls(
            campaign=campaign,
            municipality=parse_int(args.get("municipality")),
            stage=(args.get("stage") or None),
            category=category if category in {c.value for c in Category} else None,
            level=parse_int(args.get("level")),
            overdue=args.get("overdue") == "1",
            years=parse_int(args.get("years")),
            q=(args.get("q") or "").replace("\x00", "").strip()[:100],
            sort=sort if sort in SORTS else "school",
        )

    def as_args(self) -> dict[str, Any]:
        """Non-empty filters as query arguments (for links and exports)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value not in (None, "", False):
                out[f.name] = "1" if value is True else value
        out.setdefault("campaign", ALL)
        return out


def by_due() -> tuple[Any, ...]:
    """Obligations by due date, those without one (waiting, ongoing) last, on both databases."""
    return (Obligation.due_date.is_(None), Obligation.due_date, Obligation.id)


def in_users_region(user: User) -> sa.ColumnElement[bool]:
    """For a region's users: cases of the region's campaigns. The scope implies it (a case is
    opened in a campaign of its school's region), but for a whole region the scope's OR over the
    school's lineage serves no index, and a list would read the whole country's cases; this
    reads one region's. A municipality's or a school's scope is selective by itself."""
    if user.organisation.kind is not OrgKind.REGION:
        return sa.true()
    region_campaigns = sa.select(Campaign.id).where(Campaign.region_id == user.organisation_id)
    return Case.campaign_id.in_(region_campaigns.scalar_subquery())


def filtered_cases(
    user: User, filters: CaseFilters, today: date, *, shown: bool = False
) -> sa.Select[Any]:
    """Cases in the user's scope that match the filters, joined to their school, sorted;
    ``shown``: with the school, municipality and campaign each row of the list shows."""
    school = aliased(Organisation)
    # A case is scoped by its school (Case.scope_org_id): the one join to the school serves the
    # scope, the search and the sort (scoped() would join the same row a second time).
    stmt = (
        sa.select(Case)
        .join(school, school.id == Case.school_id)
        .where(visible_orgs_clause(user, school), in_users_region(user))
    )
    if filters.campaign:
        stmt = stmt.where(Case.campaign_id == filters.campaign)
    if filters.municipality:
        stmt = stmt.where(Case.municipality_id == filters.municipality)
    if filters.stage:
        stmt = stmt.where(Case.stage == filters.stage)
    if filters.category:
        stmt = stmt.where(Case.category == filters.category)
    if filters.level:
        stmt = stmt.where(Case.support_level == filters.level)
    if filters.years:
        stmt = stmt.where(Case.years_on_list >= filters.years)
    if filters.overdue:
        stmt = stmt.where(sa.exists().where(Obligation.case_id == Case.id, overdue_clause(today)))
    if filters.q and names.fold(filters.q):
        stmt = stmt.where(school.search_key.like(names.search_pattern(filters.q), escape="\\"))
    order = [
        school.sort_key if c is Organisation.sort_key else c for c in SORTS[filters.sort]
    ]  # the sort keys name the school through its alias
    if shown:  # the school is joined already; the few municipalities and campaigns of the
        # page come after the sort and limit (joined, they would be read for every match)
        stmt = stmt.options(
            contains_eager(Case.school.of_type(school)),
            selectinload(Case.municipality),
            selectinload(Case.campaign),
        )
    return stmt.order_by(*order)


def _case_conditions(
    user: User, filters: CaseFilters, today: date, school: Any
) -> tuple[list[sa.ColumnElement[bool]], bool]:
    """The case list's conditions on cases and their school (``school``, an alias), and whether
    they need the school joined. A region's user sees every case of the region's campaigns (a
    case is opened in a campaign of its school's region): for them the region's campaigns are
    the scope and the school is needed only to search; anyone else's scope is their subtree of
    schools."""
    region_wide = user.organisation.kind is OrgKind.REGION
    conditions = [in_users_region(user) if region_wide else visible_orgs_clause(user, school)]
    if filters.campaign:
        conditions.append(Case.campaign_id == filters.campaign)
    if filters.municipality:
        conditions.append(Case.municipality_id == filters.municipality)
    if filters.stage:
        conditions.append(Case.stage == filters.stage)
    if filters.category:
        conditions.append(Case.category == filters.category)
    if filters.level:
        conditions.append(Case.support_level == filters.level)
    if filters.years:
        conditions.append(Case.years_on_list >= filters.years)
    if filters.overdue:
        conditions.append(sa.exists().where(Obligation.case_id == Case.id, overdue_clause(today)))
    searched = bool(filters.q and names.fold(filters.q))
    if searched:
        conditions.append(school.search_key.like(names.search_pattern(filters.q), escape="\\"))
    return conditions, searched or not region_wide


_LIST_SCHOOL = aliased(Organisation, name="school")
# What a row of the case list shows, as plain columns (no objects); the campaign's title and
# the municipality's name come from the page's filters, which list them already.
_LIST_ROWS = sa.select(
    Case.id,
    Case.campaign_id,
    Case.municipality_id,
    _LIST_SCHOOL.name.label("school"),
    _LIST_SCHOOL.kind.label("school_kind"),
    _LIST_SCHOOL.login,
    Case.category,
    Case.markers,
    Case.regional_markers,
    Case.support_level,
    Case.stage,
    Case.status,
    Case.years_on_list,
    Case.contract_review,
).join(_LIST_SCHOOL, _LIST_SCHOOL.id == Case.school_id)
_LIST_COUNT = sa.select(sa.func.count()).select_from(Case)


def case_list_page(
    user: User, filters: CaseFilters, today: date, size: int, number: int
) -> tuple[int, list[sa.Row[Any]]]:
    """(how many cases match, the rows of page ``number`` of ``size``), as filtered_cases()
    finds and sorts them, without building objects."""
    school = _LIST_SCHOOL
    conditions, needs_school = _case_conditions(user, filters, today, school)
    count = _LIST_COUNT.join(school, school.id == Case.school_id) if needs_school else _LIST_COUNT
    total = int(db.session.scalar(count.where(*conditions)) or 0)
    order = [school.sort_key if c is Organisation.sort_key else c for c in SORTS[filters.sort]]
    # the rows join the school anyway: they check the scope itself too, implied or not
    stmt = (
        _LIST_ROWS.where(visible_orgs_clause(user, school), *conditions)
        .order_by(*order)
        .limit(size)
        .offset((number - 1) * size)
    )
    return total, list(db.session.execute(stmt))


@dataclass(frozen=True)
class ObligationCounts:
    open: int = 0
    overdue: int = 0
    awaiting_review: int = 0


def obligation_counts(case_ids: list[int], today: date) -> dict[int, ObligationCounts]:
    """Open, overdue and awaiting-review obligation counts per case, in one query."""
    if not case_ids:
        return {}
    rows = readcache.rows(_OBLIGATION_COUNTS, {"ids": case_ids, "today": today})
    return {cid: ObligationCounts(int(o or 0), int(d or 0), int(r or 0)) for cid, o, d, r in rows}


_OBLIGATION_COUNTS = (
    sa.select(
        Obligation.case_id,
        sa.func.sum(sa.case((Obligation.status.in_(PENDING_STATUSES), 1), else_=0)),
        sa.func.sum(
            sa.case((overdue_clause(sa.bindparam("today", type_=sa.Date)), 1), else_=0)  # type: ignore[arg-type]
        ),
        sa.func.sum(sa.case((Obligation.status == ObligationStatus.SUBMITTED, 1), else_=0)),
    )
    .where(Obligation.case_id.in_(sa.bindparam("ids", expanding=True)))
    .group_by(Obligation.case_id)
)


def load_for_list(cases: list[Case]) -> None:
    """Load the schools, municipalities and campaigns of a page of cases in bulk (no N+1)."""
    if not cases:
        return
    ids = [c.id for c in cases]
    db.session.scalars(
        sa.select(Case)
        .where(Case.id.in_(ids))
        .options(joinedload(Case.school), joinedload(Case.municipality), joinedload(Case.campaign))
    ).all()


def case_for_page(case_id: int, user: User) -> Case | None:
    """The case if the user may see it (None otherwise), with what the case page shows of its
    campaign, school, municipality, stage visits and obligations (organisations, people,
    documents and their versions) loaded in a fixed number of queries."""
    stmt = _built(("case_page", scope_kind(user)), _case_page_statement)
    params = {**scope_params(user), "case_id": case_id}
    return db.session.execute(stmt, params).unique().scalars().first()


def _case_page_statement(school_viewer: bool) -> sa.Select[Any]:
    return (
        scoped_by_params(Case, sa.select(Case), school=school_viewer)
        .where(Case.id == sa.bindparam("case_id", type_=sa.Integer))
        .options(*_PAGE_OPTIONS)
    )


_PAGE_OPTIONS = (
    joinedload(Case.campaign).joinedload(Campaign.region),
    joinedload(Case.school),
    joinedload(Case.municipality),
    selectinload(Case.stages).joinedload(CaseStage.entered_by),
    selectinload(Case.obligations).options(
        # the page reads a measure's title and kind of date, not the lists that derive
        # obligations from it (five JSON values a measure, decoded for nothing)
        joinedload(Obligation.measure).options(
            defer(PlanMeasure.reviewers),
            defer(PlanMeasure.tracks),
            defer(PlanMeasure.levels),
            defer(PlanMeasure.school_kinds),
            defer(PlanMeasure.reminders),
        ),
        joinedload(Obligation.responsible_org),
        joinedload(Obligation.responsible_user),
        joinedload(Obligation.document)
        .selectinload(Document.versions)
        .joinedload(DocumentVersion.uploaded_by),
    ),
)


def municipality_choices(user: User) -> list[sa.Row[tuple[int, str]]]:
    """(id, name) of the municipalities in the user's scope, by name, for the list's filter."""
    return list(readcache.rows(_MUNICIPALITIES, {"scope_root": scope_root(user)}))


_MUNICIPALITIES = (
    sa.select(Organisation.id, Organisation.name)
    .where(Organisation.kind == OrgKind.MUNICIPALITY, visible_orgs_by_params(Organisation))
    .order_by(Organisation.name)
)


def current_campaign_id(user: User) -> int | None:
    """The campaign lists open on: the newest of the user's region."""
    found = db.session.scalar(
        sa.select(Campaign.id)
        .where(Campaign.region_id == region_id_of(user))
        .order_by(Campaign.vpr_year.desc(), Campaign.id.desc())
        .limit(1)
    )
    return int(found) if found is not None else None


def open_obligations_of(campaign_id: int, measure_id: int) -> int:
    """How many obligations of the campaign a measure still governs (not done yet)."""
    return int(
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Obligation)
            .join(Case, Case.id == Obligation.case_id)
            .where(
                Case.campaign_id == campaign_id,
                Obligation.measure_id == measure_id,
                Obligation.status.not_in(DONE_STATUSES),
            )
        )
        or 0
    )


def campaigns_for(user: User) -> list[Campaign]:
    """Campaigns of the user's region, newest first (the first is current_campaign_id's)."""
    return list(db.session.scalars(_CAMPAIGNS_OF_REGION, {"region": region_id_of(user)}))


_CAMPAIGNS_OF_REGION = (
    sa.select(Campaign)
    .where(Campaign.region_id == sa.bindparam("region", type_=sa.Integer))
    .order_by(Campaign.vpr_year.desc(), Campaign.id.desc())
)


Conditions = list[sa.ColumnElement[bool]]


def _inbox_conditions(user: User) -> tuple[Conditions | None, Conditions | None]:
    """What the user's organisation owes and what awaits the user's review, as conditions on
    obligations; None where the role has no such part."""
    owed, to_review = None, None
    if access.acts_for_organisation(user):
        owed = [
            Obligation.responsible_org_id == user.organisation_id,
            Obligation.status.in_((*PENDING_STATUSES, ObligationStatus.SUBMITTED)),
        ]
    if access.has_reviews(user):
        to_review = [
            Obligation.status == ObligationStatus.SUBMITTED,
            Obligation.reviewer_org_id == user.organisation_id,
        ]
    return owed, to_review


def _inbox_part(user: User, stmt: sa.Select[Any] | None, conditions: Conditions) -> sa.Select[Any]:
    """``stmt`` (default: the obligations) in scope meeting the conditions, by due date."""
    return (
        scoped(Obligation, user, stmt)  # joins each obligation's case
        .where(in_users_region(user), *conditions)
        .order_by(*by_due())
        .limit(500)
    )


def inbox(user: User) -> tuple[list[Obligation], list[Obligation]]:
    """(what the user's organisation owes, what awaits the user's review), by due date, with
    each obligation's case and school."""
    loaded = contains_eager(Obligation.case).joinedload(Case.school)  # reuses the scope's join
    return tuple(  # type: ignore[return-value]
        list(db.session.scalars(_inbox_part(user, None, part).options(loaded))) if part else []
        for part in _inbox_conditions(user)
    )


def inbox_rows(
    user: User, today: date, campaign_id: int | None = None
) -> tuple[list[sa.Row[Any]], list[sa.Row[Any]]]:
    """The inbox as its page lists it, without building objects: rows of id, case_id, title
    (the measure's), period, school, campaign_id, due_date, status and overdue; of one campaign
    when ``campaign_id`` is given. The statements are built once for each kind of viewer."""
    params = {
        **scope_params(user),
        "today": today,
        "org": user.organisation_id,
        "campaign": campaign_id,
    }
    kind = (user.organisation.kind is OrgKind.REGION, scope_kind(user), campaign_id is not None)
    parts: list[list[sa.Row[Any]]] = []
    # the parts _inbox_conditions() gives the user, without building its conditions
    for index, wanted in enumerate((access.acts_for_organisation(user), access.has_reviews(user))):
        if not wanted:
            parts.append([])
            continue
        stmt = _BUILT.get(("inbox", index, *kind))
        if stmt is None:
            stmt = _BUILT[("inbox", index, *kind)] = _inbox_statement(index, *kind)
        parts.append(list(readcache.rows(stmt, params)))
    return parts[0], parts[1]


# Statements built once for a kind of viewer, run with the viewer as parameters: building one
# anew (aliases adapted, its cache key computed) costs more than running it.
_BUILT: dict[tuple[Any, ...], sa.Select[Any]] = {}


def _built(key: tuple[Any, ...], build: Any) -> sa.Select[Any]:
    """The statement ``build(*key[1:])`` made once."""
    stmt = _BUILT.get(key)
    if stmt is None:
        stmt = _BUILT[key] = build(*key[1:])
    return stmt


_TODAY = sa.bindparam("today", type_=sa.Date)
_ORG = sa.bindparam("org", type_=sa.Integer)
_CAMPAIGN_ID = sa.bindparam("campaign", type_=sa.Integer)
_REGION_CAMPAIGNS = Case.campaign_id.in_(
    sa.select(Campaign.id).where(Campaign.region_id == _ORG).scalar_subquery()
)


def _inbox_statement(
    index: int, region_wide: bool, school_viewer: bool, one_campaign: bool
) -> sa.Select[Any]:
    """Part ``index`` of inbox_rows() (0: owed, 1: to review) as _inbox_part() builds it, with
    the viewer, today and the campaign as parameters."""
    school = aliased(Organisation)
    owed, to_review = (
        [
            Obligation.responsible_org_id == _ORG,
            Obligation.status.in_((*PENDING_STATUSES, ObligationStatus.SUBMITTED)),
        ],
        [Obligation.status == ObligationStatus.SUBMITTED, Obligation.reviewer_org_id == _ORG],
    )
    columns = sa.select(
        Obligation.id,
        Obligation.case_id,
        PlanMeasure.title,
        Obligation.period,
        school.name.label("school"),
        Case.campaign_id,
        Obligation.due_date,
        Obligation.status,
        overdue_clause(_TODAY).label("overdue"),  # type: ignore[arg-type]
    ).select_from(Obligation)
    stmt = (
        scoped_by_params(Obligation, columns, school=school_viewer)
        .where(_REGION_CAMPAIGNS if region_wide else sa.true(), *(owed, to_review)[index])
        .order_by(*by_due())
        .limit(500)
        .join(school, school.id == Case.school_id)
        .join(PlanMeasure, PlanMeasure.id == Obligation.measure_id)
    )  # the campaigns' titles the page has (campaigns_for): joined, they misled the planner
    return stmt.where(Case.campaign_id == _CAMPAIGN_ID) if one_campaign else stmt


@dataclass
class ComplianceCell:
    open: int = 0
    overdue: int = 0
    on_time: int = 0
    late: int = 0
    waived: int = 0

    @property
    def total(self) -> int:
        return self.open + self.overdue + self.on_time + self.late + self.waived


def compliance(
    viewer: User | int, campaign_id: int | None, today: date
) -> dict[tuple[int, str], ComplianceCell]:
    """Deadline compliance per (municipality id, obligation type) within the viewer's scope; the
    schools under the region are counted under the region. The statement is built once for
    each kind of viewer."""
    stmt = _built(("compliance", scope_kind(viewer), bool(campaign_id)), _compliance_statement)
    params = {**scope_params(viewer), "today": today, "campaign": campaign_id}
    table: dict[tuple[int, str], ComplianceCell] = {}
    for mun, kind, overdue, open_, ok, lt, waived in readcache.rows(stmt, params):
        table[(mun, kind)] = ComplianceCell(
            int(open_ or 0), int(overdue or 0), int(ok or 0), int(lt or 0), int(waived or 0)
        )
    return table


def _compliance_statement(school_viewer: bool, one_campaign: bool) -> sa.Select[Any]:
    on_time = on_time_clause()
    overdue = overdue_clause(_TODAY)  # type: ignore[arg-type]
    unit = sa.func.coalesce(Case.municipality_id, Campaign.region_id)
    late = sa.and_(Obligation.status == ObligationStatus.ACCEPTED, sa.not_(on_time))
    columns = sa.select(
        unit,
        Obligation.obligation_type,
        sa.func.sum(sa.case((overdue, 1), else_=0)),
        sa.func.sum(
            sa.case(
                (sa.and_(Obligation.status.not_in(DONE_STATUSES), sa.not_(overdue)), 1),
                else_=0,
            )
        ),
        sa.func.sum(sa.case((on_time, 1), else_=0)),
        sa.func.sum(sa.case((late, 1), else_=0)),
        sa.func.sum(sa.case((Obligation.status == ObligationStatus.WAIVED, 1), else_=0)),
    ).select_from(Obligation)
    stmt = (
        scoped_by_params(Obligation, columns, school=school_viewer)
        .join(Campaign, Campaign.id == Case.campaign_id)
        .group_by(unit, Obligation.obligation_type)
    )
    return stmt.where(Case.campaign_id == _CAMPAIGN_ID) if one_campaign else stmt


def cases_by_stage(user: User, campaign_id: int | None) -> dict[tuple[str, str], int]:
    """Number of cases per (track, stage) in scope."""
    stmt = _built(("by_stage", scope_kind(user), bool(campaign_id)), _by_stage_statement)
    rows = readcache.rows(stmt, {**scope_params(user), "campaign": campaign_id})
    return {(str(c), s): n for c, s, n in rows}


def _by_stage_statement(school_viewer: bool, one_campaign: bool) -> sa.Select[Any]:
    columns = sa.select(Case.category, Case.stage, sa.func.count())
    stmt = scoped_by_params(Case, columns, school=school_viewer).group_by(Case.category, Case.stage)
    return stmt.where(Case.campaign_id == _CAMPAIGN_ID) if one_campaign else stmt


def repeat_flagged(user: User, campaign_id: int | None, limit: int = 100) -> list[sa.Row[Any]]:
    """Cases of schools flagged two or more years running, most years first, as rows of what
    the dashboard lists: id, school, municipality, years_on_list, contract_review."""
    region_wide = user.organisation.kind is OrgKind.REGION
    stmt = _built(("repeat", region_wide, bool(campaign_id)), _repeat_statement)
    params = {
        "scope_root": scope_root(user),
        "org": user.organisation_id,
        "campaign": campaign_id,
        "limit": limit,
    }
    return list(readcache.rows(stmt, params))


def _repeat_statement(region_wide: bool, one_campaign: bool) -> sa.Select[Any]:
    school, municipality = aliased(Organisation), aliased(Organisation)
    stmt = (
        sa.select(
            Case.id,
            school.name.label("school"),
            municipality.name.label("municipality"),
            Case.years_on_list,
            Case.contract_review,
        )
        .join(school, school.id == Case.school_id)  # the case's scope is its school's
        .outerjoin(municipality, municipality.id == Case.municipality_id)
        .where(
            visible_orgs_by_params(school),
            _REGION_CAMPAIGNS if region_wide else sa.true(),
            Case.years_on_list >= 2,
        )
        .order_by(Case.years_on_list.desc(), Case.id)
        .limit(sa.bindparam("limit", type_=sa.Integer))
    )
    return stmt.where(Case.campaign_id == _CAMPAIGN_ID) if one_campaign else stmt


CAMPAIGN = sa.select(Campaign.id, Campaign.title)
MUNICIPALITY = sa.select(Organisation.id, Organisation.name)


def names_of(known: dict[int, str], wanted: set[int], stmt: sa.Select[Any]) -> dict[int, str]:
    """``known`` (names a page has read already, by id) and those of ``wanted`` it lacks, read
    by ``stmt`` (CAMPAIGN or MUNICIPALITY) in one query only when some are missing."""
    missing = wanted - known.keys()
    if not missing:
        return known
    column = stmt.selected_columns[0]
    return {**known, **dict(db.session.execute(stmt.where(column.in_(missing))).tuples().all())}


def municipality_names(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids))
    )
    return dict(rows.tuples().all())


def by_municipality(
    table: dict[tuple[int, str], ComplianceCell],
) -> dict[int, dict[str, ComplianceCell]]:
    """Regroup the compliance table as municipality → obligation type → cell."""
    out: dict[int, dict[str, ComplianceCell]] = defaultdict(dict)
    for (mun, kind), cell in table.items():
        out[mun][kind] = cell
    return out


@dataclass(frozen=True)
class PendingPart:
    case_id: int
    stage: str
    track: str
    school: str
    responsible: str
    level: str
    obligation_type: str
    due_date: date | None
    overdue: bool


# How far ahead the dashboard looks for parts coming due.
PENDING_HORIZON = timedelta(days=14)


def _overdue(due: date, inclusive: bool, today: date) -> bool:
    return due < today if inclusive else due <= today


def pending_parts(
    user: User, campaign_id: int | None, today: date, limit: int = 300
) -> list[PendingPart]:
    """Who has not yet done their part: required obligations of open cases in the user's scope
    that are overdue or come due within two weeks, oldest due date first, with the milestone
    each belongs to."""
    stmt = _built(("pending", scope_kind(user), bool(campaign_id)), _pending_statement)
    params = {
        **scope_params(user),
        "horizon": today + PENDING_HORIZON,
        "campaign": campaign_id,
        "limit": limit,
    }
    return [
        PendingPart(
            cid, st, str(tr), sname, rname, lvl.value, kind, due, _overdue(due, inclusive, today)
        )
        for cid, st, tr, sname, rname, lvl, kind, due, inclusive in readcache.rows(stmt, params)
    ]


def _pending_statement(school_viewer: bool, one_campaign: bool) -> sa.Select[Any]:
    school, responsible = aliased(Organisation), aliased(Organisation)
    columns = sa.select(
        Case.id,
        Obligation.stage,
        Case.category,
        school.name,
        responsible.name,
        Obligation.level,
        Obligation.obligation_type,
        Obligation.due_date,
        Obligation.due_inclusive,
    )
    stmt = (
        scoped_by_params(Obligation, columns, school=school_viewer)
        .join(school, school.id == Case.school_id)
        .join(responsible, responsible.id == Obligation.responsible_org_id)
        .where(
            Obligation.status.in_(PENDING_STATUSES),
            Obligation.required.is_(True),
            Obligation.due_date <= sa.bindparam("horizon", type_=sa.Date),
            Case.status == CaseStatus.OPEN,
        )
        .order_by(Obligation.due_date, Case.id)
        .limit(sa.bindparam("limit", type_=sa.Integer))
    )
    return stmt.where(Case.campaign_id == _CAMPAIGN_ID) if one_campaign else stmt
