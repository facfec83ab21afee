"""The words of each notice, rendered in the reader's language at the time it is read or sent."""

from __future__ import annotations

from datetime import date

from flask import current_app
from flask_babel import force_locale, gettext, ngettext

from app.extensions import db
from app.i18n import short_date
from app.models.case import Obligation
from app.models.notify import Notification
from app.notices import rules
from app.workflows.labels import obligation_title


def _title(notification: Notification) -> str:
    obligation = (
        db.session.get(Obligation, notification.obligation_id)
        if notification.obligation_id
        else None
    )
    return str(obligation_title(obligation)) if obligation else ""


def _date(notification: Notification) -> str:
    raw = notification.params.get("due_date")
    return short_date(date.fromisoformat(raw)) if raw else ""


def subject(notification: Notification) -> str:
    """One line: what happened and to what."""
    p, kind = notification.params, notification.kind
    if kind == rules.REMINDER:
        return ngettext(
            "Due in %(num)d working day: %(title)s",
            "Due in %(num)d working days: %(title)s",
            p.get("offset", 0),
            title=_title(notification),
        )
    if kind == rules.DUE_TODAY:
        return gettext("Due today: %(title)s", title=_title(notification))
    if kind == rules.OVERDUE:
        return gettext("Overdue: %(title)s", title=_title(notification))
    if kind == rules.ESCALATION:
        return gettext(
            "Not done in time by %(school)s: %(title)s",
            school=p.get("school", ""),
            title=_title(notification),
        )
    if kind == rules.MONTHLY_REPORT:
        return gettext(
            "The monthly roadmap report for %(period)s is due", period=p.get("period", "")
        )
    if kind == rules.DIGEST:
        return gettext("Your obligations on %(date)s", date=p.get("date", ""))
    return kind


def body(notification: Notification) -> str:
    """The e-mail text, with a link to the page where the user acts."""
    p, kind = notification.params, notification.kind
    lines = [subject(notification), ""]
    if p.get("school"):
        lines.append(gettext("School: %(school)s", school=p["school"]))
    if p.get("due_date"):
        lines.append(gettext("Due date: %(date)s", date=_date(notification)))
    if kind == rules.ESCALATION:
        lines.append(
            gettext(
                "The responsible organisation has not done it for %(n)d working days after the due date.",
                n=p.get("offset", 0),
            )
        )
    if kind == rules.MONTHLY_REPORT:
        lines.append(gettext("Roadmap: %(owner)s", owner=p.get("owner", "")))
    if kind == rules.DIGEST:
        lines += [f"— {item}" for item in p.get("items", [])]
    lines += [
        "",
        gettext("Open: %(url)s", url=link(notification)),
        "",
        gettext("OKO Cases — managed support of schools flagged for non-objective or low results"),
    ]
    return "\n".join(lines)


def path(notification: Notification) -> str:
    """Where the notice leads inside the application."""
    if notification.kind == rules.MONTHLY_REPORT and notification.params.get("roadmap_id"):
        return f"/roadmaps/{notification.params['roadmap_id']}#reports"
    if notification.case_id:
        anchor = f"#obligation-{notification.obligation_id}" if notification.obligation_id else ""
        return f"/cases/{notification.case_id}{anchor}"
    return "/inbox"


def link(notification: Notification) -> str:
    return current_app.config["OKO_BASE_URL"] + path(notification)


def in_locale(notification: Notification, locale: str) -> tuple[str, str]:
    """(subject, body) in the given language."""
    with force_locale(locale):
        return subject(notification), body(notification)
