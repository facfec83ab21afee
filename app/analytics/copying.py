"""Sign 6, identical answers to advanced tasks: pupils of a class who share one answer sheet.

When pupils copy (from a neighbour, a leaked key, a dictated solution) their points on the
advanced (П) tasks become identical, whatever their own level. Honest pupils of similar ability
also often score alike, so the reference is the school's own answers: within a work the pupils
are grouped by their basic (Б) points (`bands` bands cut at the region's quantiles of the test),
and under "no copying" each П task's points are exchangeable among the pupils of one band (a
permutation null that keeps every task's solve rate in the school, band by band). The expected
number of classmates with the same П answers follows from it exactly: for two pupils of one band
a task matches with probability Σ nₛ(nₛ − 1) / (m(m − 1)) over its scores s, for two bands
Σ pₛ·p′ₛ, and all tasks must match. A match counts −log of its probability (a match on
answers that are rare at that level weighs more than one on answers everybody gives).

The statistic is the log ratio of the observed to the expected weighted matches. Pupils' tasks
are not independent given a band (ability varies inside it), so honest works have more matches
than the permutation expects, and more the stronger the school (ceilings): the region's
expectation given the work's mean score (a robust quadratic fit per test) is subtracted, and
the spread between honest schools beyond sampling noise is estimated and allowed for.
Only what a results file holds is used: the class, the task points and the spec's levels.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from app import lazy
from app.analytics.peaks import skewed_sf
from app.analytics.signstats import (
    SignContext,
    between_school_variance,
    expected_given,
    robust_scale,
)

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    np = lazy.module("numpy")
    pd = lazy.module("pandas")

logger = logging.getLogger(__name__)


def _points(ctx: SignContext, rows: np.ndarray, tasks: list[Any]) -> np.ndarray:
    """Rows × tasks points (X and empty count 0)."""
    columns = [
        ctx.rows["task_" + task.id].to_numpy(dtype="float64", na_value=0.0)[rows] for task in tasks
    ]
    return np.nan_to_num(np.stack(columns, axis=1)).astype(np.int64)


def _pairs(counts: np.ndarray) -> np.ndarray:
    """Unordered pairs of pupils per (group, band, band): c·c′ across bands, C(c, 2) within."""
    pairs = counts[:, :, None] * counts[:, None, :] / 2.0
    diagonal = np.arange(counts.shape[1])
    pairs[:, diagonal, diagonal] = counts * (counts - 1) / 2.0
    return pairs


def _match_probability(work: np.ndarray, band: np.ndarray, points: np.ndarray, bands: int):
    """Per work (local ids): the probability that two pupils of bands (b, b′) have the same
    points on every advanced task under the within-band permutation null (works × b × b′)."""
    works = int(work.max(initial=-1)) + 1
    cell = work * bands + band
    size = np.bincount(cell, minlength=works * bands).astype(float).reshape(works, bands)
    match = np.ones((works, bands, bands))
    diagonal = np.arange(bands)
    for j in range(points.shape[1]):
        top = int(points[:, j].max(initial=0)) + 1
        counts = np.bincount(cell * top + points[:, j], minlength=works * bands * top)
        counts = counts.reshape(works, bands, top).astype(float)
        share = counts / np.maximum(size[..., None], 1.0)
        task = np.einsum("wbs,wcs->wbc", share, share)
        same = (counts * (counts - 1)).sum(axis=-1) / np.maximum(size * (size - 1), 1.0)
        task[:, diagonal, diagonal] = same
        match *= task
    return match


def _dense(*keys: np.ndarray) -> np.ndarray:
    """Dense ids of the combined integer keys."""
    frame = pd.DataFrame({str(i): key for i, key in enumerate(keys)})
    return frame.groupby(list(frame.columns), sort=False).ngroup().to_numpy()


def _classes(ctx: SignContext) -> np.ndarray:
    """Per row: an integer code of the pupil's class (all alike when the file has none)."""
    if "class" not in ctx.rows:
        return np.zeros(len(ctx.rows), dtype=np.int64)
    column = ctx.rows["class"]
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy().astype(np.int64)
    return pd.factorize(column)[0].astype(np.int64)


