"""Signs of non-objectivity: the rule registry, significance with FDR control, and markers.

A rule (see `app.analytics.rules`) yields per test work a one-sided p-value against "the school
is at most `margin` above its reference", plus the point pattern of the sign. Here every rule
gets the same treatment: Benjamini–Hochberg over all works it could test (a family per rule),
a sign is *fired* when the pattern holds and the q-value is at most `fdr`, and each fired sign
carries its evidence (numbers, reference, threshold, rule name, version and parameters).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from flask_babel import gettext as _
from scipy import stats

from app.analytics import rules as r
from app.analytics.spec import TestSpec

logger = logging.getLogger(__name__)

WORK_KEYS = ["year", "subject", "code", "grade", "school_login"]


@dataclass(frozen=True)
class Rule:
    """A named, versioned, parameterised sign."""

    name: str
    number: int  # the sign's number in DOMAIN.md
    version: str
    title: str  # English msgid; translate with gettext at display time
    defaults: Mapping[str, Any]
    compute: Callable[[r.SignContext, Mapping[str, Any]], pd.DataFrame]


RULES: dict[str, Rule] = {
    rule.name: rule
    for rule in (
        Rule("above_region", 1, "1.0", "Results markedly above the region",
             {"margin": 0.15, "min_group": 10, "min_reference": 30, "fdr": 0.10, "work_alpha": 0.05}, r.above_region),
        Rule("inversion", 2, "1.0", "Advanced tasks done better than basic ones",
             {"margin": 0.10, "min_group": 10, "fdr": 0.10, "work_alpha": 0.05}, r.inversion),
        Rule("journal_mismatch", 3, "1.0", "VPR marks above the journal marks",
             {"margin": 0.25, "min_group": 10, "min_reference": 30, "fdr": 0.10, "work_alpha": 0.05},
             r.journal_mismatch),
        Rule("boundary_peaks", 4, "1.0", "Peaks at the mark boundaries",
             {"below": 2, "above": 1, "strata": 5, "margin": 0.10, "min_works": 50, "fdr": 0.10, "work_alpha": 0.05}, r.boundary_peaks),
        Rule("cohort_change", 5, "1.0", "Sharp change for the same cohort between years",
             {"margin": 0.30, "min_group": 10, "from_grade": 4, "to_grade": 5,
              "direction": "rise", "fdr": 0.10, "work_alpha": 0.05}, r.cohort_change),
    )
}  # fmt: skip


@dataclass
class SignsResult:
    """Everything `compute_signs` found for one analysed year."""

    year: int
    results: pd.DataFrame  # one row per (rule, work in the rule's scope)
    markers: pd.DataFrame  # one row per work: the binary marker and the signs behind it
    rules: dict[str, dict[str, Any]]  # name -> number, version, title, params
    details: dict[str, pd.DataFrame] = field(default_factory=dict)  # rule -> per-work numbers

    def evidence(self, school_login: str | None = None) -> list[dict[str, Any]]:
        """Evidence dicts of the fired signs, optionally of one school."""
        fired = self.results[self.results["status"] == "fired"]
        if school_login is not None:
            fired = fired[fired["school_login"] == school_login]
        return list(fired["evidence"])


def resolve_params(overrides: Mapping[str, Mapping[str, Any]] | None) -> dict[str, dict[str, Any]]:
    """Defaults merged with overrides; unknown rules or parameters raise ValueError."""
    resolved = {name: dict(rule.defaults) for name, rule in RULES.items()}
    for name, values in (overrides or {}).items():
        if name not in RULES:
            raise ValueError(f"unknown rule {name!r}")
        unknown = set(values) - set(RULES[name].defaults)
        if unknown:
            raise ValueError(f"unknown parameters for {name}: {sorted(unknown)}")
        resolved[name].update(values)
    return resolved


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


def school_level(
    school: pd.Series, p_values: pd.Series, applicable: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per work: its school's combined p-value and that value's BH q-value across schools.

    The school's works are combined by Stouffer's z. Works of one school share the school's
    traits (a strict journal, strong teaching), so under "honest" the combined z is wider
    than N(0, 1); its null is therefore estimated from all schools (Efron's empirical null:
    median and MAD, per number of combined works), and only schools outside it count.
    """
    codes, uniques = pd.factorize(school.astype("str"))
    p = np.clip(np.where(applicable, p_values.to_numpy(dtype=float), 0.5), 1e-12, 1 - 1e-12)
    z = np.where(applicable, stats.norm.isf(p), 0.0)
    m = np.bincount(codes, weights=applicable.astype(float), minlength=len(uniques))
    total = np.bincount(codes, weights=z, minlength=len(uniques))
    combined = np.divide(total, np.sqrt(m), out=np.zeros(len(m)), where=m > 0)
    family = np.full(len(m), np.nan)
    for size in np.unique(m[m > 0]):
        group = m == size
        pool = combined[group] if group.sum() >= 30 else combined[m > 0]
        centre = float(np.median(pool))
        scale = max(1.0, 1.4826 * float(np.median(np.abs(pool - centre))))
        family[group] = stats.norm.sf((combined[group] - max(centre, 0.0)) / scale)
    family_q = benjamini_hochberg(family)
    return family[codes], family_q[codes]


