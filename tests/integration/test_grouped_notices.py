"""Grouped notices: a municipality's overdue act is one escalation listing the schools it blocks,
a person gets at most one notice of a kind a day, listing all its obligations, and the export
shows it."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask_babel import force_locale

from app.extensions import db
from app.models import Notification, NotificationLog, Organisation, Role, User
from app.models.plan import Scope
from app.notices import export, items, mail, texts
from app.notices.digest import send_digests
from app.notices.mail import deliver_pending
from app.notices.sweep import sweep
from app.plans import calendar
from tests.helpers import Factory, open_test_case

ESCALATION_DAY = date(2023, 12, 28)  # 3 working days after the acts' 25.12.2023
ACTS = {"k_causes", "k_vpr_acts", "k_control_order", "k_prevention_acts"}  # the shared ones


def at(day: date) -> datetime:
    return datetime.combine(day, time(7, 0), tzinfo=UTC)  # 10:00 in Moscow


def notices_of(user: User) -> list[Notification]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
        )
    )


def entry(notification: Notification, measure: str) -> items.Entry:
    (found,) = [e for e in items.of(notification) if e["type"] == measure]
    return found


def mails_to(messages: list[Any], user: User) -> list[Any]:
    return [m for m in messages if m["To"].addresses[0].addr_spec == user.email]


def five_schools(
    world: dict[str, Any], make: Factory
) -> tuple[Organisation, list[User], list[Any]]:
    """A municipality with five flagged schools (their 2023 cases) and two officials."""
    municipality = make.municipality(world["region"], "Район Пяти Школ")
    people = [make.user(Role.MUNICIPAL, municipality) for _ in range(2)]
    cases = [open_test_case(make.school(municipality)) for _ in range(5)]
    return municipality, people, cases


def test_an_overdue_municipal_act_is_one_escalation_listing_its_schools(
    world: dict[str, Any], make: Factory, smtp_server: list[Any]
) -> None:
    _municipality, people, cases = five_schools(world, make)
    act = cases[0].obligations[0]
    assert act.obligation_type == "k_causes" and act.measure.scope is Scope.MUNICIPALITY
    ministry = world["users"]["ministry"]

    sweep(at(ESCALATION_DAY))
    db.session.commit()
    deliver_pending()

    (escalation,) = notices_of(ministry)
    assert escalation.kind == "escalation"
    causes = entry(escalation, "k_causes")
    assert causes["shared"]
    acts = {c.id: next(o for o in c.obligations if o.obligation_type == "k_causes") for c in cases}
    assert sorted((c["case"], c["obligation"]) for c in causes["cases"]) == sorted(
        (case_id, o.id) for case_id, o in acts.items()
    )
    # The four acts once each, the rechecks each school's own, all in the one notice.
    assert {e["type"] for e in items.of(escalation)} == {*ACTS, "k_recheck"}
    assert len(entry(escalation, "k_recheck")["cases"]) == 5
    for person in people:
        (overdue,) = notices_of(person)
        assert overdue.kind == "overdue"
        assert len(entry(overdue, "k_causes")["cases"]) == 5

    (letter,) = mails_to(smtp_server, ministry)
    assert str(letter["Subject"]) == "Не исполнено в срок: 9 обязательств"  # 4 acts, 5 rechecks
    body = letter.get_content()
    for case in cases:
        assert f"— {case.school.name}: " in body
        assert f"/cases/{case.id}#obligation-{acts[case.id].id}" in body
    assert "один документ отвечает за все 5 школ" in body
    assert body.count(cases[0].school.name) == 5  # under each of the five entries
    assert len(smtp_server) == 3  # the ministry and the two officials, one e-mail each
    assert [str(m["Subject"]) for m in mails_to(smtp_server, people[0])] == [
        "Просрочено: 9 обязательств"
    ]


def test_a_second_sweep_the_same_day_and_the_next_sends_nothing(
    world: dict[str, Any], make: Factory, smtp_server: list[Any]
) -> None:
    five_schools(world, make)
    first = sweep(at(ESCALATION_DAY))
    db.session.commit()
    deliver_pending()
    assert first.total == 3 and sum(first.listed.values()) == 3 * 5 * 5
    notices, mails = db.session.scalar(sa.select(sa.func.count(Notification.id))), len(smtp_server)
    for moment in (at(ESCALATION_DAY) + timedelta(hours=5), at(ESCALATION_DAY + timedelta(1))):
        again = sweep(moment)
        db.session.commit()
        deliver_pending()
        assert (again.total, sum(again.extended.values()), sum(again.listed.values())) == (0, 0, 0)
        assert again.already == sum(first.listed.values())
    assert db.session.scalar(sa.select(sa.func.count(Notification.id))) == notices
    assert len(smtp_server) == mails


def test_the_export_shows_no_recipient_with_two_escalations_for_a_measure(
    world: dict[str, Any], make: Factory, app: Flask, tmp_path: Path
) -> None:
    _municipality, people, cases = five_schools(world, make)
    sweep(at(ESCALATION_DAY))
    db.session.commit()
    out = tmp_path / "log.csv"
    result = app.test_cli_runner().invoke(args=["notices", "export", "--out", str(out)])
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        rows = list(reader)
    assert tuple(reader.fieldnames or ()) == export.COLUMNS
    assert f"Wrote {len(rows)} rows" in result.output
    escalations = Counter((r["recipient"], r["measure"]) for r in rows if r["kind"] == "escalation")
    assert escalations == {(world["users"]["ministry"].email, m): 1 for m in {*ACTS, "k_recheck"}}
    (causes,) = [r for r in rows if r["kind"] == "escalation" and r["measure"] == "k_causes"]
    assert causes["case"].split() == [str(c.id) for c in sorted(cases, key=lambda c: c.id)]
    assert causes["recipient_org"] == world["region"].name
    assert causes["year"] == "2023"
    assert datetime.fromisoformat(causes["created_at"]).utcoffset() == timedelta(0)
    assert causes["created_at"].endswith("Z")
    for person in people:
        theirs = [r for r in rows if r["recipient"] == person.email]
        assert {r["kind"] for r in theirs} == {"overdue"} and len(theirs) == 5
        assert {r["recipient_org"] for r in theirs} == {"Район Пяти Школ"}
    result = app.test_cli_runner().invoke(
        args=["notices", "export", "--out", str(out), "--year", "2024"]
    )
    assert result.exit_code == 0 and "Wrote 0 rows" in result.output
    assert out.read_text(encoding="utf-8") == ",".join(export.COLUMNS) + "\n"


def test_several_reminders_of_a_day_are_one_notice(
    world: dict[str, Any], smtp_server: list[Any]
) -> None:
    a1, _a2 = open_test_case(world["schools"]["a1"]), open_test_case(world["schools"]["a2"])
    school, municipal = world["users"]["school_a1"], world["users"]["municipal_a"]
    certificate = next(o for o in a1.obligations if o.obligation_type == "k_certificate")
    form = next(o for o in a1.obligations if o.obligation_type == "k_director_form")
    assert certificate.due_date == form.due_date and not certificate.due_inclusive  # «до» 16.01
    cal = calendar.load(date(2023, 12, 1), date(2024, 2, 1))
    last_day = cal.previous_working(certificate.due_date - timedelta(days=1))
    day = last_day
    while cal.working_days_between(day, last_day) < 5:
        day -= timedelta(days=1)
    acts_reminder = date(2023, 12, 18)  # 5 working days before 25.12: the four acts
    assert cal.working_days_between(acts_reminder, date(2023, 12, 25)) == 5

    sweep(at(acts_reminder))
    db.session.commit()
    deliver_pending()
    # The municipality's four acts, each once for both its schools, in its one reminder (the
    # recheck, overdue since 30.11, is in its one overdue notice).
    assert sorted(n.kind for n in notices_of(municipal)) == ["overdue", "reminder"]
    (acts,) = [n for n in notices_of(municipal) if n.kind == "reminder"]
    assert {e["type"] for e in items.of(acts)} == ACTS
    assert all(len(e["cases"]) == 2 for e in items.of(acts))
    assert "Скоро срок: 4 обязательства" in {str(m["Subject"]) for m in smtp_server}

    sweep(at(day))
    db.session.commit()
    deliver_pending()
    (reminder,) = notices_of(school)
    assert reminder.kind == "reminder"
    assert sorted((e["type"], e["offset"]) for e in items.of(reminder)) == [
        ("k_certificate", 5),
        ("k_director_form", 5),
    ]
    (letter,) = mails_to(smtp_server, school)
    assert str(letter["Subject"]) == "Скоро срок: 2 обязательства"
    body = letter.get_content()
    for obligation in (certificate, form):
        assert obligation.measure.title in body
        assert f"/cases/{a1.id}#obligation-{obligation.id}" in body
    assert body.count("через 5 рабочих дней") == 2


def test_a_later_sweep_of_the_day_adds_to_the_days_notice_and_mails_it_again(
    world: dict[str, Any], make: Factory, smtp_server: list[Any]
) -> None:
    municipality, _people, cases = five_schools(world, make)
    ministry = world["users"]["ministry"]
    sweep(at(ESCALATION_DAY))
    db.session.commit()
    deliver_pending()
    (first,) = mails_to(smtp_server, ministry)
    claims = db.session.scalar(sa.select(sa.func.count(NotificationLog.id)))

    late = open_test_case(make.school(municipality, name="МБОУ «Поздняя школа»"))
    report = sweep(at(ESCALATION_DAY) + timedelta(hours=3))
    db.session.commit()
    assert report.total == 0
    assert report.extended == {"escalation": 1, "overdue": 2}
    assert report.listed == {"escalation": 5, "overdue": 10}  # only the new case's
    (notice,) = notices_of(ministry)
    assert len(entry(notice, "k_causes")["cases"]) == 6
    assert notice.email_status == "pending"  # its e-mail has gone: queued again
    deliver_pending()
    assert db.session.scalar(sa.select(sa.func.count(NotificationLog.id))) == claims + 15

    _first, second = mails_to(smtp_server, ministry)
    assert first.get_content().count("(новое)") == 0
    assert str(second["Subject"]) == "Не исполнено в срок: 10 обязательств"
    body = second.get_content()
    assert body.count("МБОУ «Поздняя школа» (новое)") == 5
    assert body.count(f"{cases[0].school.name} (новое)") == 0
    assert body.count(cases[0].school.name) == 5
    assert f"/cases/{late.id}#obligation-" in body


def test_a_notice_extended_while_its_email_is_in_flight_is_sent_again(
    world: dict[str, Any], make: Factory
) -> None:
    municipality, _people, _cases = five_schools(world, make)
    ministry = world["users"]["ministry"]
    sweep(at(ESCALATION_DAY))
    db.session.commit()
    ids, claimed_at = mail._claim(100)  # the outbox has taken the e-mails and is sending
    (notice,) = notices_of(ministry)
    assert notice.id in ids and notice.email_status == "sending"
    open_test_case(make.school(municipality))
    sweep(at(ESCALATION_DAY) + timedelta(hours=1))  # adds to it meanwhile
    db.session.commit()
    mail._mark(notice.id, claimed_at, "sent")  # the e-mail with five schools went
    db.session.commit()
    (notice,) = notices_of(ministry)
    assert notice.email_status == "pending"  # and the one with six will go
    assert notice.emailed_at is None


def test_the_digest_lists_a_municipal_act_once_with_its_schools(
    world: dict[str, Any], smtp_server: list[Any]
) -> None:
    user = world["users"]["municipal_a"]
    user.email_mode = "digest"
    a1, a2 = open_test_case(world["schools"]["a1"]), open_test_case(world["schools"]["a2"])
    assert send_digests(at(ESCALATION_DAY)) == 1
    db.session.commit()
    deliver_pending()
    (digest,) = notices_of(user)
    causes = entry(digest, "k_causes")
    assert causes["overdue"] and {c["case"] for c in causes["cases"]} == {a1.id, a2.id}
    owed = {o.obligation_type for o in a1.obligations if o.level.value == "municipality"}
    assert {e["type"] for e in items.of(digest)} <= owed
    (letter,) = smtp_server
    body = letter.get_content()
    assert "один документ отвечает за все 2 школы" in body
    assert str(letter["Subject"]).startswith("На 28.12.2023 за вами ")
    assert body.count(a1.school.name) == len(items.of(digest))


def test_counts_in_russian_plural_forms(app: Flask, db_session: Any) -> None:
    def overdue(n: int) -> Notification:
        shared = {"measure": 0, "org": 0, "type": "x", "shared": True}
        entries = [
            {**shared, "measure": i, "cases": [{"case": 0, "obligation": 0}]} for i in range(n)
        ]
        return Notification(kind="overdue", params={"entries": entries})

    with force_locale("ru"):
        subjects = [texts.subject(overdue(n)) for n in (2, 5, 11, 21, 22)]
    assert subjects == [
        "Просрочено: 2 обязательства",
        "Просрочено: 5 обязательств",
        "Просрочено: 11 обязательств",
        "Просрочено: 21 обязательство",
        "Просрочено: 22 обязательства",
    ]
    with force_locale("en"):
        assert texts.subject(overdue(21)) == "Overdue: 21 obligations"
