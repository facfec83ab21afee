"""Import of VPR results (§1): encodings, delimiters, XLSX, and the row-level checks."""

from __future__ import annotations

import io

import pandas as pd
from openpyxl import Workbook

from app.analytics.vpr import read_vpr, work_summary
from tests.unit.analytics.helpers import HEADER, ROWS, csv_text, specs


def test_utf8_semicolon_file_is_imported_with_typed_columns() -> None:
    result = read_vpr(csv_text().encode("utf-8"), specs(), known_schools=["edu123456"])
    assert result.ok, result.problems
    frame = result.frame
    assert len(frame) == 4
    assert list(frame["row"]) == [2, 3, 4, 5]
    assert str(frame["mark"].dtype) == "int8"
    # X (Latin) and Х (Cyrillic) both mean "not attempted" and score 0
    assert frame.loc[0, "task_2"] == 0
    assert frame.loc[2, "task_3.1"] == 0
    # a row leaves empty the tasks its test does not have
    assert frame["task_3.1"].isna().iloc[0]
    assert frame["task_2"].isna().iloc[2]
    assert set(frame["code"]) == {"РУ", "МА"}


def test_windows_1251_with_commas_parses() -> None:
    data = csv_text(sep=",").encode("cp1251")
    result = read_vpr(data, specs())
    assert result.ok, result.problems
    assert result.frame["subject"].iloc[0] == "Русский язык"


def test_utf16_file_is_refused() -> None:
    result = read_vpr(csv_text().encode("utf-16"), specs())
    assert not result.ok
    assert result.frame.empty
    assert "UTF-8 or Windows-1251" in result.problems[0].message


def test_missing_column_is_reported_on_the_header_row() -> None:
    header = HEADER.replace(";Отметка;", ";")
    rows = [r.rsplit(";", 3)[0] + ";" + r.rsplit(";", 1)[1] for r in ROWS]
    result = read_vpr(csv_text(rows, header).encode(), specs())
    assert not result.ok
    assert [(p.row, p.column) for p in result.problems] == [(1, "Отметка")]


def test_score_that_does_not_add_up_names_row_and_column() -> None:
    rows = list(ROWS)
    rows[1] = rows[1].replace(";3;4;;7;5;", ";3;4;;6;5;")
    result = read_vpr(csv_text(rows).encode(), specs())
    assert not result.ok
    assert result.frame.empty  # all or nothing
    problem = result.problems[0]
    assert (problem.row, problem.column) == (3, "Первичный балл")
    assert "6" in problem.message
    assert "7" in problem.message


def test_mark_off_the_scale_and_task_over_maximum_are_reported() -> None:
    rows = list(ROWS)
    rows[0] = rows[0].replace(";3;3;4", ";3;4;4")  # score 3 gives mark 3, not 4
    rows[3] = rows[3].replace(";1;;3;4;4;5", ";1;;9;10;4;5")
    result = read_vpr(csv_text(rows).encode(), specs())
    found = {(p.row, p.column) for p in result.problems}
    assert (2, "Отметка") in found
    assert (5, "3.1") in found


def test_empty_task_cell_and_foreign_task_are_problems() -> None:
    rows = list(ROWS)
    rows[0] = rows[0].replace(";3;X;;3;", ";3;;;3;")
    rows[2] = rows[2].replace(";2;;Х;2;", ";2;1;Х;2;")
    result = read_vpr(csv_text(rows).encode(), specs())
    found = {(p.row, p.column) for p in result.problems}
    assert (2, "2") in found
    assert (4, "2") in found


def test_duplicate_participant_and_bad_login() -> None:
    rows = [*ROWS, ROWS[0], ROWS[0].replace("edu123456", "school7")]
    result = read_vpr(csv_text(rows).encode(), specs())
    messages = {(p.row, p.column): p.message for p in result.problems}
    assert "row 2" in messages[(6, "Код участника")]
    assert (7, "Логин ОО") in messages


def test_blank_lines_keep_the_row_numbers_a_person_sees() -> None:
    text = csv_text().replace(ROWS[1] + "\n", ROWS[1] + "\n\n\n")
    rows = list(read_vpr(text.encode(), specs()).frame["row"])
    assert rows == [2, 3, 6, 7]


