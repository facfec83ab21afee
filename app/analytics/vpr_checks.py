"""Row checks of a §1 file, each a vectorised mask over all rows, gathered into Problems."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from app import lazy
from app.analytics import cells
from app.analytics.rawread import RawTable, integers_of, present, text_of
from app.analytics.spec import TestSpec
from app.tabular import Column, Problem
from app.translatable import _

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc
else:
    np = lazy.module("numpy")
    pd = lazy.module("pandas")
    pa = lazy.module("pyarrow")
    pc = lazy.module("pyarrow.compute")

COLUMNS: dict[str, Column] = {
    "year": Column("Год", "year"),
    "subject": Column("Предмет", "subject"),
    "grade": Column("Параллель", "grade"),
    "school_login": Column("Логин ОО", "school_login"),
    "municipality": Column("Муниципалитет", "municipality"),
    "school_name": Column("Название ОО", "school_name"),
    "participant": Column("Код участника", "participant"),
    "class": Column("Класс", "class", required=False),
    "variant": Column("Вариант", "variant", required=False),
    "score": Column("Первичный балл", "score"),
    "mark": Column("Отметка", "mark"),
    "journal_mark": Column("Отметка по журналу", "journal_mark", required=False),
}
LOGIN_RE = re.compile(r"^edu\d{6}$")
MISSING, INVALID = -1, -2


@dataclass
class Report:
    """Problems gathered from boolean masks, capped, in reading order."""

    rows: np.ndarray
    limit: int
    items: list[tuple[int, int, str, str]] = field(default_factory=list)
    total: int = 0

    def flag(
        self, mask: np.ndarray, position: int, column: str, message: str | Callable[[int], str]
    ) -> None:
        found = np.flatnonzero(mask)
        self.total += len(found)
        for i in found[: self.limit]:
            text = message(int(i)) if callable(message) else message
            self.items.append((int(self.rows[i]), position, column, text))

    def problems(self) -> list[Problem]:
        ordered = sorted(self.items, key=lambda item: (item[0], item[1]))[: self.limit]
        result = [Problem(row, column, text) for row, _pos, column, text in ordered]
        if self.total > len(result):
            more = self.total - len(result)
            result.append(Problem(None, None, _("… and %(n)d more problems.", n=more)))
        return result


def match_header(
    raw: RawTable, specs: Sequence[TestSpec]
) -> tuple[dict[str, int], dict[str, int], list[Problem]]:
    """Positions of the known columns and task columns; problems with the header."""
    positions: dict[str, int] = {}
    problems: list[Problem] = []
    for key, column in COLUMNS.items():
        found = [i for i, h in enumerate(raw.header) if column.matches(h)]
        if len(found) > 1:
            problems.append(Problem(raw.header_row, column.name, _("The column appears twice.")))
        elif found:
            positions[key] = found[0]
        elif column.required:
            problems.append(Problem(raw.header_row, column.name, _("The column is missing.")))
    task_ids = {t.id for s in specs for t in s.tasks}
    tasks = {
        h: i for i, h in enumerate(raw.header) if h in task_ids and i not in positions.values()
    }
    if problems and not positions:
        problems.append(
            Problem(None, None, _("Check the encoding (UTF-8 or Windows-1251) and the header."))
        )
    return positions, tasks, problems


def spec_ids(
    year: np.ndarray,
    grade: np.ndarray,
    subject: tuple[np.ndarray, list[str]],
    specs: Sequence[TestSpec],
) -> np.ndarray:
    """Index into `specs` per row; len(specs) where there is none."""
    scodes, stexts = subject
    width = len(stexts) + 1  # subject code + 1: 0 = no subject
    # a dense table over (year 2000..2100, grade 0..15, subject): anything else is "no spec"
    table = np.full((102, 16, width), len(specs), dtype=np.int32)
    for i, spec in enumerate(specs):
        if 2000 <= spec.year <= 2100 and 0 <= spec.grade < 16:
            for k in (k for k, text in enumerate(stexts) if text == spec.subject):
                table[spec.year - 2000, spec.grade, k + 1] = i
    y = np.where((year >= 2000) & (year <= 2100), year - 2000, 101)
    g = np.where((grade >= 0) & (grade < 16), grade, 0)
    return table.ravel()[(y.astype(np.int64) * 16 + g) * width + scodes + 1]


def integers(raw: RawTable, pos: int, *, x_is_zero: bool = False) -> np.ndarray:
    """Int codes of column `pos` (see `app.analytics.rawread.integers_of`)."""
    return integers_of(raw.columns[pos], x_is_zero=x_is_zero)


def check_int(
    report: Report, raw: RawTable, key: str, positions: dict[str, int], low: int, high: int
) -> np.ndarray:
    """Int values of a required column, flagging empty and out-of-range cells."""
    pos = positions[key]
    values = integers(raw, pos)
    column = raw.header[pos]
    report.flag(values == MISSING, pos, column, _("A value is required."))
    bad = (values == INVALID) | ((values >= 0) & ((values < low) | (values > high)))
    report.flag(bad, pos, column, _("An integer from %(a)d to %(b)d is required.", a=low, b=high))
    return values


def check_text(report: Report, raw: RawTable, pos: int) -> tuple[np.ndarray, list[str]]:
    """(codes, texts) of a required text column, flagging empty cells."""
    codes, texts = text_of(raw.columns[pos])
    report.flag(codes < 0, pos, raw.header[pos], _("A value is required."))
    return codes, texts


@dataclass
class _TaskGrid:
    """Task maxima per (spec, task column), and per row which columns its test has."""

    maxima: np.ndarray  # (specs + 1) × task columns; −1 where the spec has no such task
    spec_id: np.ndarray
    patterns: dict[bytes, np.ndarray] = field(default_factory=dict)

    def in_spec(self, j: int) -> np.ndarray:
        """Rows whose test has task j (columns of the same tests share one mask)."""
        has = self.maxima[:, j] >= 0
        if has.tobytes() not in self.patterns:
            self.patterns[has.tobytes()] = has[self.spec_id]
        return self.patterns[has.tobytes()]

    def check(self, column: object, j: int) -> tuple[np.ndarray, ...]:
        """Codes, scores (X and empty = 0), in-spec mask and bad cells of task column j."""
        if isinstance(column, pa.ChunkedArray):
            column = cells.cell_column(column)  # decoded here, so columns decode in parallel
        in_spec = self.in_spec(j)
        if isinstance(column, np.ndarray):  # int codes: X is X_CODE, nothing INVALID
            bad = in_spec != (column != cells.MISSING)
        else:
            values = integers_of(column, x_is_zero=True)
            # rows without a spec are refused elsewhere, so a stray value there is not named
            bad = np.where(in_spec, values < 0, present(column))
            column = values.clip(-2, 127).astype(np.int8)
        scores = np.maximum(column, 0).astype(np.int8)
        top = self.maxima[:, j]
        if scores.max(initial=0) > top[top >= 0].min(initial=127):
            bad |= in_spec & (scores > top[self.spec_id])  # some value may exceed its maximum
        return column, scores, in_spec, bad


def check_tasks(
    report: Report,
    raw: RawTable,
    tasks: dict[str, int],
    specs: Sequence[TestSpec],
    spec_id: np.ndarray,
) -> tuple[list[tuple[np.ndarray, np.ndarray]], np.ndarray, np.ndarray]:
    """Per task column (scores, in-spec mask); the sum of task scores; rows with a bad cell."""
    ids = list(tasks)
    grid = _TaskGrid(np.full((len(specs) + 1, len(ids)), -1, dtype=np.int16), spec_id)
    for i, spec in enumerate(specs):
        for task in spec.tasks:
            if task.id in tasks:
                grid.maxima[i, ids.index(task.id)] = task.max
    total = np.zeros(len(spec_id), dtype=np.int16)
    bad_row = np.zeros(len(spec_id), dtype=bool)
    # numpy releases the GIL on whole-column operations, so columns check in parallel
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        checked = list(
            pool.map(lambda j: grid.check(raw.columns[tasks[ids[j]]], j), range(len(ids)))
        )
    columns = []
    for j, (codes, scores, in_spec, bad) in enumerate(checked):
        if bad.any():
            values = np.where(codes == cells.X_CODE, 0, codes)
            top = grid.maxima[spec_id, j]
            has_spec = spec_id < len(specs)
            report_task_cells(report, tasks[ids[j]], ids[j], values, top, in_spec, has_spec)
            bad_row |= bad
        total += scores  # rows with stray values are refused anyway
        columns.append((scores, in_spec))
    return columns, total, bad_row


def report_task_cells(
    report: Report,
    pos: int,
    task_id: str,
    values: np.ndarray,
    top: np.ndarray,
    in_spec: np.ndarray,
    has_spec: np.ndarray,
) -> None:
    """Problems of one task column: empty, foreign, not a number, above the maximum."""
    checks = [
        (in_spec & (values == MISSING), _("The task score is empty; write X if not attempted.")),
        (has_spec & ~in_spec & (values != MISSING), _("This test work has no such task.")),
        (in_spec & (values == INVALID), _("A whole number or X is required.")),
    ]
    for mask, message in checks:
        report.flag(mask, pos, task_id, message)
    over = in_spec & (values > top)
    report.flag(
        over,
        pos,
        task_id,
        lambda i: _(
            "The score %(v)d exceeds the task maximum %(m)d.", v=int(values[i]), m=int(top[i])
        ),
    )


def missing_task_columns(
    raw: RawTable, tasks: dict[str, int], used: Iterable[TestSpec]
) -> list[Problem]:
    """Header problems: task columns the file's test works need but lack."""
    problems = []
    for spec in used:
        for task in spec.tasks:
            if task.id not in tasks:
                problems.append(
                    Problem(
                        raw.header_row,
                        task.id,
                        _(
                            "The column is missing: %(subject)s, grade %(grade)d has this task.",
                            subject=spec.subject,
                            grade=spec.grade,
                        ),
                    )
                )
    return problems


