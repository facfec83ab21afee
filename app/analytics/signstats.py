"""Shared statistics of the signs: the per-work context and one-sided tests with overdispersion.

The p-values are one-sided and respect both the sample size and the ordinary spread between
honest schools (a funnel plot with overdispersed limits, Spiegelhalter 2005): the between-school
variance τ² is estimated per test work from all schools (a robust Paule–Mandel estimate on the
more precise half of them), so a school is significant only if it lies outside what sampling
noise *plus* normal school-to-school variation explains. Shares use an exact beta-binomial tail (a binomial test when τ² = 0); means
use a normal tail with variance v/n + τ²; standardised statistics are divided by a robust scale.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from app import lazy
from app.analytics.spec import TestSpec

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    from scipy import special, stats
else:
    np = lazy.module("numpy")
    pd = lazy.module("pandas")
    special = lazy.module("scipy.special")
    stats = lazy.module("scipy.stats")


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
    following: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame()
    )  # the next year's rows, if any

    def per_work(self, values: np.ndarray) -> np.ndarray:
        """Sum of `values` over each work's rows."""
        return np.bincount(self.work, weights=values, minlength=len(self.works))

    def per_test(self, per_work: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
        """Per-work values summed over the works of the same test, broadcast back per work."""
        test = self.works["test"].to_numpy()
        weights = per_work if mask is None else np.where(mask, per_work, 0.0)
        return np.bincount(test, weights=weights, minlength=len(self.tests))[test]


def between_school_variance(
    estimate: np.ndarray,
    expected: np.ndarray,
    variance: np.ndarray,
    group: np.ndarray,
    applicable: np.ndarray,
) -> np.ndarray:
    """τ² per row: the spread between honest schools beyond sampling noise, per group.

    A robust Paule–Mandel estimate: the smallest τ² on a fine grid for which the z-scores
    (estimate − expected) / √(variance + τ²) of the group's more precise half (variance at
    most the median: there τ² is not drowned by sampling noise) have a MAD-based SD of at
    most 1. The median absolute deviation ignores the few schools with the sign itself.
    """
    tau2 = np.zeros(len(estimate))
    for g in np.unique(group[applicable]):
        idx = np.flatnonzero(applicable & (group == g) & (variance > 0) & np.isfinite(estimate))
        if len(idx) < 20:
            continue  # too few schools to estimate the spread between them
        idx = idx[variance[idx] <= np.median(variance[idx])]
        typical = float(np.median(variance[idx]))
        grid = np.concatenate([[0.0], typical * np.geomspace(1e-3, 1e3, 121)])
        diff = (estimate[idx] - expected[idx])[None, :]
        z = diff / np.sqrt(variance[idx][None, :] + grid[:, None])
        centred = np.abs(z - np.median(z, axis=1, keepdims=True))
        spread = 1.4826 * np.median(centred, axis=1)
        tau2[group == g] = grid[int(np.argmax(spread <= 1.0))] if (spread <= 1.0).any() else 0.0
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
    """Beta-binomial upper tails for a chunk of works: the pmf by its ratio recurrence."""
    scale = 1 / rho - 1
    a, b = (p0 * scale)[:, None], ((1 - p0) * scale)[:, None]
    m = n[:, None].astype(float)
    j = np.arange(int(n.max()))[None, :]
    ratio = np.where(j < m, (m - j) * (j + a) / ((j + 1) * np.maximum(m - j - 1 + b, 1e-300)), 1.0)
    start = special.betaln(a, m + b) - special.betaln(a, b)  # log P(X = 0)
    log_pmf = start + np.concatenate([np.zeros((len(n), 1)), np.cumsum(np.log(ratio), axis=1)], 1)
    support = np.arange(log_pmf.shape[1])[None, :]
    pmf = np.where((support <= m) & (support >= k[:, None]), np.exp(log_pmf), 0.0)
    return pmf.sum(axis=1)


def mean_p_value(
    estimate: np.ndarray, expected: np.ndarray, variance: np.ndarray, tau2: np.ndarray
) -> np.ndarray:
    """Upper normal tail of (estimate − expected) / √(variance + τ²)."""
    sd = np.sqrt(variance + tau2)
    z = np.divide(estimate - expected, sd, out=np.full(len(sd), -np.inf), where=sd > 0)
    return stats.norm.sf(np.nan_to_num(z, nan=-np.inf))


def share(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    """part / whole, NaN where whole is 0."""
    return np.divide(part, whole, out=np.full(len(part), np.nan), where=whole > 0)


PRIOR_DOF = 20  # pupils' worth of weight given to the test's pooled spread


def shrunk_variance(ctx: SignContext, squares: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Per work: its within-work variance (sum of squares over n − 1) shrunk to the test's."""
    dof = np.maximum(n - 1, 0)
    pooled = ctx.per_test(squares) / np.maximum(ctx.per_test(dof), 1)
    return (squares + PRIOR_DOF * pooled) / (dof + PRIOR_DOF)


def robust_scale(z: np.ndarray, group: np.ndarray, applicable: np.ndarray) -> np.ndarray:
    """Per row: the robust spread (1.4826·MAD, at least 1) of its group's standardised z."""
    scale = np.ones(len(z))
    for g in np.unique(group[applicable]):
        idx = np.flatnonzero(applicable & (group == g) & np.isfinite(z))
        if len(idx) >= 10:
            mad = float(np.median(np.abs(z[idx] - np.median(z[idx]))))
            scale[group == g] = max(1.0, 1.4826 * mad)
    return scale


def lower_scale(z: np.ndarray, applicable: np.ndarray) -> np.ndarray:
    """Per row: the spread of the applicable z below their median (the root mean square of
    their distance to it, at least 1), for a sign that only raises z: the works with the sign
    cannot widen the scale they are judged by, as they widen a MAD (in a region where one
    school in ten bunches, by about 13 %)."""
    idx = np.flatnonzero(applicable & np.isfinite(z))
    if len(idx) < 10:
        return np.ones(len(z))
    return np.full(len(z), _lower_spread(z[idx]))


def _lower_spread(values: np.ndarray) -> float:
    """The root mean square distance to the median of the values below it, at least 1."""
    centre = float(np.median(values))
    low = values[values < centre]
    return max(1.0, float(np.sqrt(np.mean((low - centre) ** 2)))) if len(low) else 1.0


def expected_given(
    x: np.ndarray,
    y: np.ndarray,
    weight: np.ndarray,
    group: np.ndarray,
    applicable: np.ndarray,
    degree: int = 2,
) -> tuple[np.ndarray, np.ndarray]:
    """E[y | x] and its slope per row: a weighted polynomial fit (degree 1 or 2) per group.

    Fitted twice: rows whose standardised residual is beyond 3 robust SDs (schools with the
    very sign being looked for) are left out of the second fit.
    """
    fitted, slope = np.full(len(x), np.nan), np.zeros(len(x))
    for g in np.unique(group[applicable]):
        mine = np.flatnonzero(group == g)
        use = applicable[mine] & np.isfinite(x[mine]) & np.isfinite(y[mine])
        if use.sum() < 5:
            continue
        design = np.nan_to_num(np.stack([x[mine] ** k for k in range(3)], axis=1))
        design[:, degree + 1 :] = 0.0
        w = np.sqrt(weight[mine])
        for _pass in range(2):
            coef = np.linalg.lstsq(design[use] * w[use, None], y[mine][use] * w[use], rcond=None)[0]
            residual = (np.nan_to_num(y[mine]) - design @ coef) * w
            spread = 1.4826 * np.median(np.abs(residual[use] - np.median(residual[use])))
            keep = use & (np.abs(residual) <= 3 * max(spread, 1e-9))
            use = keep if keep.sum() >= 5 else use
        fitted[mine] = design @ coef
        slope[mine] = coef[1] + 2 * coef[2] * design[:, 1]
    return fitted, slope


STRONGEST = 3  # works combined by the school route: the school's k strongest
Z_FLOOR = -2.0  # a capped p of 1 is "no evidence", not strong evidence against
NULL_DRAWS = 100_000


@lru_cache(maxsize=64)
def _strongest_law(works: int, k: int) -> tuple[np.ndarray, float, float]:
    """The null law of the sum of the k largest of `works` independent N(0, 1) z-scores
    (each floored at Z_FLOOR) over √k: sorted draws standardised by their median and
    1.4826·MAD, and that median and scale (a fixed-seed Monte Carlo, the same every run)."""
    z = np.random.default_rng(20261201).standard_normal((NULL_DRAWS, works))
    top = -np.partition(-np.maximum(z, Z_FLOOR), k - 1, axis=1)[:, :k]
    total = top.sum(axis=1) / np.sqrt(k)
    centre = float(np.median(total))
    scale = 1.4826 * float(np.median(np.abs(total - centre)))
    return np.sort((total - centre) / scale), centre, scale


def _strongest_p(total: np.ndarray, works: int, k: int, centre: float, scale: float) -> np.ndarray:
    """Upper tail of the standardised statistic under the law of `_strongest_law`; beyond
    the draws' reach, the union bound C(works, k) · Φ̄ over the raw sum (conservative)."""
    law, law_centre, law_scale = _strongest_law(works, k)
    u = (total - centre) / scale
    tail = 1.0 - np.searchsorted(law, u, side="left") / len(law)
    raw = law_centre + u * law_scale  # the same point on the raw scale of the null law
    bound = np.minimum(float(special.comb(works, k)) * stats.norm.sf(raw), 1.0)
    return np.where(tail * len(law) >= 10, tail, np.minimum(bound, 10 / len(law)))


@dataclass
class StrongestWorks:
    """Per work: its school's p, whether it is one of the school's strongest works, how many
    works were combined and how many the school has tested."""

    p_value: np.ndarray
    in_best_unit: np.ndarray
    combined: np.ndarray
    tested: np.ndarray


def strongest_works(
    school: pd.Series, p_values: np.ndarray, applicable: np.ndarray, k: int = STRONGEST
) -> StrongestWorks:
    """The school route: Stouffer's z of the school's k works with the smallest p.

    Non-objective practice is often in a few of a school's works (one subject, one grade, or
    two or three works of any kind): the k strongest are combined whatever they are. The
    statistic's null is the law of the k largest of m independent N(0, 1) (m: the school's
    tested works), centred and scaled by the region's schools with the same m (works of one
    school share its traits): their median, and the spread of those below it (the root mean
    square distance: the schools with the sign sit above and cannot widen it), never lower
    than the law's median nor narrower than its scale; fewer than 30 such schools: all
    schools, each on its own law's scale."""
    codes = pd.factorize(school.astype("str"))[0].astype(np.int64)
    n_schools = int(codes.max(initial=-1)) + 1
    p = np.clip(np.where(applicable, p_values, 0.5), 1e-15, 1 - 1e-15)
    z = np.where(applicable, np.maximum(stats.norm.isf(p), Z_FLOOR), -np.inf)
    order = np.lexsort((-z, codes))
    start = np.searchsorted(codes[order], np.arange(n_schools))
    rank = np.empty(len(z), dtype=np.int64)
    rank[order] = np.arange(len(z)) - start[codes[order]]
    chosen = applicable & (rank < k)
    tested = np.bincount(codes[applicable], minlength=n_schools)
    combined = np.minimum(tested, k)
    summed = np.bincount(codes[chosen], weights=z[chosen], minlength=n_schools)
    total = summed.astype(float) / np.sqrt(np.maximum(combined, 1))
    # each school's statistic on the standard scale of its own null law, then the region's
    # median and spread of those (per number of works, or all schools when fewer than 30)
    laws = {int(m): _strongest_law(int(m), int(min(m, k))) for m in np.unique(tested[tested > 0])}
    standard = np.full(n_schools, np.nan)
    for m, (_law, law_centre, law_scale) in laws.items():
        standard[tested == m] = (total[tested == m] - law_centre) / law_scale
    has = tested > 0
    school_p = np.full(n_schools, np.nan)
    for m, (_law, law_centre, law_scale) in laws.items():
        group = tested == m
        pool = standard[group] if group.sum() >= 30 else standard[has]
        found = float(np.median(pool))
        centre = law_centre + max(found, 0.0) * law_scale
        scale = _lower_spread(pool) * law_scale  # the schools with the sign sit above
        school_p[group] = _strongest_p(total[group], m, int(min(m, k)), centre, scale)
    return StrongestWorks(school_p[codes], chosen, combined[codes], tested[codes])
