"""Analytics that stream: a large §1 file split region by region, each region's signs alone.

Why the region is the unit (and a test work is not): every sign compares a school with the
same test in its region (signs 1–4 take per-test references over the region's schools), sign 5
pools its within-school spread over all the region's works, a school's consistency is judged
over its works of every test, and false discoveries are controlled over the region's whole
proposed list. A region needs nothing from another region, so its figures from a national file
are exactly those of a run on its rows alone, and memory is bounded by the largest region.

`split_units` reads the file once in blocks of lines (never whole), asks `unit_of` for the
unit of each school login it meets and appends each line to its unit's spill file, keeping the
line's number in the original file. `stream_signs` then imports and validates each unit with
`read_vpr` and computes its signs; any problem (named by the original file's row) refuses the
whole run: all or nothing, like an import.
"""

from __future__ import annotations

import dataclasses
import gc
import itertools
import logging
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from app import lazy
from app.analytics.signs import SignsResult, compute_signs
from app.analytics.spec import TestSpec
from app.analytics.vpr import read_vpr
from app.analytics.vpr_checks import COLUMNS
from app.tabular import Problem, TableError, decode_text, detect_delimiter
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

BLOCK_SIZE = 32 << 20  # bytes of lines read at a time
NO_UNIT = ""
UNUSED = (
    "participant",
    "variant",
    "row",
)  # columns of an import no sign reads  # the unit of rows without a school login (they fail validation in it)


class NotStreamable(Exception):
    """The file has quoted values (which may span lines): read it whole instead."""


@dataclass
class UnitFiles:
    """The spill files of a split: per unit its lines (after the common header line)."""

    directory: Path
    header: bytes  # the header line, UTF-8, with its line break
    header_row: int  # the header's line number in the original file
    rows: dict[str, int] = field(default_factory=dict)
    _lines: dict[str, list[np.ndarray]] = field(default_factory=dict)

    @property
    def units(self) -> list[str]:
        """Units in order of first appearance in the file."""
        return list(self.rows)

    def data(self, unit: str) -> bytes:
        """The unit's rows as a §1 file of their own: the header, then the unit's lines."""
        return self.header + (self.directory / _file_name(self, unit)).read_bytes()

    def line_numbers(self, unit: str) -> np.ndarray:
        """The original line number of each of the unit's lines."""
        return np.concatenate(self._lines[unit]) if self._lines[unit] else np.array([], np.int64)

    def remove(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)


def _file_name(units: UnitFiles, unit: str) -> str:
    return f"unit_{list(units.rows).index(unit):05d}.csv"


def _header(source: IO[bytes]) -> tuple[bytes, int, str, bool]:
    """(header line in UTF-8 with newline, its line number, delimiter, file is cp1251)."""
    number = 0
    while True:
        line = source.readline()
        number += 1
        if not line:
            raise TableError([Problem(None, None, _("The file is empty."))])
        if line.strip():
            break
    if b'"' in line:
        raise NotStreamable("quoted header")
    try:
        line.decode("utf-8")
        cp1251 = False
    except UnicodeDecodeError:
        line, cp1251 = line.decode("cp1251").encode("utf-8"), True
    text = decode_text(line).rstrip("\r\n")
    if not line.endswith(b"\n"):
        line += b"\n"
    return line, number, detect_delimiter(text), cp1251


def _blocks(source: IO[bytes], size: int, cp1251: bool) -> Iterator[tuple[bytes, int, int]]:
    """Blocks of whole lines as (buffer, start, end), each ending with a line break; the large
    reads are not copied again (a line cut by a read comes as a block of its own)."""
    tail = b""
    while True:
        chunk = source.read(size)
        if not chunk:
            break
        if cp1251:
            chunk = chunk.decode("cp1251").encode("utf-8")  # one byte a character: cuts are safe
        first = chunk.find(b"\n") + 1
        if first == 0:
            tail += chunk
            continue
        start = 0
        if tail:
            joined = tail + chunk[:first]  # the line cut by the previous read
            yield joined, 0, len(joined)
            start = first
        cut = chunk.rfind(b"\n") + 1
        if cut > start:
            yield chunk, start, cut
        tail = chunk[cut:]
    if tail:
        yield tail + b"\n", 0, len(tail) + 1


