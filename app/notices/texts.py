"""The words of each notice, rendered in the reader's language at the time it is read or sent."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale, format_datetime, get_locale, gettext, ngettext

from app.extensions import db
from app.i18n import RU_DATE_TIME, short_date
from app.models.case import Obligation
from app.models.notify import Notification
from app.notices import items, rules
from app.workflows.labels import obligation_title

IN_EMAIL = 100  # entries an e-mail lists; the rest are counted, with the link to the centre


def _first_title(entries: list[items.Entry]) -> str:
    cases = entries[0]["cases"] if entries else []
    obligation = db.session.get(Obligation, cases[0]["obligation"]) if cases else None
    return obligation_title(obligation) if obligation else ""


def _headline(kind: str, num: int, params: dict[str, object]) -> str:
    if kind == rules.REMINDER:
        return ngettext("Coming up: %(num)d obligation", "Coming up: %(num)d obligations", num)
    if kind == rules.DUE_TODAY:
        return ngettext("Due today: %(num)d obligation", "Due today: %(num)d obligations", num)
    if kind == rules.OVERDUE:
        return ngettext("Overdue: %(num)d obligation", "Overdue: %(num)d obligations", num)
    if kind == rules.ESCALATION:
        return ngettext(
            "Not done in time: %(num)d obligation", "Not done in time: %(num)d obligations", num
        )
    if kind == rules.RETURNED:
        return ngettext(
            "Returned for correction: %(num)d obligation",
            "Returned for correction: %(num)d obligations",
            num,
        )
    if kind == rules.ACCEPTED:
        return ngettext("Accepted: %(num)d obligation", "Accepted: %(num)d obligations", num)
    if kind == rules.NEW_OBLIGATION:
        return ngettext("New obligation: %(num)d", "New obligations: %(num)d", num)
    if kind == rules.INVITED:
        return ngettext(
            "Invited to a strategic session: %(num)d school",
            "Invited to a strategic session: %(num)d schools",
            num,
        )
    if kind == rules.SESSION_CHANGED:
        return ngettext(
            "A strategic session moved: %(num)d school",
            "A strategic session moved: %(num)d schools",
            num,
        )
    if kind == rules.SESSION_CANCELLED:
        return ngettext(
            "A strategic session cancelled: %(num)d school",
            "A strategic session cancelled: %(num)d schools",
            num,
        )
    if kind == rules.CASE_OPENED:
        return ngettext(
            "Cases opened: %(num)d obligation of yours",
            "Cases opened: %(num)d obligations of yours",
            num,
        )
    if kind == rules.DIGEST:
        return ngettext(
            "On %(date)s you owe %(num)d obligation",
            "On %(date)s you owe %(num)d obligations",
            num,
            date=_digest_date(params),
        )
    return kind


def _digest_date(params: dict[str, object]) -> str:
    day = params.get("day")
    return short_date(date.fromisoformat(str(day))) if day else str(params.get("date", ""))


def subject(notification: Notification) -> str:
    """One line: what kind of notice, how many obligations, and which when there is one."""
    p, kind = notification.params or {}, notification.kind
    if kind == rules.MONTHLY_REPORT:
        return gettext(
            "The monthly roadmap report for %(period)s is due", period=p.get("period", "")
        )
    if kind == rules.DIGEST and items.ENTRIES not in p:  # written before entries existed
        return gettext("Your obligations on %(date)s", date=p.get("date", ""))
    entries = items.of(notification)
    line = _headline(kind, items.count(entries), p)
    if len(entries) == 1:
        line += f" — {_first_title(entries)}"
    return line


def _session_moment(note: dict[str, Any]) -> str:
    """When the session starts, in its region's time."""
    moment = datetime.fromisoformat(str(note["starts_at"])).astimezone(ZoneInfo(str(note["zone"])))
    if str(get_locale()) == "ru":
        return moment.strftime(RU_DATE_TIME)
    return format_datetime(moment, "medium", tzinfo=moment.tzinfo)


def sessions(notification: Notification) -> list[str]:
    """What a session's notice says of each of its sessions: which, when and where it is held
    now (or that it is cancelled), and the reason given."""
    lines = []
    for note in (notification.params or {}).get(items.SESSIONS, []):
        if note.get("cancelled"):
            line = gettext(
                "Cancelled: «%(title)s», %(when)s (local time).",
                title=note["title"],
                when=_session_moment(note),
            )
        else:
            where = ", ".join(str(v) for v in (note.get("place"), note.get("link")) if v)
            line = gettext(
                "«%(title)s»: %(when)s (local time), %(where)s.",
                title=note["title"],
                when=_session_moment(note),
                where=where,
            )
        if note.get("reason"):
            line += " " + gettext("Reason: %(reason)s", reason=note["reason"])
        lines.append(line)
    return lines


