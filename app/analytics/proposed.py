"""The proposed list of schools with signs, in the layout of the federal list (DATA_FORMATS §3)."""

from __future__ import annotations

import io
import logging
from typing import TYPE_CHECKING, Any

from app import lazy
from app.tabular import csv_cell, text_row

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy.module("pandas")

logger = logging.getLogger(__name__)

CATEGORY = "необъективность"


def marker_column(grade: int, code: str) -> str:
    """The §3 column name of a marker, e.g. «4 РУ»."""
    return f"{int(grade)} {code}"


def proposed_list(markers: pd.DataFrame, schools: pd.DataFrame | None = None) -> pd.DataFrame:
    """§3 frame: one row per school with at least one marker; 1/0 per tested work, empty if none.

    `markers` is `SignsResult.markers`; `schools` (login, name, municipality) fills the names.
    """
    marked = markers.assign(
        column=[
            marker_column(g, str(c)) for g, c in zip(markers["grade"], markers["code"], strict=True)
        ],
        school_login=markers["school_login"].astype("str"),
    )
    order = (
        marked[["grade", "code", "column"]]
        .assign(code=lambda f: f["code"].astype("str"))
        .drop_duplicates("column")
        .sort_values(["grade", "code"])["column"]
        .tolist()
    )
    wide = marked.pivot_table(
        index=["year", "school_login"],
        columns="column",
        values="marker",
        aggfunc="max",
        observed=True,
    )
    wide = wide.reindex(columns=order).astype("Int64")
    wide = wide[wide.fillna(0).sum(axis=1) > 0].reset_index()
    names = _names(schools)
    out = pd.DataFrame(
        {
            "Год": wide["year"].astype(int),
            "Логин": wide["school_login"],
            "Муниципалитет": [names["municipality"].get(x, "") for x in wide["school_login"]],
            "ОО": [names["name"].get(x, "") for x in wide["school_login"]],
        }
    )
    for column in order:
        out[column] = wide[column].array
    out["Количество маркеров"] = wide[order].fillna(0).sum(axis=1).astype(int).to_numpy()
    out["Категория"] = CATEGORY
    return out.sort_values(["Муниципалитет", "Логин"], ignore_index=True)


def _names(schools: pd.DataFrame | None) -> dict[str, dict[str, str]]:
    if schools is None or schools.empty:
        return {"name": {}, "municipality": {}}
    logins = schools["login"].astype("str").str.lower()
    return {
        "name": dict(zip(logins, schools["name"].astype("str"), strict=True)),
        "municipality": dict(zip(logins, schools["municipality"].astype("str"), strict=True)),
    }


def proposed_list_xlsx(frame: pd.DataFrame) -> bytes:
    """The proposed list as XLSX bytes (one sheet, §3 headers)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Список"
    sheet.append([str(c) for c in frame.columns])
    for values in frame.itertuples(index=False):
        sheet.append(text_row(sheet, [None if pd.isna(v) else _plain(v) for v in values]))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _plain(value: Any) -> Any:
    """A cell value openpyxl writes (numpy scalars as Python numbers)."""
    return value.item() if hasattr(value, "item") else value


def proposed_list_csv(frame: pd.DataFrame) -> bytes:
    """The proposed list as CSV bytes: UTF-8 with BOM (Excel opens it), `;` delimiter."""
    safe = frame.map(csv_cell)  # an imported name like «=HYPERLINK(…)» stays text
    return safe.to_csv(sep=";", index=False, lineterminator="\r\n").encode("utf-8-sig")
