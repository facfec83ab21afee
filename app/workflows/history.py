"""The history as people read it: each event's action, who did it in which role, and what changed
as a sentence in the reader's language, with dates, statuses, stages, organisations and people
named rather than coded. The raw event stays on the page, one click away, for the auditor.

A field without a label here is left out of the sentence (it is in the raw event): the sentence
never shows a code."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import format_decimal, pgettext
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.i18n import date_time, month_name, short_date
from app.i18n import translate as _  # the history translates per event
from app.models.audit import AuditEvent
from app.models.case import Campaign
from app.models.org import Organisation, OrgKind, listed_name
from app.models.user import ROLE_LABELS, Role, User
from app.plans.measures import MILESTONES
from app.workflows import labels
from app.workflows.cases import case_action_title

# An event as pages read it: the entity, or a plain row of its columns (app.web.cases.page).
Event = AuditEvent | sa.Row[Any]

# The codes of the people's roles (an event's actor_role is one, or the system's).
_ROLE_CODES = frozenset(r.value for r in Role)

FIELDS = {
    "status": _l("status"),
    "stage": _l("stage"),
    "due_date": _l("due date"),
    "opened_on": _l("term starts"),
    "inclusive": _l("the due day included"),
    "period": _l("month"),
    "document_version": _l("document version"),
    "version": _l("version"),
    "filename": _l("file"),
    "size": _l("size"),
    "type": _l("format"),
    "cause": _l("cause"),
    "category": _l("category"),
    "support_level": _l("support level"),
    "markers": _l("markers"),
    "school": _l("school"),
    "school_id": _l("school"),
    "leader_school_id": _l("leader school"),
    "responsible_org_id": _l("responsible organisation"),
    "responsible_user_id": _l("responsible person"),
    "organisation_id": _l("organisation"),
    "municipality_id": _l("municipality"),
    "parent_id": _l("parent organisation"),
    "campaign_id": _l("campaign"),
    "milestone": _l("stage"),
    "role": _l("role"),
    "full_name": _l("full name"),
    "email": _l("e-mail"),
    "active": _l("active"),
    "name": _l("name"),
    "login": _l("login"),
    "director": _l("director"),
    "phone": _l("phone"),
    "kind": _l("kind"),
    "subordination": _l("subordination"),
    "title": _l("title"),
    "order_number": _l("order number"),
    "order_date": _l("order date"),
    "vpr_year": _l("VPR year"),
    "year": _l("year"),
    "number": _l("number"),
    "result": _l("result"),
    "responsible": _l("responsible"),
    "deadline": _l("term"),
    "indicator": _l("indicator"),
    "expert": _l("expert"),
    "chair": _l("chair of the commission"),
    "observer": _l("observer"),
    "subject": _l("subject"),
    "teacher": _l("teacher"),
    "score": _l("score"),
    "total": _l("total score"),
    "works": _l("works"),
    "attended": _l("attended"),
    "capacity": _l("places"),
    "starts_at": _l("starts"),
    "place": _l("place"),
    "link": _l("online link"),
    "leader": _l("leader school"),
    "due_on": _l("due date"),
    "note": _l("note"),
}
CAUSES = {
    "case_closed": _l("the case is closed"),
    "not_applicable": _l("the measure no longer applies to the case"),
    "after_measure": _l("counted from the measure it follows"),
    "acceptance_withdrawn": _l("the acceptance was withdrawn"),
    "calendar": _l("the working calendar changed"),
    "plan": _l("the plan changed"),
}
# The director evaluation's verdicts (app.stages.director keeps the documents' wording).
VERDICTS = {
    "effective": _l("effective"),
    "partly": _l("partly effective"),
    "not_effective": _l("not effective"),
}
ORG_KINDS = {
    OrgKind.REGION: _l("region"),
    OrgKind.INSTITUTE: _l("regional institute"),
    OrgKind.MUNICIPALITY: _l("municipality"),
    OrgKind.METHOD_CENTRE: _l("methodological centre"),
    OrgKind.SCHOOL: _l("school"),
}
ORG_FIELDS = {
    "school_id",
    "leader_school_id",
    "responsible_org_id",
    "organisation_id",
    "municipality_id",
    "parent_id",
}
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MOMENT_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


@dataclass(frozen=True)
class Change:
    """One field of an event: its label and its values before and after, as text."""

    label: str
    before: str | None
    after: str | None

    @property
    def sentence(self) -> str:
        if self.before is not None and self.after is not None:
            return _(
                "%(field)s: «%(before)s» → «%(after)s»",
                field=self.label,
                before=self.before,
                after=self.after,
            )
        value = self.after if self.after is not None else self.before
        return _("%(field)s: %(value)s", field=self.label, value=value)


@dataclass(frozen=True)
class EventView:
    """An event for people: what was done, by whom in which role, and what changed."""

    event: Event
    action: str
    role: str
    changes: tuple[Change, ...]

    @property
    def actor(self) -> str:
        """Who did it: the person's name, or the system for what it did by itself."""
        if self.event.actor_role in _ROLE_CODES:
            return self.event.actor_name
        return str(labels.SYSTEM)

    @property
    def sentence(self) -> str:
        """What changed as one sentence, e.g. «Статус: «открыто» → «сдано, ожидает проверки»;
        срок: 13.11.2024.»"""
        if not self.changes:
            return ""
        text = "; ".join(c.sentence for c in self.changes).rstrip(".")
        return text[0].upper() + text[1:] + "."


