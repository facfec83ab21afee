"""Whole numbers as people type them: in forms, query strings and imported cells."""

from __future__ import annotations

import re

# Digits only (ASCII), an optional minus sign, and a spreadsheet's ".0" on a whole number.
_INTEGER = re.compile(r"^(-?[0-9]{1,18})(?:\.0+)?$")


def parse_int(value: str | None, *, signed: bool = False) -> int | None:
    """The integer a text holds (surrounding spaces ignored), or None: for empty text, anything
    but digits, a negative number unless ``signed``, or more than 18 digits."""
    match = _INTEGER.match((value or "").strip())
    if match is None:
        return None
    number = int(match.group(1))
    return number if signed or number >= 0 else None
