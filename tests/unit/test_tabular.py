"""Reading CSV and XLSX files the way the outside world sends them."""

from __future__ import annotations

import io

import openpyxl
import pytest

from app.tabular import Column, TableError, read_table

COLUMNS = (Column("Логин", "login"), Column("Название", "name"), Column("Тип", required=False))


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1251"])
@pytest.mark.parametrize("delimiter", [";", ","])
def test_csv_in_both_encodings_and_delimiters(encoding: str, delimiter: str) -> None:
    text = f"Логин{delimiter}Название\nedu000001{delimiter}Школа № 1\n"
    table = read_table(text.encode(encoding), COLUMNS)
    assert table.rows == [{"Логин": "edu000001", "Название": "Школа № 1"}]
    assert table.row_numbers == [2]


def test_headers_match_case_insensitively_with_aliases_and_spaces() -> None:
    table = read_table(b"  LOGIN ;NAME \nedu000001;X\n", COLUMNS)
    assert table.rows[0]["Логин"] == "edu000001"


def test_missing_required_column_is_named() -> None:
    with pytest.raises(TableError) as err:
        read_table("Логин;Тип\nedu1;СОШ\n".encode(), COLUMNS)
    assert [(p.row, p.column) for p in err.value.problems] == [(1, "Название")]


def test_wrong_encoding_is_explained() -> None:
    data = "Логин;Название\nedu000001;Школа\n".encode("koi8-r")
    with pytest.raises(TableError) as err:
        read_table(data, COLUMNS)
    assert any("encoding" in p.message for p in err.value.problems)


def test_utf16_is_refused() -> None:
    with pytest.raises(TableError) as err:
        read_table("Логин;Название\n".encode("utf-16"), COLUMNS)
    assert "UTF-8" in err.value.problems[0].message


def test_xlsx_numbers_become_plain_text_and_blank_rows_keep_numbering() -> None:
    data = xlsx_bytes(
        [["Логин", "Название", "Тип"], ["edu000001", 1.0, None], [], ["edu2", "B", 3]]
    )
    table = read_table(data, COLUMNS)
    assert table.rows[0] == {"Логин": "edu000001", "Название": "1", "Тип": ""}
    assert table.row_numbers == [2, 4]


def test_damaged_xlsx_is_refused() -> None:
    with pytest.raises(TableError) as err:
        read_table(b"PK\x03\x04garbage", COLUMNS)
    assert "XLSX" in err.value.problems[0].message


def test_extra_columns_are_kept_when_asked() -> None:
    table = read_table("Логин;Название;4 РУ\nedu1;A;1\n".encode(), COLUMNS, keep_extra=True)
    assert table.extra_headers == ["4 РУ"]
    assert table.rows[0]["4 РУ"] == "1"


def test_a_cell_over_the_csv_limit_is_a_problem_of_its_row() -> None:
    data = ("Логин;Название\nedu000001;Школа\nedu000002;" + "я" * 140_000 + "\n").encode()
    with pytest.raises(TableError) as err:
        read_table(data, COLUMNS)
    assert [p.row for p in err.value.problems] == [3]


def test_exported_text_never_becomes_a_formula() -> None:
    from openpyxl import Workbook

    from app.tabular import csv_row, text_row

    assert csv_row(["=1+1", "+7 999", "-", "@x", "\tx", "Школа", 5, -3]) == [
        "'=1+1",
        "'+7 999",
        "'-",
        "'@x",
        "'\tx",
        "Школа",
        5,
        -3,
    ]
    sheet = Workbook().active
    sheet.append(text_row(sheet, ['=HYPERLINK("x")', "Школа", 3]))
    assert [c.data_type for c in sheet[1]] == ["s", "s", "n"]
