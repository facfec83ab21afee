"""Template helpers: labels of codes, titles of milestones and measures, values of the history;
and the helpers a table's rows use so that a row costs no lookup of its own (a URL built once,
dates formatted by a formatter chosen once per page, short names remembered)."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from flask import Flask, has_request_context, url_for
from flask_babel import get_locale, get_timezone
from flask_login import current_user

from app import names
from app.analytics.explain import explain
from app.i18n import NO_VALUE, RU_DATE, RU_DATE_TIME, date_time, month_name, short_date
from app.workflows import labels
from app.workflows.clock import user_zone
from app.workflows.labels import describe_values

# An id no object has: url_prefix() builds the URL with it and cuts it off.
_SENTINEL = 987654321987


def region_timezone() -> str | None:
    """The time zone in which the signed-in user's pages show times: their region's."""
    if not has_request_context() or not current_user or not current_user.is_authenticated:
        return None
    return str(user_zone(current_user))


def url_parts(endpoint: str, key: str, **values: Any) -> tuple[str, str]:
    """The URL of ``endpoint`` cut where ``key`` goes: a table's rows put their ids between the
    two parts instead of calling url_for() each."""
    url = url_for(endpoint, **values, **{key: _SENTINEL})
    head, sentinel, tail = url.rpartition(str(_SENTINEL))
    if not sentinel:
        raise ValueError(f"{endpoint}'s URL does not show its {key}: {url}")
    return head, tail


def url_prefix(endpoint: str, key: str, **values: Any) -> str:
    """The URL of ``endpoint`` with ``key`` left off its end («/cases/» + id)."""
    head, tail = url_parts(endpoint, key, **values)
    if tail:
        raise ValueError(f"{endpoint}'s {key} is not at the end of its URL")
    return head


def url_maker(endpoint: str, *keys: str, **values: Any) -> Callable[..., str]:
    """The URLs of ``endpoint`` for integer ``keys`` (in that order), built by joining: one
    url_for() a page, not one a row («/documents/» 12 «/v/» 3)."""
    marks = [str(_SENTINEL + n) for n in range(len(keys))]
    rest = url_for(
        endpoint, **values, **{key: int(mark) for key, mark in zip(keys, marks, strict=True)}
    )
    parts = []
    for key, mark in zip(keys, marks, strict=True):
        head, found, rest = rest.partition(mark)
        if not found:
            raise ValueError(f"{endpoint}'s URL does not show its {key}")
        parts.append(head)
    parts.append(rest)

    def made(*ids: int) -> str:
        pieces = [parts[0]]
        for part, value in zip(parts[1:], ids, strict=True):
            pieces += (str(int(value)), part)
        return "".join(pieces)

    return made


def raw_json(value: Any) -> str:
    """An event's before/after as stored, readable (Cyrillic as letters): autoescaped, like
    any text, where it is shown."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def short_dates() -> Callable[[date | datetime | None], str]:
    """i18n.short_date with the locale looked up once (for a page's rows)."""
    if str(get_locale()) != "ru":
        return short_date
    return lambda value: NO_VALUE if value is None else value.strftime(RU_DATE)


def date_times() -> Callable[[datetime | None], str]:
    """i18n.date_time with the locale and the time zone looked up once (for a page's rows)."""
    if str(get_locale()) != "ru" or not has_request_context():
        return date_time
    zone = get_timezone()
    normalize = getattr(zone, "normalize", lambda moment: moment)  # pytz's, as Flask-Babel

    def formatted(value: datetime | None) -> str:
        if value is None:
            return NO_VALUE
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return normalize(moment.astimezone(zone)).strftime(RU_DATE_TIME)

    return formatted


def month_names() -> Callable[[str], str]:
    """i18n.month_name remembered for the page (a list repeats a few months)."""
    return lru_cache(maxsize=64)(month_name)


# The names a list shows repeat across rows and requests: remember them.
short_name = lru_cache(maxsize=32768)(names.short_name)


def init_app(app: Flask) -> None:
    """Register the helpers as Jinja globals."""
    from app.web.history_rows import history_rows  # it uses the helpers above

    app.jinja_env.filters["b64"] = lambda data: base64.b64encode(data).decode()
    app.jinja_env.filters["short_name"] = short_name
    app.jinja_env.globals.update(
        labels=labels,
        stage_title=labels.stage_title,
        obligation_title=labels.obligation_title,
        describe_values=describe_values,
        explain_evidence=explain,
        url_prefix=url_prefix,
        url_parts=url_parts,
        url_maker=url_maker,
        history_rows=history_rows,
        short_dates=short_dates,
        date_times=date_times,
        month_names=month_names,
    )