def detail(kind: str, view: items.View) -> str:
    """The due date of an entry and where it stands: in N working days, overdue…"""
    line = gettext("Due date: %(date)s", date=short_date(view.due))
    if kind == rules.REMINDER and view.offset:
        left = view.left if view.left is not None else view.offset
        line += " — " + ngettext("in %(num)d working day", "in %(num)d working days", left)
    elif kind == rules.ESCALATION and view.offset:
        line += " — " + ngettext(
            "not done %(num)d working day after it",
            "not done %(num)d working days after it",
            view.offset,
        )
    elif view.overdue:
        line += gettext(" (overdue)")
    return line


def owner(view: items.View) -> str:
    """Who owes the entry; for a shared act, that one document answers for every school."""
    line = gettext("Responsible: %(org)s", org=view.owner) if view.owner else ""
    if view.shared and view.schools > 1:
        shared = ngettext(
            "one document answers for %(num)d school",
            "one document answers for all %(num)d schools",
            view.schools,
        )
        line = f"{line}; {shared}" if line else shared
    return line


def more_schools(view: items.View) -> str:
    """The schools of an entry not listed."""
    return ngettext("… and %(num)d more school", "… and %(num)d more schools", view.more)


def _entry_lines(kind: str, number: int, view: items.View, base: str) -> list[str]:
    lines = [f"{number}. {view.title}", f"   {detail(kind, view)}"]
    if owner(view):
        lines.append(f"   {owner(view)}")
    for line in view.lines:
        new = gettext(" (new)") if line.new else ""
        lines.append(f"   — {line.school}{new}: {base}{line.path}")
    if view.more:
        lines.append(f"   {more_schools(view)}")
    return lines


def _entries_text(notification: Notification) -> list[str]:
    base = current_app.config["OKO_BASE_URL"]
    views = items.Shown([notification]).entries(notification)
    lines: list[str] = []
    for number, view in enumerate(views[:IN_EMAIL], 1):
        lines += [*_entry_lines(notification.kind, number, view, base), ""]
    if len(views) > IN_EMAIL:
        rest = len(views) - IN_EMAIL
        lines += [
            ngettext(
                "… and %(num)d more in the notification centre",
                "… and %(num)d more in the notification centre",
                rest,
            ),
            "",
        ]
    return lines


def body(notification: Notification) -> str:
    """The e-mail text: every entry with its schools, each linking to the case's obligation."""
    p, kind = notification.params or {}, notification.kind
    lines = [subject(notification), ""]
    if kind == rules.MONTHLY_REPORT:
        lines += [gettext("Roadmap: %(owner)s", owner=p.get("owner", "")), ""]
    elif kind == rules.DIGEST and items.ENTRIES not in p:
        lines += [*(f"— {item}" for item in p.get("items", [])), ""]
    else:
        told = sessions(notification)
        lines += [*told, ""] if told else []
        lines += _entries_text(notification)
    if p.get("to_review"):
        lines += [gettext("Awaiting your review: %(n)d", n=p["to_review"]), ""]
    lines += [
        gettext("Open: %(url)s", url=link(notification)),
        "",
        gettext("OKO Cases — managed support of schools flagged for non-objective or low results"),
    ]
    return "\n".join(lines)


def path(notification: Notification) -> str:
    """Where the notice leads inside the application: the obligation when it is about one,
    else the notice in the centre, which lists its obligations."""
    if notification.kind == rules.MONTHLY_REPORT and notification.params.get("roadmap_id"):
        return f"/roadmaps/{notification.params['roadmap_id']}#reports"
    if notification.case_id:
        anchor = f"#obligation-{notification.obligation_id}" if notification.obligation_id else ""
        return f"/cases/{notification.case_id}{anchor}"
    if items.of(notification):
        return f"/notifications#notice-{notification.id}"
    return "/inbox"


def link(notification: Notification) -> str:
    return current_app.config["OKO_BASE_URL"] + path(notification)


def in_locale(notification: Notification, locale: str) -> tuple[str, str]:
    """(subject, body) in the given language."""
    with force_locale(locale):
        return subject(notification), body(notification)
