"""Sign 3, VPR results above the journal marks, against the region and the school's own past.

The pattern is read on marks, as the federal method describes it: the shares of pupils whose
VPR mark lowered / confirmed / raised their journal mark, and the mean (VPR − journal) above
the region's. The test uses the finer primary score: each pupil's score minus the other
schools' mean score for the same journal mark, in SD units; the school's mean of these is its
*excess*. Two references, Bonferroni-combined: the region (excess above 0 beyond sampling noise
and the ordinary spread between schools) and the school's own previous year in the same grade
and subject (excess above what last year's excess predicts, by a robust regression over all
schools: a school with a strict journal every year is not flagged for it).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app import lazy
from app.analytics.signstats import (
    SignContext,
    between_school_variance,
    expected_given,
    mean_p_value,
    share,
)

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    np = lazy.module("numpy")
    pd = lazy.module("pandas")

logger = logging.getLogger(__name__)


@dataclass
class Excess:
    """Per work: the mean score residual given the journal mark, its pupils and its variance."""

    mean: np.ndarray
    count: np.ndarray
    variance: np.ndarray


def journal_excess(
    score: np.ndarray, journal: np.ndarray, work: np.ndarray, work_test: np.ndarray
) -> Excess:
    """Score residuals given the journal mark (the other schools' mean), averaged per work."""
    n_works, n_tests = len(work_test), int(work_test.max(initial=-1)) + 1
    mark = np.where(np.isnan(journal), 0, journal).astype(np.int64) - 2  # 0..3; −2 = none
    paired = (mark >= 0) & (mark <= 3)
    cell = np.where(paired, work * 4 + mark, 0)
    own_n = np.bincount(cell, weights=paired.astype(float), minlength=n_works * 4)
    own_s = np.bincount(cell, weights=np.where(paired, score, 0.0), minlength=n_works * 4)
    own_n, own_s = own_n.reshape(-1, 4), own_s.reshape(-1, 4)
    all_n, all_s = np.zeros((n_tests, 4)), np.zeros((n_tests, 4))
    np.add.at(all_n, work_test, own_n)
    np.add.at(all_s, work_test, own_s)
    ref_n, ref_s = all_n[work_test] - own_n, all_s[work_test] - own_s  # the school left out
    mean = np.divide(ref_s, ref_n, out=np.full(ref_n.shape, np.nan), where=ref_n > 0)
    residual = np.where(paired, score - mean[work, np.clip(mark, 0, 3)], np.nan)
    has = ~np.isnan(residual)
    test = work_test[work]
    count_t = np.maximum(np.bincount(test, weights=has.astype(float), minlength=n_tests), 1)
    sd = np.sqrt(np.bincount(test, weights=np.where(has, residual, 0) ** 2, minlength=n_tests))
    sd = np.where(sd > 0, sd / np.sqrt(count_t), 1.0)
    residual = np.where(has, residual / sd[test], 0.0)
    count = np.bincount(work, weights=has.astype(float), minlength=n_works)
    excess = share(np.bincount(work, weights=residual, minlength=n_works), count)
    centred = np.where(has, residual - np.nan_to_num(excess)[work], 0.0)
    within = np.bincount(work, weights=centred**2, minlength=n_works)
    dof = np.bincount(work_test, weights=np.maximum(count - 1, 0), minlength=n_tests)
    pooled = np.bincount(work_test, weights=within, minlength=n_tests) / np.maximum(dof, 1)
    return Excess(excess, count, pooled[work_test] / np.maximum(count, 1))


def work_keys(frame: pd.DataFrame, like: pd.DataFrame) -> np.ndarray:
    """Integer (school, subject code, grade) keys, with categories aligned to `like`'s."""
    parts = []
    for column in ("school_login", "code"):
        values, categories = frame[column], like[column].cat.categories
        if not values.cat.categories.equals(categories):
            values = values.cat.set_categories(categories)
        parts.append(values.cat.codes.to_numpy().astype(np.int64))
    width = len(like["code"].cat.categories) + 1
    return (parts[0] * width + parts[1]) * 16 + frame["grade"].to_numpy().astype(np.int64)


def _previous_excess(ctx: SignContext) -> Excess:
    """Last year's excess of the same school, subject and grade, aligned with this year's works."""
    prev = ctx.previous
    nothing = np.full(len(ctx.works), np.nan)
    if not len(prev) or prev["journal_mark"].isna().all():
        return Excess(nothing, np.zeros(len(ctx.works)), nothing)
    work, keys = pd.factorize(work_keys(prev, ctx.rows))
    work_test = pd.factorize(keys % (16 * (len(ctx.rows["code"].cat.categories) + 1)))[0]
    journal = prev["journal_mark"].to_numpy(dtype="float64", na_value=np.nan)
    found = journal_excess(prev["score"].to_numpy().astype(float), journal, work, work_test)
    at = pd.Index(keys).get_indexer(work_keys(ctx.works, ctx.rows))
    found_at = np.append(np.arange(len(keys)), -1)[at]  # −1 (absent) indexes the padding
    pad = [
        np.append(v, fill)
        for v, fill in ((found.mean, np.nan), (found.count, 0.0), (found.variance, np.nan))
    ]
    return Excess(pad[0][found_at], pad[1][found_at], pad[2][found_at])


def _mark_counts(ctx: SignContext, journal: np.ndarray) -> dict[str, np.ndarray]:
    diff = ctx.rows["mark"].to_numpy() - journal
    return {
        "pairs": ctx.per_work((~np.isnan(diff)).astype(float)),
        "raised": ctx.per_work((diff > 0).astype(float)),
        "lowered": ctx.per_work((diff < 0).astype(float)),
        "confirmed": ctx.per_work((diff == 0).astype(float)),
        "differ_by_2": ctx.per_work((np.abs(np.nan_to_num(diff)) >= 2).astype(float)),
        "total": ctx.per_work(np.nan_to_num(diff)),
    }


def _history_p(
    ctx: SignContext, now: Excess, applicable: np.ndarray, min_group: int
) -> tuple[np.ndarray, ...]:
    """One-sided p of this year's excess above what the school's last year predicts."""
    before = _previous_excess(ctx)
    test = ctx.works["test"].to_numpy()
    history = applicable & (before.count >= min_group) & np.isfinite(before.mean)
    weight = np.minimum(now.count, 100)
    expected, slope = expected_given(before.mean, now.mean, weight, test, history, degree=1)
    residual = now.mean - expected
    variance = now.variance + slope**2 * np.nan_to_num(before.variance)
    tau2 = between_school_variance(residual, np.zeros(len(test)), variance, test, history)
    p = np.where(history, mean_p_value(residual, np.zeros(len(test)), variance, tau2), np.nan)
    return p, before.mean, np.where(history, expected, np.nan)


def journal_mismatch(ctx: SignContext, params: Mapping[str, Any]) -> pd.DataFrame:
    """Sign 3: VPR results above the journal marks, beyond the region's usual gap."""
    journal = ctx.rows["journal_mark"].to_numpy(dtype="float64", na_value=np.nan)
    counts = _mark_counts(ctx, journal)
    n = counts["pairs"]
    ref_n = ctx.per_test(n) - n
    reference = share(ctx.per_test(counts["raised"]) - counts["raised"], ref_n)
    shift = share(counts["total"], n)
    region_shift = share(ctx.per_test(counts["total"]) - counts["total"], ref_n)
    score = ctx.rows["score"].to_numpy().astype(float)
    now = journal_excess(score, journal, ctx.work, ctx.works["test"].to_numpy())
    applicable = (n >= params["min_group"]) & (ref_n >= params["min_reference"])
    test = ctx.works["test"].to_numpy()
    tau2 = between_school_variance(now.mean, np.zeros(len(n)), now.variance, test, applicable)
    p_region = mean_p_value(now.mean, np.zeros(len(n)), now.variance, tau2)
    p_history, before, expected = _history_p(ctx, now, applicable, int(params["min_group"]))
    best = np.fmin(p_region, np.nan_to_num(p_history, nan=1.0))
    p_value = np.where(np.isnan(p_history), p_region, np.minimum(2 * best, 1.0))
    pattern = (shift >= region_shift + params["margin"]) & (share(counts["raised"], n) > reference)
    frame = pd.DataFrame({"applicable": applicable, "pattern": pattern, "n": n.astype(int)})
    for name in ("lowered", "confirmed", "raised", "differ_by_2"):
        frame[name] = counts[name].astype(int)
        frame[f"share_{name}"] = share(counts[name], n)
    frame["mean_shift"] = shift
    frame["score_excess_sd"] = now.mean
    frame["previous_year_score_excess_sd"] = before
    frame["expected_score_excess_sd"] = expected
    frame["region_mean_shift"] = region_shift
    frame["region_share_raised"] = reference
    frame["region_share_lowered"] = share(ctx.per_test(counts["lowered"]), ctx.per_test(n))
    frame["region_share_differ_by_2"] = share(ctx.per_test(counts["differ_by_2"]), ctx.per_test(n))
    frame["between_school_sd"] = np.sqrt(tau2)
    frame["p_value_vs_others"], frame["p_value_vs_last_year"] = p_region, p_history
    frame["p_value"] = p_value
    return frame
