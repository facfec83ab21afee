"""Translated text for code that must not import Flask (the analytics, the table reader).

Such code calls :func:`_` and :func:`number` from here; the application installs Flask-Babel's
``gettext`` and locale at start-up (app.i18n), so messages come out in the reader's language.
Without an application (a benchmark, a script) the English source text is used, and numbers
are written the Russian way, the product's default.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from babel.numbers import get_decimal_symbol, get_minus_sign_symbol

_gettext: Callable[..., str] = lambda msgid, **params: msgid % params if params else msgid  # noqa: E731
_locale: Callable[[], str] = lambda: "ru"  # noqa: E731


def _english_plural(singular: str, plural: str, num: int, **params: Any) -> str:
    return (singular if num == 1 else plural) % {"num": num, **params}


_ngettext: Callable[..., str] = _english_plural


def install(
    gettext: Callable[..., str],
    locale: Callable[[], str],
    ngettext: Callable[..., str] | None = None,
) -> None:
    """Use this translation function and this source of the current locale from now on."""
    global _gettext, _locale, _ngettext
    _gettext, _locale = gettext, locale
    _ngettext = ngettext or _english_plural


def N_(msgid: str) -> str:
    """Mark a msgid for the catalogue; translate it later with :func:`_`."""
    return msgid


def n_(singular: str, plural: str, num: int, **params: Any) -> str:
    """The plural form for ``num`` in the current language (``%(num)d`` is filled in)."""
    return _ngettext(singular, plural, num, **params)


def _(msgid: str, **params: Any) -> str:
    """The message in the current language, with ``%(name)s`` parameters filled in."""
    return _gettext(msgid, **params)


def number(value: float, spec: str) -> str:
    """A number written with Python's format ``spec`` and the locale's decimal separator
    (0,67 in Russian) and minus sign."""
    locale = _locale() or "ru"
    text = format(value, spec)
    return text.replace("-", get_minus_sign_symbol(locale)).replace(".", get_decimal_symbol(locale))
