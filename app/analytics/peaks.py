"""Sign 4, peaks at the mark boundaries: a score test of the school's score histogram.

Bunching (a checker "finding" the one or two points a pupil lacked for the next mark) leaves a
deficit just below a threshold and an excess exactly at it. Around each threshold `t` the rule
looks at a window of scores: `below` points under it, `above` points at it, `control` points
over those. Without bunching the school's counts in the window follow the region's score
distribution (the other schools' histogram of the same test) tilted by a local slope λ that
absorbs the school's ability (a strong school has more pupils at the "5" boundary than below
it). The bunching alternative moves a share π of the pupils below onto the threshold. The
efficient score statistic for π at π = 0 (λ fitted by maximum likelihood, its estimation
accounted for) is summed over the three thresholds and standardised; its spread over honest
schools beyond sampling noise is estimated from all works of the test (the spread of their z
below the median, never below 1: bunching only raises z, so the very works with it cannot
widen the scale they are judged by) and divided out. π̂ = U / I is reported as the share of
pupils just below the boundaries who were moved onto them.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from app import lazy
from app.analytics.signstats import SignContext, lower_scale

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    from scipy import special
else:
    np = lazy.module("numpy")
    pd = lazy.module("pandas")
    special = lazy.module("scipy.special")

logger = logging.getLogger(__name__)


def _histograms(ctx: SignContext, top: int) -> tuple[np.ndarray, np.ndarray]:
    """Per work: its score histogram, and the region's histogram of its test without it."""
    score = ctx.rows["score"].to_numpy().astype(np.int64)
    hist = np.bincount(ctx.work * top + score, minlength=len(ctx.works) * top)
    hist = hist.reshape(-1, top).astype(float)
    test = ctx.works["test"].to_numpy()
    region = np.zeros((len(ctx.tests), top))
    np.add.at(region, test, hist)
    return hist, region[test] - hist


MIN_EXPECTED = 1.0  # a boundary is tested when at least one work is expected exactly at it
PRIOR = 1.0  # precision of the N(0, 1/PRIOR) prior on the window's slope and curvature


def _windows(ctx: SignContext, params: Mapping[str, Any], top: int) -> tuple[np.ndarray, ...]:
    """Score positions (works × 3 × window) around each threshold, and which exist."""
    below, above, control = (int(params[k]) for k in ("below", "above", "control"))
    offsets = np.arange(-below - control, above + control)
    test = ctx.works["test"].to_numpy()
    thresholds = np.array([s.thresholds for s in ctx.tests], dtype=np.int64)[test]
    maxima = np.array([s.max_score for s in ctx.tests], dtype=np.int64)[test]
    position = thresholds[:, :, None] + offsets[None, None, :]
    valid = (position >= 0) & (position <= maxima[:, None, None]) & (position < top)
    return offsets, thresholds, np.clip(position, 0, top - 1), valid


def _features(offsets: np.ndarray) -> np.ndarray:
    """The nuisance shape of a window (w × 2): local slope d and curvature d²/4."""
    d = offsets.astype(float)
    return np.stack([d, d**2 / 4], axis=1)


def _probabilities(base: np.ndarray, features: np.ndarray, theta: np.ndarray) -> np.ndarray:
    log_weight = theta @ features.T
    weight = base * np.exp(log_weight - log_weight.max(axis=-1, keepdims=True))
    return weight / np.maximum(weight.sum(axis=-1, keepdims=True), 1e-300)


def _moments(p: np.ndarray, features: np.ndarray) -> tuple[np.ndarray, ...]:
    """Means (… × 2) and the covariance entries c11, c12, c22 of the features under p."""
    f1, f2 = features[:, 0], features[:, 1]
    raw = p @ np.stack([f1, f2, f1 * f1, f1 * f2, f2 * f2], axis=1)
    mean = raw[..., :2]
    c11 = raw[..., 2] - mean[..., 0] ** 2
    c12 = raw[..., 3] - mean[..., 0] * mean[..., 1]
    c22 = raw[..., 4] - mean[..., 1] ** 2
    return mean, c11, c12, c22


def _solve2(c11: np.ndarray, c12: np.ndarray, c22: np.ndarray, r: np.ndarray) -> np.ndarray:
    """x with [[c11, c12], [c12, c22]] x = r for every window (a small ridge keeps it regular)."""
    c11, c22 = c11 + 1e-9, c22 + 1e-9
    det = c11 * c22 - c12**2
    x1 = (c22 * r[..., 0] - c12 * r[..., 1]) / det
    x2 = (c11 * r[..., 1] - c12 * r[..., 0]) / det
    return np.stack([x1, x2], axis=-1)


