"""Synthetic regions whose non-objective schools distort results by other mechanisms.

`app.analytics.synthetic` plants one way of doing each thing (bunching from one or two points
below, leaked answers to advanced tasks, a raised ability). Signs tuned on it may fit that
generator rather than the phenomenon, so these generators make the distortion differently and
are used to evaluate the rules on data they were not tuned on (``bench/signs_heldout.py``).
The pupils, schools, specs and journal marks come from the same item-response model; only the
planted behaviour and the decoys differ:

* ``wide_bunching`` — on two or three of the school's works (any subjects and grades) a share
  ``strength`` of the pupils from one up to ``reach`` (1–4, drawn per work) points below a mark
  threshold are put exactly on it;
* ``one_boundary_bunching`` — one boundary only: a share ``strength`` of the pupils one to three
  points below the "4" or the "5" threshold are put on it, in one subject;
* ``generous_advanced`` — the checker credits partial solutions of advanced (П) tasks: every
  answer below the task's maximum gains a point with probability ``strength``, in one subject;
* ``copying`` — a share ``strength`` of the pupils copy the advanced (П) answers of the
  strongest pupil of their class, in one subject;
* ``lenient_checking`` — every pupil of one grade gains up to five points, each with
  probability ``strength``, on tasks below their maximum (both subjects).

Decoys in every region: specialised schools with high results, tiny schools, and honest strong
ordinary schools (results well above the region, nothing planted).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app import lazy
from app.analytics import synthetic as base
from app.analytics.spec import TestSpec

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    np = lazy.module("numpy")
    pd = lazy.module("pandas")

logger = logging.getLogger(__name__)

Distortion = Callable[["np.random.Generator", "np.ndarray", "np.ndarray", TestSpec, float], None]


def _wide_bunching(
    rng: np.random.Generator,
    scores: np.ndarray,
    maxima: np.ndarray,
    spec: TestSpec,
    strength: float,
) -> None:
    """Move a share of the pupils 1..reach points below each threshold exactly onto it."""
    reach = int(rng.integers(1, 5))
    for threshold in spec.thresholds:
        total = scores.sum(axis=1)
        near = np.flatnonzero((total >= threshold - reach) & (total < threshold))
        for i in near[rng.random(len(near)) < strength]:
            for _ in range(threshold - int(total[i])):
                room = np.flatnonzero(scores[i] < maxima)
                if len(room):
                    scores[i, rng.choice(room)] += 1


def _one_boundary_bunching(
    rng: np.random.Generator,
    scores: np.ndarray,
    maxima: np.ndarray,
    spec: TestSpec,
    strength: float,
) -> None:
    """Pull a share of the pupils up to three points below one threshold (4 or 5) onto it."""
    threshold = spec.thresholds[int(rng.integers(1, 3))]
    total = scores.sum(axis=1)
    near = np.flatnonzero((total >= threshold - 3) & (total < threshold))
    for i in near[rng.random(len(near)) < strength]:
        for _ in range(threshold - int(total[i])):
            room = np.flatnonzero(scores[i] < maxima)
            if len(room):
                scores[i, rng.choice(room)] += 1


def _advanced(spec: TestSpec) -> np.ndarray:
    return np.array([t.level == "П" for t in spec.tasks])


def _generous_advanced(
    rng: np.random.Generator,
    scores: np.ndarray,
    maxima: np.ndarray,
    spec: TestSpec,
    strength: float,
) -> None:
    """Every advanced answer below its maximum gains a point with probability `strength`."""
    gain = _advanced(spec)[None, :] & (scores < maxima[None, :])
    gain &= rng.random(scores.shape) < strength
    scores += gain.astype(scores.dtype)


def _copying(
    rng: np.random.Generator,
    scores: np.ndarray,
    maxima: np.ndarray,
    spec: TestSpec,
    strength: float,
) -> None:
    """A share of the pupils take the advanced answers of the best pupil of each class of 25."""
    advanced = _advanced(spec)
    total = scores.sum(axis=1)
    for start in range(0, len(scores), 25):
        rows = np.arange(start, min(start + 25, len(scores)))
        leader = rows[int(np.argmax(total[rows]))]
        copiers = rows[rng.random(len(rows)) < strength]
        scores[np.ix_(copiers, np.flatnonzero(advanced))] = scores[leader, advanced]


def _lenient_checking(
    rng: np.random.Generator,
    scores: np.ndarray,
    maxima: np.ndarray,
    spec: TestSpec,
    strength: float,
) -> None:
    """Every pupil gains up to five points, each with probability `strength`."""
    for i in range(len(scores)):
        for _ in range(int(rng.binomial(5, strength))):
            room = np.flatnonzero(scores[i] < maxima)
            if len(room):
                scores[i, rng.choice(room)] += 1


@dataclass(frozen=True)
class Mechanism:
    """One way of distorting results: what it does, on which works, and how strongly."""

    name: str
    distort: Distortion
    works: str  # "subject": one subject, its grades · "grade": one grade, both subjects · "some"
    strength: tuple[float, float]  # the documented range, drawn uniformly per school
    min_size: int  # pupils per grade of the schools it is planted in


MECHANISMS = {
    m.name: m
    for m in (
        Mechanism("wide_bunching", _wide_bunching, "some", (0.4, 0.9), 40),
        Mechanism("one_boundary_bunching", _one_boundary_bunching, "subject", (0.6, 1.0), 40),
        Mechanism("generous_advanced", _generous_advanced, "subject", (0.4, 0.8), 20),
        Mechanism("copying", _copying, "subject", (0.3, 0.6), 20),
        Mechanism("lenient_checking", _lenient_checking, "grade", (0.4, 0.8), 20),
    )
}


@dataclass
class Planted:
    """What was planted in one school."""

    mechanism: str
    works: tuple[tuple[int, str], ...]
    strength: float


def _works(rng: np.random.Generator, how: str, grades: tuple[int, ...]) -> tuple:
    all_works = [(g, c) for g in grades for c in ("РУ", "МА")]
    if how == "grade":
        grade = grades[int(rng.integers(0, len(grades)))]
        return ((grade, "РУ"), (grade, "МА"))
    if how == "subject":
        subject = ("РУ", "МА")[int(rng.integers(0, 2))]
        return tuple((g, subject) for g in grades)
    count = min(len(all_works), int(rng.integers(2, 4)))
    chosen = rng.choice(len(all_works), size=count, replace=False)
    return tuple(all_works[int(i)] for i in sorted(chosen))


def _add_strong_decoys(rng: np.random.Generator, schools: list[base.School], share: float) -> None:
    """Honest ordinary schools with results well above the region."""
    regular = [s for s in schools if not s.decoy and not s.specialised and s.size >= 20]
    for i in rng.permutation(len(regular))[: round(share * len(schools))]:
        regular[int(i)].effect = float(rng.normal(0.9, 0.15))
        regular[int(i)].decoy = "strong"


def _plant(
    rng: np.random.Generator,
    schools: list[base.School],
    mechanisms: list[Mechanism],
    share: float,
    strength: float | None,
    size: tuple[int, int] | None,
) -> dict[int, Planted]:
    """Choose ordinary schools for each mechanism in turn; optionally fix strength and size."""
    planted: dict[int, Planted] = {}
    order = rng.permutation(len(schools))
    for k in range(round(share * len(schools))):
        mechanism = mechanisms[k % len(mechanisms)]
        for i in order:
            school = schools[int(i)]
            if int(i) in planted or school.specialised or school.decoy:
                continue
            if size is None and school.size < mechanism.min_size:
                continue
            if size is not None:
                school.size = int(rng.integers(size[0], size[1] + 1))
            grades = (4,) if school.kind == "НОШ" else (4, 5)
            if mechanism.works == "some" and len(grades) == 1:
                continue
            low, high = mechanism.strength
            chosen = float(rng.uniform(low, high)) if strength is None else strength
            school.planted = mechanism.name
            school.planted_works = _works(rng, mechanism.works, grades)
            planted[int(i)] = Planted(mechanism.name, school.planted_works, chosen)
            break
    return planted


def _scores(
    rng: np.random.Generator,
    cohort: base._Cohort,
    spec: TestSpec,
    b: np.ndarray,
    schools: list[base.School],
    planted: dict[int, Planted],
) -> np.ndarray:
    """Task scores of a cohort in one work, distorted in the planted schools' chosen works."""
    maxima = np.array([t.max for t in spec.tasks])
    school_task = rng.normal(0, 0.25, (len(schools), len(maxima)))[cohort.school]
    scores = base._task_scores(rng, cohort.theta[spec.code].copy(), b, maxima, school_task)
    for index, plant in planted.items():
        if (spec.grade, spec.code) not in plant.works:
            continue
        rows = np.flatnonzero(cohort.school == index)
        block = scores[rows].copy()
        MECHANISMS[plant.mechanism].distort(rng, block, maxima, spec, plant.strength)
        scores[rows] = np.minimum(block, maxima[None, :])
    return scores


