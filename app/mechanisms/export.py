"""The region's table as a workbook: numbers as numbers (percentages and percentage points), the
approving order, the person who publishes, and the conclusions."""

from __future__ import annotations

import io

from flask_babel import gettext as _

from app.mechanisms.table import Table
from app.tabular import text_row


def _number_format(value: float | None, *, signed: bool) -> str:
    """96 or 87,5 as the figure is (a whole number without a decimal); a change with its sign."""
    places = "0" if value is None or float(value).is_integer() else "0.0"
    return f"+{places};-{places};0" if signed else places


def _headers(table: Table) -> list[str]:
    headers = [_("Municipality")]
    for criterion in table.criteria:
        headers += [
            _("%(code)s: %(year)d, %%", code=criterion.code, year=table.year),
            _("%(code)s: %(year)d, %%", code=criterion.code, year=table.year - 1),
            _("%(code)s: change, p.p.", code=criterion.code),
        ]
    headers += [
        _("Order number"),
        _("Order date"),
        _("Responsible for publishing"),
        _("Conclusions"),
    ]
    return headers


def to_xlsx(table: Table) -> bytes:
    """The workbook of the table as it is shown (same rows, same order)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = _("Mechanisms %(year)d", year=table.year)
    sheet.append(
        [_("Municipal mechanisms of managing the quality of education, %(year)d", year=table.year)]
    )
    sheet.append(text_row(sheet, [f"{c.code} {c.title}" for c in table.criteria]))
    headers = _headers(table)
    sheet.append(headers)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in table.rows:
        values: list[object] = [row.municipality.name]
        for criterion in table.criteria:
            c = row.cell(criterion.id)
            values += [
                float(c.value) if c.value is not None else None,
                float(c.previous) if c.previous is not None else None,
                float(c.change) if c.change is not None else None,
            ]
        report = row.report
        values += [
            report.order_number if report else None,
            report.order_date if report else None,
            report.publisher if report else None,
            report.conclusions if report else None,
        ]
        sheet.append(text_row(sheet, values))
        line = sheet.max_row
        for index in range(3 * len(table.criteria)):
            cell = sheet.cell(line, 2 + index)
            cell.number_format = _number_format(cell.value, signed=index % 3 == 2)
        sheet.cell(line, 2 + 3 * len(table.criteria) + 1).number_format = "DD.MM.YYYY"
    sheet.column_dimensions["A"].width = 45
    for index in range(len(headers) - 1):
        sheet.column_dimensions[get_column_letter(2 + index)].width = 14
    sheet.column_dimensions[get_column_letter(len(headers))].width = 60
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
