"""Export of cases: one row per case, CSV (UTF-8 with BOM, `;`) or XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import Response

from app.extensions import db
from app.models.case import Case
from app.tabular import csv_row, text_row
from app.workflows import labels, queries
from app.workflows.labels import CASE_STATUS, CATEGORY_SHORT

HEADERS = (
    "Год ВПР",
    "Логин ОО",
    "ОО",
    "Муниципалитет",
    "Категория",
    "Уровень сопровождения",
    "Маркеры",
    "Количество маркеров",
    "Этап",
    "Состояние",
    "Лет в списке подряд",
    "Пересмотр контракта директора",
    "Открытых обязательств",
    "Просроченных обязательств",
)
CHUNK = 1000


def _markers(case: Case) -> str:
    return ", ".join(k for k, v in sorted(case.markers.items()) if v)


def case_rows(stmt: sa.Select[Any], today: date) -> Iterator[list[Any]]:
    """The export rows of the cases the statement selects, in chunks (bounded memory); overdue
    as of ``today``."""
    ids = [row[0] for row in db.session.execute(stmt.with_only_columns(Case.id))]
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        cases = {c.id: c for c in db.session.scalars(sa.select(Case).where(Case.id.in_(chunk)))}
        queries.load_for_list(list(cases.values()))
        counts = queries.obligation_counts(chunk, today)
        for case_id in chunk:
            case = cases[case_id]
            c = counts.get(case_id, queries.ObligationCounts())
            yield [
                case.campaign.vpr_year,
                case.school.login,
                case.school.name,
                case.municipality.name if case.municipality else "",
                str(CATEGORY_SHORT[case.category]),
                case.support_level or "",
                _markers(case),
                case.marker_count,
                labels.stage_title(case),
                str(CASE_STATUS[case.status]),
                case.years_on_list,
                "да" if case.contract_review else "нет",
                c.open,
                c.overdue,
            ]


def write_csv(rows: Iterator[list[Any]], out: io.StringIO) -> None:
    writer = csv.writer(out, delimiter=";")
    writer.writerow(HEADERS)
    writer.writerows(csv_row(row) for row in rows)


def write_xlsx(rows: Iterator[list[Any]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Сопровождение")
    sheet.append(list(HEADERS))
    for row in rows:
        sheet.append(text_row(sheet, row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def export_bytes(stmt: sa.Select[Any], fmt: str, today: date) -> bytes:
    """The export file's content."""
    if fmt == "csv":
        out = io.StringIO()
        write_csv(case_rows(stmt, today), out)
        return ("\ufeff" + out.getvalue()).encode("utf-8")
    return write_xlsx(case_rows(stmt, today))


def export_response(stmt: sa.Select[Any], fmt: str, today: date) -> Response:
    """A download response with the export."""
    mimetype = (
        "text/csv; charset=utf-8"
        if fmt == "csv"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = f"cases-{today:%Y-%m-%d}.{fmt}"
    return Response(
        export_bytes(stmt, fmt, today),
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


__all__ = ["export_bytes", "export_response"]
