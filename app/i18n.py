"""Locale selection and localised formatting (Russian first, English second)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import (
    format_date,
    format_datetime,
    format_decimal,
    get_locale,
    get_translations,
    gettext,
    ngettext,
    to_user_timezone,
)
from flask_login import current_user
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup

from app import translatable
from app.extensions import babel

RU_MONTHS_GENITIVE = (
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
)


def select_locale() -> str:
    """The user's chosen locale; before login, the one picked on the login page; else Russian."""
    locales = current_app.config["OKO_LOCALES"]
    if not has_request_context():  # CLI and scheduler: the product's default language
        return str(current_app.config["BABEL_DEFAULT_LOCALE"])
    if current_user and current_user.is_authenticated and current_user.locale in locales:
        return str(current_user.locale)
    chosen = session.get("locale")
    if chosen in locales:
        return str(chosen)
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def russian_document_date(value: date) -> str:
    """A date as Russian documents write it: «29» декабря 2023 г."""
    return f"«{value.day:02d}» {RU_MONTHS_GENITIVE[value.month - 1]} {value.year} г."


# The Russian forms of a date and of a moment (strftime), and what stands for no value; the
# per-page formatters of app.web.filters use the same ones.
RU_DATE = "%d.%m.%Y"
RU_DATE_TIME = "%d.%m.%Y %H:%M"
NO_VALUE = "—"


def short_date(value: date | datetime | None) -> str:
    """dd.mm.yyyy in Russian, the locale's short date otherwise."""
    if value is None:
        return NO_VALUE
    if str(get_locale()) == "ru":
        return value.strftime(RU_DATE)
    return format_date(value, "medium")


def long_date(value: date | None) -> str:
    """The date with the month as a word, e.g. «3 ноября 2023 г.»."""
    if value is None:
        return NO_VALUE
    return format_date(value, "long")


def date_time(value: datetime | None) -> str:
    """A moment in the viewer's region's time zone, e.g. 03.11.2023 14:05."""
    if value is None:
        return NO_VALUE
    if str(get_locale()) == "ru":  # strftime: a tenth of Babel's pattern formatting, per row
        return to_user_timezone(value).strftime(RU_DATE_TIME)
    return format_datetime(value, "medium")


def time_of_day(value: datetime | None) -> str:
    """The hour and minute of a moment in the viewer's region's time zone, e.g. 14:05."""
    if value is None:
        return NO_VALUE
    return to_user_timezone(value).strftime("%H:%M")


def decimal(value: Any, places: int = 2) -> str:
    """A number with ``places`` decimals in the reader's locale (0,84 in Russian); «—» for
    anything else (none, a value not computed, NaN)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        return NO_VALUE
    return format_decimal(value, "0." + "0" * places if places else "0")


def month_name(period: str) -> str:
    """A reporting month ``YYYY-MM`` as words, e.g. «ноябрь 2026»."""
    try:
        first = date.fromisoformat(f"{period}-01")
    except ValueError:
        return period
    return format_date(first, "LLLL yyyy")


def catalogue() -> Any:
    """The translations of the current locale, found once a request (and again only when the
    locale changes within it, as under force_locale): Flask-Babel finds them anew on every
    call, 16 µs each, and a page translates up to a few hundred strings."""
    if not g:  # no application context: Flask-Babel's null translations
        return get_translations()
    locale = get_locale()
    found = g.get("_oko_catalogue")
    if found is None or found[0] is not locale:
        found = g._oko_catalogue = (locale, get_translations())
    return found[1]


def translate(string: str, **variables: Any) -> str:
    """Flask-Babel's gettext() through catalogue(): the same text, without finding the
    catalogue again (for code that translates per row, such as the history's sentences)."""
    translated: str = catalogue().ugettext(string)
    return translated % variables if variables else translated


@pass_eval_context
def _template_gettext(eval_ctx: EvalContext, string: str, **variables: Any) -> str:
    """A template's _(): what Jinja's new-style gettext does (the translation trusted, the
    variables escaped into it), in one call where Jinja's alias makes three."""
    translated = catalogue().ugettext(string)
    trusted = Markup(translated) if eval_ctx.autoescape else translated  # noqa: S704 -- the catalogue
    return trusted % variables


def _install_template_gettext(app: Flask) -> None:
    """The templates' _(), ngettext(), pgettext() and npgettext() through catalogue()."""
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: catalogue().ugettext(s),
        ngettext=lambda s, p, n: catalogue().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: catalogue().upgettext(c, s),
        npgettext=lambda c, s, p, n: catalogue().unpgettext(c, s, p, n),
    )
    app.jinja_env.globals["_"] = _template_gettext


def init_app(app: Flask, timezone_selector: Callable[[], str | None] | None = None) -> None:
    """Bind Flask-Babel (times shown in the zone ``timezone_selector`` names, the default one
    without it) and register the date filters for templates."""
    babel.init_app(app, locale_selector=select_locale, timezone_selector=timezone_selector)
    _install_template_gettext(app)
    translatable.install(gettext, lambda: str(get_locale() or "ru"), ngettext)
    app.jinja_env.filters["short_date"] = short_date
    app.jinja_env.filters["long_date"] = long_date
    app.jinja_env.filters["date_time"] = date_time
    app.jinja_env.filters["month_name"] = month_name
    app.jinja_env.filters["time_of_day"] = time_of_day
    app.jinja_env.filters["decimal"] = decimal

    @app.context_processor
    def _locale_context() -> dict[str, object]:
        return {"current_locale": str(get_locale()), "request_path": request.path}
