"""The number of SQL statements behind each page is bounded and does not grow with the data:
no page issues a query per row (N+1). Each page is requested on a small world, the world is then
grown (more cases in scope, a case walked further with more obligations, document versions and
history, more notices) and the page must cost exactly as many statements as before."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from flask.testing import FlaskClient

from app.extensions import db
from app.models import Notification
from app.workflows import obligations as obligation_ops
from tests.helpers import hand_in, login, open_test_case

# page: (who asks, the path for a world), and the most statements it may take: what each page
# takes now (issue 20), no room to spare; the growth check is what proves there is no N+1. The
# user, their unread count and their region are one statement; the case page's include the two
# of the history-chain check and the one of the region's VPR sign run.
PAGES: dict[str, tuple[str, Callable[[dict[str, Any]], str], int]] = {
    "case list": ("ministry", lambda w: "/cases", 6),
    "case list, filtered": ("ministry", lambda w: "/cases?overdue=1&q=школа&sort=updated", 6),
    "case list (municipal)": ("municipal_a", lambda w: "/cases", 6),
    "case page": ("ministry", lambda w: f"/cases/{w['cases']['a1'].id}", 14),
    "case page (school)": ("school_a1", lambda w: f"/cases/{w['cases']['a1'].id}", 15),
    "dashboard": ("ministry", lambda w: "/dashboard", 9),
    "dashboard (municipal)": ("municipal_a", lambda w: "/dashboard", 9),
    "inbox (ministry)": ("ministry", lambda w: "/inbox", 4),
    "inbox (municipal)": ("municipal_a", lambda w: "/inbox", 4),
    "inbox (school)": ("school_a1", lambda w: "/inbox", 3),
    "notifications": ("municipal_a", lambda w: "/notifications", 4),
}
# Transaction bookkeeping of the test's outer transaction, not queries of the page.
BOOKKEEPING = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT", "BEGIN")


@contextmanager
def counted() -> Iterator[list[str]]:
    """Collect the SQL statements sent to the database inside the block."""
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(BOOKKEEPING):
            statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)


def statements_per_page(client: FlaskClient, world: dict[str, Any]) -> dict[str, list[str]]:
    """Every page requested by its user; the statements each one issued."""
    found: dict[str, list[str]] = {}
    for role in dict.fromkeys(role for role, _path, _most in PAGES.values()):
        login(client, world["users"][role])
        for name, (who, path, _most) in PAGES.items():
            if who != role:
                continue
            with counted() as statements:
                response = client.get(path(world))
            assert response.status_code == 200, (name, response.status_code)
            found[name] = statements
        client.post("/logout", data={})
    return found


def _more_cases(world: dict[str, Any], make: Any, per_municipality: int) -> None:
    for municipality in (world["mun_a"], world["mun_b"]):
        for _n in range(per_municipality):
            open_test_case(make.school(municipality))


def _notices(world: dict[str, Any], count: int) -> None:
    """Notices to the municipal user about obligations of its cases, some read."""
    user = world["users"]["municipal_a"]
    cases = [c for c in world["cases"].values() if c.municipality_id == world["mun_a"].id]
    for n in range(count):
        case = cases[n % len(cases)]
        obligation = case.obligations[-1]
        db.session.add(
            Notification(
                user_id=user.id,
                kind="reminder" if n % 3 else "overdue",
                case_id=case.id,
                obligation_id=obligation.id,
                email_status="skipped",
                params={
                    "due_date": obligation.due_date.isoformat(),
                    "offset": 1,
                    "type": obligation.obligation_type,
                    "school": case.school.name,
                },
            )
        )
    db.session.flush()


def _of_type(case: Any, key: str) -> Any:
    return next(o for o in case.obligations if o.obligation_type == key)


def grow_small(world: dict[str, Any], make: Any) -> None:
    """Two more cases a municipality; municipality A's analysis of causes accepted for all its
    cases; a few notices."""
    users, a1 = world["users"], world["cases"]["a1"]
    _more_cases(world, make, 2)
    causes = _of_type(a1, "k_causes")
    hand_in(causes, users["municipal_a"])  # the act answers every case of A
    obligation_ops.review(causes.id, accept=True, actor=users["ministry"], expected_version=None)
    _notices(world, 3)


def grow_large(world: dict[str, Any], make: Any) -> None:
    """Ten more cases a municipality; a1's certificate handed in, returned, handed in again and
    accepted, its recheck waived so that its stage moves on; many more notices."""
    users, a1 = world["users"], world["cases"]["a1"]
    _more_cases(world, make, 10)
    certificate = _of_type(a1, "k_certificate")
    hand_in(certificate, users["school_a1"])
    obligation_ops.review(
        certificate.id,
        accept=False,
        actor=users["municipal_a"],
        expected_version=None,
        comment="Нет корреляции с ОГЭ.",
    )
    hand_in(certificate, users["school_a1"])
    obligation_ops.review(
        certificate.id, accept=True, actor=users["municipal_a"], expected_version=None
    )
    recheck = _of_type(a1, "k_recheck")
    obligation_ops.waive(
        recheck.id,
        actor=users["ministry"],
        reason="Перепроверка в другом порядке",
        expected_version=None,
    )
    _notices(world, 30)


def test_statements_per_page_do_not_grow_with_the_data(
    case_world: dict[str, Any], make: Any, client: FlaskClient
) -> None:
    grow_small(case_world, make)
    small = statements_per_page(client, case_world)
    grow_large(case_world, make)
    _check_growth_reached_every_page(case_world)
    large = statements_per_page(client, case_world)
    problems = []
    for name, (_who, _path, most) in PAGES.items():
        if len(large[name]) != len(small[name]):
            problems.append(
                f"{name}: {len(small[name])} statements, then {len(large[name])}:\n"
                + "\n".join("    " + s.split("\n")[0][:150] for s in large[name])
            )
        elif len(large[name]) > most:
            problems.append(f"{name}: {len(large[name])} statements, more than {most}")
    assert not problems, "\n".join(problems)


def _check_growth_reached_every_page(world: dict[str, Any]) -> None:
    """More cases, obligations, document versions, history events and notices than before."""
    a1, user = world["cases"]["a1"], world["users"]["municipal_a"]
    assert [s.stage for s in a1.stages] == ["recheck", "municipal_acts"]
    assert len(a1.obligations) == 10
    events = db.session.scalar(
        sa.text("SELECT count(*) FROM audit_event WHERE case_id = :case"), {"case": a1.id}
    )
    assert events >= 12
    notices = db.session.scalar(
        sa.select(sa.func.count()).select_from(Notification).where(Notification.user_id == user.id)
    )
    assert notices == 33


# --- the deadline sweep ---------------------------------------------------------------------


def _sweep_statements(day: Any, make: Any, municipality: Any) -> dict[str, list[str]]:
    """The statements of a first sweep of the day, of a repeated one that sends nothing, and
    of one after a new case of the municipality (told by the first) whose obligations go into
    the day's notices already made."""
    from datetime import UTC, datetime, time

    from app.notices.sweep import sweep

    moment = datetime.combine(day, time(7), UTC)
    found: dict[str, list[str]] = {}
    reports = {}
    for name in ("first", "repeated"):
        with counted() as statements:
            reports[name] = sweep(moment)
        found[name] = statements
    open_test_case(make.school(municipality))
    with counted() as statements:
        reports["extending"] = sweep(moment)
    found["extending"] = statements
    assert reports["first"].total > 0 and not reports["first"].extended
    assert reports["repeated"].total == 0 and reports["repeated"].already > 0
    assert reports["extending"].total == 0 and reports["extending"].extended
    return found


