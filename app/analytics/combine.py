"""False-discovery control for the signs: per work across the region, and per school.

A sign can be strong in one work, or moderate but consistent over a *unit* of a school's works:
the whole school, one subject (its grades: the same subject teachers), or one grade (its
subjects: in primary school one class teacher). For every school and rule the works of each
unit are combined by Stouffer's z. Works of one school share its traits (a strict journal,
strong teaching), so under "honest" the combined z can be wider than N(0, 1): its null is
estimated from all schools (Efron's empirical null: median and MAD per kind and size of unit,
never narrower than N(0, 1)). The school's p-value is its best unit's, Bonferroni-corrected
for the number of distinct units it has; Benjamini–Hochberg then runs across schools.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from app import lazy

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    from scipy import stats
else:
    np = lazy.module("numpy")
    pd = lazy.module("pandas")
    stats = lazy.module("scipy.stats")

UNIT_KINDS = ("school", "subject", "grade")
Z_FLOOR = -2.0


def benjamini_hochberg(p_values: np.ndarray) -> np.ndarray:
    """BH-adjusted q-values (monotone, capped at 1); NaN p-values stay NaN."""
    p = np.asarray(p_values, dtype=float)
    q = np.full(len(p), np.nan)
    valid = np.flatnonzero(~np.isnan(p))
    if len(valid):
        order = valid[np.argsort(p[valid])]
        ranked = p[order] * len(valid) / np.arange(1, len(valid) + 1)
        q[order] = np.minimum(np.minimum.accumulate(ranked[::-1])[::-1], 1.0)
    return q


@dataclass
class SchoolLevel:
    """Per work: its school's p and q (BH across schools) and whether it is in the best unit."""

    p_value: np.ndarray
    q_value: np.ndarray
    in_best_unit: np.ndarray
    unit: np.ndarray  # "school", "subject" or "grade": the kind of the school's best unit


def _empirical_p(z: np.ndarray, size: np.ndarray) -> np.ndarray:
    """Upper tail of combined z against the empirical null of units of the same size."""
    p = np.ones(len(z))
    for m in np.unique(size):
        group = size == m
        pool = z[group] if group.sum() >= 30 else z
        centre = float(np.median(pool))
        scale = max(1.0, 1.4826 * float(np.median(np.abs(pool - centre))))
        p[group] = stats.norm.sf((z[group] - max(centre, 0.0)) / scale)
    return p


def _codes(values: pd.Series) -> np.ndarray:
    """Int codes ≥ 0 of a column (categories' codes as they are)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy().astype(np.int64)
    return pd.factorize(values.astype("str"))[0].astype(np.int64)


def _units(school: np.ndarray, code: np.ndarray, grade: np.ndarray) -> list[np.ndarray]:
    """Per unit kind: a unit id per work (units of the same school keep distinct ids)."""
    width = int(max(code.max(initial=0), grade.max(initial=0))) + 1
    return [school, school * width + code, school * width + grade]


def school_level(
    school: pd.Series,
    code: pd.Series,
    grade: pd.Series,
    p_values: np.ndarray,
    applicable: np.ndarray,
) -> SchoolLevel:
    """The school route of every work: best unit, Bonferroni over units, BH across schools."""
    s_codes, c_codes, g_codes = (_codes(values) for values in (school, code, grade))
    p = np.clip(np.where(applicable, p_values, 0.5), 1e-15, 1 - 1e-15)
    # a p of 1 (a capped Bonferroni p) says "no evidence", not "strong evidence against":
    # its z is floored so that one such work cannot cancel the others of its unit
    z = np.where(applicable, np.maximum(stats.norm.isf(p), Z_FLOOR), 0.0)
    n_schools, works = int(s_codes.max(initial=-1)) + 1, np.flatnonzero(applicable)
    whole = np.bincount(s_codes[works], minlength=n_schools)
    best_p, best_kind = np.ones(n_schools), np.zeros(n_schools, dtype=np.int64)
    best_unit, n_units = np.full(n_schools, -1, dtype=np.int64), np.zeros(n_schools)
    unit_of = np.full((len(UNIT_KINDS), len(p)), -1, dtype=np.int64)
    for kind, key in enumerate(_units(s_codes.astype(np.int64), c_codes, g_codes)):
        ids, _uniques = pd.factorize(key[works])
        unit_of[kind, works] = ids
        size = np.bincount(ids)
        owner = s_codes[works][np.unique(ids, return_index=True)[1]]
        unit_p = _empirical_p(np.bincount(ids, weights=z[works]) / np.sqrt(size), size)
        distinct = (size < whole[owner]) if kind else np.ones(len(size), dtype=bool)
        np.add.at(n_units, owner, distinct.astype(float))
        unit_p = np.where(distinct, unit_p, 1.0)
        better = np.flatnonzero(unit_p < best_p[owner])
        for u in better[np.argsort(-unit_p[better])]:  # the smallest p is written last
            best_p[owner[u]], best_kind[owner[u]], best_unit[owner[u]] = unit_p[u], kind, u
    school_p = np.where(whole > 0, np.minimum(best_p * np.maximum(n_units, 1), 1.0), np.nan)
    school_q = benjamini_hochberg(school_p)
    in_best = unit_of[best_kind[s_codes], np.arange(len(p))] == best_unit[s_codes]
    return SchoolLevel(
        school_p[s_codes],
        school_q[s_codes],
        in_best & applicable,
        np.array(UNIT_KINDS, dtype=object)[best_kind[s_codes]],
    )
