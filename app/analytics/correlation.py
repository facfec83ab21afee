"""Correlation of a school's own marks with attestation and external results (DATA_FORMATS §4).

For the information certificate: per school, subject and class, and per pair of measures,
Spearman's ρ and Kendall's τ-b with p-values and 95 % confidence intervals, the shares of
marks lowered / confirmed / raised by the second measure, the quadratic-weighted Cohen's κ and
the contingency table. Below `min_n` complete pairs the result says "not enough data".
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from app import lazy
from app.tabular import Column, Problem, TableError, read_table
from app.translatable import _, number

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    from scipy import stats
else:
    np = lazy.module("numpy")
    pd = lazy.module("pandas")
    stats = lazy.module("scipy.stats")

logger = logging.getLogger(__name__)

MARKS = (2, 3, 4, 5)
MEASURES = ("q1", "q2", "q3", "q4", "attestation", "vpr", "oge", "ege")
SCORE_MEASURES = {"ege": (0, 100)}  # a test score, not a mark: no shares, κ or table
DEFAULT_PAIRS: tuple[tuple[str, str], ...] = (
    ("q1", "attestation"),
    ("q2", "attestation"),
    ("q3", "attestation"),
    ("q4", "attestation"),
    ("attestation", "vpr"),
    ("attestation", "oge"),
    ("attestation", "ege"),
    *((f"q{i}", external) for external in ("vpr", "oge", "ege") for i in range(1, 5)),
)
EXTERNAL = frozenset({"vpr", "oge", "ege"})  # a class without them has no such rows
COLUMNS = [
    Column("Год", "year"),
    Column("Логин ОО", "school_login"),
    Column("Класс", "class"),
    Column("Код участника", "participant"),
    Column("Предмет", "subject"),
    *(Column(f"Четверть {i}", f"q{i}", required=False) for i in range(1, 5)),
    Column("Промежуточная аттестация", "attestation"),
    Column("ВПР", "vpr", required=False),
    Column("ОГЭ", "oge", required=False),
    Column("ЕГЭ", "ege", required=False),
]


def read_student_marks(data: bytes) -> tuple[pd.DataFrame, list[Problem]]:
    """A §4 file as a frame (English column names, marks as nullable Int8) and its problems."""
    try:
        table = read_table(data, COLUMNS)
    except TableError as exc:
        return pd.DataFrame(), exc.problems
    aliases = {c.name: c.alias for c in COLUMNS}
    frame = pd.DataFrame([{aliases[k]: v for k, v in row.items()} for row in table.rows])
    frame.insert(0, "row", table.row_numbers)
    problems: list[Problem] = []
    for column in COLUMNS:
        key = str(column.alias)
        if key not in frame or key in ("school_login", "class", "participant", "subject"):
            continue
        low, high = SCORE_MEASURES.get(key, (2, 5) if key != "year" else (2000, 2100))
        text = frame[key].astype("str").str.strip()
        number = pd.to_numeric(text.where(text != ""), errors="coerce")
        bad = (text != "") & (number.isna() | (number < low) | (number > high) | (number % 1 != 0))
        for i in np.flatnonzero(bad.to_numpy()):
            problems.append(
                Problem(
                    int(frame["row"].iloc[i]),
                    column.name,
                    _("An integer from %(a)d to %(b)d is required.", a=low, b=high),
                )
            )
        frame[key] = number.astype("Int16" if key in ("year", "ege") else "Int8")
    return frame, problems


def quadratic_kappa(x: Sequence[int], y: Sequence[int], categories: Sequence[int] = MARKS) -> float:
    """Cohen's κ with quadratic weights; NaN when chance agreement is already perfect."""
    index = {c: i for i, c in enumerate(categories)}
    k = len(categories)
    observed = np.zeros((k, k))
    np.add.at(observed, ([index[int(v)] for v in x], [index[int(v)] for v in y]), 1)
    observed /= observed.sum()
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0))
    weights = (np.subtract.outer(np.arange(k), np.arange(k)) ** 2) / (k - 1) ** 2
    chance = float((weights * expected).sum())
    return math.nan if chance == 0 else 1 - float((weights * observed).sum()) / chance


