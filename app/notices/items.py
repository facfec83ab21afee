"""What a notice lists: entries, each one measure owed by one organisation by one date, with the
schools (cases) it concerns. A municipality's (or the region's) act is one entry however many
schools it blocks; a measure every school does for itself is one entry per organisation owing it.

The entries live in the notice's JSON params (``params["entries"]``), grouped when written, so
that the notification centre, the e-mail and the export read the same list. An entry holds ids,
the due date and the offset; titles and school names are looked up when shown (one query for
a page of notices, see ``Shown``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, load_only

from app.extensions import db
from app.models.case import Case, Obligation
from app.models.notify import Notification
from app.models.org import Organisation
from app.models.plan import PlanMeasure, Scope
from app.workflows.labels import obligation_title

ENTRIES = "entries"
SESSIONS = "sessions"  # params: what a session's notice says of its sessions (app.notices.events)
SHOWN = 50  # schools listed under one entry in the centre and the e-mail; the rest are counted

Entry = dict[str, Any]


class Scoped(Protocol):
    @property
    def scope(self) -> Scope: ...


class Listed(Protocol):
    """What an entry reads of an obligation: an Obligation, or the sweep's plain row of one."""

    @property
    def id(self) -> int: ...
    @property
    def case_id(self) -> int: ...
    @property
    def measure_id(self) -> int: ...
    @property
    def period(self) -> str: ...
    @property
    def responsible_org_id(self) -> int: ...
    @property
    def due_date(self) -> date | None: ...
    @property
    def obligation_type(self) -> str: ...
    @property
    def measure(self) -> Scoped: ...


# An obligation for a notice: with the notice's offset and, for a reminder, the days left.
Found = tuple[Listed, int, int | None]


def key_of(obligation: Listed) -> tuple[int, str, int, str]:
    """What makes two obligations one entry: the measure, its month, who owes it, the date."""
    due = obligation.due_date.isoformat() if obligation.due_date else ""
    return obligation.measure_id, obligation.period, obligation.responsible_org_id, due


def entry_key(entry: Entry) -> tuple[int, str, int, str]:
    """key_of() of the obligations an entry holds."""
    return entry["measure"], entry.get("period", ""), entry["org"], entry.get("due") or ""


def new_entry(obligation: Listed, offset: int, at: str | None, left: int | None = None) -> Entry:
    """An empty entry for the obligation's measure (``at``: when it was added to a notice that
    already existed, None when the notice was created with it)."""
    measure, period, org, due = key_of(obligation)
    entry: Entry = {
        "measure": measure,
        "type": obligation.obligation_type,
        "period": period,
        "org": org,
        "due": due or None,
        "offset": offset,
        "shared": obligation.measure.scope is not Scope.SCHOOL,
        "cases": [],
    }
    if at:
        entry["at"] = at
    if left is not None:
        entry["left"] = left
    return entry


def added(entries: list[Entry], found: Iterable[Found], at: str | None = None) -> list[Entry]:
    """The entries with each (obligation, offset) added to the entry of its measure (a new one if
    none) unless listed already; a new list, the given one is left as it was."""
    result = [{**e, "cases": list(e["cases"])} for e in entries]
    index = {entry_key(e): e for e in result}
    listed = {c["obligation"] for e in result for c in e["cases"]}
    for obligation, offset, left in found:
        if obligation.id in listed:
            continue
        key = key_of(obligation)
        entry = index.get(key)
        if entry is None:
            entry = index[key] = new_entry(obligation, offset, at, left)
            result.append(entry)
        line: dict[str, Any] = {"case": obligation.case_id, "obligation": obligation.id}
        if at and entry.get("at") != at:
            line["at"] = at
        entry["cases"].append(line)
        listed.add(obligation.id)
    return result


class Noticed(Protocol):
    """What of() reads of a notice: a Notification, or the sweep's plain row of one."""

    @property
    def params(self) -> dict[str, Any]: ...
    @property
    def case_id(self) -> int | None: ...
    @property
    def obligation_id(self) -> int | None: ...


def of(notification: Noticed) -> list[Entry]:
    """The notice's entries; a notice written before entries existed has one, from its columns."""
    params = notification.params or {}
    if ENTRIES in params:
        return list(params[ENTRIES])
    if notification.obligation_id is None or notification.case_id is None:
        return []
    return [
        {
            "measure": 0,
            "type": params.get("type", ""),
            "period": "",
            "org": 0,
            "due": params.get("due_date"),
            "offset": params.get("offset", 0),
            "shared": False,
            "cases": [{"case": notification.case_id, "obligation": notification.obligation_id}],
        }
    ]


