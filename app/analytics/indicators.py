"""Regional indicators (seed 000): how objective the region's results are, by municipality and
year, how often independent rechecks confirm the schools' marks, and each school's risk profile
over three years.

Inputs are plain frames: the region's schools (login, name, municipality), the lists by year
(year, login, federal, regional: which source flagged the school), and rechecked works (year,
login, confirmed: the expert's mark equals the school's). The objectivity level follows the
FIOKO practice of judging a region by the share of its schools with signs of non-objectivity;
the federal thresholds are not published, so they are named parameters here
(`LEVELS`: share flagged at most 5 % is high, at most 10 % medium, above that low).
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app import lazy
from app.translatable import N_

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    np = lazy.module("numpy")
    pd = lazy.module("pandas")

LEVELS: tuple[tuple[float, str], ...] = ((0.05, N_("high")), (0.10, N_("medium")))
LOW = N_("low")
PROFILE_YEARS = 3


def objectivity_level(flagged_share: float, levels: tuple[tuple[float, str], ...] = LEVELS) -> str:
    """The level (an English msgid) for a share of flagged schools."""
    for bound, name in levels:
        if flagged_share <= bound:
            return name
    return LOW


@dataclass
class Indicators:
    """The region's indicators: per year, per municipality and year, per school."""

    region: pd.DataFrame  # year, schools, flagged, flagged_share, level, recheck_*
    municipalities: pd.DataFrame  # municipality, year, schools, flagged, share, trend, recheck_*
    profiles: pd.DataFrame  # login, name, municipality, one column per year, years_flagged, risk


def _recheck(rechecks: pd.DataFrame, keys: list[str], schools: pd.DataFrame) -> pd.DataFrame:
    if rechecks.empty:
        return pd.DataFrame(columns=[*keys, "recheck_works", "recheck_confirmed_share"])
    works = rechecks.merge(schools[["login", "municipality"]], on="login", how="left")
    return (
        works.groupby(keys)["confirmed"]
        .agg(recheck_works="size", recheck_confirmed_share="mean")
        .reset_index()
    )


def region_indicators(
    schools: pd.DataFrame,
    listed: pd.DataFrame,
    rechecks: pd.DataFrame,
    *,
    years: list[int] | None = None,
) -> Indicators:
    """Compute the indicators for `years` (default: every year on a list)."""
    years = sorted(set(listed["year"])) if years is None else sorted(years)
    listed = listed[listed["year"].isin(years)].drop_duplicates(["year", "login"])
    rechecks = rechecks[rechecks["year"].isin(years)] if not rechecks.empty else rechecks
    total = schools.groupby("municipality").size().rename("schools")
    flagged = listed.merge(schools[["login", "municipality"]], on="login", how="inner")
    grid = pd.MultiIndex.from_product([total.index, years], names=["municipality", "year"])
    counts = flagged.groupby(["municipality", "year"]).size().reindex(grid, fill_value=0)
    by_mun = counts.rename("flagged").reset_index().merge(total.reset_index(), on="municipality")
    by_mun["flagged_share"] = by_mun["flagged"] / by_mun["schools"].clip(lower=1)
    by_mun = by_mun.sort_values(["municipality", "year"])
    by_mun["trend"] = by_mun.groupby("municipality")["flagged_share"].diff()
    by_mun = by_mun.merge(
        _recheck(rechecks, ["municipality", "year"], schools),
        on=["municipality", "year"],
        how="left",
    )
    per_year = flagged.groupby("year").size().reindex(years, fill_value=0)
    region = pd.DataFrame({"year": years, "schools": len(schools), "flagged": per_year.to_numpy()})
    region["flagged_share"] = region["flagged"] / max(len(schools), 1)
    region["level"] = [objectivity_level(s) for s in region["flagged_share"]]
    region["trend"] = region["flagged_share"].diff()
    region = region.merge(_recheck(rechecks, ["year"], schools), on="year", how="left")
    return Indicators(
        region, by_mun.reset_index(drop=True), _profiles(schools, listed, rechecks, years)
    )


def _source(federal: bool, regional: bool) -> str:
    return "ФИОКО+регион" if federal and regional else "ФИОКО" if federal else "регион"


def _profiles(
    schools: pd.DataFrame, listed: pd.DataFrame, rechecks: pd.DataFrame, years: list[int]
) -> pd.DataFrame:
    """Per school flagged at least once in the last three years: the source of each year's
    flag, consecutive years up to the last one, the recheck-confirmed share and a risk."""
    recent = years[-PROFILE_YEARS:]
    mine = listed[listed["year"].isin(recent)]
    if mine.empty:
        return pd.DataFrame(columns=["login", "name", "municipality", *recent, "risk"])
    table = mine.assign(
        source=[_source(f, r) for f, r in zip(mine["federal"], mine["regional"], strict=True)]
    )
    wide = table.pivot_table(index="login", columns="year", values="source", aggfunc="first")
    wide = wide.reindex(columns=recent)
    on_list = wide.notna().to_numpy()
    consecutive = np.zeros(len(wide), dtype=int)
    for k in range(len(recent) - 1, -1, -1):
        still = on_list[:, k] & (consecutive == len(recent) - 1 - k)
        consecutive += still
    out = schools[["login", "name", "municipality"]].merge(
        wide.reset_index(), on="login", how="inner"
    )
    out["years_flagged"] = on_list.sum(axis=1)[wide.index.get_indexer(out["login"])]
    out["consecutive_years"] = consecutive[wide.index.get_indexer(out["login"])]
    confirmed = (
        rechecks.groupby("login")["confirmed"].mean()
        if not rechecks.empty
        else pd.Series(dtype=float)
    )
    out["recheck_confirmed_share"] = out["login"].map(confirmed)
    out["risk"] = [
        _risk(c, y, share)
        for c, y, share in zip(
            out["consecutive_years"],
            out["years_flagged"],
            out["recheck_confirmed_share"],
            strict=True,
        )
    ]
    order = out["risk"].map({"high": 0, "medium": 1, "low": 2})
    return (
        out.assign(_order=order)
        .sort_values(["_order", "municipality", "name"])
        .drop(columns="_order")
        .reset_index(drop=True)
    )


RISKS: Mapping[str, str] = {"high": N_("high"), "medium": N_("medium"), "low": N_("low")}


def _risk(consecutive: int, years_flagged: int, confirmed: float) -> str:
    """High: three consecutive years (the director's contract is reviewed), or two with
    rechecks confirming under 80 % of marks; medium: flagged twice, or once with such
    rechecks; low: flagged once."""
    weak_recheck = not pd.isna(confirmed) and confirmed < 0.8
    if consecutive >= 3 or (consecutive >= 2 and weak_recheck):
        return "high"
    if years_flagged >= 2 or weak_recheck:
        return "medium"
    return "low"


def indicators_xlsx(indicators: Indicators, headers: Mapping[str, Mapping[str, str]]) -> bytes:
    """The indicators as an XLSX workbook: one sheet each, with the given column headers."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer) as writer:
        for sheet, frame in (
            ("region", indicators.region),
            ("municipalities", indicators.municipalities),
            ("profiles", indicators.profiles),
        ):
            names = headers.get(sheet, {})
            frame.rename(columns={k: v for k, v in names.items() if k in frame}).to_excel(
                writer, index=False, sheet_name=names.get("_sheet", sheet)[:31]
            )
    return buffer.getvalue()
