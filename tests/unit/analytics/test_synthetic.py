"""The synthetic region generator: deterministic, realistic enough, importable."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from app.analytics.spec import parse_specs
from app.analytics.synthetic import csv_bytes, generate_region, write_region
from app.analytics.vpr import read_vpr


def test_same_seed_same_region_and_files(tmp_path: Path) -> None:
    a, b = generate_region(40, seed=9), generate_region(40, seed=9)
    pd.testing.assert_frame_equal(a.results[2024], b.results[2024])
    assert not a.results[2024].equals(generate_region(40, seed=10).results[2024])
    written = {p.name for p in write_region(a, tmp_path)}
    assert written == {
        "vpr_2023.csv",
        "vpr_2024.csv",
        "specs_2023.json",
        "specs_2024.json",
        "schools.csv",
        "truth.csv",
    }
    specs = parse_specs((tmp_path / "specs_2024.json").read_bytes())
    assert read_vpr((tmp_path / "vpr_2024.csv").read_bytes(), specs).ok


def test_truth_lists_planted_kinds_and_decoys() -> None:
    region = generate_region(120, seed=2)
    kinds = set(region.truth["kind"])
    assert {"bunching", "inversion", "inflation", "decoy_specialised", "decoy_tiny"} <= kinds
    planted = region.truth[region.truth["planted"] == 1]
    assert (planted["works"] != "").all()
    directory = region.directory.set_index("Логин")
    assert set(
        directory.loc[
            region.truth.loc[region.truth["kind"] == "decoy_specialised", "login"],
            "Углублённое изучение",
        ]
    ) == {"да"}


def test_cohort_continues_and_sizes_range_from_tiny_to_large() -> None:
    region = generate_region(120, seed=3)
    first, second = region.results[2023], region.results[2024]
    g4 = (
        first[(first["Параллель"] == 4) & (first["Предмет"] == "Математика")]
        .groupby("Логин ОО")
        .size()
    )
    g5 = (
        second[(second["Параллель"] == 5) & (second["Предмет"] == "Математика")]
        .groupby("Логин ОО")
        .size()
    )
    common = g4.index.intersection(g5.index)
    assert (g4[common] == g5[common]).all()  # the same pupils move up a grade
    assert g4.min() <= 6
    assert g4.max() >= 150
    specs = [s for s in region.specs if s.year == 2024]
    assert read_vpr(csv_bytes(second), specs).ok