class Names:
    """Names of the organisations, people and campaigns a page of events refers to, read in
    three statements whatever the number of events; and the labels the page's sentences
    repeat, each translated once (``word``)."""

    def __init__(self, events: Sequence[Event]) -> None:
        self._words: dict[int, str] = {}
        orgs: set[int] = set()
        users: set[int] = set()
        campaigns: set[int] = set()
        logins: set[str] = set()
        for event in events:
            for values in (event.before, event.after):
                if not isinstance(values, dict):
                    continue
                for key, value in values.items():
                    if key in ORG_FIELDS and isinstance(value, int):
                        orgs.add(value)
                    elif key == "responsible_user_id" and isinstance(value, int):
                        users.add(value)
                    elif key == "campaign_id" and isinstance(value, int):
                        campaigns.add(value)
                    elif key == "school" and isinstance(value, str):
                        logins.add(value)
        self.orgs: dict[int, str] = {}
        self.by_login: dict[str, str] = {}
        if orgs or logins:
            found = db.session.execute(
                sa.select(
                    Organisation.id, Organisation.name, Organisation.login, Organisation.kind
                ).where(sa.or_(Organisation.id.in_(orgs), Organisation.login.in_(logins)))
            )
            for org_id, name, login, kind in found:
                shown = listed_name(name, kind)
                self.orgs[org_id] = shown
                if login:
                    self.by_login[login] = shown
        self.users: dict[int, str] = {}
        if users:
            people = db.session.execute(
                sa.select(User.id, User.full_name).where(User.id.in_(users))
            )
            self.users = dict(people.tuples().all())  # a Result has keys(): dict() would index it
        self.campaigns: dict[int, str] = {}
        if campaigns:
            titles = db.session.execute(
                sa.select(Campaign.id, Campaign.title).where(Campaign.id.in_(campaigns))
            )
            self.campaigns = dict(titles.tuples().all())

    def word(self, label: Any) -> str:
        """A label (a lazy string of this module's tables) as text, translated once a page:
        thirty events repeat a handful of field names and statuses."""
        found = self._words.get(id(label))
        if found is None:
            found = self._words[id(label)] = str(label)
        return found


def _enum_label(table: dict[Any, Any], value: str, names: Names) -> str | None:
    for member, title in table.items():
        if member.value == value:
            return names.word(title)
    return None


def _status(object_type: str, value: str, names: Names) -> str | None:
    tables: Iterable[dict[Any, Any]]
    if object_type == "case":
        tables = (labels.CASE_STATUS,)
    elif object_type == "document_version":
        tables = (labels.REVIEW_STATUS,)
    else:
        tables = (labels.OBLIGATION_STATUS, labels.CASE_STATUS, labels.REVIEW_STATUS)
    for table in tables:
        found = _enum_label(table, value, names)
        if found is not None:
            return found
    return None


def _plain(value: Any) -> str | None:
    """A value with no field of its own to say what it is."""
    if value is None or value == "" or value == [] or value == {}:
        return None
    if isinstance(value, bool):
        return pgettext("boolean", "yes") if value else pgettext("boolean", "no")
    if isinstance(value, float):
        return format_decimal(value, "#,##0.###")
    if isinstance(value, int):
        return format_decimal(value)
    if isinstance(value, str):
        if DATE_RE.match(value):
            return short_date(date.fromisoformat(value))
        if MOMENT_RE.match(value):
            try:
                return date_time(datetime.fromisoformat(value.replace("Z", "+00:00")))
            except ValueError:
                return value
        return value
    if isinstance(value, list):
        parts = [p for p in (_plain(v) for v in value if not isinstance(v, dict)) if p]
        return ", ".join(parts) or None
    return None


