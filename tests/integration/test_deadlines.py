"""Sweeps send exactly the notices the schedule implies, once, by e-mail to a real SMTP server."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask

from app.extensions import db
from app.models import Notification, NotificationLog
from app.notices import items
from app.notices.mail import deliver_pending
from app.notices.sweep import sweep
from app.plans import calendar
from tests.helpers import open_test_case


def at(day: date) -> datetime:
    return datetime.combine(day, time(7, 0), tzinfo=UTC)  # 10:00 in Moscow


def _notices(obligation_id: int | None = None) -> list[tuple[str, int, int]]:
    """(kind, user, obligation) of every obligation the notices list (only one obligation's)."""
    found = []
    for notification in db.session.scalars(sa.select(Notification).order_by(Notification.id)):
        for _entry, line in items.lines_of(items.of(notification)):
            if obligation_id is None or line["obligation"] == obligation_id:
                found.append((notification.kind, notification.user_id, line["obligation"]))
    return found


def _notice_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) or 0


def test_reminders_due_day_overdue_escalation_each_once(
    world: dict[str, Any], smtp_server: list[Any], app: Flask
) -> None:
    case = open_test_case(world["schools"]["a1"])
    # The recheck, owed by municipality A by 30.11.2023 (alone in its days: the acts are due on
    # 25 December).
    order = next(o for o in case.obligations if o.obligation_type == "k_recheck")
    due = order.due_date
    cal = calendar.load(due - timedelta(days=30), due + timedelta(days=30))

    def working_days_before(n: int) -> date:
        day = due
        while cal.working_days_between(day, due) < n:
            day -= timedelta(days=1)
        return day

    municipal, ministry = world["users"]["municipal_a"], world["users"]["ministry"]
    timeline = [
        (working_days_before(5), [("reminder", municipal.id)]),
        (working_days_before(1), [("reminder", municipal.id)]),
        (due, [("due_today", municipal.id)]),
        (cal.add_working_days(due, 1), [("overdue", municipal.id)]),
        (cal.add_working_days(due, 3), [("escalation", ministry.id)]),
    ]
    sent_so_far: list[tuple[str, int]] = []
    before, listed = 0, 0
    for day, expected in timeline:
        report = sweep(at(day))
        db.session.commit()
        deliver_pending()
        sent_so_far += expected
        assert [(k, u) for k, u, _o in _notices(order.id)] == sent_so_far, day
        again = sweep(at(day))  # a second identical sweep sends nothing
        db.session.commit()
        assert (again.total, sum(again.extended.values()), sum(again.listed.values())) == (0, 0, 0)
        assert report.total == _notice_count() - before
        assert sum(report.listed.values()) == len(_notices()) - listed
        before, listed = _notice_count(), len(_notices())
    deliver_pending()
    mine = [m for m in smtp_server if f"#obligation-{order.id}" in m.get_content()]
    assert len(mine) == len(sent_so_far)
    assert len(smtp_server) == _notice_count()  # one e-mail a notice
    smtp_server = mine
    subjects = [str(m["Subject"]) for m in smtp_server]
    # Russian, with the plural of the count; the title whole (no space lost in folding).
    assert subjects[0] == f"Скоро срок: 1 обязательство — {order.measure.title}"
    assert "через 5 рабочих дней" in smtp_server[0].get_content()
    assert "через 1 рабочий день" in smtp_server[1].get_content()
    assert smtp_server[0]["To"].addresses[0].addr_spec == municipal.email
    assert smtp_server[-1]["To"].addresses[0].addr_spec == ministry.email
    assert subjects[-1].startswith("Не исполнено в срок: 1 обязательство")
    body = smtp_server[-1].get_content()
    assert case.school.name in body
    assert "не исполнено и через 3 рабочих дня после срока" in body
    assert f"/cases/{case.id}#obligation-{order.id}" in body
    claims = db.session.scalars(sa.select(NotificationLog.subject)).all()
    assert len([c for c in claims if c.startswith("obligation:")]) == len(_notices())
    assert len([c for c in claims if c.startswith("notice:")]) == _notice_count()


def test_a_done_obligation_is_not_chased(world: dict[str, Any]) -> None:
    from app.workflows import obligations as ops
    from tests.helpers import hand_in

    case = open_test_case(world["schools"]["a1"])
    order = case.obligations[0]
    hand_in(order, world["users"]["municipal_a"])
    ops.review(order.id, accept=True, actor=world["users"]["ministry"], expected_version=None)
    sweep(at(order.due_date + timedelta(days=10)))
    assert _notices(order.id) == []
    assert _notices()  # the case's other obligations are chased


def test_the_responsible_person_alone_is_told_when_named(world: dict[str, Any], make: Any) -> None:
    from app.models import Role
    from app.workflows import obligations as ops

    colleague = make.user(Role.MUNICIPAL, world["mun_a"])
    case = open_test_case(world["schools"]["a1"])
    order = case.obligations[0]
    ops.assign_person(
        order.id, colleague, actor=world["users"]["municipal_a"], expected_version=None
    )
    sweep(at(order.due_date))
    assert [(k, u) for k, u, _o in _notices(order.id)] == [("due_today", colleague.id)]
    # The municipality's other measures, with nobody named, go to both of its people.
    other = {u for _k, u, o in _notices() if o != order.id}
    assert {colleague.id, world["users"]["municipal_a"].id} <= other


def test_people_who_chose_no_email_get_the_notice_in_app_only(
    world: dict[str, Any], smtp_server: list[Any]
) -> None:
    municipal = world["users"]["municipal_a"]
    municipal.email_mode = "none"
    case = open_test_case(world["schools"]["a1"])
    sweep(at(case.obligations[0].due_date))
    db.session.commit()
    deliver_pending()
    assert any(u == municipal.id for _k, u, _o in _notices())
    recipients = {m["To"].addresses[0].addr_spec for m in smtp_server}
    assert municipal.email not in recipients


def test_a_reminder_counts_the_working_days_actually_left(
    world: dict[str, Any], smtp_server: list[Any], app: Flask
) -> None:
    """A sweep 4 working days before the date sends the 5-day reminder saying 4, not 5."""
    case = open_test_case(world["schools"]["a1"])
    order = next(o for o in case.obligations if o.obligation_type == "k_recheck")
    due = order.due_date
    cal = calendar.load(due - timedelta(days=30), due + timedelta(days=30))
    day = due
    while cal.working_days_between(day, due) < 4:
        day -= timedelta(days=1)
    sweep(at(day))
    db.session.commit()
    deliver_pending()
    mine = [m for m in smtp_server if f"#obligation-{order.id}" in m.get_content()]
    assert len(mine) == 1
    assert "через 4 рабочих дня" in mine[0].get_content()
    assert "через 5 рабочих дней" not in mine[0].get_content()