def _context(frame: pd.DataFrame, specs: Iterable[TestSpec], year: int,
             specialised: set[str]) -> r.SignContext:  # fmt: skip
    frame = frame.astype(
        {c: "category" for c in ("subject", "code", "school_login") if frame[c].dtype != "category"}
    )  # rows from several files or a database arrive as text; codes need categories
    rows = frame[frame["year"] == year].reset_index(drop=True)
    previous = frame[frame["year"] == year - 1].reset_index(drop=True)
    code = rows["code"].cat.codes.to_numpy().astype(np.int64)
    school = rows["school_login"].cat.codes.to_numpy().astype(np.int64)
    grade = rows["grade"].to_numpy().astype(np.int64)
    test, test_keys = pd.factorize((code + 1) * 100 + grade, sort=True)
    work, work_keys = pd.factorize(
        test.astype(np.int64) * (school.max(initial=0) + 2) + school, sort=True
    )
    first = np.zeros(len(work_keys), dtype=np.int64)
    first[work] = np.arange(len(work))
    by_key = {(s.subject, s.grade): s for s in specs if s.year == year}
    firsts = (
        rows.iloc[np.searchsorted(test[np.sort(first)], np.arange(len(test_keys)))]
        if False
        else None
    )
    del firsts
    works = rows.iloc[first][["subject", "code", "grade", "school_login"]].reset_index(drop=True)
    works["test"] = test[first]
    works["specialised"] = works["school_login"].astype("str").isin(specialised).to_numpy()
    works["n"] = np.bincount(work, minlength=len(work_keys))
    test_rows = works.drop_duplicates("test").sort_values("test")
    tests = [
        by_key[(str(s), int(g))]
        for s, g in zip(test_rows["subject"], test_rows["grade"], strict=True)
    ]
    previous_tests = {(s.code, s.grade): s for s in specs if s.year == year - 1}
    return r.SignContext(rows, work, test, tests, works, previous, previous_tests)


