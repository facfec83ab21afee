"""Percentages as people type them, and changes written in percentage points the Russian way."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from flask import Flask
from flask_babel import force_locale

from app.errors import InvalidInput
from app.mechanisms.numbers import (
    change,
    format_percent,
    format_points,
    parse_percent,
    parse_year,
)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("96", Decimal("96")),
        (" 96 % ", Decimal("96")),
        ("87,5", Decimal("87.5")),
        ("87.5", Decimal("87.5")),
        ("0", Decimal("0")),
        ("100", Decimal("100")),
        ("93.0", Decimal("93")),
        ("", None),
        (None, None),
    ],
)
def test_percentages_people_write(text: str | None, value: Decimal | None) -> None:
    assert parse_percent(text) == value


@pytest.mark.parametrize("text", ["100,1", "136", "-5", "abc", "0,96", "9 6", "1e2", "½"])
def test_what_is_not_a_percentage(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_percent(text)


def test_years_within_the_monitoring() -> None:
    today = date(2026, 12, 1)
    assert parse_year("2022", today) == 2022
    assert parse_year(2026, today) == 2026
    for bad in ("2014", "2027", "двадцать", "", None, "2022.5", "٢٠٢٢"):
        with pytest.raises(InvalidInput):
            parse_year(bad, today)


def test_the_change_is_in_points() -> None:
    assert change(Decimal("96"), Decimal("60")) == 36
    assert change(Decimal("11"), None) is None
    assert change(None, Decimal("11")) is None


def test_russian_figures(app: Flask) -> None:
    with app.test_request_context(), force_locale("ru"):
        assert format_points(Decimal("36")) == "+36 п. п."
        assert format_points(Decimal("82")) == "+82 п. п."
        assert format_points(Decimal("-2.5")) == "−2,5 п. п."
        assert format_points(Decimal("0")) == "0 п. п."
        assert format_percent(Decimal("60")) == "60 %"
        assert format_percent(Decimal("87.5")) == "87,5 %"
        assert format_percent(None) == "—"
    with app.test_request_context(), force_locale("en"):
        assert format_points(Decimal("36")) == "+36 p.p."
        assert format_percent(Decimal("87.5")) == "87.5%"
