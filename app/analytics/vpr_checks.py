"""Row checks of a §1 file, each a vectorised mask over all rows, gathered into Problems."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from flask_babel import gettext as _

from app.analytics.rawread import RawTable, integer_lookup, text_of
from app.analytics.spec import TestSpec
from app.tabular import Column, Problem

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
    by_key = {s.key: i for i, s in enumerate(specs)}
    scodes, stexts = subject
    key = (year.astype(np.int64) * 1000 + grade) * (len(stexts) + 2) + scodes + 1
    codes, uniques = pd.factorize(key)
    lookup = np.empty(len(uniques), dtype=np.int32)
    for j, k in enumerate(uniques):
        k = int(k)
        subject_code, rest = k % (len(stexts) + 2) - 1, k // (len(stexts) + 2)
        name = stexts[subject_code] if subject_code >= 0 else ""
        lookup[j] = by_key.get((rest // 1000, name, rest % 1000), len(specs))
    return lookup[codes]


def integers(raw: RawTable, pos: int, *, x_is_zero: bool = False) -> np.ndarray:
    codes, texts = text_of(raw.columns[pos])
    return integer_lookup(texts, x_is_zero=x_is_zero)[codes]


def check_int(
    report: Report, raw: RawTable, key: str, positions: dict[str, int], low: int, high: int
) -> np.ndarray:
    pos = positions[key]
    values = integers(raw, pos)
    column = raw.header[pos]
    report.flag(values == MISSING, pos, column, _("A value is required."))
    bad = (values == INVALID) | ((values >= 0) & ((values < low) | (values > high)))
    report.flag(bad, pos, column, _("An integer from %(a)d to %(b)d is required.", a=low, b=high))
    return values


def check_text(report: Report, raw: RawTable, pos: int) -> tuple[np.ndarray, list[str]]:
    codes, texts = text_of(raw.columns[pos])
    report.flag(codes < 0, pos, raw.header[pos], _("A value is required."))
    return codes, texts


def check_tasks(
    report: Report,
    raw: RawTable,
    tasks: dict[str, int],
    specs: Sequence[TestSpec],
    spec_id: np.ndarray,
) -> tuple[list[tuple[np.ndarray, np.ndarray]], np.ndarray, np.ndarray]:
    """Per task column (scores, in-spec mask); the sum of task scores; rows with a bad cell."""
    ids = list(tasks)
    maxima = np.full((len(specs) + 1, len(ids)), -1, dtype=np.int16)
    for i, spec in enumerate(specs):
        for task in spec.tasks:
            if task.id in tasks:
                maxima[i, ids.index(task.id)] = task.max
    has_spec = spec_id < len(specs)
    total = np.zeros(len(spec_id), dtype=np.int16)
    bad_row = np.zeros(len(spec_id), dtype=bool)
    columns = []

    def one(j: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
        codes, texts = text_of(raw.columns[tasks[ids[j]]])
        lookup = integer_lookup(texts, x_is_zero=True).clip(-2, 127).astype(np.int8)
        values = lookup[codes]
        in_spec = (maxima[:, j] >= 0)[spec_id]
        # rows without a spec are refused elsewhere, so a stray value there need not be named
        bad = np.where(in_spec, values < 0, codes >= 0)
        if lookup.max() > maxima[:, j][maxima[:, j] >= 0].min(initial=127):
            bad |= in_spec & (values > maxima[spec_id, j])  # some value may exceed its maximum
        return values, in_spec, bad, bool(bad.any())

    # numpy releases the GIL on whole-column operations, so columns check in parallel
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        checked = list(pool.map(one, range(len(ids))))
    for j, (values, in_spec, bad, any_bad) in enumerate(checked):
        if any_bad:
            top = maxima[spec_id, j]
            report_task_cells(report, tasks[ids[j]], ids[j], values, top, in_spec, has_spec)
            bad_row |= bad
        scores = np.maximum(values, 0)  # X and empty count 0; rows with stray values are refused
        total += scores
        columns.append((scores, in_spec))
    return columns, total, bad_row


def report_task_cells(report: Report, pos: int, task_id: str, values: np.ndarray, top: np.ndarray,
                       in_spec: np.ndarray, has_spec: np.ndarray) -> None:  # fmt: skip
    checks = [
        (in_spec & (values == MISSING), _("The task score is empty; write X if not attempted.")),
        (has_spec & ~in_spec & (values != MISSING), _("This test work has no such task.")),
        (in_spec & (values == INVALID), _("A whole number or X is required.")),
    ]
    for mask, message in checks:
        report.flag(mask, pos, task_id, message)
    over = in_spec & (values > top)
    report.flag(over, pos, task_id, lambda i: _(
        "The score %(v)d exceeds the task maximum %(m)d.", v=int(values[i]), m=int(top[i])
    ))  # fmt: skip


def missing_task_columns(
    raw: RawTable, tasks: dict[str, int], used: Iterable[TestSpec]
) -> list[Problem]:
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
    codes, texts = check_text(report, raw, pos)
    normal, uniques = pd.factorize(pd.Series([t.lower() for t in texts], dtype=object))
    codes = np.where(codes >= 0, np.append(normal, -1)[codes], -1).astype(np.int32)
    logins = [str(u) for u in uniques]
    valid = np.array([bool(LOGIN_RE.match(t)) for t in logins] + [True])
    report.flag(
        ~valid[codes], pos, raw.header[pos], _("A school login is «edu» followed by six digits.")
    )
    return codes, logins


def duplicates(report: Report, raw: RawTable, pos: int, keys: list[np.ndarray]) -> np.ndarray:
    """Participant codes: unique within (test work, school); returns the participant codes."""
    column = raw.columns[pos]
    if isinstance(column, pd.Categorical):
        codes = np.asarray(column.codes, dtype=np.int64)
    else:  # plain strings from the fast path
        codes = pd.factorize(column, use_na_sentinel=True)[0].astype(np.int64)
    report.flag(codes < 0, pos, raw.header[pos], _("A value is required."))
    key = codes + 1
    for part in keys:
        key = key * (int(part.max(initial=0)) + 2) + part + 1
    groups, _uniques = pd.factorize(key)
    duplicate = pd.Series(groups).duplicated().to_numpy() & (codes >= 0)
    if duplicate.any():
        first = np.full(len(_uniques), len(key), dtype=np.int64)
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
    return codes


def expected_marks(specs: Sequence[TestSpec], spec_id: np.ndarray, score: np.ndarray) -> np.ndarray:
    thresholds = np.array([s.thresholds for s in specs] + [(10**6,) * 3], dtype=np.int32)
    bounds = thresholds[spec_id]
    return (2 + (score[:, None] >= bounds).sum(axis=1)).astype(np.int32)


def flag_unknown_tests(report: Report, raw: RawTable, positions: dict[str, int], spec_id: np.ndarray,
                       n_specs: int, keys: tuple) -> None:  # fmt: skip
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


def check_results(report: Report, raw: RawTable, positions: dict[str, int], specs: Sequence[TestSpec],
                  spec_id: np.ndarray, total: np.ndarray, bad_row: np.ndarray) -> tuple[np.ndarray, ...]:  # fmt: skip
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
