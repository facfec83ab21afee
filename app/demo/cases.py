"""Demo campaigns: flag lists for three years imported through the real importer, and the
current campaign's cases walked part of the way by the demo users."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import sqlalchemy as sa

from app import access
from app.accounts.users import users_of
from app.demo import stage_walk
from app.demo.files import simple_pdf
from app.extensions import db
from app.models.case import Case, Category, Obligation, ObligationStatus
from app.models.org import Organisation, OrgKind
from app.models.user import Role, User
from app.workflows import cases as case_ops
from app.workflows import obligations as obligation_ops
from app.workflows import registry
from app.workflows.campaigns import find_campaign
from app.workflows.definitions import Kind
from app.workflows.flags import import_flags
from app.workflows.handin import upload_for_obligation

YEARS = (2024, 2025, 2026)
MARKERS = ("4 РУ", "4 МА", "5 РУ", "5 МА")


def _flag_list(schools: list[Organisation], rng: random.Random) -> bytes:
    """A §3 flag list: a core of schools flagged every year, others now and then."""
    lines = [
        "Год;Логин;Муниципалитет;ОО;"
        + ";".join(MARKERS)
        + ";Количество маркеров;Категория;Уровень сопровождения"
    ]
    core = schools[:6]  # on the list three years running: contract review
    for year in YEARS:
        flagged = core + rng.sample(schools[6:], 14)
        for school in flagged:
            marks = [1 if rng.random() < 0.4 else 0 for _ in MARKERS]
            if not any(marks):
                marks[rng.randrange(len(MARKERS))] = 1
            level = 3 if school in core else rng.choice((1, 1, 2))
            municipality = school.parent.name if school.parent else ""
            cells = [
                str(year),
                school.login or "",
                municipality,
                school.name,
                *map(str, marks),
                str(sum(marks)),
                "необъективность",
                str(level),
            ]
            lines.append(";".join(c.replace(";", ",") for c in cells))
        for school in rng.sample(schools[6:], 4):
            municipality = school.parent.name if school.parent else ""
            lines.append(f"{year};{school.login};{municipality};{school.name};0;0;0;0;0;ШНОР;2")
    return ("\n".join(lines) + "\n").encode("utf-8")


def hand_in(obligation: Obligation, actor: User, now: datetime) -> None:
    """Upload a demo document for obligations that take one; submit the others."""
    if obligation.document_types:
        title = f"{obligation.obligation_type} {obligation.case.school.login}"
        upload_for_obligation(
            obligation.id,
            f"{obligation.obligation_type}.pdf",
            simple_pdf(title),
            actor=actor,
            expected_version=None,
            now=now,
        )
    else:
        obligation_ops.submit(obligation.id, actor=actor, expected_version=None, now=now)


def _at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=9, tzinfo=UTC)


def _user(role: Role, org_id: int) -> User:
    found = users_of(role, org_id)
    assert found, f"no {role.value} user for organisation {org_id}"
    return found[0]


def _complete(obligation: Obligation, submitter: User, reviewer: User, day: str) -> None:
    if obligation.status not in (ObligationStatus.OPEN, ObligationStatus.RETURNED):
        return  # already answered, e.g. by the municipality's act handed in for another case
    hand_in(obligation, submitter, _at(day))
    if obligation.reviewer_role:
        obligation_ops.review(
            obligation.id, accept=True, actor=reviewer, expected_version=None, now=_at(day)
        )


def _people(case: Case, ministry: User) -> dict[str, User]:
    return {
        "school": _user(Role.SCHOOL, case.school_id),
        "municipality": _user(Role.MUNICIPAL, case.municipality_id),
        "region": ministry,
        "ministry": ministry,
        "municipal": _user(Role.MUNICIPAL, case.municipality_id),
    }


def walk(case: Case, ministry: User, until: str, days: list[str]) -> None:
    """Complete each stage's obligations with the right people and move on, until ``until``."""
    people = _people(case, ministry)
    for day in days:
        if case.stage == until:
            return
        workflow = registry.of_case(case)
        for obligation in list(case.obligations):
            if obligation.status in (ObligationStatus.OPEN, ObligationStatus.RETURNED):
                reviewer = people.get(obligation.reviewer_role or "ministry", ministry)
                _complete(obligation, people[obligation.level.value], reviewer, day)
        forward = next(
            t
            for t in workflow.transitions_from(case.stage)
            if t.kind in (Kind.FORWARD, Kind.CLOSE) and not t.needs_reason
        )
        actor = ministry if access.can_take(ministry, case, forward) else people["municipal"]
        case_ops.advance_case(
            case.id, forward.key, actor=actor, expected_version=None, now=_at(day)
        )


