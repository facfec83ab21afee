"""Recheck statistics (DATA_FORMATS §5): confirmed marks, score shift, Wilcoxon signed-rank test."""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from app import lazy
from app.tabular import Column, Problem, TableError, read_table
from app.translatable import _, number

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    from scipy import stats
else:
    np = lazy.module("numpy")
    pd = lazy.module("pandas")
    stats = lazy.module("scipy.stats")

logger = logging.getLogger(__name__)

TARGET = 0.9  # the regional target: at least 90 % of marks confirmed by the independent experts
COLUMNS = [
    Column("Логин ОО", "school_login"),
    Column("Предмет", "subject"),
    Column("Параллель", "grade"),
    Column("Код участника", "participant"),
    Column("Первичный балл ОО", "score_school"),
    Column("Первичный балл перепроверка", "score_recheck"),
    Column("Отметка ОО", "mark_school"),
    Column("Отметка перепроверка", "mark_recheck"),
]
NUMERIC = {
    "grade": (4, 11),
    "score_school": (0, 999),
    "score_recheck": (0, 999),
    "mark_school": (2, 5),
    "mark_recheck": (2, 5),
}


def read_recheck(data: bytes) -> tuple[pd.DataFrame, list[Problem]]:
    """A §5 file as a frame with English column names and its problems (row, column)."""
    try:
        table = read_table(data, COLUMNS)
    except TableError as exc:
        return pd.DataFrame(), exc.problems
    names = {c.name: str(c.alias) for c in COLUMNS}
    frame = pd.DataFrame([{names[k]: v for k, v in row.items()} for row in table.rows])
    frame.insert(0, "row", table.row_numbers)
    problems = []
    for column in COLUMNS:
        key = names[column.name]
        if key not in NUMERIC:
            continue
        low, high = NUMERIC[key]
        number = pd.to_numeric(frame[key].where(frame[key].str.strip() != ""), errors="coerce")
        bad = number.isna() | (number < low) | (number > high) | (number % 1 != 0)
        for i in np.flatnonzero(bad.to_numpy()):
            problems.append(
                Problem(
                    int(frame["row"].iloc[i]),
                    column.name,
                    _("An integer from %(a)d to %(b)d is required.", a=low, b=high),
                )
            )
        frame[key] = number.astype("Int16")
    return frame, problems


def _clopper_pearson(k: int, n: int) -> tuple[float, float]:
    low = stats.beta.ppf(0.025, k, n - k + 1) if k > 0 else 0.0
    high = stats.beta.ppf(0.975, k + 1, n - k) if k < n else 1.0
    return float(low), float(high)


def _wilcoxon(diff: np.ndarray) -> tuple[float | None, float | None]:
    """Signed-rank statistic and two-sided p; None when every difference is zero."""
    if not np.any(diff != 0):
        return None, None
    result = stats.wilcoxon(diff, zero_method="wilcox", method="auto")
    return float(result.statistic), float(result.pvalue)


def summarise(frame: pd.DataFrame, *, target: float = TARGET) -> dict[str, Any]:
    """The protocol's summary of a set of rechecked works."""
    school = frame["mark_school"].to_numpy(dtype=float)
    recheck = frame["mark_recheck"].to_numpy(dtype=float)
    diff = frame["score_recheck"].to_numpy(dtype=float) - frame["score_school"].to_numpy(
        dtype=float
    )
    n = len(frame)
    if n == 0:
        return {"n": 0, "wording": _("No rechecked works.")}
    confirmed = int(np.sum(school == recheck))
    statistic, p_value = _wilcoxon(diff)
    low, high = _clopper_pearson(confirmed, n)
    share = confirmed / n
    summary = {
        "n": n,
        "confirmed": confirmed,
        "lowered": int(np.sum(recheck < school)),
        "raised": int(np.sum(recheck > school)),
        "share_confirmed": share,
        "share_confirmed_ci": (low, high),
        "target": target,
        "meets_target": share >= target,
        "mean_shift": float(diff.mean()),
        "sd_shift": float(diff.std(ddof=1)) if n > 1 else math.nan,
        "wilcoxon_statistic": statistic,
        "wilcoxon_p": p_value,
    }
    summary["wording"] = _wording(summary)
    return summary


def _wording(s: dict[str, Any]) -> str:
    text = _(
        "The experts confirmed %(c)d of %(n)d marks (%(share).0f%%; the target is %(t).0f%%).",
        c=s["confirmed"],
        n=s["n"],
        share=100 * s["share_confirmed"],
        t=100 * s["target"],
    )
    text += " " + _(
        "The mean change of the primary score is %(m)s.", m=number(s["mean_shift"], "+.2f")
    )
    if s["wilcoxon_p"] is None:
        return text + " " + _("No primary score was changed.")
    if s["wilcoxon_p"] < 0.05:
        return (
            text
            + " "
            + _(
                "The change is statistically significant (Wilcoxon p = %(p)s).",
                p=number(s["wilcoxon_p"], ".3g"),
            )
        )
    return (
        text
        + " "
        + _(
            "The change is not statistically significant (Wilcoxon p = %(p)s).",
            p=number(s["wilcoxon_p"], ".3g"),
        )
    )


def recheck_statistics(
    frame: pd.DataFrame,
    *,
    by: Sequence[str] = ("school_login", "subject", "grade"),
    target: float = TARGET,
) -> pd.DataFrame:
    """One row per group with `summarise`'s fields."""
    rows = [
        {**dict(zip(by, key, strict=True)), **summarise(group, target=target)}
        for key, group in frame.groupby(list(by), observed=True, sort=True)
    ]
    return pd.DataFrame(rows)


def recheck_protocol(
    frame: pd.DataFrame, school_login: str, *, target: float = TARGET
) -> dict[str, Any]:
    """What the recheck protocol document needs for one school: the works and the summaries."""
    mine = frame[frame["school_login"].astype("str") == school_login]
    works = [
        {
            "subject": str(r.subject),
            "grade": int(r.grade),
            "participant": str(r.participant),
            "score_school": int(r.score_school),
            "score_recheck": int(r.score_recheck),
            "mark_school": int(r.mark_school),
            "mark_recheck": int(r.mark_recheck),
            "score_change": int(r.score_recheck) - int(r.score_school),
            "confirmed": int(r.mark_school) == int(r.mark_recheck),
        }
        for r in mine.itertuples(index=False)
    ]
    return {
        "school_login": school_login,
        "works": works,
        "summary": summarise(mine, target=target),
        "by_work": recheck_statistics(mine, by=("subject", "grade"), target=target).to_dict(
            "records"
        ),
    }
