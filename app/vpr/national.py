"""The signs of a national §1 file computed region by region, in memory bounded by the largest
region: the directory says which region each school is in, and each region gets its proposed
list (§3) as if its rows had been analysed alone (see `app.analytics.stream`)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

from app import lazy
from app.analytics.proposed import proposed_list, proposed_list_csv
from app.analytics.spec import TestSpec
from app.analytics.stream import NO_UNIT, stream_signs
from app.extensions import db
from app.models.org import Organisation, OrgKind
from app.tabular import Problem

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy.module("pandas")

UNKNOWN = "?"  # the unit of schools the directory does not have


@dataclass
class NationalLists:
    """What a national run wrote: one list per region, or the problems that refused it."""

    problems: list[Problem]
    lists: dict[str, Path] = field(default_factory=dict)  # region name -> its list
    schools: dict[str, int] = field(default_factory=dict)  # region name -> schools with markers
    rows: dict[str, int] = field(default_factory=dict)  # region name -> rows read
    unknown_rows: int = 0  # rows of schools in no region of the directory (left out)

    @property
    def ok(self) -> bool:
        return not self.problems


def _directory() -> pd.DataFrame:
    """Every school with a login: login, name, municipality, region name, specialised."""
    municipality = sa.orm.aliased(Organisation)
    region = sa.orm.aliased(Organisation)
    rows = db.session.execute(
        sa.select(
            Organisation.login,
            Organisation.name,
            municipality.name,
            region.name,
            Organisation.specialised,
        )
        .outerjoin(municipality, municipality.id == Organisation.municipality_id)
        .join(region, region.id == Organisation.region_id)
        .where(Organisation.kind == OrgKind.SCHOOL, Organisation.login.is_not(None))
    ).all()
    frame = pd.DataFrame(rows, columns=["login", "name", "municipality", "region", "specialised"])
    frame["login"] = frame["login"].astype("str").str.lower()
    return frame


def national_lists(
    source: Path, specs: Sequence[TestSpec], year: int, out: Path, *, evidence: bool = False
) -> NationalLists:
    """Compute the signs of `year` region by region and write `out/<region>.csv` (and
    `<region>.evidence.json`); nothing is written if any row of the file has a problem."""
    directory = _directory()
    region_of = dict(zip(directory["login"], directory["region"], strict=True))
    streamed = stream_signs(
        source,
        specs,
        lambda login: region_of.get(login, UNKNOWN),
        year=year,
        specialised=directory.loc[directory["specialised"], "login"].tolist(),
    )
    report = NationalLists(list(streamed.problems))
    report.unknown_rows = streamed.rows.get(UNKNOWN, 0) + streamed.rows.get(NO_UNIT, 0)
    if not streamed.ok:
        return report
    out.mkdir(parents=True, exist_ok=True)
    for region, result in sorted(streamed.results.items()):
        if region in (UNKNOWN, NO_UNIT):
            continue
        schools = directory[directory["region"] == region]
        frame = proposed_list(result.markers, schools)
        path = out / f"{region.replace('/', '-')}.csv"
        path.write_bytes(proposed_list_csv(frame))
        if evidence:
            path.with_suffix(".evidence.json").write_text(
                json.dumps(result.evidence(), ensure_ascii=False, indent=1, default=str),
                encoding="utf-8",
            )
        report.lists[region] = path
        report.schools[region] = len(frame)
        report.rows[region] = streamed.rows[region]
    return report