def _tilt(counts: np.ndarray, base: np.ndarray, features: np.ndarray) -> np.ndarray:
    """Window probabilities ∝ base·exp(θ·features), θ fitted by Newton's method (vectorised)."""
    n = counts.sum(axis=-1)
    theta = np.zeros((*counts.shape[:-1], 2))
    observed = counts @ features
    for _step in range(12):  # a weak N(0, 1) prior on θ keeps windows of a few works finite
        mean, c11, c12, c22 = _moments(_probabilities(base, features, theta), features)
        gradient = observed - n[..., None] * mean - PRIOR * theta
        step = _solve2(n * c11 + PRIOR, n * c12, n * c22 + PRIOR, gradient)
        moved = np.clip(theta + np.clip(step, -1.0, 1.0), -4.0, 4.0)
        theta, change = moved, np.abs(moved - theta)
        if (change > 1e-6).mean() < 1e-3:  # all but a few windows of a few works settled
            break
    return _probabilities(base, features, theta)


def bunching_scores(
    counts: np.ndarray, region: np.ndarray, offsets: np.ndarray, widths: list[int], above: int
) -> list[tuple[np.ndarray, ...]]:
    """Per width b of the deficit (pupils moved from 1..b points below): per window the score
    U, information I (slope and curvature profiled out), I of π alone, expected counts, and
    the third cumulant of U (the count at a threshold can be small). The tilt is fitted once."""
    features = _features(offsets)
    base = np.where(region > 0, region + 0.5, 0.0)  # a score nobody else got stays impossible
    p = _tilt(counts, base, features)
    n = counts.sum(axis=-1)
    mean, c11, c12, c22 = _moments(p, features)
    centred = features - mean[..., None, :]  # … × w × 2
    is_at = (offsets >= 0) & (offsets < above)
    p_at = np.maximum(p @ is_at.astype(float), 1e-12)
    tested = n * p_at >= MIN_EXPECTED
    found: list[tuple[np.ndarray, ...]] = []
    for below in widths:
        is_below = (offsets < 0) & (offsets >= -below)
        p_below = p @ is_below.astype(float)
        g = np.where(is_below, -1.0, np.where(is_at, (p_below / p_at)[..., None], 0.0))
        cross = ((p * g)[..., None] * centred).sum(axis=-2)
        beta = _solve2(c11, c12, c22, cross)
        efficient = g - (centred * beta[..., None, :]).sum(axis=-1)
        info = n * (p * efficient**2).sum(axis=-1)  # slope and curvature profiled out
        third = n * (p * efficient**3).sum(axis=-1)  # its third cumulant, for the skewness
        info_gg = n * (p * g**2).sum(axis=-1)
        score = (counts * g).sum(axis=-1)
        found.append(
            (
                np.where(tested, score, 0.0),
                np.where(tested, np.maximum(info, 0.0), 0.0),
                np.where(tested, info_gg, 0.0),
                n[..., None] * p,
                np.where(tested, third, 0.0),
            )
        )
    return found


def skewed_sf(z: np.ndarray, skewness: np.ndarray) -> np.ndarray:
    """Upper tail of a standardised statistic with the given skewness (a Pearson III fit)."""
    gamma = np.where(np.abs(skewness) < 1e-3, 1e-3, skewness)
    k = np.minimum(4 / gamma**2, 1e8)
    upper = special.gammaincc(k, np.maximum(k + z * np.sqrt(k), 0))
    lower = special.gammainc(k, np.maximum(k - z * np.sqrt(k), 0))
    return np.where(gamma > 0, upper, lower)


