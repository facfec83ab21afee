"""The signs of non-objectivity as vectorised statistics over all schools' works at once.

Each rule takes the shared `SignContext` and its parameters and returns one row per test work
of the analysed year (index = work id): `applicable` (enough data), `pattern` (the point
estimate shows the sign and exceeds the reference by at least `margin`), `n`, `p_value` and the
numbers that become the evidence. Signs 1, 2 and 5 are here, sign 3 in `app.analytics.journal`,
sign 4 in `app.analytics.peaks`, sign 6 in `app.analytics.copying`; the shared tests are in
`app.analytics.signstats`, and the false-discovery control in `app.analytics.signs` and
`app.analytics.combine`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from app import lazy
from app.analytics.copying import identical_answers
from app.analytics.journal import journal_mismatch
from app.analytics.peaks import boundary_peaks
from app.analytics.signstats import (
    SignContext,
    between_school_variance,
    expected_given,
    mean_p_value,
    share,
    share_p_value,
    shrunk_variance,
)

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    np = lazy.module("numpy")
    pd = lazy.module("pandas")

__all__ = [
    "SignContext",
    "above_region",
    "boundary_peaks",
    "cohort_change",
    "identical_answers",
    "inversion",
    "journal_mismatch",
]

logger = logging.getLogger(__name__)


def above_region(ctx: SignContext, params: Mapping[str, Any]) -> pd.DataFrame:
    """Sign 1: share of marks 4–5 above the reference group (specialised or regular schools)."""
    mark = ctx.rows["mark"].to_numpy()
    n = ctx.per_work(np.ones(len(mark)))
    k = ctx.per_work((mark >= 4).astype(float))
    specialised = ctx.works["specialised"].to_numpy()
    group_k = np.where(specialised, ctx.per_test(k, specialised), ctx.per_test(k, ~specialised))
    group_n = np.where(specialised, ctx.per_test(n, specialised), ctx.per_test(n, ~specialised))
    ref_n = group_n - n  # leave the school out of its own reference
    reference = share(group_k - k, ref_n)
    rate = share(k, n)
    applicable = (n >= params["min_group"]) & (ref_n >= params["min_reference"])
    variance = np.nan_to_num(reference * (1 - reference)) / np.maximum(n, 1)
    group = ctx.works["test"].to_numpy() * 2 + specialised
    tau2 = between_school_variance(rate, reference, variance, group, applicable)
    return pd.DataFrame(
        {
            "applicable": applicable,
            "pattern": rate >= reference + params["margin"],
            "n": n.astype(int),
            "high_marks": k.astype(int),
            "rate": rate,
            "reference_rate": reference,
            "reference_group": np.where(specialised, "specialised", "regular"),
            "reference_n": ref_n.astype(int),
            "between_school_sd": np.sqrt(tau2),
            "p_value": share_p_value(k, n, reference, tau2),
        }
    )


def _level_rates(ctx: SignContext) -> tuple[np.ndarray, np.ndarray]:
    """Per pupil: share of basic (Б) and advanced (П) points earned (NaN if no such tasks)."""
    basic = np.full(len(ctx.rows), np.nan)
    advanced = np.full(len(ctx.rows), np.nan)
    for t, spec in enumerate(ctx.tests):
        rows = np.flatnonzero(ctx.test == t)
        for level, target in (("Б", basic), ("П", advanced)):
            tasks = [task for task in spec.tasks if task.level == level]
            if not tasks:
                continue
            points = np.zeros(len(rows))
            for task in tasks:
                column = ctx.rows["task_" + task.id].to_numpy(dtype="float64", na_value=0.0)
                points += column[rows]
            target[rows] = points / sum(task.max for task in tasks)
    return basic, advanced


def _excess_variance(
    ctx: SignContext,
    pupils: tuple[np.ndarray, ...],
    schools: tuple[np.ndarray, ...],
    slope: np.ndarray,
    n: np.ndarray,
) -> np.ndarray:
    """Sampling variance of mean(a) − f(mean(b)): the work's own spread of a − f′·b, shrunk
    towards the test's pooled spread with the weight of PRIOR_DOF pupils."""
    a, b, valid = pupils
    school_a, school_b = (np.nan_to_num(v)[ctx.work] for v in schools)
    q = np.where(valid, (a - school_a) - slope[ctx.work] * (b - school_b), 0.0)
    return shrunk_variance(ctx, ctx.per_work(q**2), n) / np.maximum(n, 1)


def inversion(ctx: SignContext, params: Mapping[str, Any]) -> pd.DataFrame:
    """Sign 2: advanced tasks done better than the region while basic tasks are done worse.

    The test is on the school's advanced rate above what schools with its basic rate achieve
    (a weak school naturally loses more on advanced tasks than on basic ones).
    """
    basic, advanced = _level_rates(ctx)
    valid = ~(np.isnan(basic) | np.isnan(advanced))
    b, a = np.nan_to_num(basic), np.nan_to_num(advanced)
    n = ctx.per_work(valid.astype(float))
    n_test = ctx.per_test(n)
    region_b = share(ctx.per_test(ctx.per_work(b)), n_test)
    region_a = share(ctx.per_test(ctx.per_work(a)), n_test)
    school_b, school_a = share(ctx.per_work(b), n), share(ctx.per_work(a), n)
    applicable = n >= params["min_group"]
    test = ctx.works["test"].to_numpy()
    expected, slope = expected_given(school_b, school_a, np.minimum(n, 100), test, applicable)
    excess = school_a - expected
    contrast = (school_a - region_a) - (school_b - region_b)
    variance = _excess_variance(ctx, (a, b, valid), (school_a, school_b), slope, n)
    tau2 = between_school_variance(excess, np.zeros(len(n)), variance, test, applicable)
    return pd.DataFrame(
        {
            "applicable": applicable,
            "pattern": (school_b < region_b + params["basic_slack"])
            & (excess >= params["margin"])
            & (contrast >= params["margin"]),
            "n": n.astype(int),
            "basic_rate": school_b,
            "advanced_rate": school_a,
            "expected_advanced_rate": expected,
            "advanced_excess": excess,
            "region_basic_rate": region_b,
            "region_advanced_rate": region_a,
            "contrast": contrast,
            "between_school_sd": np.sqrt(tau2),
            "p_value": mean_p_value(excess, np.zeros(len(n)), variance, tau2),
        }
    )


