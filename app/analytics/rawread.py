"""Reading a large table into categorical columns fast, keeping the row numbers a person sees.

CSV goes through pyarrow's multi-threaded parser with every column dictionary-encoded, so a
million rows cost one pass in C++; the few distinct values of each column are then interpreted in
Python once. Anything the fast path cannot vouch for (quoted line breaks, ragged rows) and XLSX
files go through `app.tabular`'s row reader, which is slower but exact.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app import lazy
from app.analytics import cells
from app.tabular import XLSX_MAGIC, Problem, TableError, decode_text, detect_delimiter, raw_rows
from app.translatable import _

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.csv as pacsv
else:
    np = lazy.module("numpy")
    pd = lazy.module("pandas")
    pa = lazy.module("pyarrow")
    pacsv = lazy.module("pyarrow.csv")

logger = logging.getLogger(__name__)
# header -> {position: "plain" (many distinct texts), "int" (small integers), "cells" (task
# scores or X)}; other columns are read as categories
ColumnKinds = Callable[[list[str]], dict[int, str]]


@dataclass
class RawTable:
    """Header cells, the header's row number, and the data as categorical string columns."""

    header: list[str]
    header_row: int
    # by position: pd.Categorical (missing = code −1), plain strings, or int codes (`cells`)
    columns: dict[int, Any]
    rows: np.ndarray  # int32 row number in the file, one per data row

    def __len__(self) -> int:
        return len(self.rows)


def _first_line(data: bytes) -> tuple[int, int, int]:
    """(line number, start offset, end offset without newline) of the first non-blank line."""
    start, number = 0, 1
    while start < len(data):
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end
        if data[start:end].strip():
            return number, start, end
        start, number = end + 1, number + 1
    raise TableError([Problem(None, None, _("The file is empty."))])


def _line_numbers(body: bytes, offset: int, first: int, count: int) -> np.ndarray | None:
    """Line numbers of the rows read from `body[offset:]` (line `first` on), or None.

    pyarrow reads blank lines as empty rows (dropped later, numbers kept), so every line is one
    row unless a quoted value spans lines: only with quotes in the file is that checked.
    """
    if body.find(b'"', offset) >= 0:
        ending = 0 if body.endswith(b"\n") or offset >= len(body) else 1
        if body.count(b"\n", offset) + ending != count:
            return None
    return np.arange(first, first + count, dtype=np.int32)


def _arrow_type(kind: str) -> pa.DataType:
    """The Arrow type a column of this kind is read as."""
    if kind == "int":
        return pa.int16()
    if kind == "text":
        return pa.dictionary(pa.int32(), pa.string())
    return pa.string()  # "plain" and "cells"


def _arrow_read(body: bytes, offset: int, delimiter: str, kinds: list[str]) -> pa.Table:
    names = [f"c{i}" for i in range(len(kinds))]
    return pacsv.read_csv(
        pa.BufferReader(pa.py_buffer(memoryview(body)[offset:])),
        read_options=pacsv.ReadOptions(column_names=names, block_size=4 << 20),
        parse_options=pacsv.ParseOptions(delimiter=delimiter, ignore_empty_lines=False),
        convert_options=pacsv.ConvertOptions(
            column_types={n: _arrow_type(kind) for n, kind in zip(names, kinds, strict=True)},
            null_values=[""],
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
        ),
    )


def _typed_read(body: bytes, offset: int, delimiter: str, kinds: list[str]) -> pa.Table:
    """Numbers as numbers when every cell parses; else everything as text (checked later)."""
    try:
        return _arrow_read(body, offset, delimiter, kinds)
    except pa.ArrowInvalid as exc:
        if "UTF8" in str(exc) or all(k in ("plain", "text") for k in kinds):
            raise
        logger.info("typed CSV read declined, reading as text: %s", str(exc)[:200])
    plain = ["plain" if k == "plain" else "text" for k in kinds]
    return _arrow_read(body, offset, delimiter, plain)


def _column(column: pa.ChunkedArray) -> Any:
    """A pyarrow column in the form the checks take (see `RawTable.columns`)."""
    kind = column.type
    if pa.types.is_dictionary(kind):
        return cells.categorical(column)
    if pa.types.is_integer(kind):
        return cells.int_column(column)
    return column


def _read_csv_fast(data: bytes, kinds: ColumnKinds, *, transcoded: bool = False) -> RawTable | None:
    """The pyarrow path; None when it cannot guarantee exact row numbers."""
    number, start, end = _first_line(data)
    header_text = decode_text(data[start:end]).rstrip("\r")
    delimiter = detect_delimiter(header_text)
    header = [h.strip().strip('"').strip() for h in header_text.split(delimiter)]
    if '"' in header_text:
        return None  # a quoted header may hide delimiters; let the exact reader split it
    body = data
    try:
        data[start:end].decode("utf-8")
    except UnicodeDecodeError:
        body = data.decode("cp1251").encode("utf-8")  # pyarrow reads UTF-8 only
    offset = body.find(b"\n", _first_line(body)[1]) + 1 or len(body)
    wanted = kinds(header)
    try:
        table = _typed_read(
            body, offset, delimiter, [wanted.get(i, "text") for i in range(len(header))]
        )
    except pa.ArrowInvalid as exc:
        if "UTF8" in str(exc) and body is data and not transcoded:
            return _read_csv_fast_cp1251(data, kinds)
        logger.info("fast CSV path declined: %s", str(exc)[:200])
        return None
    rows = _line_numbers(body, offset, number + 1, table.num_rows)
    if rows is None:
        return None
    columns = {}
    for i in range(len(header)):
        column = _column(table.column(i))
        columns[i] = column
    return RawTable(header, number, columns, rows)