def test_the_sweep_statements_do_not_grow_with_the_data(make: Any) -> None:
    """A sweep on a small world, then on a grown one (more regions in other time zones, more
    municipalities, schools, people, obligations and due dates): the same statements each."""
    from datetime import date

    from app.models import Role
    from app.models.notify import NotificationLog
    from app.plans import calendar

    calendar.ensure_years(range(2023, 2028))  # the calendar is loaded once, not by a sweep
    region = make.region("Малая область")
    make.user(Role.MINISTRY, region)
    municipality = make.municipality(region)
    make.user(Role.MUNICIPAL, municipality)
    open_test_case(make.school(municipality))
    small = _sweep_statements(date(2023, 12, 28), make, municipality)
    claims_small = db.session.scalar(sa.select(sa.func.count()).select_from(NotificationLog))

    places = []
    for zone in ("Europe/Kaliningrad", "Asia/Vladivostok"):
        other = make.region(timezone=zone)
        make.user(Role.MINISTRY, other)
        for _m in range(3):
            place = make.municipality(other)
            places.append(place)
            make.user(Role.MUNICIPAL, place)
            make.user(Role.MUNICIPAL, place)
            for _s in range(4):
                school = make.school(place)
                make.user(Role.SCHOOL, school)
                open_test_case(school)
    under_region = make.school(region, subordination="regional")
    make.user(Role.SCHOOL, under_region)
    open_test_case(under_region)
    # Later in the school year: the certificates («до» 16.01), reminders and more overdue.
    large = _sweep_statements(date(2024, 1, 12), make, places[-1])
    claims = db.session.scalar(sa.select(sa.func.count()).select_from(NotificationLog))
    assert claims > 10 * claims_small  # the world did grow
    problems = [
        f"{name}: {len(small[name])} statements, then {len(large[name])}:\n"
        + "\n".join("    " + s.split("\n")[0][:150] for s in large[name])
        for name in small
        if len(large[name]) != len(small[name])
    ]
    assert not problems, "\n".join(problems)
    assert len(large["first"]) <= 12 and len(large["repeated"]) <= 8, large
    assert len(large["extending"]) <= 14, large