def _z_scores(frame: pd.DataFrame) -> np.ndarray:
    """Scores standardised within each (code, grade) test of the frame."""
    code = frame["code"].cat.codes.to_numpy().astype(np.int64)
    test = pd.factorize((code + 1) * 100 + frame["grade"].to_numpy())[0]
    score = frame["score"].to_numpy().astype(float)
    count = np.bincount(test)
    mean = np.bincount(test, weights=score) / count
    sd = np.sqrt(np.bincount(test, weights=(score - mean[test]) ** 2) / np.maximum(count - 1, 1))
    return (score - mean[test]) / np.where(sd > 0, sd, 1.0)[test]


def _cohort_mean(other: pd.DataFrame, grade: int) -> pd.DataFrame:
    """Another year's mean z-score and size per (school_login, code) in `grade`."""
    empty = pd.DataFrame({"school_login": [], "code": [], "mean_other": [], "n_other": []})
    if not len(other):
        return empty
    other = other.astype(
        {c: "category" for c in ("code", "school_login") if other[c].dtype != "category"}
    )
    z = _z_scores(other)
    chosen = (other["grade"] == grade).to_numpy()
    school = other["school_login"].cat.codes.to_numpy().astype(np.int64)[chosen]
    code = other["code"].cat.codes.to_numpy().astype(np.int64)[chosen]
    key, uniques = pd.factorize(school * 1000 + code)
    if not len(uniques):
        return empty
    count = np.bincount(key)
    return pd.DataFrame(
        {
            "school_login": other["school_login"].cat.categories.astype("str")[uniques // 1000],
            "code": other["code"].cat.categories.astype("str")[uniques % 1000],
            "mean_other": np.bincount(key, weights=z[chosen]) / count,
            "n_other": count,
        }
    )


def cohort_change(ctx: SignContext, params: Mapping[str, Any]) -> pd.DataFrame:
    """Sign 5: the same cohort far better in one year than in the other.

    A rise: `to_grade` (5) this year far above the same pupils in `from_grade` (4) last year.
    A fall: `from_grade` this year far above the same pupils in `to_grade` NEXT year (when the
    next year's results are there): this year's grade-4 results were probably inflated. The
    statistic is always "this year's work minus the cohort's other year", one-sided."""
    z_now = _z_scores(ctx.rows)
    n = ctx.per_work(np.ones(len(z_now)))
    mean_now = share(ctx.per_work(z_now), n)
    within = ctx.per_work((z_now - mean_now[ctx.work]) ** 2)
    sigma = float(np.sqrt(within.sum() / max((n - 1).clip(min=0).sum(), 1)))
    works = ctx.works
    grade = works["grade"].to_numpy()
    from_grade, to_grade = int(params["from_grade"]), int(params["to_grade"])
    direction = str(params["direction"])
    rise = (grade == to_grade) & (direction in ("rise", "both"))
    fall = (grade == from_grade) & (direction in ("fall", "both")) & (len(ctx.following) > 0)
    keys = pd.DataFrame(
        {"school_login": works["school_login"].astype("str"), "code": works["code"].astype("str")}
    )
    before = keys.merge(
        _cohort_mean(ctx.previous, from_grade), on=["school_login", "code"], how="left"
    )
    after = keys.merge(
        _cohort_mean(ctx.following, to_grade), on=["school_login", "code"], how="left"
    )
    n_other = np.where(rise, before["n_other"].fillna(0), after["n_other"].fillna(0))
    mean_other = np.where(rise, before["mean_other"], after["mean_other"]).astype(float)
    change = mean_now - mean_other
    variance = sigma**2 * (1 / np.maximum(n, 1) + 1 / np.maximum(n_other, 1))
    in_scope = rise | fall
    applicable = in_scope & (n >= params["min_group"]) & (n_other >= params["min_group"])
    test = works["test"].to_numpy()
    tau2 = between_school_variance(change, np.zeros(len(n)), variance, test, applicable)
    return pd.DataFrame(
        {
            "scope": in_scope,
            "applicable": applicable,
            "pattern": change >= params["margin"],
            "n": n.astype(int),
            "direction_tested": np.where(rise, "rise", np.where(fall, "fall", "")),
            "n_other_year": n_other.astype(int),
            "other_year": np.where(rise, "previous", np.where(fall, "next", "")),
            "mean_z": mean_now,
            "mean_z_other_year": mean_other,
            "change": change,
            "within_school_sd": sigma,
            "between_school_sd": np.sqrt(tau2),
            "p_value": mean_p_value(change, np.zeros(len(n)), variance, tau2),
        }
    )
