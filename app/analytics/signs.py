"""Signs of non-objectivity: the rule registry, significance with FDR control, and markers.

A rule (see `app.analytics.rules`) yields per test work a one-sided p-value against "the school
is like its reference" (sampling noise plus the ordinary spread between honest schools), and
the point pattern of the sign (beyond `margin`). Every rule then gets the same treatment
(`app.analytics.combine`): a sign *fires* when the rule applies, the pattern holds and either
the work's Benjamini–Hochberg q-value across all works the rule tested is at most `fdr`, or
its school's q-value across schools is (the best unit of the school's works: all, one subject,
one grade; for sign 4 the school's three strongest works, whatever they are) and the work is in
that unit with its own p at most `work_alpha`. Each fired sign
carries its evidence (numbers, reference, threshold, rule name, version and parameters).
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from app import lazy
from app.analytics import rules as r
from app.analytics.combine import benjamini_hochberg, school_level
from app.analytics.signstats import strongest_works
from app.analytics.spec import TestSpec
from app.translatable import N_

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    np = lazy.module("numpy")
    pd = lazy.module("pandas")

logger = logging.getLogger(__name__)

WORK_KEYS = ["year", "subject", "code", "grade", "school_login"]
PARALLEL_ROWS = 100_000  # from this many rows of the analysed year, two rules run at a time


@dataclass(frozen=True)
class Rule:
    """A named, versioned, parameterised sign."""

    name: str
    number: int  # the sign's number in DOMAIN.md
    version: str
    title: str  # English msgid; translate with gettext at display time
    defaults: Mapping[str, Any]
    compute: Callable[[r.SignContext, Mapping[str, Any]], pd.DataFrame]
    # the school route: "units" (all works, one subject, one grade: `combine.school_level`)
    # or "strongest" (the school's three strongest works, whatever they are: `strongest_works`)
    school_route: str = "units"


RULES: dict[str, Rule] = {
    rule.name: rule
    for rule in (
        Rule(
            "above_region",
            1,
            "1.2",
            N_("Results markedly above the region"),
            {"margin": 0.15, "min_group": 10, "min_reference": 30, "fdr": 0.10, "work_alpha": 0.05},
            r.above_region,
        ),
        Rule(
            "inversion",
            2,
            "2.2",
            N_("Advanced tasks done better than basic ones"),
            {
                "margin": 0.10,
                "basic_slack": 0.05,
                "min_group": 10,
                "fdr": 0.10,
                "work_alpha": 0.05,
            },
            r.inversion,
        ),
        Rule(
            "journal_mismatch",
            3,
            "2.1",
            N_("VPR marks above the journal marks"),
            {"margin": 0.25, "min_group": 10, "min_reference": 30, "fdr": 0.10, "work_alpha": 0.05},
            r.journal_mismatch,
        ),
        Rule(
            "boundary_peaks",
            4,
            "3.3",
            N_("Peaks at the mark boundaries"),
            {
                "below": 3,
                "widths": (2, 3),
                "above": 1,
                "control": 3,
                "single_boundaries": True,
                "margin": 0.10,
                "min_works": 30,
                "fdr": 0.10,
                "work_alpha": 0.05,
            },
            r.boundary_peaks,
            "strongest",
        ),
        Rule(
            "cohort_change",
            5,
            "2.1",
            N_("Sharp change for the same cohort between years"),
            {
                "margin": 0.30,
                "min_group": 10,
                "from_grade": 4,
                "to_grade": 5,
                "direction": "both",
                "fdr": 0.10,
                "work_alpha": 0.05,
            },
            r.cohort_change,
        ),
        Rule(
            "identical_answers",
            6,
            "1.0",
            N_("Identical answers to advanced tasks within a class"),
            {"bands": 4, "margin": 0.69, "min_group": 10, "fdr": 0.10, "work_alpha": 0.05},
            r.identical_answers,
        ),
    )
}


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


_NEEDED = {
    "year",
    "subject",
    "code",
    "grade",
    "school_login",
    "class",
    "score",
    "mark",
    "journal_mark",
}


def _year_rows(frame: pd.DataFrame, year: int) -> pd.DataFrame:
    """The rows of one year: a slice when they are contiguous (files appended), else a copy."""
    at = np.flatnonzero(frame["year"].to_numpy() == year)
    if len(at) and at[-1] - at[0] + 1 == len(at):
        return frame.iloc[at[0] : at[-1] + 1].reset_index(drop=True)
    return frame.iloc[at].reset_index(drop=True)


def dense_codes(keys: np.ndarray) -> np.ndarray:
    """Codes 0..k-1 of non-negative int keys in increasing key order (a sorted factorize)."""
    if len(keys) and keys.min() >= 0 and keys.max() < 50 * len(keys) + 1000:  # count, no hash
        seen = np.bincount(keys) > 0
        return (np.cumsum(seen) - 1)[keys]
    return pd.factorize(keys, sort=True)[0].astype(np.int64)


def _context(
    frame: pd.DataFrame, specs: Iterable[TestSpec], year: int, specialised: set[str]
) -> r.SignContext:
    frame = frame.astype(
        {c: "category" for c in ("subject", "code", "school_login") if frame[c].dtype != "category"}
    )  # rows from several files or a database arrive as text; codes need categories
    needed = [c for c in frame.columns if c.startswith("task_") or c in _NEEDED]
    frame = frame[needed]  # the participant codes and the like need no copying
    rows, previous = _year_rows(frame, year), _year_rows(frame, year - 1)
    following = _year_rows(frame, year + 1)
    code = rows["code"].cat.codes.to_numpy().astype(np.int64)
    school = rows["school_login"].cat.codes.to_numpy().astype(np.int64)
    grade = rows["grade"].to_numpy().astype(np.int64)
    test = dense_codes((code + 1) * 100 + grade)
    work = dense_codes(test * (school.max(initial=0) + 2) + school)
    first = np.zeros(int(work.max(initial=-1)) + 1, dtype=np.int64)
    first[work[::-1]] = np.arange(len(work) - 1, -1, -1)
    by_key = {(s.subject, s.grade): s for s in specs if s.year == year}
    works = rows.iloc[first][["subject", "code", "grade", "school_login"]].reset_index(drop=True)
    works["test"] = test[first]
    logins = works["school_login"].cat.categories.astype("str")
    works["specialised"] = logins.isin(specialised)[works["school_login"].cat.codes.to_numpy()]
    works["n"] = np.bincount(work, minlength=len(first))
    test_rows = works.drop_duplicates("test").sort_values("test")
    tests = [
        by_key[(str(s), int(g))]
        for s, g in zip(test_rows["subject"], test_rows["grade"], strict=True)
    ]
    previous_tests = {(s.code, s.grade): s for s in specs if s.year == year - 1}
    return r.SignContext(rows, work, test, tests, works, previous, previous_tests, following)


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
    skip |= {"school_q_value", "school_unit", "school_works_combined", "school_works_tested"}
    skip |= {"specialised", "status", "combination_p"}
    numbers: dict[str, Any] = {}
    reference: dict[str, Any] = {}
    for key, value in row.items():
        if key in skip or key in WORK_KEYS:
            continue
        target = (
            reference
            if key.startswith(("region_", "reference_", "expected_")) or "region" in key
            else numbers
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
        "school_unit": row["school_unit"],
        "school_works_combined": _plain(row["school_works_combined"]),
        "school_works_tested": _plain(row["school_works_tested"]),
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


def _rule_detail(
    rule: Rule, ctx: r.SignContext, params: Mapping[str, Any], year: int
) -> pd.DataFrame:
    """One rule's per-work numbers with its work and school p-values (not yet adjusted)."""
    out = rule.compute(ctx, params)
    detail = pd.concat([ctx.works.drop(columns=["test", "n"]), out], axis=1)
    detail.insert(0, "year", year)
    applicable = detail["applicable"].to_numpy(dtype=bool)
    p_value = detail["p_value"].to_numpy(dtype=float)
    if "combination_p" in detail:  # a rule's p fit for combining across works, if it has one
        p_value = detail["combination_p"].to_numpy(dtype=float)
    if rule.school_route == "strongest":
        strongest = strongest_works(detail["school_login"], p_value, applicable)
        detail["school_p_value"], detail["school_unit"] = strongest.p_value, "strongest"
        detail["school_works_combined"] = strongest.combined
        detail["school_works_tested"] = strongest.tested
        detail["in_best_unit"] = strongest.in_best_unit
    else:
        units = school_level(
            detail["school_login"], detail["code"], detail["grade"], p_value, applicable
        )
        detail["school_p_value"], detail["school_unit"] = units.p_value, units.unit
        detail["school_works_combined"] = detail["school_works_tested"] = np.nan
        detail["in_best_unit"] = units.in_best_unit
    return detail


