"""State exam results (ОГЭ / ЕГЭ, DATA_FORMATS §7) and whether they confirm high VPR results.

Sign 1 (results markedly above the region) counts only when the school's external exams do not
confirm its results: good teaching also produces results above the region. A school's exam
results in a subject are standardised within the exam, subject and year (ОГЭ by its mark, ЕГЭ by
its test score); with at least `min_group` participants they confirm the VPR when their mean
is at least `confirm_z` (0: the region's mean) and refute it otherwise; with fewer nothing is
known.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from app import lazy
from app.tabular import Column, Problem, TableError, read_table
from app.translatable import _

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    np = lazy.module("numpy")
    pd = lazy.module("pandas")

logger = logging.getLogger(__name__)

COLUMNS = [
    Column("Год", "year"),
    Column("Экзамен", "exam"),
    Column("Предмет", "subject"),
    Column("Логин ОО", "school_login"),
    Column("Код участника", "participant"),
    Column("Первичный балл", "score"),
    Column("Тестовый балл", "test_score", required=False),
    Column("Отметка", "mark", required=False),
]
EXAMS = {"огэ": "ОГЭ", "oge": "ОГЭ", "егэ": "ЕГЭ", "ege": "ЕГЭ"}
LOGIN = re.compile(r"^edu\d{6}$")
FRAME_COLUMNS = [
    "row",
    "year",
    "exam",
    "subject",
    "school_login",
    "participant",
    "score",
    "test_score",
    "mark",
]


def _integer(text: str, low: int, high: int | None) -> int | None:
    if not re.fullmatch(r"-?\d+", text):
        return None
    value = int(text)
    return value if value >= low and (high is None or value <= high) else None


def _row(number: int, row: Mapping[str, str], problems: list[Problem]) -> dict | None:
    """One §7 row as plain values, its problems appended (None when it has any)."""
    before = len(problems)
    cell = {c.name: (row.get(c.name) or "").strip() for c in COLUMNS}

    def bad(column: str, message: str) -> None:
        problems.append(Problem(number, column, message))

    year = _integer(cell["Год"], 2000, 2100)
    if year is None:
        bad("Год", _("A year from 2000 to 2100 is required."))
    exam = EXAMS.get(cell["Экзамен"].lower())
    if exam is None:
        bad("Экзамен", _("«ОГЭ» or «ЕГЭ» is required."))
    if not cell["Предмет"]:
        bad("Предмет", _("The subject is required."))
    login = cell["Логин ОО"].lower()
    if not LOGIN.match(login):
        bad("Логин ОО", _("A login is «edu» and six digits."))
    if not cell["Код участника"]:
        bad("Код участника", _("The participant code is required."))
    score = _integer(cell["Первичный балл"], 0, None)
    if score is None:
        bad("Первичный балл", _("A whole number of at least 0 is required."))
    test_score = mark = None
    if exam == "ЕГЭ":
        test_score = _integer(cell["Тестовый балл"], 0, 100)
        if test_score is None:
            bad("Тестовый балл", _("ЕГЭ needs a test score from 0 to 100."))
        if cell["Отметка"]:
            bad("Отметка", _("ЕГЭ has no mark: leave it empty."))
    elif exam == "ОГЭ":
        mark = _integer(cell["Отметка"], 2, 5)
        if mark is None:
            bad("Отметка", _("ОГЭ needs a mark from 2 to 5."))
        if cell["Тестовый балл"]:
            bad("Тестовый балл", _("ОГЭ has no test score: leave it empty."))
    if len(problems) > before:
        return None
    return {
        "row": number,
        "year": year,
        "exam": exam,
        "subject": cell["Предмет"],
        "school_login": login,
        "participant": cell["Код участника"],
        "score": score,
        "test_score": test_score,
        "mark": mark,
    }


def read_exam_results(data: bytes) -> tuple[pd.DataFrame, list[Problem]]:
    """A §7 file as a frame, or an empty frame and every problem with its row and column."""
    try:
        table = read_table(data, COLUMNS)
    except TableError as exc:
        return pd.DataFrame(columns=FRAME_COLUMNS), exc.problems
    problems: list[Problem] = []
    rows: list[dict] = []
    seen: dict[tuple, int] = {}
    for number, row in table:
        parsed = _row(number, row, problems)
        if parsed is None:
            continue
        key = (parsed["year"], parsed["exam"], parsed["subject"].lower(), parsed["participant"])
        if key in seen:
            problems.append(
                Problem(
                    number,
                    "Код участника",
                    _("The participant is already in row %(row)d.", row=seen[key]),
                )
            )
            continue
        seen[key] = number
        rows.append(parsed)
    if problems:
        return pd.DataFrame(columns=FRAME_COLUMNS), problems
    frame = pd.DataFrame(rows, columns=FRAME_COLUMNS)
    for column in ("test_score", "mark"):
        frame[column] = frame[column].astype("Int16")
    return frame, []


def exam_confirmation(
    exams: pd.DataFrame,
    subject_codes: Mapping[str, str],
    *,
    min_group: int = 10,
    confirm_z: float = 0.0,
) -> pd.DataFrame:
    """Per school and VPR subject code: whether its ОГЭ/ЕГЭ results confirm high results.

    `subject_codes` maps a subject's name (as in the VPR specs) to its code (РУ, МА…).
    Returns school_login, code, confirmed (bool), exam_n, exam_mean_z."""
    empty = pd.DataFrame(columns=["school_login", "code", "confirmed", "exam_n", "exam_mean_z"])
    if exams.empty:
        return empty
    codes = {name.strip().lower(): code for name, code in subject_codes.items()}
    frame = exams.assign(code=exams["subject"].str.strip().str.lower().map(codes))
    frame = frame[frame["code"].notna()].copy()
    if frame.empty:
        return empty
    value = np.where(
        frame["exam"] == "ЕГЭ",
        frame["test_score"].to_numpy(dtype="float64", na_value=np.nan),
        frame["mark"].to_numpy(dtype="float64", na_value=np.nan),
    )
    frame["value"] = value
    group = frame.groupby(["year", "exam", "subject"])["value"]
    sd = group.transform("std").replace(0, np.nan)
    frame["z"] = ((frame["value"] - group.transform("mean")) / sd).fillna(0.0)
    per_school = (
        frame.groupby(["school_login", "code"])["z"]
        .agg(exam_n="size", exam_mean_z="mean")
        .reset_index()
    )
    per_school = per_school[per_school["exam_n"] >= min_group]
    per_school["confirmed"] = per_school["exam_mean_z"] >= confirm_z
    return per_school[["school_login", "code", "confirmed", "exam_n", "exam_mean_z"]]
