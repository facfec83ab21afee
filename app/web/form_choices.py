"""Small helpers for WTForms."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from wtforms import SelectChoice


def choices(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices. A lazy label stays lazy: choices made when a
    form class is defined are translated when the form is drawn, in the reader's language."""
    return [SelectChoice(value, label) for value, label in pairs]
