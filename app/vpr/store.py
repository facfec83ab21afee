"""Storing validated VPR results and specs, and reading them back as analytics frames."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

import sqlalchemy as sa

from app import lazy
from app.analytics.spec import TestSpec, parse_specs
from app.extensions import db
from app.models.org import Organisation
from app.models.vpr import VprResult, VprSpec

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy.module("pandas")

COLUMNS = (
    "year",
    "subject",
    "code",
    "grade",
    "school_id",
    "participant",
    "class_name",
    "variant",
    "score",
    "mark",
    "journal_mark",
    "tasks",
)
CHUNK = 20_000


def save_specs(specs: Iterable[TestSpec]) -> None:
    """Insert or replace the specs by (year, subject, grade)."""
    for spec in specs:
        row = db.session.scalars(
            sa.select(VprSpec).where(
                VprSpec.year == spec.year,
                VprSpec.subject == spec.subject,
                VprSpec.grade == spec.grade,
            )
        ).first() or VprSpec(year=spec.year, subject=spec.subject, grade=spec.grade)
        row.code, row.spec = spec.code, spec.to_dict()
        db.session.add(row)
    db.session.flush()


def load_specs(years: Iterable[int] | None = None) -> list[TestSpec]:
    """The stored specs (of the given years)."""
    stmt = sa.select(VprSpec.spec).order_by(VprSpec.year, VprSpec.subject, VprSpec.grade)
    if years is not None:
        stmt = stmt.where(VprSpec.year.in_(list(years)))
    rows = list(db.session.scalars(stmt))
    return parse_specs(rows) if rows else []


def _tasks_text(group: pd.DataFrame, spec: TestSpec) -> pd.Series:
    """The task scores of each row as "3,1,0,…" in the spec's task order (vectorised)."""
    columns = [
        group[f"task_{t.id}"].astype("Int16").astype(str).replace("<NA>", "") for t in spec.tasks
    ]
    first, rest = columns[0], columns[1:]
    return first.str.cat(rest, sep=",") if rest else first


def to_rows(
    frame: pd.DataFrame, specs: dict[tuple[int, str, int], TestSpec], school_ids: dict[str, int]
) -> pd.DataFrame:
    """The import frame as rows of the vpr_result table."""
    parts = []
    for key, group in frame.groupby(["year", "subject", "grade"], observed=True, sort=False):
        spec = specs[(int(key[0]), str(key[1]), int(key[2]))]
        part = pd.DataFrame(
            {
                "year": group["year"].astype(int),
                "subject": group["subject"].astype(str),
                "code": group["code"].astype(str),
                "grade": group["grade"].astype(int),
                "school_id": group["school_login"].astype(str).map(school_ids).astype(int),
                "participant": group["participant"].astype(str),
                "class_name": group["class"].astype(str),
                "variant": group["variant"].astype(str),
                "score": group["score"].astype(int),
                "mark": group["mark"].astype(int),
                "journal_mark": group["journal_mark"].astype("Int16"),
                "tasks": _tasks_text(group, spec),
            }
        )
        parts.append(part)
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(COLUMNS))


def delete_works(works: pd.DataFrame, school_ids: dict[str, int]) -> int:
    """Remove earlier results of the same (year, subject, grade, school): a re-import replaces."""
    removed = 0
    for (year, subject, grade), group in works.groupby(["year", "subject", "grade"], observed=True):
        ids = sorted({school_ids[str(login)] for login in group["school_login"]})
        for start in range(0, len(ids), 1000):
            result = db.session.execute(
                sa.delete(VprResult).where(
                    VprResult.year == int(year),
                    VprResult.subject == str(subject),
                    VprResult.grade == int(grade),
                    VprResult.school_id.in_(ids[start : start + 1000]),
                )
            )
            removed += getattr(result, "rowcount", 0) or 0  # a CursorResult for a DELETE
    return removed


def insert_rows(rows: pd.DataFrame, progress: Callable[[int], None] | None = None) -> None:
    """Bulk insert: COPY on PostgreSQL, executemany elsewhere; reports rows written."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        _copy(connection, rows, progress)
        return
    records = rows.astype(object).where(rows.notna(), None).to_dict("records")
    for start in range(0, len(records), CHUNK):
        connection.execute(sa.insert(VprResult.__table__), records[start : start + CHUNK])
        if progress:
            progress(min(start + CHUNK, len(records)))


def _copy(
    connection: sa.Connection, rows: pd.DataFrame, progress: Callable[[int], None] | None
) -> None:
    raw = connection.connection.driver_connection
    assert raw is not None
    columns = ", ".join(COLUMNS)
    with raw.cursor() as cursor:
        for start in range(0, len(rows), CHUNK * 5):
            chunk = rows.iloc[start : start + CHUNK * 5]
            buffer = io.StringIO()
            chunk[list(COLUMNS)].to_csv(buffer, index=False, header=False, sep="\t", na_rep="\\N")
            with cursor.copy(f"COPY vpr_result ({columns}) FROM STDIN") as copy:
                copy.write(buffer.getvalue())
            if progress:
                progress(min(start + CHUNK * 5, len(rows)))


def load_frame(
    region: Organisation,
    years: Iterable[int],
    *,
    subject: str | None = None,
    grade: int | None = None,
    school_id: int | None = None,
) -> pd.DataFrame:
    """Stored results of the region's schools (optionally one test work or one school) as a frame
    shaped like VprImport.frame."""
    years = list(years)
    specs = {s.key: s for s in load_specs(years)}
    stmt = (
        sa.select(
            VprResult.year,
            VprResult.subject,
            VprResult.code,
            VprResult.grade,
            Organisation.login.label("school_login"),
            VprResult.participant,
            VprResult.class_name.label("class"),
            VprResult.variant,
            VprResult.score,
            VprResult.mark,
            VprResult.journal_mark,
            VprResult.tasks,
        )
        .join(Organisation, Organisation.id == VprResult.school_id)
        .where(Organisation.region_id == region.id, VprResult.year.in_(years))
    )
    if school_id is not None:
        stmt = stmt.where(VprResult.school_id == school_id)
    if subject is not None:
        stmt = stmt.where(VprResult.subject == subject)
    if grade is not None:
        stmt = stmt.where(VprResult.grade == grade)
    frame = pd.read_sql(stmt, db.session.connection())
    if frame.empty:
        return frame
    parts = []
    for key, group in frame.groupby(["year", "subject", "grade"], sort=False):
        spec = specs[(int(key[0]), str(key[1]), int(key[2]))]
        split = group["tasks"].str.split(",", expand=True)
        split.columns = [f"task_{t.id}" for t in spec.tasks]
        split = split.replace("", None).apply(pd.to_numeric).astype("Int8")
        parts.append(pd.concat([group.drop(columns=["tasks"]), split], axis=1))
    out = pd.concat(parts, ignore_index=True)
    return _typed(out)


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    frame["row"] = range(2, len(frame) + 2)
    for column in ("subject", "code", "school_login", "class", "variant"):
        frame[column] = frame[column].astype("category")
    frame["year"] = frame["year"].astype("int16")
    frame["grade"] = frame["grade"].astype("int8")
    frame["score"] = frame["score"].astype("int16")
    frame["mark"] = frame["mark"].astype("int8")
    frame["journal_mark"] = frame["journal_mark"].astype("Int8")
    frame["participant"] = frame["participant"].astype(str)
    return frame


def specs_by_key(specs: Iterable[TestSpec]) -> dict[tuple[int, str, int], TestSpec]:
    return {s.key: s for s in specs}


__all__ = ["delete_works", "insert_rows", "load_frame", "load_specs", "save_specs", "to_rows"]