def _login_codes(
    block: bytes | memoryview, lines: int, delimiter: str, width: int, position: int
) -> tuple[np.ndarray, list[str]]:
    """Per line of the block a code into the returned login texts (−1 where missing)."""
    names = [f"c{i}" for i in range(width)]
    try:
        table = pacsv.read_csv(
            pa.py_buffer(block),
            read_options=pacsv.ReadOptions(column_names=names),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter, ignore_empty_lines=False, quote_char=False
            ),
            convert_options=pacsv.ConvertOptions(
                include_columns=[names[position]],
                column_types={names[position]: pa.dictionary(pa.int32(), pa.string())},
                null_values=[""],
                strings_can_be_null=True,
            ),
        )
        if table.num_rows == lines:
            column = table.column(0).unify_dictionaries().combine_chunks()
            codes = column.indices.fill_null(-1).to_numpy(zero_copy_only=False)
            return codes.astype(np.int64), [str(t) for t in column.dictionary.to_pylist()]
    except pa.ArrowInvalid:
        pass  # ragged rows: split them one by one below (validation names them later)
    split = [line.split(delimiter.encode()) for line in bytes(block).split(b"\n")[:lines]]
    cells = pd.Series(
        [c[position].decode("utf-8", "replace") if len(c) > position else "" for c in split]
    )
    codes, texts = pd.factorize(cells.where(cells.str.strip() != "", None))
    return codes.astype(np.int64), [str(t) for t in texts]


def split_units(
    source: Path | IO[bytes],
    unit_of: Callable[[str], str],
    *,
    directory: Path | None = None,
    block_size: int = BLOCK_SIZE,
) -> UnitFiles:
    """Split a §1 CSV by unit (`unit_of(login)` of the lower-case school login) into spill
    files, reading `block_size` bytes of lines at a time. Raises NotStreamable for a file
    with quotes or no login column (read such a file whole)."""
    if isinstance(source, Path):
        with source.open("rb") as stream:
            return split_units(stream, unit_of, directory=directory, block_size=block_size)
    header, header_row, delimiter, cp1251 = _header(source)
    cells = [h.strip() for h in decode_text(header).rstrip("\r\n").split(delimiter)]
    found = [i for i, h in enumerate(cells) if COLUMNS["school_login"].matches(h)]
    if len(found) != 1:
        raise NotStreamable("no single login column")
    target = Path(tempfile.mkdtemp(prefix="oko-units-", dir=directory))
    units = UnitFiles(target, header, header_row)
    handles: dict[str, IO[bytes]] = {}
    index: dict[str, int] = {}  # unit -> its index in `names`
    names: list[str] = []
    line = header_row + 1  # the original number of the block's first line
    try:
        for buffer, start, end in _blocks(source, block_size, cp1251):
            if buffer.find(b'"', start, end) >= 0:
                raise NotStreamable("quoted values")
            block = memoryview(buffer)[start:end]
            count = buffer.count(b"\n", start, end)
            codes, texts = _login_codes(block, count, delimiter, len(cells), found[0])
            lookup = np.empty(len(texts) + 1, np.int64)  # login text -> unit index
            for k, text in enumerate([*texts, None]):
                name = NO_UNIT if text is None else unit_of(text.strip().lower())
                if name not in index:
                    index[name] = len(names)
                    names.append(name)
                lookup[k] = index[name]
            code = lookup[codes]  # code −1 (missing login) takes the last entry
            if code.min(initial=0) == code.max(initial=0) and codes.min(initial=0) >= 0:
                runs, whole = [(0, count)], True  # one unit, no blank line: the block goes whole
                starts = ends = np.array([], np.int64)
            else:
                ends = np.flatnonzero(np.frombuffer(block, np.uint8) == 10)
                starts = np.concatenate([[0], ends[:-1] + 1])
                for k in np.flatnonzero(codes < 0).tolist():  # blank lines are no rows
                    if not bytes(block[starts[k] : ends[k]]).strip(b" \t\r;,"):
                        code[k] = -1
                cuts = np.flatnonzero(code[1:] != code[:-1]) + 1
                bounds = np.concatenate([[0], cuts, [len(code)]]).tolist()
                runs, whole = list(itertools.pairwise(bounds)), False
            for a, b in runs:
                unit = int(code[a])
                if unit < 0:
                    continue
                name = names[unit]
                if name not in handles:
                    units.rows[name], units._lines[name] = 0, []
                    handles[name] = (target / _file_name(units, name)).open("wb")
                handles[name].write(block if whole else block[starts[a] : ends[b - 1] + 1])
                units.rows[name] += b - a
                units._lines[name].append(np.arange(line + a, line + b, dtype=np.int32))
            line += count
    except BaseException:
        for handle in handles.values():
            handle.close()
        units.remove()
        raise
    for handle in handles.values():
        handle.close()
    return units


@dataclass
class StreamedSigns:
    """The signs of every unit, or the problems that refused the run (then no results)."""

    problems: list[Problem]
    results: dict[str, SignsResult]
    rows: dict[str, int]
    peak_unit_rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def _in_file(problems: Iterable[Problem], numbers: np.ndarray, header_row: int) -> list[Problem]:
    """Problems of a unit's own file with the rows of the original file."""
    out = []
    for problem in problems:
        row = problem.row
        if row is not None and 0 <= row - 2 < len(numbers):
            row = int(numbers[row - 2])
        elif row == 1:
            row = header_row
        out.append(dataclasses.replace(problem, row=row))
    return out


