"""Charts as PNG bytes (matplotlib, Agg backend): score histogram, task profile, tables."""

from __future__ import annotations

import functools
import io
import logging
from collections.abc import Sequence
from types import ModuleType
from typing import TYPE_CHECKING

from app import lazy
from app.analytics.spec import TestSpec
from app.analytics.vpr import TASK_PREFIX
from app.translatable import _

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    from matplotlib.figure import Figure
else:
    np = lazy.module("numpy")
    pd = lazy.module("pandas")

logger = logging.getLogger(__name__)


@functools.cache
def _pyplot() -> ModuleType:
    """pyplot on the Agg backend (no display on servers) with a font that has Cyrillic, imported
    when the first chart is drawn."""
    import matplotlib

    matplotlib.use("Agg")  # before pyplot is imported
    from matplotlib import pyplot

    pyplot.rcParams["font.family"] = "DejaVu Sans"  # ships with matplotlib
    return pyplot


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    _pyplot().close(figure)
    return buffer.getvalue()


def score_histogram_png(
    scores: Sequence[int],
    spec: TestSpec,
    *,
    region_scores: Sequence[int] | None = None,
    title: str = "",
) -> bytes:
    """The school's primary-score distribution with the mark boundaries (and the region's shape)."""
    bins = np.arange(spec.max_score + 2) - 0.5
    figure, axes = _pyplot().subplots(figsize=(8, 4))
    counts = np.bincount(np.asarray(scores, dtype=int), minlength=spec.max_score + 1)
    axes.bar(np.arange(len(counts)), counts, width=0.9, color="#4a7ab7", label=_("School"))
    if region_scores is not None and len(region_scores):
        region = np.histogram(np.asarray(region_scores), bins=bins)[0]
        scaled = region / region.sum() * counts.sum()
        axes.plot(
            np.arange(len(scaled)),
            scaled,
            color="#d1495b",
            label=_("Region (same number of works)"),
        )
    for mark, threshold in zip((3, 4, 5), spec.thresholds, strict=True):
        axes.axvline(threshold - 0.5, color="#333333", linestyle="--", linewidth=1)
        axes.text(threshold - 0.4, axes.get_ylim()[1] * 0.95, f"«{mark}»", va="top")
    axes.set_xlabel(_("Primary score"))
    axes.set_ylabel(_("Number of works"))
    axes.set_title(title or f"{spec.subject}, {spec.grade} — {spec.year}")
    axes.legend(loc="upper left")
    return _png(figure)


def task_profile(frame: pd.DataFrame, spec: TestSpec, school_login: str) -> pd.DataFrame:
    """Per task: level, the school's and the region's share of points earned."""
    rows = frame[
        (frame["year"] == spec.year)
        & (frame["subject"] == spec.subject)
        & (frame["grade"] == spec.grade)
    ]
    mine = rows["school_login"].astype("str") == school_login
    out = []
    for task in spec.tasks:
        points = rows[TASK_PREFIX + task.id].to_numpy(dtype="float64", na_value=np.nan)
        out.append(
            {
                "task": task.id,
                "level": task.level,
                "max": task.max,
                "school": float(np.nanmean(points[mine.to_numpy()])) / task.max
                if mine.any()
                else np.nan,
                "region": float(np.nanmean(points)) / task.max if len(points) else np.nan,
            }
        )
    return pd.DataFrame(out)


def task_profile_png(profile: pd.DataFrame, *, title: str = "") -> bytes:
    """The school vs the region per task (bars), basic and advanced tasks told apart."""
    figure, axes = _pyplot().subplots(figsize=(max(6, 0.45 * len(profile)), 4))
    x = np.arange(len(profile))
    axes.bar(x - 0.2, profile["school"], width=0.4, color="#4a7ab7", label=_("School"))
    axes.bar(x + 0.2, profile["region"], width=0.4, color="#bbbbbb", label=_("Region"))
    labels = [f"{t}\n{lvl}" for t, lvl in zip(profile["task"], profile["level"], strict=True)]
    axes.set_xticks(x, labels)
    axes.set_ylim(0, 1)
    axes.set_ylabel(_("Share of points earned"))
    axes.set_xlabel(_("Task and level (Б basic, П advanced)"))
    axes.set_title(title)
    axes.legend()
    return _png(figure)


def contingency_png(
    table: Sequence[Sequence[int]],
    *,
    x_label: str,
    y_label: str,
    title: str = "",
    marks: Sequence[int] = (2, 3, 4, 5),
) -> bytes:
    """A heat map of a mark contingency table with the counts written in the cells."""
    data = np.asarray(table, dtype=float)
    figure, axes = _pyplot().subplots(figsize=(4.8, 4.2))
    axes.imshow(data, cmap="Blues")
    for (i, j), value in np.ndenumerate(data):
        axes.text(j, i, f"{int(value)}", ha="center", va="center")
    axes.set_xticks(range(len(marks)), [str(m) for m in marks])
    axes.set_yticks(range(len(marks)), [str(m) for m in marks])
    axes.set_xlabel(y_label)
    axes.set_ylabel(x_label)
    axes.set_title(title)
    return _png(figure)


def agreement_png(rows: pd.DataFrame, *, title: str = "") -> bytes:
    """Stacked bars of lowered / confirmed / raised shares, one bar per row's `label`."""
    figure, axes = _pyplot().subplots(figsize=(7, 0.5 * len(rows) + 1.5))
    left = np.zeros(len(rows))
    for key, label, colour in (
        ("lowered", _("lowered"), "#d1495b"),
        ("confirmed", _("confirmed"), "#8bb174"),
        ("raised", _("raised"), "#edae49"),
    ):
        values = rows[key].to_numpy(dtype=float)
        axes.barh(rows["label"].astype(str), values, left=left, color=colour, label=label)
        left += values
    axes.set_xlim(0, 1)
    axes.set_xlabel(_("Share of pupils"))
    axes.set_title(title)
    axes.legend(loc="lower right")
    return _png(figure)


def recheck_scatter_png(
    score_school: Sequence[int], score_recheck: Sequence[int], *, title: str = ""
) -> bytes:
    """The school's primary scores against the experts' scores, with the diagonal."""
    a, b = np.asarray(score_school, dtype=float), np.asarray(score_recheck, dtype=float)
    figure, axes = _pyplot().subplots(figsize=(4.8, 4.8))
    axes.scatter(a, b, alpha=0.6, color="#4a7ab7")
    top = max(float(a.max(initial=1)), float(b.max(initial=1))) + 1
    axes.plot([0, top], [0, top], color="#333333", linewidth=1)
    axes.set_xlabel(_("Primary score given at the school"))
    axes.set_ylabel(_("Primary score after the recheck"))
    axes.set_title(title)
    return _png(figure)
