"""Reading a large table into categorical columns fast, keeping the row numbers a person sees.

CSV goes through pyarrow's multi-threaded parser with every column dictionary-encoded, so a
million rows cost one pass in C++; the few distinct values of each column are then interpreted in
Python once. Anything the fast path cannot vouch for (quoted line breaks, ragged rows) and XLSX
files go through `app.tabular`'s row reader, which is slower but exact.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
from flask_babel import gettext as _

from app.tabular import XLSX_MAGIC, Problem, TableError, decode_text, detect_delimiter, raw_rows

logger = logging.getLogger(__name__)
PlainColumns = Callable[[list[str]], set[int]]


@dataclass
class RawTable:
    """Header cells, the header's row number, and the data as categorical string columns."""

    header: list[str]
    header_row: int
    columns: dict[int, Any]  # by position: pd.Categorical (missing = code -1) or plain strings
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
    """Line numbers of the non-blank lines of `body[offset:]` (line `first` on), if `count`."""
    lines = body.count(b"\n", offset) + (0 if body.endswith(b"\n") or offset >= len(body) else 1)
    if lines == count:  # no blank line and no record spread over lines: the common case
        return np.arange(first, first + count, dtype=np.int32)
    raw = np.frombuffer(body, dtype=np.uint8)[offset:]
    ends = np.flatnonzero(raw == 10)
    if len(ends) < lines:
        ends = np.append(ends, len(raw))
    starts = np.concatenate(([0], ends[:-1] + 1))
    length = ends - starts
    has_cr = (length > 0) & (raw[np.maximum(ends - 1, 0)] == 13)
    non_blank = np.flatnonzero(length - has_cr > 0)
    if len(non_blank) != count:
        return None
    return (non_blank + first).astype(np.int32)


def _arrow_read(body: bytes, offset: int, width: int, delimiter: str, plain: set[int]) -> pa.Table:
    names = [f"c{i}" for i in range(width)]
    text = pa.dictionary(pa.int32(), pa.string())
    return pacsv.read_csv(
        pa.BufferReader(pa.py_buffer(memoryview(body)[offset:])),
        read_options=pacsv.ReadOptions(column_names=names, block_size=4 << 20),
        parse_options=pacsv.ParseOptions(delimiter=delimiter),
        convert_options=pacsv.ConvertOptions(
            column_types={n: pa.string() if i in plain else text for i, n in enumerate(names)},
            null_values=[""],
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
        ),
    )


def _read_csv_fast(
    data: bytes, plain: PlainColumns, *, transcoded: bool = False
) -> RawTable | None:
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
    try:
        table = _arrow_read(body, offset, len(header), delimiter, plain(header))
    except pa.ArrowInvalid as exc:
        if "UTF8" in str(exc) and body is data and not transcoded:
            return _read_csv_fast_cp1251(data, plain)
        logger.info("fast CSV path declined: %s", str(exc)[:200])
        return None
    rows = _line_numbers(body, offset, number + 1, table.num_rows)
    if rows is None:
        return None
    frame = table.to_pandas()
    columns = {i: frame[f"c{i}"].array for i in range(len(header))}
    return RawTable(header, number, columns, rows)


def _read_csv_fast_cp1251(data: bytes, plain: PlainColumns) -> RawTable | None:
    try:
        converted = data.decode("cp1251").encode("utf-8")
    except UnicodeDecodeError as exc:
        raise TableError(
            [Problem(None, None, _("The file's encoding is neither UTF-8 nor Windows-1251."))]
        ) from exc
    return _read_csv_fast(converted, plain, transcoded=True)


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


def _no_plain(header: list[str]) -> set[int]:
    return set()


def read_raw(data: bytes, plain: PlainColumns = _no_plain) -> RawTable:
    """A CSV (UTF-8 or Windows-1251, `;` or `,`) or XLSX file as categorical columns.

    `plain(header)` names the positions of high-cardinality columns (participant codes) that
    the fast path keeps as plain strings rather than categories.
    """
    if not data[:65536].strip() and not data.strip():
        raise TableError([Problem(None, None, _("The file is empty."))])
    if not data.startswith(XLSX_MAGIC):
        table = _read_csv_fast(data, plain)
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


def as_bytes(source: bytes | str | io.BytesIO) -> bytes:
    """Bytes of a file given as bytes, text or a binary stream."""
    if isinstance(source, bytes):
        return source
    if isinstance(source, str):
        return source.encode("utf-8")
    return source.read()