def _test_matches(
    ctx: SignContext, rows: np.ndarray, advanced: list[Any], basic: list[Any], bands: int
) -> tuple[np.ndarray, ...]:
    """One test's per-work weighted matches observed and expected, the variance of the
    observed under the null, and the plain counts of identical pairs (observed, expected)."""
    points = _points(ctx, rows, advanced)
    level = _points(ctx, rows, basic).sum(axis=1)
    cuts = np.quantile(level, np.linspace(0, 1, bands + 1)[1:-1])
    band = np.searchsorted(cuts, level, side="right")
    work_ids, work = np.unique(ctx.work[rows], return_inverse=True)
    match = _match_probability(work, band, points, bands)
    weight = -np.log(np.clip(match, 1e-12, 1.0))
    group = _dense(work, _classes(ctx)[rows])  # a class of one work
    owner = np.zeros(int(group.max(initial=-1)) + 1, dtype=np.int64)
    owner[group] = work
    in_class = np.zeros((len(owner), bands))
    np.add.at(in_class, (group, band), 1.0)
    pairs = _pairs(in_class)
    chance = match[owner]
    expected = (pairs * chance * weight[owner]).sum(axis=(1, 2))
    variance = (pairs * chance * (1 - chance) * weight[owner] ** 2).sum(axis=(1, 2))
    third = (pairs * chance * (1 - chance) * (1 - 2 * chance) * weight[owner] ** 3).sum(axis=(1, 2))
    expected_plain = (pairs * chance).sum(axis=(1, 2))
    code = np.zeros(len(rows), dtype=np.int64)
    for j, task in enumerate(advanced):
        code = code * (task.max + 1) + np.minimum(points[:, j], task.max)
    same = _dense(group, code)  # pupils of one class with the same advanced points
    same_owner = np.zeros(int(same.max(initial=-1)) + 1, dtype=np.int64)
    same_owner[same] = owner[group]
    in_same = np.zeros((len(same_owner), bands))
    np.add.at(in_same, (same, band), 1.0)
    same_pairs = _pairs(in_same)
    observed = (same_pairs * weight[same_owner]).sum(axis=(1, 2))
    observed_plain = same_pairs.sum(axis=(1, 2))
    out = []
    for per_group, at in (
        (observed, same_owner),
        (expected, owner),
        (variance, owner),
        (third, owner),
        (observed_plain, same_owner),
        (expected_plain, owner),
    ):
        total = np.zeros(len(ctx.works))
        np.add.at(total, work_ids[at], per_group)
        out.append(total)
    return tuple(out)


def _skewed_p(
    excess: np.ndarray,
    variance: np.ndarray,
    tau2: np.ndarray,
    third: np.ndarray,
    test: np.ndarray,
    applicable: np.ndarray,
) -> np.ndarray:
    """Upper tail of the excess: normal with variance v + τ², skewed by the matches' own, the
    z-scores divided by their robust spread over the test's works when it exceeds 1 (v is an
    approximation that ignores pairs sharing a pupil)."""
    total = variance + tau2
    z = np.divide(excess, np.sqrt(total), out=np.full(len(total), -np.inf), where=total > 0)
    z = np.nan_to_num(z, neginf=-50.0)
    z = z / robust_scale(z, test, applicable & (total > 0))
    skew = np.divide(third, total**1.5, out=np.zeros(len(total)), where=total > 0)
    return np.where(total > 0, skewed_sf(z, skew), 1.0)


def identical_answers(ctx: SignContext, params: Mapping[str, Any]) -> pd.DataFrame:
    """Sign 6: more classmates with identical advanced-task points than their school explains."""
    bands = int(params["bands"])
    names = ("observed", "expected", "variance", "third", "pairs", "expected_pairs")
    sums = {name: np.zeros(len(ctx.works)) for name in names}
    has_tasks = np.zeros(len(ctx.works), dtype=bool)
    for t, spec in enumerate(ctx.tests):
        advanced = [task for task in spec.tasks if task.level == "П"]
        basic = [task for task in spec.tasks if task.level == "Б"]
        rows = np.flatnonzero(ctx.test == t)
        if not advanced or not basic or not len(rows):
            continue
        for name, values in zip(
            names, _test_matches(ctx, rows, advanced, basic, bands), strict=True
        ):
            sums[name] += values
        has_tasks |= ctx.works["test"].to_numpy() == t
    n = ctx.per_work(np.ones(len(ctx.work)))
    maxima = np.array([s.max_score for s in ctx.tests], dtype=float)[ctx.works["test"].to_numpy()]
    level = ctx.per_work(ctx.rows["score"].to_numpy(dtype=float)) / np.maximum(n, 1) / maxima
    log_ratio = np.log((sums["observed"] + 1) / (sums["expected"] + 1))
    variance = sums["variance"] / (sums["expected"] + 1) ** 2
    applicable = has_tasks & (n >= params["min_group"])
    test = ctx.works["test"].to_numpy()
    weight = np.minimum(n, 100).astype(float)
    expected, _slope = expected_given(level, log_ratio, weight, test, applicable)
    excess = log_ratio - np.nan_to_num(expected)
    tau2 = between_school_variance(excess, np.zeros(len(n)), variance, test, applicable)
    return pd.DataFrame(
        {
            "applicable": applicable,
            "pattern": excess >= params["margin"],
            "n": n.astype(int),
            "identical_pairs": sums["pairs"].astype(int),
            "expected_identical_pairs": sums["expected_pairs"],
            "weighted_matches": sums["observed"],
            "expected_weighted_matches": sums["expected"],
            "log_ratio": log_ratio,
            "region_log_ratio": expected,
            "excess": excess,
            "excess_ratio": np.exp(excess),
            "threshold_ratio": np.exp(float(params["margin"])),
            "between_school_sd": np.sqrt(tau2),
            "p_value": _skewed_p(
                excess,
                variance,
                tau2,
                sums["third"] / (sums["expected"] + 1) ** 3,
                test,
                applicable,
            ),
        }
    )