def _value(key: str, value: Any, object_type: str, names: Names) -> str | None:
    """A value as its field means it: a status by its title, an id by its name, a date as a
    date."""
    if value is None:
        return None
    if key == "status" and isinstance(value, str):
        return _status(object_type, value, names)
    if key in ("stage", "milestone") and isinstance(value, str):
        return names.word(MILESTONES[value]) if value in MILESTONES else None
    if key == "category" and isinstance(value, str):
        return _enum_label(labels.CATEGORY, value, names)
    if key == "role" and isinstance(value, str):
        return names.word(ROLE_LABELS[Role(value)]) if value in _ROLE_CODES else None
    if key == "kind" and isinstance(value, str):
        return _enum_label(ORG_KINDS, value, names)
    if key == "subordination" and isinstance(value, str):
        return _enum_label(labels.SUBORDINATION, value, names)
    if key == "result" and isinstance(value, str) and value in VERDICTS:
        return names.word(VERDICTS[value])
    if key == "cause" and isinstance(value, str):
        return names.word(CAUSES[value]) if value in CAUSES else None
    if key in ORG_FIELDS and isinstance(value, int):
        return names.orgs.get(value)
    if key == "responsible_user_id" and isinstance(value, int):
        return names.users.get(value)
    if key == "campaign_id" and isinstance(value, int):
        return names.campaigns.get(value)
    if key == "school" and isinstance(value, str):
        return names.by_login.get(value, value)
    if key == "period" and isinstance(value, str):
        return month_name(value)
    if key == "markers" and isinstance(value, dict):
        raised = [marker for marker, on in sorted(value.items()) if on]
        return ", ".join(raised) if raised else _("none")
    if key == "size" and isinstance(value, int):
        return _("%(kb)s KB", kb=format_decimal(round(value / 1024, 1)))
    if key == "measures" and isinstance(value, list):
        return format_decimal(len(value))
    return _plain(value)


def _changes(event: Event, names: Names) -> tuple[Change, ...]:
    before = event.before if isinstance(event.before, dict) else {}
    after = event.after if isinstance(event.after, dict) else {}
    out: list[Change] = []
    for key in dict.fromkeys([*before, *after]):
        if key not in FIELDS:
            continue
        old = _value(key, before.get(key), event.object_type, names) if key in before else None
        new = _value(key, after.get(key), event.object_type, names) if key in after else None
        if old == new:  # unchanged, or nothing a person would read
            continue
        out.append(Change(names.word(FIELDS[key]), old, new))
    return tuple(out)


def role_title(code: str) -> str:
    """The role an event's actor acted in; the system for scheduled and imported changes."""
    if code in _ROLE_CODES:
        return str(ROLE_LABELS[Role(code)])
    return str(labels.SYSTEM)


def action_title(code: str, after: dict[str, Any] | None = None) -> str:
    """The action as people say it (a case action by the action taken); an action of a newer
    release than its labels as a generic phrase rather than its code."""
    if code == "case.action" and after and isinstance(after.get("action"), str):
        taken = case_action_title(after["action"])
        if taken:
            return taken
    title = labels.ACTION.get(code)
    return str(title) if title is not None else _("Change recorded")


def describe(events: Sequence[Event]) -> list[EventView]:
    """The events of a page, for people, in the order given (each role and action titled
    once a page)."""
    names = Names(events)
    roles: dict[str, str] = {}
    actions: dict[tuple[str, Any], str] = {}
    views = []
    for e in events:
        after = e.after if isinstance(e.after, dict) else None
        # case.action is titled by the action taken; every other code by itself
        taken = after.get("action") if after and e.action == "case.action" else None
        key = (e.action, taken if isinstance(taken, str) else None)
        action = actions.get(key)
        if action is None:
            action = actions[key] = action_title(e.action, after)
        role = roles.get(e.actor_role)
        if role is None:
            role = roles[e.actor_role] = role_title(e.actor_role)
        views.append(EventView(e, action, role, _changes(e, names)))
    return views
