"""Notices of events: a return, an acceptance, an invitation, a new case and a new obligation
reach the people concerned in the app and over a real SMTP server, one notice a burst."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask.testing import FlaskClient

from app.extensions import db
from app.models import Notification, Role
from app.notices import rules
from app.notices.mail import deliver_pending
from app.stages import sessions
from app.workflows import obligations as ops
from app.workflows.flags import import_flags
from tests.helpers import hand_in, login, open_test_case


def _of(case: Any, key: str) -> Any:
    return next(o for o in case.obligations if o.obligation_type == key)


def _kinds(user: Any) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(Notification.kind)
            .where(Notification.user_id == user.id)
            .order_by(Notification.id)
        )
    )


def test_a_return_and_an_acceptance_tell_the_school(
    world: dict[str, Any], smtp_server: list[Any]
) -> None:
    u = world["users"]
    case = open_test_case(world["schools"]["a1"])
    db.session.commit()
    certificate = _of(case, "k_certificate")
    hand_in(certificate, u["school_a1"])
    db.session.commit()
    ops.review(
        certificate.id,
        accept=False,
        actor=u["municipal_a"],
        expected_version=None,
        comment="Нет таблицы",
    )
    db.session.commit()
    assert rules.RETURNED in _kinds(u["school_a1"])
    assert rules.RETURNED not in _kinds(u["municipal_a"])  # nobody is told what they did
    hand_in(certificate, u["school_a1"])
    ops.review(certificate.id, accept=True, actor=u["municipal_a"], expected_version=None)
    db.session.commit()
    assert rules.ACCEPTED in _kinds(u["school_a1"])
    deliver_pending()
    subjects = [
        str(m["Subject"])
        for m in smtp_server
        if m["To"].addresses[0].addr_spec == u["school_a1"].email
    ]
    assert any(s.startswith("Возвращено на доработку") for s in subjects), subjects
    assert any(s.startswith("Принято") for s in subjects), subjects
    accepted = next(m for m in smtp_server if str(m["Subject"]).startswith("Принято"))
    assert f"/cases/{case.id}#obligation-{certificate.id}" in accepted.get_content()


def _invited(world: dict[str, Any], title: str, starts_at: datetime, place: str) -> Any:
    """A session the ministry plans, with school a1's new case invited to it (committed)."""
    ministry = world["users"]["ministry"]
    case = open_test_case(world["schools"]["a1"], actor=ministry)
    session = sessions.plan(
        case.campaign,
        title=title,
        starts_at=starts_at,
        place=place,
        online_link=None,
        directions=list(sessions.DIRECTIONS[:1]),
        capacity=10,
        actor=ministry,
    )
    sessions.invite(session, [case], actor=ministry)
    db.session.commit()
    return session


def test_an_invitation_tells_the_schools_team(
    world: dict[str, Any], smtp_server: list[Any]
) -> None:
    u = world["users"]
    _invited(world, "Стратегическая сессия", datetime(2024, 2, 20, 7, tzinfo=UTC), "Институт")
    assert sorted(_kinds(u["school_a1"])) == [rules.CASE_OPENED, rules.INVITED]
    deliver_pending()
    invitation = next(
        m
        for m in smtp_server
        if str(m["Subject"]).startswith("Приглашение на стратегическую сессию")
    )
    assert "«Стратегическая сессия»: 20.02.2024" in invitation.get_content()  # which, when, where
    assert "(по местному времени), Институт." in invitation.get_content()


