"""Import of VPR individual results (DATA_FORMATS §1): validate every row, vectorised.

Each column is read as categories (few distinct texts) plus integer codes, so interpreting a
value costs one Python call per distinct text and one numpy `take` per column, never a loop
over rows. A file with any problem yields no frame at all: it is imported whole or not at all.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app import lazy
from app.analytics.rawread import RawTable, present, read_raw, subset, text_of
from app.analytics.spec import TestSpec
from app.analytics.vpr_checks import (
    COLUMNS,
    Report,
    check_int,
    check_results,
    check_tasks,
    check_text,
    duplicates,
    flag_unknown_tests,
    logins,
    match_header,
    missing_task_columns,
    spec_ids,
)
from app.tabular import Problem, TableError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pyarrow as pa
else:
    np = lazy.module("numpy")
    pd = lazy.module("pandas")
    pa = lazy.module("pyarrow")

logger = logging.getLogger(__name__)

TASK_PREFIX = "task_"


@dataclass
class VprImport:
    """The outcome of reading a §1 file; `frame` is empty unless `ok`."""

    frame: pd.DataFrame
    problems: list[Problem]
    schools: pd.DataFrame
    works: pd.DataFrame
    total_problems: int = 0

    @property
    def ok(self) -> bool:
        """True when the file can be imported (no problems at all)."""
        return not self.problems

    @property
    def new_schools(self) -> list[dict[str, str]]:
        """Schools of the file absent from `known_schools`: login, name, municipality."""
        new = self.schools[self.schools["known"].eq(False)]
        return new[["login", "name", "municipality"]].to_dict("records")  # type: ignore[return-value]


def _empty_result(problems: list[Problem]) -> VprImport:
    schools = pd.DataFrame(columns=["login", "name", "municipality", "participants", "known"])
    works = pd.DataFrame(
        columns=["year", "subject", "code", "grade", "school_login", "participants"]
    )
    return VprImport(pd.DataFrame(), problems, schools, works, len(problems))


def _drop_blank_rows(raw: RawTable) -> RawTable:
    """Rows whose every cell is empty (";;;;" lines) are skipped, like `app.tabular` does."""
    if not raw.columns or present(raw.columns[0]).all():
        return raw  # a blank row has an empty first cell: none here
    found = np.zeros(len(raw), dtype=bool)
    for column in raw.columns.values():
        found |= present(column)
    if found.all():
        return raw
    columns = {i: subset(c, found) for i, c in raw.columns.items()}
    return RawTable(raw.header, raw.header_row, columns, raw.rows[found])


def _categorical(codes: np.ndarray, categories: Sequence[str]) -> pd.Categorical:
    return pd.Categorical.from_codes(codes, categories=pd.Index(list(categories), dtype="str"))


def _optional_text(raw: RawTable, positions: dict[str, int], key: str) -> pd.Categorical:
    if key not in positions:
        return _categorical(np.full(len(raw), -1, dtype=np.int32), [])
    codes, texts = text_of(raw.columns[positions[key]])
    normal, uniques = pd.factorize(pd.Series(texts, dtype=object))
    return _categorical(np.append(normal, -1)[codes], [str(u) for u in uniques])


def _nullable(values: np.ndarray, missing: np.ndarray, dtype: str) -> pd.arrays.IntegerArray:
    """A pandas nullable integer array (Int8/Int16) from values and a missing-mask."""
    return pd.arrays.IntegerArray(np.where(missing, 0, values).astype(dtype.lower()), missing)


@dataclass
class _Parsed:
    """The validated columns of a file, ready to become the result frame."""

    raw: RawTable
    positions: dict[str, int]
    spec_id: np.ndarray
    year: np.ndarray
    grade: np.ndarray
    login: tuple[np.ndarray, list[str]]
    participant: np.ndarray
    task_ids: list[str]
    tasks: list[tuple[np.ndarray, np.ndarray]]
    score: np.ndarray
    mark: np.ndarray
    journal: np.ndarray


def _validate(raw: RawTable, specs: Sequence[TestSpec], report: Report) -> _Parsed | list[Problem]:
    positions, tasks, problems = match_header(raw, specs)
    if problems:
        return problems
    year = check_int(report, raw, "year", positions, 2000, 2100)
    grade = check_int(report, raw, "grade", positions, 4, 11)
    subject = check_text(report, raw, positions["subject"])
    spec_id = spec_ids(year, grade, subject, specs)
    flag_unknown_tests(report, raw, positions, spec_id, len(specs), (year, grade, subject))
    used = [specs[i] for i in np.unique(spec_id) if i < len(specs)]
    missing_columns = missing_task_columns(raw, tasks, used)
    if missing_columns:
        return missing_columns
    login = logins(report, raw, positions["school_login"])
    for key in ("municipality", "school_name"):
        check_text(report, raw, positions[key])
    participant = duplicates(report, raw, positions["participant"], [spec_id, login[0]])
    scores, total, bad_row = check_tasks(report, raw, tasks, specs, spec_id)
    score, mark, journal = check_results(report, raw, positions, specs, spec_id, total, bad_row)
    return _Parsed(
        raw,
        positions,
        spec_id,
        year,
        grade,
        login,
        participant,
        list(tasks),
        scores,
        score,
        mark,
        journal,
    )


def _participant_texts(column: object) -> object:
    if isinstance(column, pa.ChunkedArray):
        return column.to_pandas().array
    if isinstance(column, pd.Categorical):
        return pd.Series(column).astype("str").str.strip().array
    return column


def _frame(p: _Parsed, specs: Sequence[TestSpec]) -> pd.DataFrame:
    subjects = sorted({s.subject for s in specs})
    codes = sorted({s.code for s in specs})
    subject_of = np.array([subjects.index(s.subject) for s in specs] + [-1], dtype=np.int32)
    code_of = np.array([codes.index(s.code) for s in specs] + [-1], dtype=np.int32)
    participant = p.raw.columns[p.positions["participant"]]
    columns: dict[str, object] = {
        "row": p.raw.rows,
        "year": p.year.astype(np.int16),
        "subject": _categorical(subject_of[p.spec_id], subjects),
        "code": _categorical(code_of[p.spec_id], codes),
        "grade": p.grade.astype(np.int8),
        "school_login": _categorical(p.login[0], p.login[1]),
        "participant": _participant_texts(participant),
        "class": _optional_text(p.raw, p.positions, "class"),
        "variant": _optional_text(p.raw, p.positions, "variant"),
        "score": p.score.astype(np.int16),
        "mark": p.mark.astype(np.int8),
        "journal_mark": _nullable(p.journal, p.journal < 0, "Int8"),
    }
    for task_id, (scores, in_spec) in zip(p.task_ids, p.tasks, strict=True):
        columns[TASK_PREFIX + task_id] = pd.arrays.IntegerArray(scores, ~in_spec)
    return pd.DataFrame(columns, copy=False)


def first_rows(groups: np.ndarray, size: int) -> np.ndarray:
    """Index of the first row of each group 0..size-1 (groups: int codes ≥ 0)."""
    first = np.zeros(size, dtype=np.int64)
    first[groups[::-1]] = np.arange(len(groups) - 1, -1, -1)  # the earliest write lands last
    return first


def _works(p: _Parsed, specs: Sequence[TestSpec]) -> pd.DataFrame:
    """`work_summary` of the imported frame, from the validated codes."""
    codes, logins = p.login
    key = p.spec_id.astype(np.int64) * (len(logins) + 1) + codes
    counts = np.bincount(key, minlength=(len(specs) + 1) * (len(logins) + 1))
    keys = np.flatnonzero(counts)
    spec = [specs[i] for i in (keys // (len(logins) + 1)).tolist()]
    summary = pd.DataFrame(
        {
            "year": [s.year for s in spec],
            "subject": [s.subject for s in spec],
            "code": [s.code for s in spec],
            "grade": [s.grade for s in spec],
            "school_login": [logins[i] for i in (keys % (len(logins) + 1)).tolist()],
            "participants": counts[keys],
        }
    )
    return summary.sort_values(
        ["year", "subject", "code", "grade", "school_login"], ignore_index=True
    )


def _schools(p: _Parsed, known: set[str] | None) -> pd.DataFrame:
    codes, logins = p.login
    counts = np.bincount(codes, minlength=len(logins))
    first = first_rows(codes, len(logins))[counts > 0]
    counts = counts[counts > 0]
    found = {}
    for key in ("municipality", "school_name"):
        texts_codes, texts = text_of(p.raw.columns[p.positions[key]])
        found[key] = [texts[c] if c >= 0 else "" for c in texts_codes[first]]
    frame = pd.DataFrame(
        {
            "login": [logins[c] for c in codes[first]],
            "name": found["school_name"],
            "municipality": found["municipality"],
            "participants": counts.astype(np.int64),
        }
    )
    frame["known"] = frame["login"].isin(known) if known is not None else pd.NA
    return frame.sort_values("login", ignore_index=True)


def work_summary(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per (year, subject, code, grade, school_login) with its participant count."""
    keys = ["year", "subject", "code", "grade", "school_login"]
    parts = [
        frame[k].cat.codes.to_numpy().astype(np.int64)
        if k in ("subject", "code", "school_login")
        else frame[k].to_numpy().astype(np.int64)
        for k in keys
    ]
    combined = np.zeros(len(frame), dtype=np.int64)
    for part in parts:
        combined = combined * (int(part.max(initial=0)) + 2) + part + 1
    groups = pd.factorize(combined)[0]
    counts = np.bincount(groups)
    first = first_rows(groups, len(counts))
    summary = frame.iloc[first][keys].reset_index(drop=True)
    summary["participants"] = counts
    return summary.sort_values(keys, ignore_index=True)