def _plain(value: Any) -> Any:
    """A JSON-friendly scalar: numpy numbers as Python ones, floats rounded, NaN as None."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else float(f"{value:.4g}")
    return value


def _evidence(rule: Rule, params: Mapping[str, Any], year: int, row: Mapping[str, Any]) -> dict:
    """The evidence of one fired sign: numbers, reference, threshold, rule and version."""
    skip = {"applicable", "pattern", "scope", "p_value", "q_value", "school_p_value", "test"}
    skip |= {"school_q_value"}
    skip |= {"specialised", "status"}
    numbers: dict[str, Any] = {}
    reference: dict[str, Any] = {}
    for key, value in row.items():
        if key in skip or key in WORK_KEYS:
            continue
        target = (
            reference if key.startswith(("region_", "reference_")) or "region" in key else numbers
        )
        target[key] = _plain(value)
    return {
        "rule": rule.name,
        "sign": rule.number,
        "version": rule.version,
        "title": rule.title,
        "params": {k: _plain(v) for k, v in params.items()},
        "year": year,
        "school_login": str(row["school_login"]),
        "subject": str(row["subject"]),
        "code": str(row["code"]),
        "grade": int(row["grade"]),
        "numbers": numbers,
        "reference": reference,
        "threshold": {
            "margin": _plain(params.get("margin")),
            "fdr": _plain(params["fdr"]),
            "work_alpha": _plain(params["work_alpha"]),
        },
        "p_value": _plain(row["p_value"]),
        "q_value": _plain(row["q_value"]),
        "school_p_value": _plain(row["school_p_value"]),
        "school_q_value": _plain(row["school_q_value"]),
    }


def _external_state(works: pd.DataFrame, external: pd.DataFrame | None) -> np.ndarray:
    """Per work: "confirmed", "not_confirmed" or "unknown" from external exam results."""
    if external is None or external.empty:
        return np.full(len(works), "unknown", dtype=object)
    table = external.assign(
        school_login=external["school_login"].astype("str"), code=external["code"].astype("str")
    ).drop_duplicates(["school_login", "code"], keep="last")
    keys = pd.DataFrame(
        {"school_login": works["school_login"].astype("str"), "code": works["code"].astype("str")}
    )
    confirmed = keys.merge(table, on=["school_login", "code"], how="left")["confirmed"]
    return np.where(
        confirmed.isna(),
        "unknown",
        np.where(confirmed.fillna(False).astype(bool), "confirmed", "not_confirmed"),
    )


def _run_rule(rule: Rule, ctx: r.SignContext, params: Mapping[str, Any], year: int,
              external: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:  # fmt: skip
    out = rule.compute(ctx, params)
    detail = pd.concat([ctx.works.drop(columns=["test", "n"]), out], axis=1)
    detail.insert(0, "year", year)
    applicable = detail["applicable"].to_numpy(dtype=bool)
    # two routes, each at level `fdr`: a strong sign in one work (BH over all works), or a
    # consistent sign over the school's works (BH over schools), localised to its works
    work_q = benjamini_hochberg(np.where(applicable, detail["p_value"], np.nan))
    school_p, school_q = school_level(detail["school_login"], detail["p_value"], applicable)
    detail["q_value"], detail["school_p_value"], detail["school_q_value"] = (
        work_q,
        school_p,
        school_q,
    )
    significant = (work_q <= params["fdr"]) | (
        (school_q <= params["fdr"]) & (detail["p_value"].to_numpy() <= params["work_alpha"])
    )
    fired = applicable & detail["pattern"].to_numpy(dtype=bool) & significant
    status = np.where(fired, "fired", np.where(applicable, "not_fired", "insufficient_data"))
    if rule.name == "above_region":
        detail["external"] = external
        status = np.where(fired & (external == "confirmed"), "confirmed_externally", status)
    detail["status"] = status
    if "scope" in detail:
        detail = detail[detail["scope"].to_numpy(dtype=bool)]
    results = detail[[*WORK_KEYS, "status", "n", "p_value", "q_value"]].copy()
    results.insert(0, "version", rule.version)
    results.insert(0, "sign", rule.number)
    results.insert(0, "rule", rule.name)
    results["evidence"] = None
    chosen = np.flatnonzero(results["status"].to_numpy() == "fired")
    if len(chosen):
        records = detail.iloc[chosen].to_dict("records")
        results.iloc[chosen, results.columns.get_loc("evidence")] = pd.Series(
            [_evidence(rule, params, year, rec) for rec in records], dtype=object
        ).to_numpy()
    return results, detail


def combine_markers(results: pd.DataFrame, works: pd.DataFrame, *,
                    sign1_needs_external: bool = True) -> pd.DataFrame:  # fmt: skip
    """One binary marker per tested work: any fired sign except sign 1, or sign 1 refuted by
    external exams (with `sign1_needs_external`; otherwise sign 1 alone counts too)."""
    fired = results[results["status"] == "fired"]
    if sign1_needs_external:
        alone = (fired["rule"] == "above_region") & fired["evidence"].map(
            lambda e: e is not None and e["numbers"].get("external") != "not_confirmed"
        )
        counted = fired[~alone]
    else:
        counted = fired
    signs = (
        fired.groupby(WORK_KEYS, observed=True)["sign"]
        .agg(lambda s: ",".join(str(v) for v in sorted(s)))
        .rename("signs")
    )
    marked = counted.groupby(WORK_KEYS, observed=True).size().rename("counted")
    out = works[[*WORK_KEYS, "n"]].merge(signs.reset_index(), on=WORK_KEYS, how="left")
    out = out.merge(marked.reset_index(), on=WORK_KEYS, how="left")
    out["marker"] = (out["counted"].fillna(0) > 0).astype(np.int8)
    out["signs"] = [v if isinstance(v, str) else "" for v in out["signs"]]
    return out.drop(columns=["counted"])


def specialised_from_directory(directory: pd.DataFrame) -> set[str]:
    """Logins of specialised schools from a §6 directory frame (Russian headers)."""
    cols = {c.strip().lower().replace("ё", "е"): c for c in directory.columns}
    login = directory[cols["логин"]].astype("str").str.strip().str.lower()
    deep = directory[cols["углубленное изучение"]].astype("str").str.strip().str.lower()
    kind = directory[cols["тип"]].astype("str").str.strip().str.lower() if "тип" in cols else None
    flag = deep.isin(["да", "yes", "1", "true"])
    if kind is not None:
        flag |= kind.isin(["лицей", "гимназия"])
    return set(login[flag])


def compute_signs(
    frame: pd.DataFrame,
    specs: Iterable[TestSpec],
    *,
    year: int | None = None,
    specialised: Iterable[str] = (),
    params: Mapping[str, Mapping[str, Any]] | None = None,
    rules: Iterable[str] | None = None,
    external: pd.DataFrame | None = None,
    sign1_needs_external: bool = True,
) -> SignsResult:
    """Run the signs over the works of `year` (default: the latest year in `frame`)."""
    resolved = resolve_params(params)
    chosen = list(rules) if rules is not None else list(RULES)
    year = int(frame["year"].max()) if year is None else year
    specs = list(specs)
    ctx = _context(frame, specs, year, {s.strip().lower() for s in specialised})
    external_state = _external_state(ctx.works, external)
    parts, details = [], {}
    for name in chosen:
        part, detail = _run_rule(RULES[name], ctx, resolved[name], year, external_state)
        parts.append(part)
        details[name] = detail
    results = pd.concat(parts, ignore_index=True)
    works = ctx.works.assign(year=year)
    markers = combine_markers(results, works, sign1_needs_external=sign1_needs_external)
    meta = {
        name: {"sign": RULES[name].number, "version": RULES[name].version,
               "title": RULES[name].title, "params": resolved[name]}
        for name in chosen
    }  # fmt: skip
    logger.info(
        "signs for %d: %d works, %d markers", year, len(works), int(markers["marker"].sum())
    )
    return SignsResult(year, results, markers, meta, details)


def rule_title(name: str) -> str:
    """The rule's translated title."""
    return _(RULES[name].title)
