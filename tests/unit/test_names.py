"""School names as lists show, search and sort them."""

from __future__ import annotations

from app import names

SCHOOL_3 = (
    "Муниципальное бюджетное общеобразовательное учреждение «Средняя общеобразовательная школа № 3»"
)
GYMNASIUM_8 = "Муниципальное автономное общеобразовательное учреждение «Гимназия №8»"


def test_short_name_is_the_quoted_name_with_the_kind_abbreviated() -> None:
    assert names.short_name(SCHOOL_3) == "СОШ № 3"
    assert names.short_name(GYMNASIUM_8) == "Гимназия № 8"
    assert names.short_name("МБОУ «Гимназия «Логос»»") == "Гимназия «Логос»"
    assert names.short_name("Борская основная общеобразовательная школа") == "Борская ООШ"


def _finds(query: str, name: str) -> bool:
    """What LIKE does with the pattern, spelled in Python (case-sensitive, as on both DBs)."""
    import re

    pattern = names.search_pattern(query)
    regex = re.escape(pattern[1:-1]).replace(re.escape("\\%"), "%").replace(re.escape("\\_"), "_")
    return re.search(regex, names.search_key(name, "edu990006")) is not None


def test_search_folds_cyrillic_case_yo_quotes_and_number_signs() -> None:
    for query in ("Гимназия № 8", "гимназия №8", "ГИМНАЗИЯ N 8", "«Гимназия № 8»", "edu990006"):
        assert _finds(query, GYMNASIUM_8), query
    assert _finds("СОШ № 3", SCHOOL_3)  # the abbreviation officials type
    assert _finds("приозерская", "ГБОУ «Приозёрская школа-интернат»")  # ё typed as е
    assert not _finds("Гимназия № 8", "МАОУ «Гимназия № 80»")  # a number matches whole
    assert names.search_pattern("50%_") == "%50\\%\\_%"  # the user's wildcards are literal


def test_sort_key_orders_numbers_naturally_and_ignores_the_legal_form() -> None:
    shuffled = [
        "МАОУ «Гимназия № 10»",
        "Муниципальное бюджетное общеобразовательное учреждение «Гимназия № 2»",
        "ГБОУ «Гимназия № 1»",
        "Автономное учреждение «Лицей № 3»",
    ]
    ordered = sorted(shuffled, key=names.sort_key)
    assert [names.short_name(n) for n in ordered] == [
        "Гимназия № 1",
        "Гимназия № 2",
        "Гимназия № 10",
        "Лицей № 3",
    ]