def _whole_list_q(details: list[pd.DataFrame]) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Benjamini–Hochberg over the whole proposed list: the work route across every work of
    every rule, the school route across every (rule, school); q-values per work of each rule."""
    work_p = [np.where(d["applicable"].to_numpy(dtype=bool), d["p_value"], np.nan) for d in details]
    work_q = benjamini_hochberg(np.concatenate(work_p)) if work_p else np.array([])
    keys: list[pd.Series] = []
    school_p: list[float] = []
    for d in details:
        tested = d[d["applicable"].to_numpy(dtype=bool)]
        first = tested.drop_duplicates("school_login")
        keys.append(pd.Series(np.arange(len(first)) + len(school_p), index=first["school_login"]))
        school_p.extend(first["school_p_value"].astype(float).tolist())
    school_q = benjamini_hochberg(np.array(school_p, dtype=float))
    split = np.cumsum([len(d) for d in details])[:-1]
    per_rule_school_q = []
    for d, index in zip(details, keys, strict=True):
        at = d["school_login"].astype("str").map(index.rename(index=str)).to_numpy(dtype=float)
        found = ~np.isnan(at)
        q = np.full(len(d), np.nan)
        q[found] = school_q[at[found].astype(np.int64)]
        per_rule_school_q.append(q)
    return list(np.split(work_q, split)), per_rule_school_q


def _finish_rule(
    rule: Rule,
    detail: pd.DataFrame,
    params: Mapping[str, Any],
    year: int,
    external: np.ndarray,
    q_values: tuple[np.ndarray, np.ndarray],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Status and evidence of one rule's works from the whole list's q-values."""
    applicable = detail["applicable"].to_numpy(dtype=bool)
    p_value = detail["p_value"].to_numpy(dtype=float)
    # two routes, each at level `fdr` over the whole list: a strong sign in one work, or a
    # consistent sign over the school's works, localised to its works of the best unit
    work_q, school_q = q_values
    detail["q_value"], detail["school_q_value"] = work_q, school_q
    in_best = detail.pop("in_best_unit").to_numpy(dtype=bool)
    significant = (work_q <= params["fdr"]) | (
        (school_q <= params["fdr"]) & in_best & (p_value <= params["work_alpha"])
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


def combine_markers(
    results: pd.DataFrame, works: pd.DataFrame, *, sign1_needs_external: bool = True
) -> pd.DataFrame:
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

    def run(name: str) -> pd.DataFrame:
        return _rule_detail(RULES[name], ctx, resolved[name], year)

    if len(ctx.rows) < PARALLEL_ROWS:
        computed = [run(name) for name in chosen]
    else:  # the rules only read the shared context; numpy releases the GIL: run side by side
        with ThreadPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
            computed = list(pool.map(run, chosen))
    # sign 1 alone makes no marker without external exams: then it keeps a list of its own
    alone = sign1_needs_external and (external is None or external.empty)
    pooled = [k for k, name in enumerate(chosen) if not (alone and name == "above_region")]
    q_values: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for group in [pooled] + [[k] for k in range(len(chosen)) if k not in pooled]:
        if not group:
            continue
        work_q, school_q = _whole_list_q([computed[k] for k in group])
        q_values.update({k: (wq, sq) for k, wq, sq in zip(group, work_q, school_q, strict=True)})
    done = [
        _finish_rule(RULES[name], computed[k], resolved[name], year, external_state, q_values[k])
        for k, name in enumerate(chosen)
    ]
    details = {name: detail for name, (_part, detail) in zip(chosen, done, strict=True)}
    results = pd.concat([part for part, _detail in done], ignore_index=True)
    works = ctx.works.assign(year=year)
    markers = combine_markers(results, works, sign1_needs_external=sign1_needs_external)
    meta = {
        name: {
            "sign": RULES[name].number,
            "version": RULES[name].version,
            "title": RULES[name].title,
            "params": resolved[name],
        }
        for name in chosen
    }
    logger.info(
        "signs for %d: %d works, %d markers", year, len(works), int(markers["marker"].sum())
    )
    return SignsResult(year, results, markers, meta, details)