def test_new_schools_are_listed_for_creation() -> None:
    result = read_vpr(csv_text().encode(), specs(), known_schools=["edu123456"])
    assert result.new_schools == [
        {"login": "edu654321", "name": "Школа № 2", "municipality": "Район"}
    ]
    works = result.works.set_index(["code", "school_login"])["participants"]
    assert works[("РУ", "edu123456")] == 2


def test_xlsx_file_is_read_like_csv() -> None:
    book = Workbook()
    sheet = book.active
    for line in csv_text().strip().split("\n"):
        sheet.append([int(c) if c.isdigit() else c for c in line.split(";")])
    buffer = io.BytesIO()
    book.save(buffer)
    result = read_vpr(buffer.getvalue(), specs())
    assert result.ok, result.problems
    assert list(result.frame["score"]) == [3, 7, 2, 4]


def test_unknown_test_work_is_reported() -> None:
    rows = [ROWS[0].replace("2024;Русский язык;4", "2024;Русский язык;6")]
    result = read_vpr(csv_text(rows).encode(), specs())
    assert result.problems[0].column == "Предмет"
    assert "grade 6" in result.problems[0].message


def _same_frames(a, b) -> None:
    assert a.ok, a.problems
    assert b.ok, b.problems
    pd.testing.assert_frame_equal(a.frame, b.frame)


def test_unusual_cells_read_like_plain_ones() -> None:
    plain = read_vpr(csv_text().encode(), specs())
    rows = [r.replace(";3;X;;3;", "; 3;x;;3.0;") for r in ROWS]  # spaces, lower-case x, 3.0
    _same_frames(plain, read_vpr(csv_text(rows).encode(), specs()))
    rows = [r.replace(";2;;Х;2;", ";2;;х;02;") for r in ROWS]  # Cyrillic х, a leading zero
    _same_frames(plain, read_vpr(csv_text(rows).encode(), specs()))


def test_a_quoted_line_break_keeps_the_row_numbers() -> None:
    rows = [ROWS[0].replace("Школа № 1", '"Школа\nNo 1"'), *ROWS[1:]]
    result = read_vpr(csv_text(rows).encode(), specs())
    assert result.ok, result.problems
    assert list(result.frame["row"])[1:] == [4, 5, 6]  # the two-line record is lines 2–3


def test_participant_codes_that_look_alike_are_different() -> None:
    rows = [ROWS[0].replace(";p1;", ";012;"), ROWS[1].replace(";p2;", ";12;")]
    assert read_vpr(csv_text(rows).encode(), specs()).ok
    rows = [ROWS[0].replace(";p1;", ";12;"), ROWS[1].replace(";p2;", ";12;")]
    problems = read_vpr(csv_text(rows).encode(), specs()).problems
    assert [(p.row, p.column) for p in problems] == [(3, "Код участника")]


def test_works_summary_matches_the_frame() -> None:
    result = read_vpr(csv_text().encode(), specs())
    expected = work_summary(result.frame).astype({"year": int, "grade": int})
    for column in ("subject", "code", "school_login"):
        expected[column] = expected[column].astype("str")
    got = result.works.astype({"year": int, "grade": int})
    keys = ["year", "subject", "code", "grade", "school_login"]
    pd.testing.assert_frame_equal(
        got.sort_values(keys, ignore_index=True),
        expected.sort_values(keys, ignore_index=True),
        check_dtype=False,
    )


def test_text_or_a_negative_number_in_a_number_column_is_named() -> None:
    rows = list(ROWS)
    rows[1] = rows[1].replace(";3;4;;7;5;", ";3;4;;7а;5;")  # the fast typed read gives way
    rows[3] = rows[3].replace(";1;;3;4;4;5", ";1;;3;4;4;-5")
    found = {(p.row, p.column) for p in read_vpr(csv_text(rows).encode(), specs()).problems}
    assert found == {(3, "Первичный балл"), (5, "Отметка по журналу")}
