"""The ministry's compliance report: per municipality and obligation type, done on time, done
late, overdue and open."""

from __future__ import annotations

import io
from datetime import date

import sqlalchemy as sa

from app.extensions import db
from app.models.plan import PlanMeasure
from app.models.user import User
from app.tabular import text_row
from app.workflows import queries

HEADERS = (
    "Муниципалитет",
    "Обязательство",
    "Исполнено в срок",
    "Исполнено с опозданием",
    "Просрочено",
    "В работе (срок не наступил)",
    "Снято",
    "Всего",
)


def _titles() -> dict[str, str]:
    """Measure titles by key, from every plan (a key names one measure within a plan)."""
    rows = db.session.execute(sa.select(PlanMeasure.key, PlanMeasure.title))
    return dict(rows.tuples().all())


def compliance_xlsx(viewer: User | int, campaign_id: int | None, today: date) -> bytes:
    """The report as an XLSX workbook with a totals row."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    table = queries.compliance(viewer, campaign_id, today)
    names = queries.municipality_names({mun for mun, _kind in table})
    titles = _titles()
    book = Workbook()
    sheet = book.active
    sheet.title = "Соблюдение сроков"
    sheet.append([f"Соблюдение сроков на {today:%d.%m.%Y}"])
    sheet.append(list(HEADERS))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    totals = [0, 0, 0, 0, 0, 0]
    rows = sorted(
        table.items(), key=lambda kv: (names.get(kv[0][0], ""), titles.get(kv[0][1], kv[0][1]))
    )
    for (mun, kind), cell in rows:
        values = [cell.on_time, cell.late, cell.overdue, cell.open, cell.waived, cell.total]
        totals = [a + b for a, b in zip(totals, values, strict=True)]
        sheet.append(text_row(sheet, [names.get(mun, str(mun)), titles.get(kind, kind), *values]))
    sheet.append(["Итого", "", *totals])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 45
    sheet.column_dimensions["B"].width = 70
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
