"""How orders and acts are written: an issuer in the genitive of a citation, a reference from
what is known, a number as typed."""

from __future__ import annotations

from datetime import date

import pytest

from app.legal.numbers import clean_number, reference
from app.russian import genitive


@pytest.mark.parametrize(
    ("name", "cited"),
    [
        (
            "Министерство образования Калининградской области",
            "Министерства образования Калининградской области",
        ),
        (
            "Управление образования администрации муниципального района имени Лазо",
            "Управления образования администрации муниципального района имени Лазо",
        ),
        (
            "Министерство образования и науки Хабаровского края",
            "Министерства образования и науки Хабаровского края",
        ),
        ("Региональное министерство образования", "Регионального министерства образования"),
        ("Комитет по образованию", "Комитета по образованию"),
        # Given in the genitive already, or an abbreviation: kept as it is.
        (
            "Министерства образования Челябинской области",
            "Министерства образования Челябинской области",
        ),
        ("ГКУ КО «Региональный центр образования»", "ГКУ КО «Региональный центр образования»"),
    ],
)
def test_an_issuer_is_cited_in_the_genitive(name: str, cited: str) -> None:
    assert genitive(name) == cited


def test_a_reference_says_what_is_known() -> None:
    assert reference("1592/1", date(2023, 11, 3)) == "от 03.11.2023 № 1592/1"
    assert reference("1311", None) == "№ 1311"
    assert reference(None, date(2024, 11, 5)) == "от 05.11.2024"


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("№ 1592/1", "1592/1"),
        ("  №1592/1 ", "1592/1"),
        ("N 429-р", "429-р"),
        ("", None),
        (None, None),
    ],
)
def test_a_number_is_kept_without_its_sign(typed: str | None, kept: str | None) -> None:
    assert clean_number(typed) == kept
