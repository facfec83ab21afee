"""The set-based sweep sends exactly what the rules say, as the sweep that asked one obligation
at a time did: the same notices to the same people with the same entries and e-mail states.

The reference below is that sweep's rule written out per obligation with the application's own
per-object functions (the acting people of an organisation, the organisation acting for a
level, a region's calendar and date, a person's region): for every still-owed obligation of an
open case, the notices rules.notices_due() gives on the region's today, to the named person or
the organisation's acting people, an escalation to the supervising organisation. A varied
world — regions in three time zones, one with a day off of its own, a school under the region,
named and no longer active people, people who chose no e-mail or a digest for a kind — is swept
on many days of a school year, with cases opened in between and e-mails delivered to a real
SMTP server, and after every sweep the notices must be what the reference makes of it."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from app.accounts.users import acting_users
from app.extensions import db
from app.models import Notification, NotificationLog, Role, User
from app.models.case import PENDING_STATUSES, Case, CaseStatus, Obligation, RegionDay
from app.notices import items, rules
from app.notices.mail import deliver_pending
from app.notices.sweep import RESEND, SUPERVISOR, policy, sweep
from app.plans import calendar
from app.workflows import obligations as ops
from app.workflows.clock import local_date, region_zone, user_zone
from app.workflows.derive import org_of_level
from tests.helpers import Factory, open_test_case

Key = tuple[int, str, int, int]  # (obligation, kind, offset, person)
Group = tuple[int, str, str]  # (person, kind, day): one notice


def _people(obligation: Obligation, kind: str) -> list[User]:
    """Who is told: the named person while active, else the organisation's acting people; an
    escalation goes to the supervising organisation's, unless that is the one that owes it."""
    if kind == rules.ESCALATION:
        supervisor = SUPERVISOR.get(obligation.level)
        if supervisor is None:
            return []
        above = org_of_level(obligation.case, supervisor)
        return [] if above == obligation.responsible_org_id else acting_users(above)
    named = obligation.responsible_user
    return (
        [named]
        if named is not None and named.active
        else acting_users(obligation.responsible_org_id)
    )


def due_by(now: datetime) -> dict[Key, tuple[Obligation, rules.Notice]]:
    """Every notice the rules call for by ``now``, asked one obligation at a time (no horizon:
    every dated obligation still owed in an open case)."""
    pol = policy()
    found: dict[Key, tuple[Obligation, rules.Notice]] = {}
    obligations = db.session.scalars(
        sa.select(Obligation)
        .join(Case, Case.id == Obligation.case_id)
        .where(
            Obligation.status.in_(PENDING_STATUSES),
            Obligation.due_date.is_not(None),
            Case.status == CaseStatus.OPEN,
        )
        .order_by(Obligation.due_date, Obligation.id)
    )
    for obligation in obligations:
        assert obligation.due_date is not None
        region = obligation.case.campaign.region_id
        today = local_date(now, region_zone(region))
        cal = calendar.load(obligation.due_date - timedelta(days=60), today, region)
        last_day = (
            obligation.due_date
            if obligation.due_inclusive
            else cal.previous_working(obligation.due_date - timedelta(days=1))
        )
        for notice in rules.notices_due(last_day, today, cal, pol):
            for person in _people(obligation, notice.kind):
                key = (obligation.id, notice.kind, notice.offset, person.id)
                found.setdefault(key, (obligation, notice))
    return found


def _shown(entries: list[items.Entry]) -> list[items.Entry]:
    """Entries with the moments of additions reduced to whether there is one."""
    return [
        {
            **{k: (True if k == "at" else v) for k, v in e.items()},
            "cases": [{**c, **({"at": True} if "at" in c else {})} for c in e["cases"]],
        }
        for e in entries
    ]


@dataclass
class Expected:
    """What the notices should be: by (person, kind, day), the entries and the e-mail state."""

    claimed: set[Key] = field(default_factory=set)
    entries: dict[Group, list[items.Entry]] = field(default_factory=dict)
    status: dict[Group, str] = field(default_factory=dict)
    mails: int = 0

    def sweep(self, now: datetime, n: int) -> dict[str, Any]:
        """Apply one sweep; what its report should say."""
        due = due_by(now)
        new = [key for key in due if key not in self.claimed]  # in the obligations' order
        self.claimed |= set(new)
        grouped: dict[tuple[int, str], list[items.Found]] = defaultdict(list)
        for key in new:
            obligation, notice = due[key]
            grouped[(key[3], notice.kind)].append((obligation, notice.offset, notice.left))
        report: dict[str, Any] = {
            "sent": Counter(),
            "extended": Counter(),
            "listed": Counter(),
            "already": len(due) - len(new),
        }
        for (pid, kind), found in sorted(grouped.items()):
            person = db.session.get(User, pid)
            assert person is not None
            group = (pid, kind, local_date(now, user_zone(person)).isoformat())
            report["listed"][kind] += len(found)
            mode = rules.mode_for(person, kind)
            if group not in self.entries:
                self.entries[group] = items.added([], found)
                self.status[group] = "pending" if mode == "each" else "skipped"
                report["sent"][kind] += 1
            else:
                self.entries[group] = items.added(self.entries[group], found, f"sweep {n}")
                if self.status[group] in RESEND and mode == "each":
                    self.status[group] = "pending"
                report["extended"][kind] += 1
        return report

    def delivered(self) -> None:
        """The outbox sent every pending e-mail (the SMTP server takes them all)."""
        self.mails += sum(1 for s in self.status.values() if s == "pending")
        self.status = {g: "sent" if s == "pending" else s for g, s in self.status.items()}