def _read_csv_fast_cp1251(data: bytes, kinds: ColumnKinds) -> RawTable | None:
    try:
        converted = data.decode("cp1251").encode("utf-8")
    except UnicodeDecodeError as exc:
        raise TableError(
            [Problem(None, None, _("The file's encoding is neither UTF-8 nor Windows-1251."))]
        ) from exc
    return _read_csv_fast(converted, kinds, transcoded=True)


def _read_exact(data: bytes) -> RawTable:
    """Every cell through the csv module or openpyxl; exact row numbers, slower."""
    rows = raw_rows(data)
    header_row, header = next(((n, c) for n, c in rows if any(c)), (0, []))
    if not header:
        raise TableError([Problem(None, None, _("The file is empty."))])
    width = len(header)
    numbers: list[int] = []
    cells: list[list[str]] = []
    for n, values in rows:
        if any(values):
            numbers.append(n)
            cells.append((values + [""] * width)[:width])
    columns: dict[int, pd.Categorical] = {}
    for i in range(width):
        series = pd.Series([row[i] for row in cells], dtype=object)
        columns[i] = pd.Categorical(series.where(series != "", None))
    return RawTable([h.strip() for h in header], header_row, columns, np.array(numbers, np.int32))


def _all_text(header: list[str]) -> dict[int, str]:
    return {}


def read_raw(data: bytes, kinds: ColumnKinds = _all_text) -> RawTable:
    """A CSV (UTF-8 or Windows-1251, `;` or `,`) or XLSX file as categorical columns.

    `kinds(header)` tells the fast path which columns to keep as plain strings (participant
    codes), read as integers or decode as task cells (int codes of `app.analytics.cells`);
    the exact path gives categories everywhere.
    """
    if not data[:65536].strip() and not data.strip():
        raise TableError([Problem(None, None, _("The file is empty."))])
    if not data.startswith(XLSX_MAGIC):
        table = _read_csv_fast(data, kinds)
        if table is not None:
            return table
        logger.info("reading the CSV file with the exact (slower) reader")
    return _read_exact(data)


def text_of(raw: pd.Categorical) -> tuple[np.ndarray, list[str]]:
    """(codes, stripped category texts) with -1 for missing; blank texts count as missing."""
    texts = [str(c).strip() for c in raw.categories]
    codes = np.asarray(raw.codes)  # int8/int16 as pandas chose: indexing needs no widening
    if any(t == "" for t in texts):
        remap = np.array([-1 if t == "" else i for i, t in enumerate(texts)] + [-1], np.int32)
        codes = remap[codes]
    return codes, texts


def integer_lookup(texts: list[str], *, x_is_zero: bool = False) -> np.ndarray:
    """Values for category texts: the integer, 0 for X/Х if allowed, -2 if invalid; then -1."""
    values = []
    for text in texts:
        if text.isdigit() and len(text) < 6:
            values.append(int(text))
        elif x_is_zero and text in ("X", "x", "Х", "х"):
            values.append(0)
        elif text.endswith(".0") and text[:-2].isdigit() and len(text) < 8:
            values.append(int(text[:-2]))  # spreadsheets sometimes save integers as 4.0
        else:
            values.append(-2)
    return np.array([*values, -1], dtype=np.int32)  # code -1 (missing) indexes the last item


def integers_of(column: Any, *, x_is_zero: bool = False) -> np.ndarray:
    """Int codes of a column: value, −1 missing, −2 invalid (X/Х = 0 if `x_is_zero`)."""
    if isinstance(column, pa.ChunkedArray):
        column = cells.cell_column(column)
    if isinstance(column, np.ndarray):
        return np.where(column == cells.X_CODE, 0 if x_is_zero else cells.INVALID, column)
    codes, texts = text_of(column)
    return integer_lookup(texts, x_is_zero=x_is_zero)[codes]


def present(column: Any) -> np.ndarray:
    """Per row: does the cell hold anything?"""
    if isinstance(column, pa.ChunkedArray):  # task cells not decoded yet
        return np.asarray(column.is_valid()) if column.null_count else np.ones(len(column), bool)
    if isinstance(column, pd.Categorical):
        return np.asarray(column.codes) >= 0
    if isinstance(column, np.ndarray):
        return column != cells.MISSING
    return ~pd.isna(column)


def subset(column: Any, mask: np.ndarray) -> Any:
    """The rows of a column where `mask` is true."""
    return column.filter(pa.array(mask)) if isinstance(column, pa.ChunkedArray) else column[mask]
