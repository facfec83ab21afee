"""What a user may do with the records kept inside a case's work: the recheck, strategic
sessions, the leader school, roadmaps, data files and generated documents."""

from __future__ import annotations

import sqlalchemy as sa

from app.access.cases import (
    acts_for_organisation,
    can_view_case,
    is_ministry_of,
    is_municipal_of,
    is_school_of,
)
from app.access.mechanisms import can_view_mechanisms_of
from app.access.scope import can_view_org, scope_kind, scope_params, scoped_by_params
from app.extensions import db
from app.models.case import Case, CaseStatus, Category, Obligation
from app.models.document import Document, Roadmap
from app.models.mechanism import DOCUMENT_KIND as MECHANISMS_DOCUMENT_KIND
from app.models.org import Organisation, OrgKind
from app.models.stage import SessionInvite, StrategicSession
from app.models.user import ACTING_ROLE, Role, User

REGION_WIDE = (Role.MINISTRY, Role.AUDITOR, Role.ADMIN)

# Who produces each generated document of a case (besides seeing the case).
GENERATORS: dict[str, frozenset[Role]] = {
    "municipal_order": frozenset({Role.MUNICIPAL, Role.MINISTRY}),
    "regional_order": frozenset({Role.MINISTRY}),
    "regional_letter": frozenset({Role.MINISTRY}),
    "roadmap": frozenset({Role.SCHOOL, Role.MUNICIPAL, Role.MINISTRY}),
    "shnor_joint_plan": frozenset({Role.SCHOOL, Role.MUNICIPAL, Role.MINISTRY}),
    "roadmap_report": frozenset({Role.SCHOOL, Role.MUNICIPAL, Role.MINISTRY}),
    "self_analysis": frozenset({Role.SCHOOL, Role.MUNICIPAL, Role.MINISTRY}),
    "information_certificate": frozenset({Role.SCHOOL, Role.MUNICIPAL, Role.MINISTRY}),
    "recheck_protocol": frozenset({Role.MUNICIPAL, Role.MINISTRY}),
    "director_evaluation": frozenset({Role.SCHOOL, Role.MUNICIPAL, Role.MINISTRY}),
    "case_history": frozenset({Role.AUDITOR, Role.MINISTRY, Role.MUNICIPAL, Role.ADMIN}),
}
# Who uploads each analytic data file of a case.
DATA_UPLOADERS: dict[str, frozenset[Role]] = {
    "student_marks": frozenset({Role.SCHOOL, Role.MUNICIPAL, Role.MINISTRY}),
    "recheck_results": frozenset({Role.MUNICIPAL, Role.MINISTRY}),
}


# Documents that are not issued acts and so are never registered: data tables and the auditors'
# report.
NOT_ACTS = frozenset({"student_marks", "recheck_results", "case_history"})
# Papers of a school's case that its municipality issues (the recheck commission, the director's
# evaluation, the municipal order); the school issues the rest of its own.
ISSUED_BY_MUNICIPALITY = frozenset({"municipal_order", "recheck_protocol", "director_evaluation"})
# The ministry's own papers of a campaign.
ISSUED_BY_REGION = frozenset({"regional_order", "regional_letter"})


Issuer = tuple[int, Role]


def _issuer(document: Document, answered: Issuer | None) -> Issuer | None:
    if document.kind in NOT_ACTS:
        return None
    if answered is not None:
        return answered
    owner = document.owner
    if document.kind in ISSUED_BY_REGION:
        return owner.id, ACTING_ROLE[owner.kind]
    if document.kind in ISSUED_BY_MUNICIPALITY and owner.municipality_id is not None:
        return owner.municipality_id, Role.MUNICIPAL
    return owner.id, ACTING_ROLE[owner.kind]


def act_issuers(documents: list[Document]) -> dict[int, Issuer | None]:
    """The organisation that issues each act (and the role of its people), in one query: the
    responsible organisation of the obligation it answers; else, for a generated paper of a
    school's case that the municipality issues, the municipality; else its owner. None for what
    is no act."""
    answered: dict[int, Issuer] = {}
    ids = [d.id for d in documents]
    if ids:
        rows = db.session.execute(
            sa.select(Obligation.document_id, Obligation.responsible_org_id, Organisation.kind)
            .join(Organisation, Organisation.id == Obligation.responsible_org_id)
            .where(Obligation.document_id.in_(ids))
            .order_by(Obligation.id)
        )
        for document_id, org_id, kind in rows:
            answered.setdefault(document_id, (org_id, ACTING_ROLE[kind]))
    return {d.id: _issuer(d, answered.get(d.id)) for d in documents}