def _actual() -> tuple[dict[Group, list[items.Entry]], dict[Group, str], set[Key]]:
    db.session.expire_all()
    entries: dict[Group, list[items.Entry]] = {}
    status: dict[Group, str] = {}
    for notification in db.session.scalars(sa.select(Notification).order_by(Notification.id)):
        group = (notification.user_id, notification.kind, notification.params["day"])
        assert group not in entries, f"two notices for {group}"
        entries[group], status[group] = items.of(notification), notification.email_status
        assert items.subject_ids(entries[group]) == (
            notification.case_id,
            notification.obligation_id,
        )
    claimed = {
        (int(s.removeprefix("obligation:")), k, off, r)
        for s, k, off, r in db.session.execute(
            sa.select(
                NotificationLog.subject,
                NotificationLog.kind,
                NotificationLog.offset_days,
                NotificationLog.recipient_id,
            )
        ).tuples()
        if s.startswith("obligation:")
    }
    days = db.session.scalars(
        sa.select(NotificationLog.subject).where(NotificationLog.subject.startswith("notice:"))
    ).all()
    assert len(days) == len(entries)  # each notice claimed once for its day
    return entries, status, claimed


def _world(make: Factory) -> dict[str, Any]:
    """Three regions in three time zones; people who are told and people who are not."""
    moscow = make.region("Московская тестовая область", timezone="Europe/Moscow")
    kaliningrad = make.region("Калининградская тестовая область", timezone="Europe/Kaliningrad")
    vladivostok = make.region("Приморская тестовая область", timezone="Asia/Vladivostok")
    # A republic's holiday of its own: the day the acts fall due is a day off in this region.
    db.session.add(RegionDay(region_id=moscow.id, day=date(2023, 12, 22), working=False))
    for region in (moscow, kaliningrad, vladivostok):
        make.user(Role.MINISTRY, region)
    make.user(Role.AUDITOR, moscow)  # reads, is never told
    make.user(Role.MINISTRY, moscow, active=False)
    a = make.municipality(moscow, "Район А")
    chief = make.user(Role.MUNICIPAL, a)
    make.user(Role.MUNICIPAL, a, notice_modes={"overdue": "none", "escalation": "digest"})
    make.user(Role.MUNICIPAL, a, active=False)
    b = make.municipality(kaliningrad, "Район Б")
    make.user(Role.MUNICIPAL, b, email_mode="none")
    c = make.municipality(vladivostok, "Район В")
    make.user(Role.MUNICIPAL, c)
    cases = []
    for municipality, schools in ((a, 3), (b, 2), (c, 2)):
        for n in range(schools):
            school = make.school(municipality)
            if n == 0:
                make.user(Role.SCHOOL, school)
                make.user(Role.SCHOOL, school, email_mode="digest")
            cases.append(open_test_case(school))
    under_region = make.school(moscow, subordination="regional")
    make.user(Role.SCHOOL, under_region)
    cases.append(open_test_case(under_region))
    # Named people: an active colleague, and one who has left since (the municipality is told).
    colleague = make.user(Role.MUNICIPAL, a)
    gone = make.user(Role.MUNICIPAL, a)
    owed_by_a = [o for o in cases[0].obligations if o.responsible_org_id == a.id]
    ops.assign_person(owed_by_a[0].id, colleague, actor=chief, expected_version=None)
    ops.assign_person(owed_by_a[1].id, gone, actor=chief, expected_version=None)
    gone.active = False
    db.session.flush()
    return {"a": a, "c": c, "vladivostok": vladivostok}


def test_the_sweep_sends_what_the_rules_say_day_after_day(
    make: Factory, smtp_server: list[Any]
) -> None:
    world = _world(make)
    expected = Expected()
    days = [date(2023, 11, 20) + timedelta(days=3 * n) for n in range(32)]  # to 21 February
    n = 0
    for day in days:
        moments = [datetime.combine(day, time(7), UTC)]
        if day in (date(2023, 12, 26), date(2024, 1, 16)):
            moments.append(moments[0] + timedelta(hours=4))  # later the same day, after …
        for moment in moments:
            if moment.hour == 11:  # … a case opened in the morning
                open_test_case(make.school(world["a" if day.month == 12 else "c"]))
            n += 1
            report = sweep(moment)
            db.session.commit()
            should = expected.sweep(moment, n)
            assert (report.sent, report.extended, report.listed, report.already) == (
                should["sent"],
                should["extended"],
                should["listed"],
                should["already"],
            ), moment
            deliver_pending()
            expected.delivered()
            entries, status, claimed = _actual()
            assert claimed == expected.claimed, moment
            assert {g: _shown(e) for g, e in entries.items()} == {
                g: _shown(e) for g, e in expected.entries.items()
            }, moment
            assert status == expected.status, moment
    kinds = Counter(kind for _p, kind, _d in expected.entries)
    assert set(kinds) == set(rules.DEADLINE_KINDS)  # every kind of notice was sent
    assert sum(1 for s in expected.status.values() if s == "skipped") > 0
    assert any(any("at" in e for e in es) for es in expected.entries.values())  # extended
    assert len(smtp_server) == expected.mails  # resent ones included
