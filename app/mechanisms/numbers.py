"""Percentages as people type them and as the reports write them: «96 %», a change of «+36 п. п.»
(percentage points, never per cent), years within the monitoring's span."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from app.errors import InvalidInput
from app.translatable import _, number

# The first year the region's monitoring can hold (the federal criteria date from 2020; earlier
# years are kept for a municipality's own history).
FIRST_YEAR = 2015
ONE_PLACE = Decimal("0.1")
_PERCENT = re.compile(r"^[0-9]+(?:[.,][0-9]+)?$")
MINUS = "\u2212"


def parse_percent(text: str | None) -> Decimal | None:
    """The percentage a text holds («96», «96,5», «96 %»), None when empty; InvalidInput for
    anything but a number from 0 to 100 with at most one decimal place."""
    cleaned = (text or "").strip().removesuffix("%").strip().replace("\u00a0", "")
    if not cleaned:
        return None
    if not _PERCENT.match(cleaned):
        raise InvalidInput(_("Write a percentage as a number from 0 to 100, e.g. 96 or 87,5."))
    try:
        value = Decimal(cleaned.replace(",", "."))
    except InvalidOperation as exc:  # the pattern admits only digits; kept for safety
        raise InvalidInput(_("Write a percentage as a number from 0 to 100.")) from exc
    if value > 100:
        raise InvalidInput(_("A percentage cannot exceed 100."))
    if value != value.quantize(ONE_PLACE):
        raise InvalidInput(_("At most one decimal place (a share such as 0,96 is written as 96)."))
    return value.quantize(ONE_PLACE)


def check_percent(value: Decimal | None) -> Decimal | None:
    """A percentage given as a number (by an import, a script): 0–100, one decimal place."""
    if value is None:
        return None
    return parse_percent(str(value))


def parse_year(text: str | int | None, today: date) -> int:
    """The monitoring year a text holds; InvalidInput when it is not a year from FIRST_YEAR to
    the current one (a year's indicators exist only once it has come)."""
    raw = str(text if text is not None else "").strip().removesuffix(".0")
    year = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 4 else None
    if year is None or not FIRST_YEAR <= year <= today.year:
        raise InvalidInput(
            _(
                "The year must be a whole number from %(first)d to %(last)d.",
                first=FIRST_YEAR,
                last=today.year,
            )
        )
    return year


def change(value: Decimal | None, previous: Decimal | None) -> Decimal | None:
    """The change in percentage points (None unless both years are known)."""
    if value is None or previous is None:
        return None
    return value - previous


def plain(value: Decimal) -> str:
    """96 or 87,5: a whole number without decimals, else one decimal in the locale's way."""
    if value == value.to_integral_value():
        return number(float(value), ".0f")
    return number(float(value), ".1f")


def format_percent(value: Decimal | None) -> str:
    """«96 %» (Russian) or «96%» (English); a dash when unknown."""
    if value is None:
        return "—"
    return _("%(n)s%%", n=plain(value))


def format_points(delta: Decimal | None) -> str:
    """A change in percentage points: «+36 п. п.», «−4 п. п.», «0 п. п.»; a dash when unknown."""
    if delta is None:
        return "—"
    sign = "+" if delta > 0 else MINUS if delta < 0 else ""
    return _("%(n)s p.p.", n=sign + plain(abs(delta)))
