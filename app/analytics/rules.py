"""The five signs of non-objectivity as vectorised statistics over all schools' works at once.

Each rule takes the shared `SignContext` and its parameters and returns one row per test work
of the analysed year (index = work id): `applicable` (enough data), `pattern` (the point
estimate shows the sign and exceeds the reference by at least `margin`), `n`, `p_value` and the
numbers that become the evidence. False-discovery control is applied by `app.analytics.signs`.

The p-values are one-sided and respect both the sample size and the ordinary spread between
honest schools (a funnel plot with overdispersed limits, Spiegelhalter 2005): the between-school
variance τ² is estimated per test work from all schools with winsorised z-scores, so a school is
significant only if it lies outside what sampling noise *plus* normal school-to-school variation
explains. Shares use an exact beta-binomial tail (a binomial test when τ² = 0); means use a
normal tail with variance v/n + τ².
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import special, stats

from app.analytics.spec import TestSpec

logger = logging.getLogger(__name__)


@dataclass
class SignContext:
    """The analysed year's rows with work and test ids, and the per-work table."""

    rows: pd.DataFrame  # analysed year: score, mark, journal_mark, task_* ...
    work: np.ndarray  # work id per row
    test: np.ndarray  # test id per row (index into `tests`)
    tests: list[TestSpec]  # one per (subject, grade) of the analysed year
    works: pd.DataFrame  # per work id: subject, code, grade, school_login, test, specialised, n
    previous: pd.DataFrame  # the previous year's rows (may be empty)
    previous_tests: dict[tuple[str, int], TestSpec]  # (code, grade) -> previous year's spec

    def per_work(self, values: np.ndarray) -> np.ndarray:
        """Sum of `values` over each work's rows."""
        return np.bincount(self.work, weights=values, minlength=len(self.works))

    def per_test(self, per_work: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
        """Per-work values summed over the works of the same test, broadcast back per work."""
        test = self.works["test"].to_numpy()
        weights = per_work if mask is None else np.where(mask, per_work, 0.0)
        return np.bincount(test, weights=weights, minlength=len(self.tests))[test]


def between_school_variance(
    estimate: np.ndarray, expected: np.ndarray, variance: np.ndarray, group: np.ndarray,
    applicable: np.ndarray,
) -> np.ndarray:  # fmt: skip
    """τ² per row: additive overdispersion of each group's estimates, robust to outliers."""
    tau2 = np.zeros(len(estimate))
    for g in np.unique(group[applicable]):
        idx = np.flatnonzero(applicable & (group == g) & (variance > 0) & ~np.isnan(estimate))
        if len(idx) < 10:
            continue  # too few schools to estimate the spread between them
        z = (estimate[idx] - expected[idx]) / np.sqrt(variance[idx])
        # the median absolute deviation is a consistent, outlier-proof scale for normal z-scores:
        # the planted (or real) non-objective schools must not widen the honest spread
        phi = float((1.4826 * np.median(np.abs(z - np.median(z)))) ** 2)
        w = 1 / variance[idx]
        denominator = w.sum() - (w**2).sum() / w.sum()
        tau2[group == g] = max(0.0, (len(idx) * phi - (len(idx) - 1)) / denominator)
    return tau2


def share_p_value(k: np.ndarray, n: np.ndarray, p0: np.ndarray, tau2: np.ndarray) -> np.ndarray:
    """P(X ≥ k) for a beta-binomial with mean p0 and between-school variance τ² (exact)."""
    p0 = np.clip(np.nan_to_num(p0, nan=0.5), 1e-6, 1 - 1e-6)
    trials = np.maximum(np.asarray(n), 0).astype(np.int64)
    successes = np.asarray(k, dtype=np.int64)
    rho = tau2 / (p0 * (1 - p0))
    result = stats.binom.sf(successes - 1, np.maximum(trials, 1), p0)  # τ² = 0: plain binomial
    spread = np.flatnonzero((rho > 1e-6) & (trials > 0))
    order = spread[np.argsort(trials[spread], kind="stable")]
    for chunk in np.array_split(order, max(1, len(order) // 256)):
        if len(chunk):
            result[chunk] = _betabinom_sf(
                successes[chunk], trials[chunk], p0[chunk], np.minimum(rho[chunk], 0.5)
            )
    return np.where(trials > 0, np.clip(result, 0.0, 1.0), 1.0)


def _betabinom_sf(k: np.ndarray, n: np.ndarray, p0: np.ndarray, rho: np.ndarray) -> np.ndarray:
    """Beta-binomial upper tails for a chunk of works, summing the pmf over a shared support."""
    scale = 1 / rho - 1
    a, b = (p0 * scale)[:, None], ((1 - p0) * scale)[:, None]
    j = np.arange(int(n.max()) + 1)[None, :]
    m = n[:, None]
    log_pmf = (
        special.gammaln(m + 1) - special.gammaln(j + 1) - special.gammaln(np.maximum(m - j, 0) + 1)
        + special.betaln(j + a, np.maximum(m - j, 0) + b) - special.betaln(a, b)
    )  # fmt: skip
    pmf = np.where((j <= m) & (j >= k[:, None]), np.exp(log_pmf), 0.0)
    return pmf.sum(axis=1)


def mean_p_value(estimate: np.ndarray, expected: np.ndarray, variance: np.ndarray,
                 tau2: np.ndarray) -> np.ndarray:  # fmt: skip
    """Upper normal tail of (estimate − expected) / √(variance + τ²)."""
    sd = np.sqrt(variance + tau2)
    z = np.divide(estimate - expected, sd, out=np.full(len(sd), -np.inf), where=sd > 0)
    return stats.norm.sf(np.nan_to_num(z, nan=-np.inf))


def _share(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    return np.divide(part, whole, out=np.full(len(part), np.nan), where=whole > 0)


def above_region(ctx: SignContext, params: Mapping[str, Any]) -> pd.DataFrame:
    """Sign 1: share of marks 4–5 above the reference group (specialised or regular schools)."""
    mark = ctx.rows["mark"].to_numpy()
    n = ctx.per_work(np.ones(len(mark)))
    k = ctx.per_work((mark >= 4).astype(float))
    specialised = ctx.works["specialised"].to_numpy()
    group_k = np.where(specialised, ctx.per_test(k, specialised), ctx.per_test(k, ~specialised))
    group_n = np.where(specialised, ctx.per_test(n, specialised), ctx.per_test(n, ~specialised))
    ref_n = group_n - n  # leave the school out of its own reference
    reference = _share(group_k - k, ref_n)
    rate = _share(k, n)
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


def inversion(ctx: SignContext, params: Mapping[str, Any]) -> pd.DataFrame:
    """Sign 2: advanced tasks done better than the region while basic tasks are done worse."""
    basic, advanced = _level_rates(ctx)
    valid = ~(np.isnan(basic) | np.isnan(advanced))
    b, a = np.nan_to_num(basic), np.nan_to_num(advanced)
    n = ctx.per_work(valid.astype(float))
    n_test = ctx.per_test(n)
    region_b = _share(ctx.per_test(ctx.per_work(b)), n_test)
    region_a = _share(ctx.per_test(ctx.per_work(a)), n_test)
    school_b = _share(ctx.per_work(b), n)
    school_a = _share(ctx.per_work(a), n)
    contrast = (a - b) - (region_a - region_b)[ctx.work]  # per pupil, centred on the region
    spread2 = _share(ctx.per_test(ctx.per_work(np.where(valid, contrast**2, 0))), n_test)
    effect = (school_a - region_a) - (school_b - region_b)
    variance = np.nan_to_num(spread2) / np.maximum(n, 1)
    applicable = n >= params["min_group"]
    test = ctx.works["test"].to_numpy()
    tau2 = between_school_variance(effect, np.zeros(len(n)), variance, test, applicable)
    return pd.DataFrame(
        {
            "applicable": applicable,
            "pattern": (school_a > region_a) & (school_b < region_b) & (effect >= params["margin"]),
            "n": n.astype(int),
            "basic_rate": school_b,
            "advanced_rate": school_a,
            "region_basic_rate": region_b,
            "region_advanced_rate": region_a,
            "contrast": effect,
            "between_school_sd": np.sqrt(tau2),
            "p_value": mean_p_value(effect, np.zeros(len(n)), variance, tau2),
        }
    )


def journal_mismatch(ctx: SignContext, params: Mapping[str, Any]) -> pd.DataFrame:
    """Sign 3: VPR marks above the journal marks: mean shift (VPR − journal) above the region's."""
    journal = ctx.rows["journal_mark"].to_numpy(dtype="float64", na_value=np.nan)
    diff = ctx.rows["mark"].to_numpy() - journal
    paired = ~np.isnan(diff)
    counts = {
        "pairs": ctx.per_work(paired.astype(float)),
        "raised": ctx.per_work((diff > 0).astype(float)),
        "lowered": ctx.per_work((diff < 0).astype(float)),
        "confirmed": ctx.per_work((diff == 0).astype(float)),
        "differ_by_2": ctx.per_work((np.abs(np.nan_to_num(diff)) >= 2).astype(float)),
    }
    n = counts["pairs"]
    ref_n = ctx.per_test(n) - n
    reference = _share(ctx.per_test(counts["raised"]) - counts["raised"], ref_n)
    d = np.nan_to_num(diff)
    total = ctx.per_work(d)
    shift = _share(total, n)
    region_shift = _share(ctx.per_test(total) - total, ref_n)  # the school left out
    spread2 = (
        _share(ctx.per_test(ctx.per_work(d**2)), ctx.per_test(n))
        - _share(ctx.per_test(total), ctx.per_test(n)) ** 2
    )
    applicable = (n >= params["min_group"]) & (ref_n >= params["min_reference"])
    variance = np.nan_to_num(spread2) / np.maximum(n, 1)
    tau2 = between_school_variance(
        shift, region_shift, variance, ctx.works["test"].to_numpy(), applicable
    )
    pattern = (shift >= region_shift + params["margin"]) & (_share(counts["raised"], n) > reference)
    frame = pd.DataFrame({"applicable": applicable, "pattern": pattern, "n": n.astype(int)})
    for name in ("lowered", "confirmed", "raised", "differ_by_2"):
        frame[name] = counts[name].astype(int)
        frame[f"share_{name}"] = _share(counts[name], n)
    frame["mean_shift"] = shift
    frame["region_mean_shift"] = region_shift
    frame["region_share_raised"] = reference
    frame["region_share_lowered"] = _share(ctx.per_test(counts["lowered"]), ctx.per_test(n))
    frame["region_share_differ_by_2"] = _share(ctx.per_test(counts["differ_by_2"]), ctx.per_test(n))
    frame["between_school_sd"] = np.sqrt(tau2)
    frame["p_value"] = mean_p_value(shift, region_shift, variance, tau2)
    return frame


def _ability_band(ctx: SignContext, score: np.ndarray, strata: int) -> np.ndarray:
    """Per work: the quantile band (0..strata-1) of its mean score among the works of its test."""
    n = np.maximum(ctx.per_work(np.ones(len(score))), 1)
    mean = ctx.per_work(score.astype(float)) / n
    test = ctx.works["test"].to_numpy()
    band = np.zeros(len(mean), dtype=np.int64)
    for t in np.unique(test):
        mine = test == t
        edges = np.quantile(mean[mine], np.linspace(0, 1, strata + 1)[1:-1])
        band[mine] = np.searchsorted(edges, mean[mine], side="right")
    return band


def _boundary_counts(ctx: SignContext, params: Mapping[str, Any]) -> tuple[np.ndarray, ...]:
    """Per work and boundary: scores just below, at or just above, the region's share, threshold."""
    top = max(s.max_score for s in ctx.tests) + 1
    score = ctx.rows["score"].to_numpy().astype(np.int64)
    hist = np.bincount(ctx.work * top + score, minlength=len(ctx.works) * top).reshape(-1, top)
    cum = np.concatenate([np.zeros((len(hist), 1)), hist.cumsum(axis=1)], axis=1)
    test = ctx.works["test"].to_numpy()
    group = test * int(params["strata"]) + _ability_band(ctx, score, int(params["strata"]))
    shape = (len(ctx.works), 3)
    above, below, thresholds = np.zeros(shape), np.zeros(shape), np.zeros(shape, dtype=int)
    for t, spec in enumerate(ctx.tests):
        mine = test == t
        for j, bound in enumerate(spec.thresholds):
            lo, hi = max(bound - int(params["below"]), 0), min(bound + int(params["above"]), top)
            below[mine, j] = cum[mine, bound] - cum[mine, lo]
            above[mine, j] = cum[mine, hi] - cum[mine, bound]
            thresholds[mine, j] = bound
    # the region's share at each boundary among schools of similar ability: a strong school
    # naturally has more pupils at the "5" boundary than below it, a weak one fewer
    size = int(group.max(initial=0)) + 1
    region = np.zeros(shape)
    for j in range(3):
        at = np.bincount(group, weights=above[:, j], minlength=size)
        total = at + np.bincount(group, weights=below[:, j], minlength=size)
        region[:, j] = (at / np.maximum(total, 1))[group]
    return above, below, region, thresholds


def boundary_peaks(ctx: SignContext, params: Mapping[str, Any]) -> pd.DataFrame:
    """Sign 4: too many scores at the mark boundaries compared with the points just below."""
    above, below, region, thresholds = _boundary_counts(ctx, params)
    window = above + below
    k, n_window = above.sum(axis=1), window.sum(axis=1)
    expected = _share((window * region).sum(axis=1), n_window)
    share = _share(k, n_window)
    n = ctx.per_work(np.ones(len(ctx.work)))
    applicable = (n >= params["min_works"]) & (n_window > 0)
    variance = np.nan_to_num(expected * (1 - expected)) / np.maximum(n_window, 1)
    tau2 = between_school_variance(
        share, expected, variance, ctx.works["test"].to_numpy(), applicable
    )
    frame = pd.DataFrame(
        {
            "applicable": applicable,
            "pattern": share >= expected + params["margin"],
            "n": n.astype(int),
            "window_works": n_window.astype(int),
            "share_at_boundary": share,
            "region_share_at_boundary": expected,
            "between_school_sd": np.sqrt(tau2),
            "p_value": share_p_value(k, n_window, expected, tau2),
        }
    )
    excess = np.where(window > 0, above / np.maximum(window, 1) - region, -np.inf)
    peak = excess.argmax(axis=1)
    frame["peak_mark"] = peak + 3
    frame["peak_threshold"] = thresholds[np.arange(len(peak)), peak]
    for j, mark in enumerate((3, 4, 5)):
        frame[f"mark{mark}_threshold"] = thresholds[:, j]
        frame[f"mark{mark}_below"] = below[:, j].astype(int)
        frame[f"mark{mark}_at_boundary"] = above[:, j].astype(int)
        frame[f"mark{mark}_region_share"] = region[:, j]
    return frame


def _z_scores(frame: pd.DataFrame) -> np.ndarray:
    """Scores standardised within each (code, grade) test of the frame."""
    code = frame["code"].cat.codes.to_numpy().astype(np.int64)
    test = pd.factorize((code + 1) * 100 + frame["grade"].to_numpy())[0]
    score = frame["score"].to_numpy().astype(float)
    count = np.bincount(test)
    mean = np.bincount(test, weights=score) / count
    sd = np.sqrt(np.bincount(test, weights=(score - mean[test]) ** 2) / np.maximum(count - 1, 1))
    return (score - mean[test]) / np.where(sd > 0, sd, 1.0)[test]


def _cohort_before(prev: pd.DataFrame, grade: int) -> pd.DataFrame:
    """Last year's mean z-score and size per (school_login, code) in `grade`."""
    empty = pd.DataFrame({"school_login": [], "code": [], "mean_before": [], "n_before": []})
    if not len(prev):
        return empty
    z = _z_scores(prev)
    chosen = (prev["grade"] == grade).to_numpy()
    school = prev["school_login"].cat.codes.to_numpy().astype(np.int64)[chosen]
    code = prev["code"].cat.codes.to_numpy().astype(np.int64)[chosen]
    key, uniques = pd.factorize(school * 1000 + code)
    if not len(uniques):
        return empty
    count = np.bincount(key)
    return pd.DataFrame(
        {
            "school_login": prev["school_login"].cat.categories.astype("str")[uniques // 1000],
            "code": prev["code"].cat.categories.astype("str")[uniques % 1000],
            "mean_before": np.bincount(key, weights=z[chosen]) / count,
            "n_before": count,
        }
    )


def cohort_change(ctx: SignContext, params: Mapping[str, Any]) -> pd.DataFrame:
    """Sign 5: the same cohort far better in `to_grade` this year than in `from_grade` last year."""
    z_now = _z_scores(ctx.rows)
    n = ctx.per_work(np.ones(len(z_now)))
    mean_now = _share(ctx.per_work(z_now), n)
    within = ctx.per_work((z_now - mean_now[ctx.work]) ** 2)
    sigma = float(np.sqrt(within.sum() / max((n - 1).clip(min=0).sum(), 1)))
    works = ctx.works
    before = _cohort_before(ctx.previous, int(params["from_grade"]))
    keys = pd.DataFrame(
        {"school_login": works["school_login"].astype("str"), "code": works["code"].astype("str")}
    )
    matched = keys.merge(before, on=["school_login", "code"], how="left")
    n_before = matched["n_before"].fillna(0).to_numpy()
    mean_before = matched["mean_before"].to_numpy(dtype=float)
    change = mean_now - mean_before
    if params["direction"] == "both":
        change = np.abs(change)
    variance = sigma**2 * (1 / np.maximum(n, 1) + 1 / np.maximum(n_before, 1))
    in_scope = (works["grade"] == params["to_grade"]).to_numpy()
    applicable = in_scope & (n >= params["min_group"]) & (n_before >= params["min_group"])
    test = works["test"].to_numpy()
    tau2 = between_school_variance(change, np.zeros(len(n)), variance, test, applicable)
    return pd.DataFrame(
        {
            "scope": in_scope,
            "applicable": applicable,
            "pattern": change >= params["margin"],
            "n": n.astype(int),
            "n_before": n_before.astype(int),
            "mean_z": mean_now,
            "mean_z_before": mean_before,
            "change": mean_now - mean_before,
            "within_school_sd": sigma,
            "between_school_sd": np.sqrt(tau2),
            "p_value": mean_p_value(change, np.zeros(len(n)), variance, tau2),
        }
    )