def _near(hist: np.ndarray, position: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Per work: its works (pupils) with a score in some boundary's window."""
    near = np.zeros(hist.shape, dtype=bool)
    rows = np.broadcast_to(np.arange(len(hist))[:, None, None], position.shape)
    near[rows[valid], position[valid]] = True
    return (hist * near).sum(axis=1).astype(int)


def _boundary_numbers(
    frame: pd.DataFrame,
    found: tuple[np.ndarray, ...],
    thresholds: np.ndarray,
    offsets: np.ndarray,
    params: Mapping[str, Any],
) -> None:
    """Evidence per boundary: works just below and at it, and the region's expected counts."""
    score, info, counts, expected = found
    below, above = int(params["below"]), int(params["above"])
    at, just_below = (offsets >= 0) & (offsets < above), (offsets < 0) & (offsets >= -below)
    peak = np.where(info > 0, score / np.sqrt(np.maximum(info, 1e-12)), -np.inf).argmax(axis=1)
    frame["peak_mark"] = peak + 3
    frame["peak_threshold"] = thresholds[np.arange(len(peak)), peak]
    for j, mark in enumerate((3, 4, 5)):
        frame[f"mark{mark}_threshold"] = thresholds[:, j]
        frame[f"mark{mark}_below"] = counts[:, j, just_below].sum(axis=1).astype(int)
        frame[f"mark{mark}_region_expected_below"] = expected[:, j, just_below].sum(axis=1)
        frame[f"mark{mark}_at_boundary"] = counts[:, j, at].sum(axis=1).astype(int)
        frame[f"mark{mark}_region_expected_at_boundary"] = expected[:, j, at].sum(axis=1)


def _statistics(
    found: list[tuple[np.ndarray, ...]], applicable: np.ndarray, single: bool
) -> tuple[np.ndarray, ...]:
    """Every statistic (each width; all boundaries summed, and each boundary alone): its
    per-work one-sided p (skew-corrected, scaled by the spread of all works' z below their
    median: bunching only raises z, so the works with it cannot widen it), π̂ and
    whether it could be computed. Arrays are statistics × works."""
    p_values, moved, computed, z_values, scales = [], [], [], [], []
    for score, info, info_gg, _expected, third in found:
        parts = [slice(None)] + ([slice(j, j + 1) for j in range(3)] if single else [])
        for part in parts:
            u, i = score[:, part].sum(axis=1), info[:, part].sum(axis=1)
            z = np.divide(u, np.sqrt(i), out=np.zeros(len(u)), where=i > 0)
            skew = np.divide(third[:, part].sum(axis=1), i**1.5, out=np.zeros(len(u)), where=i > 0)
            scale = lower_scale(z, applicable & (i > 0))
            p_values.append(np.where(i > 0, skewed_sf(z / scale, skew), 1.0))
            gg = info_gg[:, part].sum(axis=1)
            moved.append(np.divide(u, gg, out=np.zeros(len(u)), where=gg > 0))
            computed.append(i > 0)
            z_values.append(z)
            scales.append(scale)
    return tuple(np.array(v) for v in (p_values, moved, computed, z_values, scales))


def boundary_peaks(ctx: SignContext, params: Mapping[str, Any]) -> pd.DataFrame:
    """Sign 4: an excess of scores at the mark boundaries and a deficit just below them.

    Bunching may move pupils from one point below or from several, at every boundary or at
    one: the test is the best of the statistics for deficits of width 1..`below`, over all
    boundaries together and (with `single_boundaries`) each alone, its p multiplied by the
    number of statistics (Bonferroni)."""
    top = max(s.max_score for s in ctx.tests) + 1
    hist, region = _histograms(ctx, top)
    offsets, thresholds, position, valid = _windows(ctx, params, top)
    rows = np.arange(len(hist))[:, None, None]
    counts = np.where(valid, hist[rows, position], 0.0)
    reference = np.where(valid, region[rows, position], 0.0)
    below, above = int(params["below"]), int(params["above"])
    widths = sorted({int(w) for w in params["widths"] if 1 <= int(w) <= below})
    found = bunching_scores(counts, reference, offsets, widths, above)
    n = ctx.per_work(np.ones(len(ctx.work)))
    computed_any = found[-1][1].sum(axis=1) > 0
    applicable = (n >= params["min_works"]) & computed_any
    p_all, moved_all, computed, z_all, scales = _statistics(
        found, applicable, bool(params["single_boundaries"])
    )
    p_all = np.where(computed, p_all, 1.0)
    best = p_all.argmin(axis=0)
    pick = (best, np.arange(len(n)))
    statistics = np.maximum(computed.sum(axis=0), 1)
    per_width = len(p_all) // len(widths)
    score, info, _gg, expected, _third = found[-1]
    frame = pd.DataFrame(
        {
            "applicable": applicable,
            "pattern": moved_all[pick] >= params["margin"],
            "n": n.astype(int),
            "window_works": _near(hist, position, valid),
            "share_moved": moved_all[pick],
            "moved_from_points": np.array(widths)[best // per_width],
            "boundaries_tested": np.array(["all", "3", "4", "5"], dtype=object)[best % per_width],
            "statistics": statistics,
            "z": z_all[pick],
            "between_school_scale": scales[pick],
            "p_value": np.minimum(p_all[pick] * statistics, 1.0),
            # the best statistic's own p, continuous: the school route combines works by
            # Stouffer's z against an empirical null, which absorbs the choice of the best
            "combination_p": p_all[pick],
        }
    )
    _boundary_numbers(frame, (score, info, counts, expected), thresholds, offsets, params)
    return frame
