"""Demo campaigns: a flag list for each of three years imported through the real importer, each
year's campaign opened on its order's date with a plan from the seeds' templates, and the cases
worked as their people would have by today.

- 2024: the Lazo roadmap and the Chernozemelsky mechanisms; every measure done by its last
  term (December 2025), every case closed (escalated when the school is on the 2025 list again);
- 2025: the default plan (Kaliningrad by levels, Chelyabinsk ШНОР) which the ministry extends
  with a self-analysis and a school roadmap; objectivity measures done (a few late, one
  evaluation still owed), ШНОР support under way; the showcase school's case told in full
  (``showcase``);
- 2026: the same plan opened on 03.11.2026, a municipality with its own earlier date for the
  certificate; by 1 December most rechecks are in, some acts handed in and one returned.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import sqlalchemy as sa

from app.demo import showcase
from app.demo.answers import People, at, complete, decide, hand_in, user_of
from app.demo.walk import work
from app.extensions import db
from app.legal.orders import OrderValues, record_order
from app.models.case import Campaign, Case, CaseStatus, Category, Level
from app.models.org import Organisation, OrgKind
from app.models.user import Role, User
from app.plans.dates import before, by
from app.plans.measures import Measure, from_row, reviewed_by
from app.plans.service import plan_of
from app.workflows import cases as case_ops
from app.workflows import replan
from app.workflows.campaigns import find_campaign
from app.workflows.flags import Opening, import_flags

YEARS = (2024, 2025, 2026)
MARKERS = ("4 РУ", "4 МА", "5 РУ", "5 МА")
# The plan each year's campaign is opened with, and its approving order.
OPENINGS = {
    2024: Opening("lazo_objectivity,chernozemelsky_mechanisms", "1311", date(2024, 11, 5)),
    2025: Opening(None, "1502/1", date(2025, 11, 3)),
    2026: Opening(None, "1488", date(2026, 11, 3)),
}
ISSUER = "Министерство образования Приозёрской области"
# Who signed each year's order (the 2024 one while the minister was away).
SIGNATORIES = {
    2024: ("Исполняющий обязанности министра образования Приозёрской области", "А. П. Громов"),
    2025: ("Министр образования Приозёрской области", "Н. С. Воронцова"),
    2026: ("Министр образования Приозёрской области", "Н. С. Воронцова"),
}


def order_values(year: int) -> OrderValues:
    """The whole of a demo year's approving order: OPENINGS' number and date, its title in the
    wording of seed 000, the ministry that issued it and who signed it."""
    opening = OPENINGS[year]
    position, name = SIGNATORIES[year]
    return OrderValues(
        number=opening.order_number,
        date=opening.order_date,
        title=(
            "Об утверждении перечня общеобразовательных организаций Приозёрской области с "
            "признаками необъективных результатов процедур оценки качества образования в "
            f"распределении по уровням управленческого сопровождения в {year}-{year + 1} "
            "учебном году"
        ),
        issuer=ISSUER,
        signatory_name=name,
        signatory_position=position,
    )


# The day each campaign's work has got to in the demo (the 2026 one: the demo's "today").
# (The 2024 one runs to its last term, when its cases are closed.)
WORKED_UNTIL = {2025: date(2026, 11, 30), 2026: date(2026, 11, 30)}


def _flag_list(
    year: int, schools: list[Organisation], under_region: list[Organisation], rng: random.Random
) -> bytes:
    """A §3 flag list of one year: a core of schools flagged every year, others now and then;
    the two schools under the region itself on the current year's list."""
    lines = [
        "Год;Логин;Муниципалитет;ОО;"
        + ";".join(MARKERS)
        + ";Количество маркеров;Категория;Уровень сопровождения"
    ]
    core = schools[:6]  # on the list three years running: contract review
    for school in core + rng.sample(schools[6:], 14):
        marks = [1 if rng.random() < 0.4 else 0 for _ in MARKERS]
        if not any(marks):
            marks[rng.randrange(len(MARKERS))] = 1
        level = 3 if school in core else rng.choice((1, 1, 2))
        cells = [
            str(year),
            school.login or "",
            school.parent.name if school.parent else "",
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
    if year == YEARS[-1]:
        for school in under_region:
            region = school.parent.name if school.parent else ""
            lines.append(f"{year};{school.login};{region};{school.name};1;0;1;0;2;;1")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _logins(flag_list: bytes) -> set[str]:
    """The logins of a demo list's rows."""
    return {line.split(";")[1] for line in flag_list.decode("utf-8").splitlines()[1:] if line}


def _cases(campaign: Campaign, category: Category | None = None) -> list[Case]:
    stmt = sa.select(Case).where(Case.campaign_id == campaign.id)
    if category is not None:
        stmt = stmt.where(Case.category == category)
    return list(db.session.scalars(stmt.order_by(Case.id)))


def _close(case: Case, ministry: User, *, flagged_again: bool, day: date) -> None:
    """Close a case whose work is done: escalated when the school is on the next list again."""
    if flagged_again:
        case_ops.act_on_case(
            case.id,
            "close_escalated",
            actor=ministry,
            expected_version=None,
            reason=f"Школа снова в перечне по итогам ВПР-{case.campaign.vpr_year + 1}.",
            now=at(day),
        )
    else:
        case_ops.act_on_case(
            case.id, "close_resolved", actor=ministry, expected_version=None, now=at(day)
        )


def extend_plan(campaign: Campaign, ministry: User) -> None:
    """The ministry adds a self-analysis and a school roadmap to the default plan (the Lazo
    practice of seed 004) for every objectivity school."""
    year = campaign.vpr_year
    reason = (
        "Письмо министерства: самоанализ и школьная дорожная карта для всех ОО с признаками "
        "необъективности."
    )
    for values in (
        Measure(
            "self_analysis",
            "7.1",
            "Самоанализ причин необъективности результатов ВПР по шаблону «Семь шагов»",
            Level.SCHOOL,
            by(date(year, 12, 10)),
            "self_analysis",
            (Category.OBJECTIVITY,),
            result="Самоанализ в отдел образования",
            reviewers=reviewed_by(Level.MUNICIPALITY),
            takes="form:self_analysis",
            seed="004, приказ № 429, п. 2.1",
        ),
        Measure(
            "school_roadmap",
            "7.2",
            "Дорожная карта ОО по повышению объективности оценочных процедур",
            Level.SCHOOL,
            by(date(year, 12, 22)),
            "roadmap",
            (Category.OBJECTIVITY,),
            result="Дорожная карта, согласованная отделом образования",
            reviewers=reviewed_by(Level.MUNICIPALITY),
            takes="roadmap:school",
            seed="004 (дорожная карта ОО)",
        ),
    ):
        replan.save_measure(campaign, None, values, actor=ministry, reason=reason)


def _walk_2024(region: Organisation, ministry: User, rng: random.Random, again: set[str]) -> None:
    """Every 2024 case worked to its last term and closed: escalated when the school is on the
    2025 list (``again``: its logins) again."""
    campaign = find_campaign(region, 2024)
    if campaign is None:
        return
    cases = _cases(campaign)
    last = max(o.due_date for c in cases for o in c.obligations if o.due_date)
    for case in cases:
        work(case, People.of(case, ministry), last, rng)
        flagged = (case.school.login or "") in again
        _close(case, ministry, flagged_again=flagged, day=last + timedelta(days=14))


def _walk_2025(region: Organisation, ministry: User, rng: random.Random) -> None:
    campaign = find_campaign(region, 2025)
    if campaign is None:
        return
    extend_plan(campaign, ministry)
    objectivity = _cases(campaign, Category.OBJECTIVITY)
    for index, case in enumerate(objectivity):
        people = People.of(case, ministry)
        if case.school.login == showcase.SHOWCASE_LOGIN:
            showcase.walk_objectivity(case, people, rng, WORKED_UNTIL[2025])
            continue
        if index == 1:  # the municipality has not evaluated the director yet
            work(case, people, WORKED_UNTIL[2025], rng, skip=frozenset({"k_director_evaluation"}))
            continue
        late = frozenset({"k_certificate"}) if index % 5 == 2 else frozenset()
        work(case, people, WORKED_UNTIL[2025], rng, late=late)
    for case in _cases(campaign, Category.LOW_RESULTS):
        work(case, People.of(case, ministry), WORKED_UNTIL[2025], rng)


def _close_2025(region: Organisation, ministry: User) -> None:
    """After the 2026 list (which escalated the 2025 cases of schools on it again), the
    ministry closes every other objectivity case whose work is done."""
    campaign = find_campaign(region, 2025)
    if campaign is None:
        return
    for index, case in enumerate(_cases(campaign, Category.OBJECTIVITY)):
        owed = any(o.required and not o.is_done() for o in case.obligations)
        if case.status is CaseStatus.OPEN and not owed and index % 2 == 0:
            _close(case, ministry, flagged_again=False, day=date(2026, 11, 25))


def _municipal_date(campaign: Campaign, municipality: Organisation) -> None:
    """A municipality asks its schools for the certificate earlier than the region does (as
    Ozersk did, seed 001), leaving itself time to check it."""
    regional = next(r for r in plan_of(campaign).measures if r.key == "k_certificate")
    measure = from_row(regional).shifted(
        key="k_certificate_local",
        when=before(date(campaign.vpr_year + 1, 1, 12)),
        seed="001 (муниципальный срок раньше регионального)",
    )
    replan.save_measure(
        campaign,
        None,
        measure,
        actor=user_of(Role.MUNICIPAL, municipality.id),
        reason="Постановление администрации: справка о корреляции до 12 января.",
        municipality=municipality,
        overrides="k_certificate",
    )


def _walk_2026(region: Organisation, ministry: User, rng: random.Random) -> None:
    """The 2025 cases the ministry closes after the new list; then, by 30 November 2026:
    rechecks in (two still owed), some acts in, one returned."""
    _close_2025(region, ministry)
    campaign = find_campaign(region, 2026)
    if campaign is None:
        return
    extend_plan(campaign, ministry)
    first = db.session.scalars(
        sa.select(Organisation)
        .where(Organisation.kind == OrgKind.MUNICIPALITY, Organisation.parent_id == region.id)
        .order_by(Organisation.name)
    ).first()
    if first is not None:
        _municipal_date(campaign, first)
    until = WORKED_UNTIL[2026]
    for index, case in enumerate(_cases(campaign, Category.OBJECTIVITY)):
        people = People.of(case, ministry)
        if index % 4 == 3:
            continue  # nothing handed in yet
        skip = frozenset({"k_recheck", "k_recheck_regional"}) if index % 7 == 5 else frozenset()
        work(case, people, until, rng, skip=skip)
        if index % 4 == 0:
            acts = [o for o in case.obligations if o.obligation_type == "k_prevention_acts"]
            for act in acts:
                hand_in(act, people, date(2026, 11, 24))
                if index % 8 == 0:
                    decide(
                        act,
                        people,
                        date(2026, 11, 26),
                        comment="В акте нет порядка привлечения общественных наблюдателей.",
                    )
                else:
                    decide(act, people, date(2026, 11, 26))
        for self_analysis in (o for o in case.obligations if o.obligation_type == "self_analysis"):
            if index % 3 == 0:
                complete(self_analysis, people, date(2026, 11, 27), date(2026, 11, 30))


def seed_cases(region: Organisation, ministry: User) -> None:
    """Import each year's demo flag list (idempotent) and, the first time, work the cases."""
    first_time = find_campaign(region, YEARS[-1]) is None
    every = list(
        db.session.scalars(
            sa.select(Organisation)
            .where(Organisation.kind == OrgKind.SCHOOL, Organisation.region_id == region.id)
            .order_by(Organisation.login)
        )
    )
    schools = [s for s in every if s.municipality_id is not None]
    under_region = [s for s in every if s.municipality_id is None]
    rng, walk = random.Random(7), random.Random(11)
    lists = {year: _flag_list(year, schools, under_region, rng) for year in YEARS}
    walks = {
        2024: lambda: _walk_2024(region, ministry, walk, _logins(lists[2025])),
        2025: lambda: _walk_2025(region, ministry, walk),
        2026: lambda: _walk_2026(region, ministry, walk),
    }
    for year in YEARS:  # each year's list, then that year's work: a new list closes the old
        report = import_flags(lists[year], region=region, actor=ministry, opening=OPENINGS[year])
        if not report.ok:
            raise RuntimeError(f"demo flag list refused: {report.problems[:3]}")
        campaign = find_campaign(region, year)
        assert campaign is not None
        values = order_values(year)
        assert values.date is not None
        # Recorded by the ministry on the order's day (unchanged on a second seed).
        record_order(campaign, values, actor=ministry, today=values.date, expected_version=None)
        if first_time:
            walks[year]()
    db.session.flush()


__all__ = ["OPENINGS", "YEARS", "extend_plan", "order_values", "seed_cases"]
