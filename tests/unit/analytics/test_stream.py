"""Analytics that stream region by region give what one pass over the whole file gives."""

from __future__ import annotations

import io
from collections.abc import Iterable

import pandas as pd
import pytest

from app.analytics.signs import SignsResult, compute_signs
from app.analytics.spec import TestSpec
from app.analytics.stream import split_units, stream_signs
from app.analytics.synthetic import csv_bytes, generate_region
from app.analytics.vpr import read_vpr

YEAR = 2024


def _national(sizes: Iterable[int]) -> tuple[bytes, list[TestSpec], dict[str, str], set[str]]:
    """Several synthetic regions sharing their tests, logins made unique, rows interleaved."""
    frames, unit_of, specialised = [], {}, set()
    specs: list[TestSpec] = []
    for k, schools in enumerate(sizes):
        region = generate_region(schools, seed=20 + k, spec_seed=5)
        specs = region.specs
        new = {s.login: f"edu{100000 + 1000 * k + i}" for i, s in enumerate(region.schools)}
        specialised |= {new[s.login] for s in region.schools if s.specialised}
        unit_of.update(dict.fromkeys(new.values(), f"region {k}"))
        frames += [
            f.assign(**{"Логин ОО": f["Логин ОО"].map(new)}) for f in region.results.values()
        ]
    whole = pd.concat(frames, ignore_index=True)
    whole = whole.sort_values(["Год", "Предмет", "Параллель"], kind="stable", ignore_index=True)
    return csv_bytes(whole), specs, unit_of, specialised


@pytest.fixture(scope="module")
def national() -> tuple[bytes, list[TestSpec], dict[str, str], set[str]]:
    return _national([70, 45, 90])


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype(
        {c: "str" for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)}
    ).reset_index(drop=True)


def _one_pass(data: bytes, specs: list[TestSpec], unit_of: dict[str, str], special: set[str]):
    imported = read_vpr(data, specs)
    assert imported.ok, imported.problems[:3]
    frame = imported.frame
    logins = frame["school_login"].astype("str")
    out: dict[str, SignsResult] = {}
    for unit in sorted(set(unit_of.values())):
        part = frame[logins.map(unit_of).eq(unit).to_numpy()].reset_index(drop=True)
        out[unit] = compute_signs(part, specs, year=YEAR, specialised=special)
    return out


def test_streamed_run_gives_the_markers_and_statistics_of_one_pass(national) -> None:
    data, specs, unit_of, special = national
    whole = _one_pass(data, specs, unit_of, special)
    streamed = stream_signs(
        io.BytesIO(data), specs, unit_of.__getitem__, year=YEAR, specialised=special
    )
    assert streamed.ok
    assert sorted(streamed.results) == sorted(whole)
    fired = 0
    for unit, result in whole.items():
        mine = streamed.results[unit]
        pd.testing.assert_frame_equal(_plain(mine.markers), _plain(result.markers))
        pd.testing.assert_frame_equal(_plain(mine.results), _plain(result.results))
        assert mine.evidence() == result.evidence()
        fired += int(result.markers["marker"].sum())
    assert fired > 0  # the planted schools are found: the comparison is not of empty lists


@pytest.mark.parametrize("ending", [b"\n", b""])
def test_small_blocks_split_every_row_to_its_region(national, ending: bytes) -> None:
    data, _specs, unit_of, _special = national
    data = data.rstrip(b"\n") + ending  # with and without a last line break
    units = split_units(io.BytesIO(data), unit_of.__getitem__, block_size=50_000)
    try:
        frame = pd.read_csv(io.BytesIO(data), sep=";", dtype=str, keep_default_na=False)
        expected = frame["Логин ОО"].map(unit_of).value_counts().to_dict()
        assert units.rows == expected
        for unit in units.units:
            part = pd.read_csv(io.BytesIO(units.data(unit)), sep=";", dtype=str)
            assert set(part["Логин ОО"].map(unit_of)) == {unit}
            numbers = units.line_numbers(unit)
            # each line keeps its number in the original file (header = line 1)
            original = frame.iloc[numbers - 2].reset_index(drop=True)
            assert original["Код участника"].tolist() == part["Код участника"].tolist()
    finally:
        units.remove()


def test_a_bad_row_refuses_the_whole_run_naming_the_files_row(national) -> None:
    data, specs, unit_of, special = national
    lines = data.split(b"\n")
    header = lines[0].decode().split(";")
    bad_line = len(lines) - 10  # deep in the file, in whichever region it falls
    cells = lines[bad_line - 1].decode().split(";")
    cells[header.index("Отметка")] = "7"
    lines[bad_line - 1] = ";".join(cells).encode()
    broken = b"\n".join(lines)
    expected = read_vpr(broken, specs).problems
    assert expected and expected[0].row == bad_line
    streamed = stream_signs(
        io.BytesIO(broken), specs, unit_of.__getitem__, year=YEAR, specialised=special
    )
    assert not streamed.ok and streamed.results == {}
    assert [(p.row, p.column) for p in streamed.problems] == [(p.row, p.column) for p in expected]


def test_a_file_with_quoted_cells_is_read_whole_with_the_same_figures(national) -> None:
    data, specs, unit_of, special = national
    lines = data.split(b"\n")
    header = lines[0].decode().split(";")
    at = header.index("Класс")
    for k in range(1, len(lines), 97):  # quote some class names ("4А"), as spreadsheets do
        cells = lines[k].split(b";")
        if len(cells) > at:
            cells[at] = b'"' + cells[at] + b'"'
            lines[k] = b";".join(cells)
    quoted = b"\n".join(lines)
    whole = _one_pass(data, specs, unit_of, special)
    streamed = stream_signs(
        io.BytesIO(quoted), specs, unit_of.__getitem__, year=YEAR, specialised=special
    )
    assert streamed.ok
    for unit, result in whole.items():
        pd.testing.assert_frame_equal(
            _plain(streamed.results[unit].markers), _plain(result.markers)
        )
        assert streamed.results[unit].evidence() == result.evidence()