def act_issuer(document: Document) -> Issuer | None:
    """The organisation that issues the act and the role of its people (see act_issuers)."""
    return act_issuers([document])[document.id]


def can_register_act(user: User, document: Document) -> bool:
    """The issuing organisation's own people register its signed act and attach the scan."""
    return user.active and act_issuer(document) == (user.organisation_id, user.role)


def registrable_acts(user: User, documents: list[Document]) -> set[int]:
    """The ids of the documents whose signature the user registers (can_register_act for a
    page's documents at once)."""
    if not user.active:
        return set()
    mine = (user.organisation_id, user.role)
    return {i for i, issuer in act_issuers(documents).items() if issuer == mine}


def can_run_case_support(user: User, case: Case) -> bool:
    """The case's municipality (and the ministry) run its recheck and assign its leader school."""
    return is_municipal_of(user, case) or is_ministry_of(user, case)


def can_keep_experts(user: User, keeper_id: int) -> bool:
    """A municipality keeps its own register of recheck experts (the ministry one for the
    schools under the region)."""
    return has_expert_register(user) and user.organisation_id == keeper_id


def has_expert_register(user: User) -> bool:
    """The roles that keep a register of experts (for the navigation)."""
    return user.active and user.role in (Role.MUNICIPAL, Role.MINISTRY)


def can_run_sessions(user: User, region_id: int) -> bool:
    """The ministry of the region plans sessions, invites, records attendance and decisions."""
    return user.active and user.role is Role.MINISTRY and user.organisation_id == region_id


def can_plan_sessions(user: User) -> bool:
    """The ministry plans strategic sessions (for the sessions page)."""
    return user.active and user.role is Role.MINISTRY


def can_name_participants(user: User, case: Case) -> bool:
    """The school names who of its team attends."""
    return is_school_of(user, case)


def can_open_sessions(user: User) -> bool:
    """Everyone but the administrator has a sessions page."""
    return user.active and user.role is not Role.ADMIN


def sessions_stmt(user: User) -> sa.Select[tuple[StrategicSession]]:
    """The sessions the user may open: the ministry's, auditor's and administrator's whole region;
    for a school or municipality, those with one of its cases invited."""
    stmt = sa.select(StrategicSession).order_by(StrategicSession.starts_at.desc())
    if user.role in REGION_WIDE:
        return stmt.where(StrategicSession.region_id == user.organisation_id)
    column = Case.school_id if user.role is Role.SCHOOL else Case.municipality_id
    invited = (
        sa.select(SessionInvite.session_id)
        .join(Case, Case.id == SessionInvite.case_id)
        .where(column == user.organisation_id)
    )
    return stmt.where(StrategicSession.id.in_(invited))


def can_view_session(user: User, session_id: int) -> bool:
    """Whoever may open the session."""
    if not user.active:
        return False
    found = db.session.scalar(
        sessions_stmt(user)
        .where(StrategicSession.id == session_id)
        .with_only_columns(StrategicSession.id)
    )
    return found is not None


def _answered_cases_in_scope(user: User, document_ids: list[int]) -> set[int]:
    """The ids of the documents among ``document_ids`` that answer an obligation of a case the
    user sees (a municipality's act, a regional paper handed in for the case)."""
    if not document_ids:
        return set()
    school = scope_kind(user)
    stmt = _ANSWERED.get(school)
    if stmt is None:
        stmt = _ANSWERED[school] = _answered_statement(school)
    params = {**scope_params(user), "document_ids": document_ids}
    return set(db.session.scalars(stmt, params))


# _answered_cases_in_scope()'s statement by scope_kind(), built once (the case page asks it).
_ANSWERED: dict[bool, sa.Select[tuple[int | None]]] = {}