def logins(report: Report, raw: RawTable, pos: int) -> tuple[np.ndarray, list[str]]:
    """Login codes and lower-case texts, flagging logins that are not «edu» + 6 digits."""
    codes, texts = check_text(report, raw, pos)
    normal, uniques = pd.factorize(pd.Series([t.lower() for t in texts], dtype=object))
    codes = np.where(codes >= 0, np.append(normal, -1)[codes], -1).astype(np.int32)
    logins = [str(u) for u in uniques]
    valid = np.array([bool(LOGIN_RE.match(t)) for t in logins] + [True])
    report.flag(
        ~valid[codes], pos, raw.header[pos], _("A school login is «edu» followed by six digits.")
    )
    return codes, logins


def participant_ids(column: object, *, exact: bool = False) -> tuple[np.ndarray, bool]:
    """Per row an int id of the participant code (−1 if empty), and whether ids are exact.

    Digit-only codes are cast to integers (fast); "012" and "12" then share an id, so a clash
    found that way is re-checked with `exact`.
    """
    if isinstance(column, pd.Categorical):
        return np.asarray(column.codes, dtype=np.int64), True
    if isinstance(column, pa.ChunkedArray):
        if not exact:
            try:
                ints = pc.cast(column, pa.int64())
                if (pc.min(ints).as_py() or 0) >= 0:
                    return np.asarray(pc.fill_null(ints, -1).to_numpy(), np.int64), False
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                pass
        codes = pc.dictionary_encode(column).combine_chunks().indices
        return np.asarray(pc.fill_null(codes, -1).to_numpy(), dtype=np.int64), True
    return pd.factorize(column, use_na_sentinel=True)[0].astype(np.int64), True