def _column_kinds(specs: Sequence[TestSpec]) -> Callable[[list[str]], dict[int, str]]:
    """How the fast reader should read each column of a header (see `read_raw`)."""
    task_ids = {t.id for s in specs for t in s.tasks}
    numbers = [COLUMNS[k] for k in ("year", "grade", "score", "mark", "journal_mark")]

    def kinds(header: list[str]) -> dict[int, str]:
        found: dict[int, str] = {}
        for i, h in enumerate(header):
            if COLUMNS["participant"].matches(h):
                found[i] = "plain"
            elif any(c.matches(h) for c in numbers):
                found[i] = "int"
            elif h in task_ids:
                found[i] = "cells"
        return found

    return kinds


def read_vpr(
    data: bytes,
    specs: Sequence[TestSpec],
    *,
    known_schools: Iterable[str] | None = None,
    max_problems: int = 200,
) -> VprImport:
    """Read and validate a §1 file (CSV or XLSX bytes) against the test specifications."""
    try:
        raw = _drop_blank_rows(read_raw(data, _column_kinds(specs)))
    except TableError as exc:
        return _empty_result(exc.problems)
    report = Report(raw.rows, max_problems)
    parsed = _validate(raw, specs, report)
    if isinstance(parsed, list):
        return _empty_result(parsed)
    known = {k.strip().lower() for k in known_schools} if known_schools is not None else None
    schools = _schools(parsed, known) if parsed.login[0].min(initial=0) >= 0 else None
    if report.total:
        result = _empty_result(report.problems())
        result.total_problems = report.total
        if schools is not None:
            result.schools = schools
        return result
    frame = _frame(parsed, specs)
    logger.info(
        "VPR file valid: %d rows, %d schools", len(frame), 0 if schools is None else len(schools)
    )
    return VprImport(frame, [], schools, _works(parsed, specs), 0)  # type: ignore[arg-type]