def _answered_statement(school: bool) -> sa.Select[tuple[int | None]]:
    visible = scoped_by_params(Case, sa.select(Case.id), school=school)
    return (
        sa.select(Obligation.document_id)
        .where(
            Obligation.document_id.in_(sa.bindparam("document_ids", expanding=True)),
            Obligation.case_id.in_(visible),
        )
        .distinct()
    )


def _owner_decides(user: User, document: Document) -> bool | None:
    """The answer that needs no query beyond the owner, or None when the cases decide."""
    if not user.active:
        return False
    owner = document.owner
    if document.kind == MECHANISMS_DOCUMENT_KIND:
        return can_view_mechanisms_of(user, owner)
    if can_view_org(user, owner):
        return True
    # Outside the owner's scope a document is seen only through a case of the viewer's that it
    # answers. A paper generated for a whole municipality (the municipal order lists every
    # flagged school with its director and markers) answers no case and is never shown there.
    if document.generated or document.case_id is not None:
        return False
    return None


def can_view_document(user: User, document: Document) -> bool:
    """Whoever sees the owner; outside it, whoever sees a case whose obligation the document
    answers (a school sees its municipality's act through its own case only, never the
    municipality's other papers); a strategic session's materials by whoever may open the
    session; the report on the municipal mechanisms by whoever sees the mechanisms."""
    if document.session_id is not None:
        return can_view_session(user, document.session_id)
    decided = _owner_decides(user, document)
    if decided is not None:
        return decided
    return document.id in _answered_cases_in_scope(user, [document.id])


def visible_documents(user: User, documents: list[Document]) -> list[Document]:
    """The documents of a page the user may open (can_view_document for many, in one query)."""
    undecided: list[int] = []
    seen: set[int] = set()
    for document in documents:
        if document.session_id is not None:
            if can_view_session(user, document.session_id):
                seen.add(document.id)
            continue
        decided = _owner_decides(user, document)
        if decided is None:
            undecided.append(document.id)
        elif decided:
            seen.add(document.id)
    seen |= _answered_cases_in_scope(user, undecided)
    return [d for d in documents if d.id in seen]


def can_view_roadmap(user: User, roadmap: Roadmap) -> bool:
    """Whoever sees the owner; a municipal roadmap also by the schools of the municipality
    with a case in its campaign and on its list."""
    owner = roadmap.owner
    if can_view_org(user, owner):
        return True
    if not user.active or owner.kind is not OrgKind.MUNICIPALITY:
        return False
    found = db.session.scalar(
        sa.select(Case.id)
        .where(
            Case.school_id == user.organisation_id,
            Case.municipality_id == owner.id,
            Case.campaign_id == roadmap.campaign_id,
            Case.category == roadmap.category,
        )
        .limit(1)
    )
    return found is not None


def can_edit_roadmap(user: User, roadmap: Roadmap) -> bool:
    """The owner organisation's own people edit its roadmap."""
    return acts_for_organisation(user) and user.organisation_id == roadmap.owner_org_id


def can_start_roadmap(user: User, case: Case) -> bool:
    """The case's school starts its roadmap while the case is open."""
    return case.status is CaseStatus.OPEN and is_school_of(user, case)


def can_start_mentor_plan(user: User, case: Case) -> bool:
    """The ШНОР school, or the leader school that owes one of its measures, starts their joint
    plan while the case is open."""
    if case.status is not CaseStatus.OPEN or case.category is not Category.LOW_RESULTS:
        return False
    if is_school_of(user, case):
        return True
    return (
        user.active
        and user.role is Role.SCHOOL
        and any(o.responsible_org_id == user.organisation_id for o in case.obligations)
    )


def can_generate(user: User, case: Case, key: str) -> bool:
    """The user's role produces this document and the case is in scope."""
    return key in GENERATORS and user.role in GENERATORS[key] and can_view_case(user, case)


def can_write_conclusions(user: User, case: Case, key: str) -> bool:
    """The user produces the document and so writes its conclusions (the certificate: the
    school, its municipality or the ministry; the recheck protocol: the municipality or the
    ministry)."""
    return can_generate(user, case, key)


def can_upload_data(user: User, case: Case, key: str) -> bool:
    """The user's role uploads this data file and the case is in scope."""
    return key in DATA_UPLOADERS and user.role in DATA_UPLOADERS[key] and can_view_case(user, case)