def _unit_signs(
    frame: pd.DataFrame,
    specs: Sequence[TestSpec],
    year: int,
    chosen: set[str],
    params: Mapping[str, Mapping[str, Any]] | None,
    external: Mapping[str, pd.DataFrame] | None,
    unit: str,
    keep_details: bool,
) -> SignsResult | None:
    """One unit's signs of `year` (None when the unit has no results of that year)."""
    if not (frame["year"] == year).any():
        return None
    result = compute_signs(
        frame,
        specs,
        year=year,
        specialised=chosen,
        params=params,
        external=(external or {}).get(unit),
    )
    if not keep_details:
        result.details = {}
    return result


def signs_by_unit(
    units: UnitFiles,
    specs: Sequence[TestSpec],
    *,
    year: int,
    specialised: Iterable[str] = (),
    params: Mapping[str, Mapping[str, Any]] | None = None,
    external: Mapping[str, pd.DataFrame] | None = None,
    keep_details: bool = False,
    max_problems: int = 200,
    done: Callable[[str, SignsResult | None], None] | None = None,
) -> StreamedSigns:
    """Import and validate each unit, and compute its signs of `year`; problems refuse all.

    Only one unit's rows are in memory at a time; `keep_details=False` drops each result's
    per-rule numbers (the evidence keeps what a marker needs). `done(unit, result)` is told as
    each unit finishes (result None once a problem was found)."""
    chosen = {s.strip().lower() for s in specialised}
    problems: list[Problem] = []
    seen: set[tuple[Any, ...]] = set()
    out = StreamedSigns(problems, {}, dict(units.rows))
    for unit in units.units:
        imported = read_vpr(units.data(unit), specs, max_problems=max_problems)
        out.peak_unit_rows = max(out.peak_unit_rows, units.rows[unit])
        if not imported.ok:
            found = _in_file(imported.problems, units.line_numbers(unit), units.header_row)
            for problem in found:
                key = (problem.row, problem.column, problem.message)
                if key not in seen and len(problems) < max_problems:
                    seen.add(key)
                    problems.append(problem)
        result = None
        frame = imported.frame
        del imported  # the validated frame is all the signs need
        for column in UNUSED:
            if column in frame:
                del frame[column]  # participant codes are Python strings: the largest column
        if not problems:
            result = _unit_signs(frame, specs, year, chosen, params, external, unit, keep_details)
            if result is not None:
                out.results[unit] = result
        del frame
        gc.collect()
        if done is not None:
            done(unit, result)
    if problems:
        out.results = {}
    return out


def _whole_file(
    source: Path | IO[bytes],
    specs: Sequence[TestSpec],
    unit_of: Callable[[str], str],
    *,
    year: int,
    specialised: Iterable[str] = (),
    params: Mapping[str, Mapping[str, Any]] | None = None,
    external: Mapping[str, pd.DataFrame] | None = None,
    keep_details: bool = False,
    max_problems: int = 200,
    done: Callable[[str, SignsResult | None], None] | None = None,
) -> StreamedSigns:
    """The one-pass run the streamed one equals: the file read whole, then unit by unit."""
    if isinstance(source, Path):
        data = source.read_bytes()
    else:
        source.seek(0)
        data = source.read()
    imported = read_vpr(data, specs, max_problems=max_problems)
    if not imported.ok:
        return StreamedSigns(imported.problems, {}, {})
    frame = imported.frame
    logins = frame["school_login"].cat.categories.astype("str")
    names = [unit_of(login) for login in logins]
    units = list(dict.fromkeys(names[c] for c in pd.unique(frame["school_login"].cat.codes)))
    unit_code = pd.Categorical(names, categories=units).codes
    per_row = unit_code[frame["school_login"].cat.codes.to_numpy()]
    chosen = {s.strip().lower() for s in specialised}
    out = StreamedSigns([], {}, {})
    for k, unit in enumerate(units):
        part = frame[per_row == k].reset_index(drop=True)
        out.rows[unit] = len(part)
        out.peak_unit_rows = max(out.peak_unit_rows, len(part))
        result = _unit_signs(part, specs, year, chosen, params, external, unit, keep_details)
        if result is not None:
            out.results[unit] = result
        if done is not None:
            done(unit, result)
    return out


def stream_signs(
    source: Path | IO[bytes],
    specs: Sequence[TestSpec],
    unit_of: Callable[[str], str],
    *,
    year: int,
    directory: Path | None = None,
    **options: Any,
) -> StreamedSigns:
    """`split_units` then `signs_by_unit`, removing the spill files afterwards."""
    try:
        units = split_units(source, unit_of, directory=directory)
    except TableError as exc:
        return StreamedSigns(exc.problems, {}, {})
    except NotStreamable as exc:  # quoted values may span lines: the exact reader, whole
        logger.info("file not streamable (%s): read whole", exc)
        return _whole_file(source, specs, unit_of, year=year, **options)
    try:
        return signs_by_unit(units, specs, year=year, **options)
    finally:
        units.remove()
