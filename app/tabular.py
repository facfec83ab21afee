"""Reading the tables the outside world sends us: CSV (UTF-8 or Windows-1251, `;` or `,`) or XLSX.

The reader recognises the format by content, matches header names case-insensitively after
trimming (Russian name or English alias), and hands back every cell as a string together with
the row number a person sees in the file, so each problem can be reported as "row N, column C".
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.errors import InvalidInput
from app.translatable import _

XLSX_MAGIC = b"PK\x03\x04"
MAX_XLSX_UNCOMPRESSED = 500 * 1024 * 1024


@dataclass(frozen=True)
class Column:
    """An expected column: its Russian header and optional English alias."""

    name: str
    alias: str | None = None
    required: bool = True

    def matches(self, header: str) -> bool:
        key = normalise_header(header)
        return key == normalise_header(self.name) or (
            self.alias is not None and key == normalise_header(self.alias)
        )


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file: where (row, column; None for the file itself) and what."""

    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(_("row %(n)d", n=self.row))
        if self.column:
            where.append(_("column «%(c)s»", c=self.column))
        return f"{', '.join(where)}: {self.message}" if where else self.message


class FileRefused(InvalidInput):
    """A file refused whole: ``problems`` name the row and column of each."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__(_("The file was not accepted: %(n)d problems.", n=len(problems)))
        self.problems = list(problems)


class TableError(Exception):
    """The file cannot be read as a table at all, or its header is wrong."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = list(problems)


@dataclass
class Table:
    """Rows as dicts keyed by canonical column name (extra columns by their header as written)."""

    headers: list[str]
    rows: list[dict[str, str]] = field(default_factory=list)
    row_numbers: list[int] = field(default_factory=list)
    extra_headers: list[str] = field(default_factory=list)

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        return iter(zip(self.row_numbers, self.rows, strict=True))

    def __len__(self) -> int:
        return len(self.rows)


def normalise_header(header: str) -> str:
    """Header comparison key: trimmed, inner spaces collapsed, lower case, ё as е."""
    return " ".join(str(header).split()).lower().replace("ё", "е")


def cell_text(value: Any) -> str:
    """A spreadsheet cell as text: integers without ".0", None as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "date") and hasattr(value, "hour"):  # datetime from a date cell
        return value.date().isoformat() if not (value.hour or value.minute) else value.isoformat()
    return str(value).strip()


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM) first, then Windows-1251; refuse binary or UTF-16 files."""
    if b"\x00" in data[:4096]:
        raise TableError(
            [Problem(None, None, _("The file is not a CSV text in UTF-8 or Windows-1251."))]
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1251")
    except UnicodeDecodeError as exc:
        raise TableError(
            [Problem(None, None, _("The file's encoding is neither UTF-8 nor Windows-1251."))]
        ) from exc


def detect_delimiter(header_line: str) -> str:
    """`;` or `,` (or a tab), whichever the header line uses most."""
    counts = {d: header_line.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ";"


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    text = decode_text(data)
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=detect_delimiter(first_line))
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # a cell over the csv module's limit, a NUL, broken quoting
            raise TableError(
                [
                    Problem(
                        reader.line_num or None,
                        None,
                        _(
                            "The line cannot be read: a cell longer than %(n)d characters, "
                            "a NUL character or broken quotes.",
                            n=csv.field_size_limit(),
                        ),
                    )
                ]
            ) from exc
        yield reader.line_num, [v.strip() for v in values]


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(i.file_size for i in archive.infolist()) > MAX_XLSX_UNCOMPRESSED:
                raise TableError([Problem(None, None, _("The spreadsheet is too large."))])
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except TableError:
        raise
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise TableError(
            [Problem(None, None, _("The file is not a readable XLSX spreadsheet."))]
        ) from exc
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [cell_text(v) for v in values]
    finally:
        workbook.close()


def raw_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) of a CSV or XLSX file, recognised by content."""
    if data.startswith(XLSX_MAGIC):
        return _xlsx_rows(data)
    return _csv_rows(data)


def read_table(
    data: bytes,
    columns: Sequence[Column],
    *,
    keep_extra: bool = False,
    title_rows: bool = False,
) -> Table:
    """Parse a file against the expected columns; raise TableError if the header is wrong.
    The header is the first non-empty row, or with ``title_rows`` the first row that holds the
    first expected column's name (a title may stand above it, as in a printed roadmap)."""
    rows = raw_rows(data)
    first = columns[0]

    def is_header(cells: list[str]) -> bool:
        return any(cells) and (not title_rows or any(first.matches(c) for c in cells))

    header_number, header = next(((n, cells) for n, cells in rows if is_header(cells)), (0, []))
    if not header:
        raise TableError([Problem(None, None, _("The file is empty."))])
    positions: dict[str, int] = {}
    problems: list[Problem] = []
    for column in columns:
        found = [i for i, h in enumerate(header) if column.matches(h)]
        if len(found) > 1:
            problems.append(Problem(header_number, column.name, _("The column appears twice.")))
        elif found:
            positions[column.name] = found[0]
        elif column.required:
            problems.append(Problem(header_number, column.name, _("The column is missing.")))
    if problems:
        if len(positions) == 0:
            problems.append(
                Problem(None, None, _("Check the encoding (UTF-8 or Windows-1251) and the header."))
            )
        raise TableError(problems)
    known = set(positions.values())
    extra = {h: i for i, h in enumerate(header) if i not in known and h} if keep_extra else {}
    table = Table(headers=header, extra_headers=list(extra))
    width = len(header)
    for number, cells in rows:
        if not any(cells):
            continue
        cells = cells + [""] * (width - len(cells))
        row = {name: cells[i] for name, i in positions.items()}
        row.update({h: cells[i] for h, i in extra.items()})
        table.rows.append(row)
        table.row_numbers.append(number)
    return table


# What a spreadsheet reads as the start of a formula (or of a DDE command) in a text cell.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A value for a CSV cell: text a spreadsheet would take for a formula gets a leading
    apostrophe, so that a name imported as «=HYPERLINK(…)» is shown, never run."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_row(values: Sequence[Any]) -> list[Any]:
    """Every cell of a CSV row made safe (csv_cell)."""
    return [csv_cell(v) for v in values]


def text_row(sheet: Any, values: Sequence[Any]) -> list[Any]:
    """A row for an openpyxl sheet (ordinary or write-only) with its text stored as text: a
    value starting with «=» stays the words it is instead of becoming a live formula."""
    from openpyxl.cell import WriteOnlyCell

    row: list[Any] = []
    for value in values:
        if isinstance(value, str) and value.startswith("="):
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            row.append(cell)
        else:
            row.append(value)
    return row