def _fisher_ci(r: float, se: float) -> tuple[float, float]:
    """95 % interval for a correlation by Fisher's z with the given standard error."""
    z = math.atanh(max(min(r, 0.999999), -0.999999))
    return math.tanh(z - 1.959964 * se), math.tanh(z + 1.959964 * se)


FIGURES = (
    "spearman",
    "spearman_p",
    "spearman_ci",
    "kendall_tau_b",
    "kendall_p",
    "kendall_ci",
    "kappa",
)


def correlate(
    x: Sequence[float], y: Sequence[float], *, min_n: int = 10, marks: bool = True
) -> dict[str, Any]:
    """Agreement of two measures over complete pairs (x = the school's mark, y = the other)."""
    a = np.asarray(x, dtype=float)
    b = np.asarray(y, dtype=float)
    keep = ~(np.isnan(a) | np.isnan(b))
    a, b = a[keep], b[keep]
    n = len(a)
    # Every result has every key (None where it cannot be computed): a table of results from
    # small groups only has the same columns as any other.
    result: dict[str, Any] = {"n": n, "min_n": min_n, "status": "ok", **dict.fromkeys(FIGURES)}
    if n < min_n:
        result["status"] = "not_enough_data"
    elif np.ptp(a) == 0 or np.ptp(b) == 0:
        result["status"] = "constant"  # scipy would warn and return NaN
    else:
        rho, p_rho = stats.spearmanr(a, b)
        tau, p_tau = stats.kendalltau(a, b, variant="b")
        result.update(
            spearman=float(rho),
            spearman_p=float(p_rho),
            spearman_ci=_fisher_ci(float(rho), math.sqrt((1 + rho**2 / 2) / (n - 3))),
            kendall_tau_b=float(tau),
            kendall_p=float(p_tau),
            kendall_ci=_fisher_ci(float(tau), math.sqrt(0.437 / (n - 4))),
        )
    if marks and n:
        result.update(
            lowered=float(np.mean(b < a)),
            confirmed=float(np.mean(b == a)),
            raised=float(np.mean(b > a)),
            differ_by_2=float(np.mean(np.abs(b - a) >= 2)),
            contingency=pd.crosstab(
                pd.Categorical(a.astype(int), MARKS),
                pd.Categorical(b.astype(int), MARKS),
                dropna=False,
            )
            .to_numpy()
            .tolist(),
        )
        if n >= min_n:
            result["kappa"] = quadratic_kappa(a.astype(int), b.astype(int))
    result["wording"] = describe(result)
    return result


def strength(r: float) -> str:
    """The Chaddock scale usual in Russian reports, as an English msgid."""
    size = abs(r)
    for bound, word in (
        (0.1, "no"),
        (0.3, "weak"),
        (0.5, "moderate"),
        (0.7, "noticeable"),
        (0.9, "high"),
    ):
        if size < bound:
            return word
    return "very high"


def describe(result: dict[str, Any]) -> str:
    """A plain sentence about one correlation result."""
    if result["status"] == "not_enough_data":
        return _(
            "Not enough data: %(n)d complete pairs, at least %(min)d are needed.",
            n=result["n"],
            min=result.get("min_n", 10),
        )
    if result["status"] == "constant":
        return _("The marks do not vary, so the correlation cannot be computed.")
    rho = result["spearman"]
    words = {
        "no": _("no"),
        "weak": _("a weak"),
        "moderate": _("a moderate"),
        "noticeable": _("a noticeable"),
        "high": _("a high"),
        "very high": _("a very high"),
    }
    text = _(
        "There is %(strength)s %(direction)s correlation (Spearman's ρ = %(rho)s, "
        "95%% CI %(low)s to %(high)s, n = %(n)d).",
        strength=words[strength(rho)],
        direction=_("positive") if rho >= 0 else _("negative"),
        rho=number(rho, ".2f"),
        low=number(result["spearman_ci"][0], ".2f"),
        high=number(result["spearman_ci"][1], ".2f"),
        n=result["n"],
    )
    if "confirmed" in result:
        text += " " + _(
            "Marks confirmed: %(c).0f%%, lowered: %(l).0f%%, raised: %(r).0f%%.",
            c=100 * result["confirmed"],
            l=100 * result["lowered"],
            r=100 * result["raised"],
        )
    return text