def count(entries: Iterable[Entry]) -> int:
    """How many obligations the entries stand for: a shared act once, a school's measure once
    for each school."""
    return sum(1 if e.get("shared") else len(e["cases"]) for e in entries)


def subject_ids(entries: list[Entry]) -> tuple[int | None, int | None]:
    """(case, obligation) the notice is about when it is about one of each, else None."""
    lines = [c for e in entries for c in e["cases"]]
    cases = {c["case"] for c in lines}
    case_id = next(iter(cases)) if len(cases) == 1 else None
    obligation_id = lines[0]["obligation"] if len(lines) == 1 else None
    return case_id, obligation_id


def obligation_ids(notifications: Iterable[Notification], limit: int = SHOWN) -> set[int]:
    """The obligations whose titles and schools showing the notices needs."""
    ids: set[int] = set()
    for notification in notifications:
        for entry in of(notification):
            ids.update(c["obligation"] for c in entry["cases"][:limit])
    return ids


def load(ids: Iterable[int]) -> dict[int, Obligation]:
    """The obligations with their measures' titles, schools and owners, in one query (only the
    columns shown: a ministry's notice may list thousands, and the JSON columns of obligations,
    cases and measures cost more to decode than all the rest)."""
    wanted = set(ids)
    if not wanted:
        return {}
    case = joinedload(Obligation.case).load_only(Case.id, Case.school_id)
    rows = db.session.scalars(
        sa.select(Obligation)
        .where(Obligation.id.in_(wanted))
        .options(
            load_only(
                Obligation.id,
                Obligation.case_id,
                Obligation.measure_id,
                Obligation.period,
                Obligation.responsible_org_id,
            ),
            case.joinedload(Case.school).load_only(Organisation.id, Organisation.name),
            joinedload(Obligation.measure).load_only(PlanMeasure.id, PlanMeasure.title),
            joinedload(Obligation.responsible_org).load_only(Organisation.id, Organisation.name),
        )
    ).unique()
    return {o.id: o for o in rows}


@dataclass(frozen=True)
class Line:
    """One school under an entry, linking to its case's obligation."""

    school: str
    path: str
    new: bool


@dataclass(frozen=True)
class View:
    """An entry as a reader sees it."""

    title: str
    owner: str
    due: date | None
    offset: int
    left: int | None  # a reminder's working days left when it was written
    shared: bool
    overdue: bool
    lines: list[Line]
    more: int  # schools not listed

    @property
    def schools(self) -> int:
        return len(self.lines) + self.more


def _moment(raw: str | None, default: datetime) -> datetime:
    return datetime.fromisoformat(raw) if raw else default


class Shown:
    """Entries of a set of notices ready to show, from one query for all of them."""

    def __init__(self, notifications: Iterable[Notification], limit: int = SHOWN) -> None:
        notices = list(notifications)
        self.limit = limit
        self.obligations = load(obligation_ids(notices, limit))

    def entries(self, notification: Notification) -> list[View]:
        """The notice's entries; lines added after its last e-mail are marked new."""
        return [self._view(notification, e) for e in of(notification)]

    def _view(self, notification: Notification, entry: Entry) -> View:
        emailed = notification.emailed_at
        created = notification.created_at
        first = self.obligations.get(entry["cases"][0]["obligation"]) if entry["cases"] else None
        lines = []
        for case in entry["cases"][: self.limit]:
            obligation = self.obligations.get(case["obligation"])
            at = _moment(case.get("at") or entry.get("at"), created)
            lines.append(
                Line(
                    school=obligation.case.school.name if obligation else f"#{case['case']}",
                    path=f"/cases/{case['case']}#obligation-{case['obligation']}",
                    new=emailed is not None and at > emailed,
                )
            )
        return View(
            title=obligation_title(first) if first else entry.get("type", ""),
            owner=first.responsible_org.name if first else "",
            due=date.fromisoformat(entry["due"]) if entry.get("due") else None,
            offset=int(entry.get("offset") or 0),
            left=entry.get("left"),
            shared=bool(entry.get("shared")),
            overdue=bool(entry.get("overdue")),
            lines=lines,
            more=max(0, len(entry["cases"]) - self.limit),
        )


def lines_of(entries: Iterable[Entry]) -> Iterator[tuple[Entry, dict[str, Any]]]:
    """Every (entry, case line) of the entries."""
    for entry in entries:
        for line in entry["cases"]:
            yield entry, line