def _walk_past_campaigns(region: Organisation, ministry: User) -> None:
    """2024: every case closed; 2025: cases at the director evaluation or in monitoring, and
    two walked through every stage with their records (see ``stage_walk``)."""
    plans = {
        2024: (
            "monitoring",
            [
                "2024-11-20",
                "2024-12-10",
                "2024-12-20",
                "2025-01-15",
                "2025-03-20",
                "2025-04-10",
                "2025-05-20",
            ],
        ),
        2025: (
            "director_evaluation",
            ["2025-11-18", "2025-11-28", "2025-12-22", "2026-01-14", "2026-03-18"],
        ),
    }
    for year, (until, days) in plans.items():
        campaign = find_campaign(region, year)
        if campaign is None:
            continue
        cases = db.session.scalars(
            sa.select(Case)
            .where(Case.campaign_id == campaign.id, Case.category == Category.OBJECTIVITY)
            .order_by(Case.id)
        ).all()
        flagged_next_year = _schools_flagged(region, year + 1)
        for case in cases:
            if year == 2025 and case.school.login == stage_walk.SHOWCASE_LOGIN:
                stage_walk.walk_objectivity(case, ministry)
            elif year == 2025 and case.id % 3 == 0:
                walk(case, ministry, "monitoring", [*days, "2026-04-10"])
            else:
                walk(case, ministry, until, days)
            if year == 2024:
                _close(case, ministry, escalate=case.school_id in flagged_next_year)
        if year == 2025:
            shnor_case = db.session.scalars(
                sa.select(Case)
                .where(Case.campaign_id == campaign.id, Case.category == Category.LOW_RESULTS)
                .order_by(Case.id)
            ).first()
            if shnor_case is not None:
                stage_walk.walk_shnor(shnor_case, ministry)


def _schools_flagged(region: Organisation, year: int) -> set[int]:
    campaign = find_campaign(region, year)
    if campaign is None:
        return set()
    return set(db.session.scalars(sa.select(Case.school_id).where(Case.campaign_id == campaign.id)))


def _close(case: Case, ministry: User, *, escalate: bool) -> None:
    """Close a past case: escalated when the school is on the next year's list again."""
    people = _people(case, ministry)
    final = next(o for o in case.obligations if o.obligation_type == "final_report")
    _complete(final, people["school"], people["municipal"], "2025-06-05")
    key = f"escalate_from_{case.stage}" if escalate else "close_resolved"
    reason = "Школа снова в списке по итогам ВПР-2025." if escalate else None
    case_ops.advance_case(
        case.id, key, actor=ministry, expected_version=None, reason=reason, now=_at("2025-06-10")
    )


def _walk_current_campaign(region: Organisation) -> None:
    """Move the 2026 cases forward as the demo users would by late November 2026."""
    campaign = find_campaign(region, 2026)
    if campaign is None:
        return
    ministry = _user(Role.MINISTRY, region.id)
    cases = db.session.scalars(
        sa.select(Case)
        .where(Case.campaign_id == campaign.id, Case.category == Category.OBJECTIVITY)
        .order_by(Case.id)
    ).all()
    for index, case in enumerate(cases):
        municipal = _user(Role.MUNICIPAL, case.municipality_id)
        school = _user(Role.SCHOOL, case.school_id)
        if index % 4 == 3:
            continue  # a quarter still waits for its municipal order
        order = next(o for o in case.obligations if o.obligation_type == "municipal_order")
        _complete(order, municipal, ministry, "2026-11-12")
        moved = case_ops.advance_case(
            case.id,
            "start_self_analysis",
            actor=municipal,
            expected_version=None,
            now=_at("2026-11-13"),
        )
        if index % 4 == 0:
            analysis = moved.created[0]
            hand_in(analysis, school, _at("2026-11-20"))
            if index % 8 == 0:
                obligation_ops.review(
                    analysis.id,
                    accept=False,
                    actor=municipal,
                    expected_version=None,
                    comment="Не раскрыт шаг 4 шаблона «Семь шагов»: сравнение с отметками по журналу.",
                    now=_at("2026-11-21"),
                )


def seed_cases(region: Organisation, ministry: User) -> None:
    """Import the demo flag lists (idempotent) and, the first time, walk the current campaign."""
    first_time = find_campaign(region, 2026) is None
    schools = list(
        db.session.scalars(
            sa.select(Organisation)
            .where(Organisation.kind == OrgKind.SCHOOL, Organisation.region_id == region.id)
            .order_by(Organisation.login)
        )
    )
    rng = random.Random(7)
    report = import_flags(_flag_list(schools, rng), region=region, actor=ministry)
    if not report.ok:
        raise RuntimeError(f"demo flag list refused: {report.problems[:3]}")
    if first_time:
        _walk_past_campaigns(region, ministry)
        _walk_current_campaign(region)
    db.session.flush()


__all__ = ["seed_cases"]