def test_a_flag_list_is_one_case_notice_for_each_person(
    world: dict[str, Any], smtp_server: list[Any], make: Any
) -> None:
    u = world["users"]
    extra = make.user(Role.SCHOOL, world["schools"]["a2"])
    rows = ["Год;Логин;Муниципалитет;ОО;4 РУ;Количество маркеров"]
    for key in ("a1", "a2", "b1"):
        school = world["schools"][key]
        rows.append(f"2023;{school.login};{school.parent.name};{school.name};1;1")
    report = import_flags(
        ("\n".join(rows) + "\n").encode(), region=world["region"], actor=u["ministry"]
    )
    assert report.ok
    db.session.commit()
    for person in (u["school_a1"], extra, u["municipal_a"], u["municipal_b"]):
        assert _kinds(person) == [rules.CASE_OPENED], person.email  # one notice, not one a case
    assert _kinds(u["ministry"]) == []  # the ministry imported the list itself
    municipal = db.session.scalars(
        sa.select(Notification).where(Notification.user_id == u["municipal_a"].id)
    ).one()
    cases = {line["case"] for entry in municipal.params["entries"] for line in entry["cases"]}
    assert len(cases) == 2  # a1 and a2: the municipality's acts for both
    deliver_pending()
    to_school = [m for m in smtp_server if m["To"].addresses[0].addr_spec == u["school_a1"].email]
    assert len(to_school) == 1 and str(to_school[0]["Subject"]).startswith("Открыты сопровождения")


def test_a_person_chooses_the_email_per_kind(
    client: FlaskClient, world: dict[str, Any], smtp_server: list[Any]
) -> None:
    u = world["users"]
    login(client, u["school_a1"])
    client.post(
        "/notifications/settings",
        data={"email_mode": "each", "kind_case_opened": "none", "kind_returned": "each"},
    )
    db.session.refresh(u["school_a1"])
    assert u["school_a1"].notice_modes == {"case_opened": "none", "returned": "each"}
    case = open_test_case(world["schools"]["a1"], actor=u["ministry"])
    db.session.commit()
    deliver_pending()
    assert _kinds(u["school_a1"]) == [rules.CASE_OPENED]  # in the app …
    assert not [m for m in smtp_server if m["To"].addresses[0].addr_spec == u["school_a1"].email]
    assert case.id


def test_what_the_system_does_by_itself_is_not_told(world: dict[str, Any]) -> None:
    """A case opened by a command-line import (no person acting) makes no notice."""
    open_test_case(world["schools"]["a1"])
    db.session.commit()
    assert _kinds(world["users"]["school_a1"]) == []


def test_a_moved_or_cancelled_session_tells_the_invited_team_when_where_and_why(
    world: dict[str, Any], smtp_server: list[Any]
) -> None:
    u = world["users"]
    session = _invited(
        world,
        "Стратегическая сессия № 3",
        datetime(2030, 2, 20, 7, tzinfo=UTC),
        "Институт развития образования",
    )
    for _saved in range(2):  # the same change saved twice: the day's notice tells it once
        sessions.reschedule(
            session,
            starts_at=datetime(2030, 3, 5, 6, 30, tzinfo=UTC),
            place="Онлайн",
            online_link="https://meet.example.org/oko",
            reason="Совпадает с ВПР",
            actor=u["ministry"],
        )
        db.session.commit()
    assert rules.SESSION_CHANGED in _kinds(u["school_a1"])
    assert rules.SESSION_CHANGED not in _kinds(u["ministry"])  # not told what one did oneself
    sessions.cancel(session, reason="Карантин", actor=u["ministry"], now=datetime.now(UTC))
    db.session.commit()
    assert rules.SESSION_CANCELLED in _kinds(u["school_a1"])
    deliver_pending()
    mails = {
        str(m["Subject"]).split(":")[0]: m.get_content()
        for m in smtp_server
        if m["To"].addresses[0].addr_spec == u["school_a1"].email
    }
    moved = mails["Стратегическая сессия перенесена"]
    assert (
        "«Стратегическая сессия № 3»:" in moved and "Онлайн, https://meet.example.org/oko" in moved
    )
    assert "05.03.2030" in moved and moved.count("Причина: Совпадает с ВПР") == 1, moved
    cancelled = mails["Стратегическая сессия отменена"]
    assert "Отменена: «Стратегическая сессия № 3», 05.03.2030" in cancelled
    assert "Причина: Карантин" in cancelled
    client_view = _centre_text(u["school_a1"])
    assert "Причина: Карантин" in client_view and "Причина: Совпадает с ВПР" in client_view


def _centre_text(user: Any) -> str:
    from flask import current_app

    client = current_app.test_client()
    login(client, user)
    return client.get("/notifications").text