def correlation_table(
    frame: pd.DataFrame,
    *,
    by: Sequence[str] = ("school_login", "subject", "class"),
    pairs: Sequence[tuple[str, str]] = DEFAULT_PAIRS,
    min_n: int = 10,
) -> pd.DataFrame:
    """One row per group and pair of measures present in `frame`, with `correlate`'s fields."""
    rows = []
    present = [(x, y) for x, y in pairs if x in frame and y in frame]
    for key, group in frame.groupby(list(by), observed=True, sort=True):
        for x, y in present:
            xs = group[x].to_numpy(dtype="float64", na_value=np.nan)
            ys = group[y].to_numpy(dtype="float64", na_value=np.nan)
            result = correlate(xs, ys, min_n=min_n, marks=y not in SCORE_MEASURES)
            if result["n"] == 0 and y in EXTERNAL:
                continue  # grade 5 writes no ОГЭ: an empty column is not a finding
            rows.append(
                {**dict(zip(by, key, strict=True)), "measure": x, "compared_with": y, **result}
            )
    return pd.DataFrame(rows)


def correlation_records(
    frame: pd.DataFrame,
    *,
    by: Sequence[str] = ("school_login", "subject", "class"),
    pairs: Sequence[tuple[str, str]] = DEFAULT_PAIRS,
    min_n: int = 10,
) -> list[dict[str, Any]]:
    """`correlation_table` as plain dicts, each with only the fields its result has (a class
    too small for a correlation has no interval: the key is absent, never NaN)."""
    table = correlation_table(frame, by=by, pairs=pairs, min_n=min_n)
    records = []
    for record in table.to_dict("records"):
        records.append(
            {
                k: v
                for k, v in record.items()
                if not (isinstance(v, float) and math.isnan(v)) and v is not None
            }
        )
    return records


WEAK = 0.5  # below a moderate correlation on the Chaddock scale
LOWERED = 0.3  # a third of the school's marks not reached in the external work


def conclusions(rows: Sequence[dict[str, Any]]) -> str:
    """The certificate's findings from its correlation rows: where the school's marks are not
    borne out (weak correlation, or many marks lowered by the external work), which classes
    were too small to judge, or that the marks agree. One sentence per line."""
    lines, small = [], []
    for r in rows:
        label = f"{r.get('subject', '')}, {r.get('class', '')}"
        measure = r.get("measure_label", r.get("measure", ""))
        other = r.get("compared_label", r.get("compared_with", ""))
        if r.get("status") == "not_enough_data":
            small.append(str(r.get("class", "")))
            continue
        if r.get("status") != "ok":
            continue
        weak = float(r.get("spearman", 1.0)) < WEAK
        lowered = float(r.get("lowered", 0.0)) >= LOWERED
        if weak or lowered:
            lines.append(
                _(
                    "%(where)s: %(measure)s and %(other)s agree poorly (Spearman's ρ = %(rho)s; "
                    "marks lowered by the second: %(lowered)s).",
                    where=label,
                    measure=measure,
                    other=other,
                    rho=number(float(r["spearman"]), ".2f"),
                    lowered=number(100 * float(r.get("lowered", 0.0)), ".0f") + " %",
                )
            )
    if small:
        classes = ", ".join(sorted(set(small)))
        lines.append(
            _(
                "Classes %(classes)s: fewer complete pairs than needed, no correlation computed.",
                classes=classes,
            )
        )
    if not lines:
        return _("The current marks agree with the attestation and the external results.")
    return "\n".join(lines)
