"""Registration numbers and dates of orders and acts, as people type them and as they are kept."""

from __future__ import annotations

import re
from datetime import date, timedelta

from flask_babel import gettext as _

from app.errors import InvalidInput

NUMBER_LENGTH = 50
# Office numbers: 1592/1, 01-05/123, 429-р, 14164, 3.2-од.
_NUMBER = re.compile(r"^[0-9A-Za-zА-Яа-яЁё][0-9A-Za-zА-Яа-яЁё/.\- ]*$")
_SIGN = re.compile(r"^(№|N|No\.?)\s*", re.IGNORECASE)
# A paper is dated the day it is signed; the region's day may already have begun while the
# product's (Moscow) day has not: Kaliningrad to Kamchatka span eleven time zones.
AHEAD = timedelta(days=1)
EARLIEST = date(2000, 1, 1)


class InvalidField(InvalidInput):
    """A value refused; ``field`` names the form field it came from."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def clean(value: str | None) -> str | None:
    """Whitespace collapsed; None for nothing."""
    text = " ".join((value or "").split())
    return text or None


def clean_number(value: str | None) -> str | None:
    """A number as typed, without a leading «№»."""
    text = clean(value)
    return clean(_SIGN.sub("", text)) if text else None


def check_number(number: str, field: str = "number") -> None:
    """Refuse what cannot be an office number."""
    if len(number) > NUMBER_LENGTH:
        raise InvalidField(field, _("A number has at most %(n)d characters.", n=NUMBER_LENGTH))
    if not _NUMBER.match(number) or not any(c.isdigit() for c in number):
        raise InvalidField(
            field,
            _(
                "«%(number)s» is not a registration number: it has digits and may hold letters, "
                "«/», «-» and «.», e.g. 1592/1.",
                number=number,
            ),
        )


def dotted(day: date) -> str:
    """03.11.2023, as Russian papers write a date in a reference."""
    return f"{day:%d.%m.%Y}"


def check_not_ahead(day: date, today: date, field: str = "date") -> None:
    """Refuse a date after today (and the day ahead)."""
    if day > today + AHEAD:
        raise InvalidField(
            field,
            _(
                "%(day)s is in the future: a paper is dated the day it is signed (today is "
                "%(today)s).",
                day=dotted(day),
                today=dotted(today),
            ),
        )


def reference(number: str | None, day: date | None) -> str:
    """«от 03.11.2023 № 1592/1», or the half that is known."""
    parts = []
    if day is not None:
        parts.append(f"от {dotted(day)}")
    if number:
        parts.append(f"№ {number}")
    return " ".join(parts)