def _clashes(ids: np.ndarray, keys: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    key = ids + 1
    for part in keys:
        key = key * (int(part.max(initial=0)) + 2) + part + 1  # may wrap: clashes are re-checked
    return key, pd.Series(key).duplicated().to_numpy() & (ids >= 0)


def duplicates(report: Report, raw: RawTable, pos: int, keys: list[np.ndarray]) -> np.ndarray:
    """Participant codes: unique within (test work, school); returns the participant ids."""
    column = raw.columns[pos]
    ids, exact = participant_ids(column)
    report.flag(ids < 0, pos, raw.header[pos], _("A value is required."))
    key, duplicate = _clashes(ids, keys)
    if duplicate.any() and not exact:
        ids, exact = participant_ids(column, exact=True)
        key, duplicate = _clashes(ids, keys)
    if duplicate.any():
        groups, uniques = pd.factorize(key)
        first = np.full(len(uniques), len(key), dtype=np.int64)
        np.minimum.at(first, groups, np.arange(len(key)))
        report.flag(
            duplicate,
            pos,
            raw.header[pos],
            lambda i: _(
                "The participant appears twice in this test work (first in row %(row)d).",
                row=int(raw.rows[first[groups[i]]]),
            ),
        )
    return ids


def expected_marks(specs: Sequence[TestSpec], spec_id: np.ndarray, score: np.ndarray) -> np.ndarray:
    """The mark each row's score gives on its test's scale (by a spec × score lookup table)."""
    width = max((s.thresholds[2] for s in specs), default=0) + 1
    table = np.zeros((len(specs) + 1, width), dtype=np.int8)
    for i, spec in enumerate(specs):
        table[i] = spec.mark_for(np.arange(width))
    position = spec_id.astype(np.int64) * width + np.clip(score, 0, width - 1)
    return table.ravel()[position].astype(np.int32)


def flag_unknown_tests(
    report: Report,
    raw: RawTable,
    positions: dict[str, int],
    spec_id: np.ndarray,
    n_specs: int,
    keys: tuple,
) -> None:
    """Rows whose (year, subject, grade) has no specification."""
    year, grade, subject = keys
    no_spec = (spec_id == n_specs) & (year >= 0) & (grade >= 0) & (subject[0] >= 0)
    report.flag(
        no_spec,
        positions["subject"],
        raw.header[positions["subject"]],
        lambda i: _(
            "There is no test specification for %(subject)s, grade %(grade)d, %(year)d.",
            subject=subject[1][subject[0][i]],
            grade=int(grade[i]),
            year=int(year[i]),
        ),
    )


def check_results(
    report: Report,
    raw: RawTable,
    positions: dict[str, int],
    specs: Sequence[TestSpec],
    spec_id: np.ndarray,
    total: np.ndarray,
    bad_row: np.ndarray,
) -> tuple[np.ndarray, ...]:
    """Score = sum of tasks, mark by the scale, journal mark 2..5 or empty."""
    score = check_int(report, raw, "score", positions, 0, 999)
    mismatch = (spec_id < len(specs)) & ~bad_row & (score >= 0) & (total != score)
    report.flag(
        mismatch,
        positions["score"],
        raw.header[positions["score"]],
        lambda i: _(
            "The primary score %(score)d does not equal the sum of the task scores, %(total)d.",
            score=int(score[i]),
            total=int(total[i]),
        ),
    )
    mark = check_int(report, raw, "mark", positions, 2, 5)
    expected = expected_marks(specs, spec_id, score)
    wrong = (spec_id < len(specs)) & (score >= 0) & (mark >= 2) & (mark <= 5) & (mark != expected)
    report.flag(
        wrong,
        positions["mark"],
        raw.header[positions["mark"]],
        lambda i: _(
            "The mark %(mark)d does not follow the scale: the primary score %(score)d gives %(expected)d.",
            mark=int(mark[i]),
            score=int(score[i]),
            expected=int(expected[i]),
        ),
    )
    journal = np.full(len(raw), MISSING, dtype=np.int32)
    if "journal_mark" in positions:
        pos = positions["journal_mark"]
        journal = integers(raw, pos)
        bad = (journal == INVALID) | ((journal >= 0) & ((journal < 2) | (journal > 5)))
        report.flag(
            bad, pos, raw.header[pos], _("A mark from 2 to 5 or an empty cell is required.")
        )
    return score, mark, journal
