"""The real actors and regions: regional institutes and municipal methodological centres with
their people, schools under the region itself, the time zone and own days of each region,
independent recheck commissions."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from app.access.scope import scoped
from app.errors import InvalidInput, NotAllowed
from app.extensions import db
from app.models import Case, Category, Level, Obligation, ObligationStatus, Role
from app.models.org import Subordination
from app.plans import calendar
from app.stages import recheck
from app.workflows import obligations as ops
from app.workflows import queries
from app.workflows.cases import set_support_level
from tests.helpers import Factory, hand_in, login, open_test_case


def _of(case: Case, key: str) -> Obligation:
    return next(o for o in case.obligations if o.obligation_type == key)


@pytest.fixture
def actors(world: dict[str, Any], make: Factory) -> dict[str, Any]:
    """The world plus an institute of the first region, a methodological centre of municipality
    A, a school subordinate to the ministry and a private school, each with a user."""
    region = world["region"]
    institute = make.serving(region, "ГАУ ДПО «Институт развития образования»")
    centre = make.serving(world["mun_a"], "МБУ «Информационно-методический центр»")
    regional = make.school(region, name="ГБОУ «Школа-интернат № 1»")
    private = make.school(
        region, name="ЧОУ «Частная школа «Развитие»", subordination=Subordination.PRIVATE
    )
    world["orgs"] = {
        "institute": institute,
        "centre": centre,
        "regional": regional,
        "private": private,
    }
    world["users"].update(
        {
            "institute": make.user(Role.INSTITUTE, institute),
            "centre": make.user(Role.METHOD_CENTRE, centre),
            "school_regional": make.user(Role.SCHOOL, regional),
            "school_private": make.user(Role.SCHOOL, private),
        }
    )
    return world


def _visible(user: Any) -> set[int]:
    return {c.school_id for c in db.session.scalars(scoped(Case, user))}


def test_each_kind_of_organisation_sees_its_own_scope(actors: dict[str, Any]) -> None:
    w, u, o = actors, actors["users"], actors["orgs"]
    cases = {key: open_test_case(w["schools"][key]) for key in ("a1", "a2", "b1", "x1")} | {
        "regional": open_test_case(o["regional"]),
        "private": open_test_case(o["private"]),
    }
    ids = {key: c.school_id for key, c in cases.items()}
    region_wide = {ids[k] for k in ("a1", "a2", "b1", "regional", "private")}
    assert _visible(u["ministry"]) == region_wide
    assert _visible(u["institute"]) == region_wide  # an institute serves its region
    assert _visible(u["auditor"]) == region_wide
    assert _visible(u["municipal_a"]) == {ids["a1"], ids["a2"]}
    assert _visible(u["centre"]) == {ids["a1"], ids["a2"]}  # … a centre its municipality
    assert _visible(u["municipal_b"]) == {ids["b1"]}
    assert _visible(u["school_regional"]) == {ids["regional"]}
    assert _visible(u["school_private"]) == {ids["private"]}
    assert _visible(u["ministry_x"]) == {ids["x1"]}


def test_a_regional_and_a_private_school_run_a_case_under_the_ministry(
    actors: dict[str, Any],
) -> None:
    u, o = actors["users"], actors["orgs"]
    region = actors["region"]
    for key in ("regional", "private"):
        case = open_test_case(o[key])
        assert case.municipality_id is None
        act = _of(case, "k_prevention_acts")  # a municipality's act: here the ministry's
        assert act.responsible_org_id == region.id and act.reviewer_org_id == region.id
        certificate = _of(case, "k_certificate")  # checked by «the municipality»: the ministry
        assert certificate.responsible_org_id == o[key].id
        assert certificate.reviewer_org_id == region.id
        school = u[f"school_{key}"]
        hand_in(certificate, school)
        with pytest.raises(NotAllowed):
            ops.review(certificate.id, accept=True, actor=u["municipal_a"], expected_version=None)
        ops.review(certificate.id, accept=True, actor=u["ministry"], expected_version=None)
        assert certificate.status is ObligationStatus.ACCEPTED
    # The ministry's act for its own schools answers both of them, and no municipality's case.
    municipal_case = open_test_case(actors["schools"]["a1"])
    regional_case = db.session.scalars(
        sa.select(Case).where(Case.school_id == o["regional"].id)
    ).one()
    hand_in(_of(regional_case, "k_prevention_acts"), u["ministry"])
    private_case = db.session.scalars(
        sa.select(Case).where(Case.school_id == o["private"].id)
    ).one()
    assert _of(private_case, "k_prevention_acts").status is ObligationStatus.SUBMITTED
    assert _of(municipal_case, "k_prevention_acts").status is ObligationStatus.OPEN
    assert o["private"].subordination is Subordination.PRIVATE


def test_the_institute_and_the_centre_act_for_their_levels(actors: dict[str, Any]) -> None:
    u, o = actors["users"], actors["orgs"]
    case = open_test_case(actors["schools"]["a1"])
    set_support_level(case, 3, actor=u["ministry"], expected_version=None)
    regional = _of(case, "k_recheck_regional")
    assert regional.level is Level.INSTITUTE and regional.responsible_org_id == o["institute"].id
    assert regional.reviewer_org_id == actors["region"].id
    expert_school = actors["schools"]["b2"]
    expert = recheck.add_expert(
        actors["region"], expert_school, "Орлова Е. С.", "Русский язык", None, actor=u["ministry"]
    )
    with pytest.raises(NotAllowed):  # not the municipality's recheck any more
        recheck.add_member(case, expert, chair=True, actor=u["centre"])
    recheck.add_member(case, expert, chair=True, actor=u["institute"])
    inbox, _reviews = queries.inbox(u["institute"])
    assert regional.id in {x.id for x in inbox}
    # A plan whose monthly report is the methodological centre's (seed 004).
    lazo = open_test_case(actors["schools"]["a2"], year=2024, templates="lazo_objectivity")
    report = next(o for o in lazo.obligations if o.obligation_type == "lz_monthly_report")
    assert report.level is Level.METHOD_CENTRE and report.responsible_org_id == o["centre"].id
    owed, _ = queries.inbox(u["centre"])
    assert report.id in {x.id for x in owed}
    assert report.id not in {x.id for x in queries.inbox(u["municipal_a"])[0]}


def test_deadlines_are_met_or_missed_in_the_regions_own_time(make: Factory) -> None:
    kaliningrad = make.region("Калининградская область", timezone="Europe/Kaliningrad")
    khabarovsk = make.region("Хабаровский край", timezone="Asia/Vladivostok")
    # 15:00 UTC is 17:00 in Kaliningrad and already 01:00 of the next day in Khabarovsk.
    moment = datetime(2023, 12, 25, 15, 0, tzinfo=UTC)
    on_time = {}
    for region in (kaliningrad, khabarovsk):
        municipality = make.municipality(region)
        case = open_test_case(make.school(municipality))
        act = _of(case, "k_prevention_acts")  # «не позднее 25 декабря 2023 года»
        assert act.due_date == date(2023, 12, 25)
        hand_in(act, make.user(Role.MUNICIPAL, municipality), now=moment)
        ministry = make.user(Role.MINISTRY, region)
        ops.review(act.id, accept=True, actor=ministry, expected_version=None)
        on_time[region.name] = act.done_on_time()
    assert on_time == {"Калининградская область": True, "Хабаровский край": False}


def test_a_regions_own_day_off_moves_its_terms_only(make: Factory) -> None:
    dagestan = make.region("Республика Дагестан")
    other = make.region("Другая область")
    admin = make.user(Role.ADMIN, dagestan)
    with pytest.raises(NotAllowed):
        calendar.set_region_day(
            dagestan.id, date(2023, 11, 30), False, "x", actor=make.user(Role.ADMIN, other)
        )
    calendar.set_region_day(
        dagestan.id, date(2023, 11, 30), False, "Региональный день", actor=admin
    )
    ours = open_test_case(make.school(make.municipality(dagestan)))
    theirs = open_test_case(make.school(make.municipality(other)))
    assert _of(ours, "k_recheck").due_date == date(2023, 12, 1)
    assert _of(theirs, "k_recheck").due_date == date(2023, 11, 30)
    assert [d.name for d in calendar.region_days(dagestan.id, 2023)] == ["Региональный день"]


def test_recheck_commissions_are_independent(world: dict[str, Any], make: Factory) -> None:
    u = world["users"]
    case = open_test_case(world["schools"]["a1"])
    open_test_case(world["schools"]["a2"])  # a2 is on the list too
    own = recheck.add_expert(
        world["mun_a"],
        world["schools"]["a1"],
        "Своя Учительница",
        "Русский язык",
        None,
        actor=u["municipal_a"],
    )
    flagged = recheck.add_expert(
        world["mun_a"],
        world["schools"]["a2"],
        "Из другой школы списка",
        "Русский язык",
        None,
        actor=u["municipal_a"],
    )
    free = make.school(world["mun_a"])
    independent = recheck.add_expert(
        world["mun_a"], free, "Независимая Эксперт", "Русский язык", None, actor=u["municipal_a"]
    )
    with pytest.raises(InvalidInput, match=r"своей|own"):
        recheck.add_member(case, own, chair=True, actor=u["municipal_a"])
    with pytest.raises(InvalidInput, match=r"независим|independent"):
        recheck.add_member(case, flagged, chair=True, actor=u["municipal_a"])
    recheck.add_member(case, independent, chair=True, actor=u["municipal_a"])

    # Lazo (seed 004): the school's own subject commission, under an independent observer.
    lazo = open_test_case(make.school(world["mun_a"]), year=2024, templates="lazo_objectivity")
    teacher = recheck.add_expert(
        world["mun_a"], lazo.school, "Учитель Школы", "Русский язык", None, actor=u["municipal_a"]
    )
    school_user = make.user(Role.SCHOOL, lazo.school)
    recheck.add_member(lazo, teacher, chair=True, actor=school_user)
    from tests.integration.test_generated_documents import _recheck_csv

    recheck.import_works(lazo, _recheck_csv(lazo.school.login), actor=school_user)
    recheck.assign(lazo, actor=school_user)
    with pytest.raises(InvalidInput, match=r"наблюдател|observer"):
        recheck.hand_in_protocol(lazo, actor=school_user)
    recheck.add_member(lazo, independent, chair=False, observer=True, actor=school_user)
    recheck.hand_in_protocol(lazo, actor=school_user)
    protocol = next(o for o in lazo.obligations if o.obligation_type == "lz_recheck")
    assert protocol.status is ObligationStatus.SUBMITTED


def test_a_methodological_centre_user_uses_its_pages(
    client: FlaskClient, actors: dict[str, Any]
) -> None:
    case = open_test_case(actors["schools"]["a1"])
    other = open_test_case(actors["schools"]["b1"])
    db.session.commit()
    login(client, actors["users"]["centre"])
    assert client.get(f"/cases/{case.id}").status_code == 200
    assert client.get(f"/cases/{other.id}").status_code == 404
    assert client.get("/inbox").status_code == 200
    assert actors["schools"]["b1"].name not in client.get("/cases").text
    assert Category.OBJECTIVITY is case.category


def test_a_leader_school_sees_and_answers_the_case_it_mentors(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    from app.stages import shnor

    u = world["users"]
    case = open_test_case(world["schools"]["b2"], category=Category.LOW_RESULTS)
    leader, leader_user = world["schools"]["b1"], u["school_b1"]
    login(client, leader_user)
    db.session.commit()
    assert client.get(f"/cases/{case.id}").status_code == 404  # not yet its business
    shnor.assign_leader(case, leader, actor=u["municipal_b"])
    db.session.commit()
    page = client.get(f"/cases/{case.id}")
    assert page.status_code == 200
    consultations = _of(case, "ch_leader_consultations")
    owed, _ = queries.inbox(leader_user)
    assert consultations.id in {o.id for o in owed}
    assert f"/obligations/{consultations.id}/submit" in page.text
    client.post(
        f"/obligations/{consultations.id}/submit",
        data={"version": str(consultations.version), "text": "Проведено 8 консультаций"},
    )
    db.session.refresh(consultations)
    assert consultations.status is ObligationStatus.SUBMITTED
    other = open_test_case(world["schools"]["a1"])
    db.session.commit()
    assert client.get(f"/cases/{other.id}").status_code == 404


def test_the_sweep_tells_each_region_by_its_own_date(make: Factory) -> None:
    from app.models import Notification
    from app.notices.sweep import sweep

    kinds = {}
    regions = {
        "Europe/Kaliningrad": make.region("Калининградская область", timezone="Europe/Kaliningrad"),
        "Asia/Vladivostok": make.region("Хабаровский край", timezone="Asia/Vladivostok"),
    }
    owners = {}
    for name, region in regions.items():
        municipality = make.municipality(region)
        case = open_test_case(make.school(municipality))
        owners[name] = (make.user(Role.MUNICIPAL, municipality), _of(case, "k_recheck"))
    # 30.11.2023 15:00 UTC: still the recheck's last day in Kaliningrad, the next day in Khabarovsk.
    sweep(datetime(2023, 11, 30, 15, 0, tzinfo=UTC))
    for name, (person, recheck_due) in owners.items():
        kinds[name] = {
            n.kind
            for n in db.session.scalars(
                sa.select(Notification).where(Notification.user_id == person.id)
            )
        }
        assert recheck_due.due_date == date(2023, 11, 30)
    assert kinds == {"Europe/Kaliningrad": {"due_today"}, "Asia/Vladivostok": {"overdue"}}
