"""Integer cells straight from pyarrow's buffers: the codes the row checks work with.

A decoded column is an int array: the value (≥ 0), or MISSING (empty), INVALID (anything
else) or X_CODE (X or Х: a task not attempted). Score-like columns are parsed by pyarrow as
int16; task cells (a digit or two, or X/Х) are read as strings and decoded with a few numpy
operations over the string buffers. Anything unusual (spaces, "4.0", long texts) makes the
decoder give up on the column, which then goes the exact way (categories + a lookup).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from app import lazy

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc
else:
    np = lazy.module("numpy")
    pd = lazy.module("pandas")
    pa = lazy.module("pyarrow")
    pc = lazy.module("pyarrow.compute")

MISSING, INVALID, X_CODE = -1, -2, -3
_X_LATIN = (ord("X"), ord("x"))
_X_CYRILLIC = ((0xD0, 0xA5), (0xD1, 0x85))  # "Х" and "х" in UTF-8


def int_column(column: pa.ChunkedArray) -> np.ndarray:
    """An int16 column parsed by pyarrow as int codes: negatives INVALID, nulls MISSING."""
    smallest = pc.min(column).as_py()
    if smallest is not None and smallest < 0:  # a negative number is not a valid value
        column = pc.if_else(pc.less(column, 0), INVALID, column)
    filled = pc.fill_null(column, MISSING) if column.null_count else column
    return np.asarray(filled.to_numpy(), dtype=np.int16)


@functools.cache
def _one_byte() -> np.ndarray:
    """The code of every one-byte cell, indexed by the byte."""
    table = np.full(256, INVALID, dtype=np.int8)
    table[48:58] = np.arange(10)
    table[list(_X_LATIN)] = X_CODE
    return table


def _decode_general(raw: np.ndarray, start: np.ndarray, length: np.ndarray) -> np.ndarray:
    """Cells of one or two bytes: digits, two-digit numbers, X/Х (UTF-8 Cyrillic too)."""
    raw = np.append(raw, np.zeros(2, np.uint8))
    first, second = raw[start[:-1]], raw[start[:-1] + 1]
    d1, d2 = first - np.uint8(48), second - np.uint8(48)  # wraps above 9 when not a digit
    out = np.where(length == 1, _one_byte()[first], INVALID).astype(np.int8)
    both = (length == 2) & (d1 <= 9) & (d2 <= 9)
    out[both] = (d1[both].astype(np.int16) * 10 + d2[both]).astype(np.int8)
    for lead, tail in _X_CYRILLIC:
        out[(length == 2) & (first == lead) & (second == tail)] = X_CODE
    out[length == 0] = MISSING
    return out


def _decode(array: pa.Array) -> np.ndarray | None:
    """Cells of a string array as int8 codes; None if some cell is not a plain short value."""
    n = len(array)
    validity, offsets, data = array.buffers()
    start = np.frombuffer(offsets, dtype=np.int32, count=n + 1, offset=array.offset * 4)
    raw = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)
    length = np.diff(start)
    if int(length.max(initial=0)) <= 1:  # the common case: the bytes are the cells, in order
        out = np.full(n, MISSING, dtype=np.int8)
        out[length == 1] = _one_byte()[raw[start[0] : start[-1]]]
    else:
        out = _decode_general(raw, start, length)
    if array.null_count and validity is not None:
        bits = np.unpackbits(np.frombuffer(validity, dtype=np.uint8), bitorder="little")
        out[bits[array.offset : array.offset + n] == 0] = MISSING
    return None if (out == INVALID).any() else out


def cell_column(column: pa.ChunkedArray) -> np.ndarray | pd.Categorical:
    """Task cells as int8 codes, or (if some cell is unusual) as categories for the exact way."""
    decoded = _decode(column.combine_chunks()) if len(column) else np.zeros(0, np.int8)
    if decoded is not None:
        return decoded
    return categorical(pc.dictionary_encode(column))


def categorical(column: pa.ChunkedArray) -> pd.Categorical:
    """A dictionary-encoded pyarrow column as a pandas Categorical (missing = code −1)."""
    return column.to_pandas().array