def generate_mechanisms(
    mechanisms: list[str],
    schools: int = 300,
    seed: int = 1,
    *,
    year: int = 2023,
    planted_share: float = 0.1,
    strong_share: float = 0.05,
    strength: float | None = None,
    size: tuple[int, int] | None = None,
) -> base.SyntheticRegion:
    """A region planting the named mechanisms in its second year (`strength`, `size`: fixed
    distortion strength and planted schools' pupils per grade, for power curves)."""
    rng = np.random.default_rng(seed + 7919)
    chosen = [MECHANISMS[name] for name in mechanisms]
    specs, difficulty = base._make_specs(rng, year)
    region = base._schools(rng, schools)
    _add_strong_decoys(rng, region, strong_share)
    planted = _plant(rng, region, chosen, planted_share, strength, size)
    first4 = base._new_cohort(rng, region, 4)
    cohorts = {
        (year, 4): first4,
        (year, 5): base._new_cohort(rng, region, 5),
        (year + 1, 4): base._new_cohort(rng, region, 4),
        (year + 1, 5): base._promote(rng, first4, region),
    }
    results = {}
    for y in (year, year + 1):
        year_specs = [s for s in specs if s.year == y]
        ids = base.task_columns(year_specs)
        parts = []
        for spec in year_specs:
            cohort = cohorts[(y, spec.grade)]
            now = planted if y == year + 1 else {}
            scores = _scores(rng, cohort, spec, difficulty[(spec.grade, spec.code)], region, now)
            parts.append(base._results_frame(rng, cohort, spec, scores, region, ids))
        results[y] = pd.concat(parts, ignore_index=True)
    truth = base._truth(region, year + 1)
    strengths = {region[i].login: p.strength for i, p in planted.items()}
    truth["strength"] = truth["login"].map(strengths)
    return base.SyntheticRegion(year, specs, results, base._directory(region), truth, region)
