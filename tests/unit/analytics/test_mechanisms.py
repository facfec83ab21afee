"""Generators of other mechanisms of non-objectivity: what they plant is there in the files."""

from __future__ import annotations

import numpy as np

from app.analytics.mechanisms import MECHANISMS, generate_mechanisms
from app.analytics.synthetic import csv_bytes
from app.analytics.vpr import read_vpr


def test_wide_bunching_empties_the_scores_just_below_a_threshold() -> None:
    region = generate_mechanisms(["wide_bunching"], 60, seed=3, strength=1.0, size=(80, 80))
    year = max(region.results)
    frame = region.results[year]
    planted = region.truth[region.truth["planted"] == 1]
    assert len(planted) == 6 and set(planted["kind"]) == {"wide_bunching"}
    login = planted.iloc[0]["login"]
    grade, code = planted.iloc[0]["works"].split("; ")[0].split()
    spec = next(
        s for s in region.specs if s.year == year and s.code == code and s.grade == int(grade)
    )
    mine = frame[(frame["Логин ОО"] == login) & (frame["Параллель"] == int(grade))]
    scores = mine[mine["Предмет"] == spec.subject]["Первичный балл"].to_numpy()
    assert not np.isin(scores, [t - 1 for t in spec.thresholds]).any()  # all moved at strength 1


def test_every_mechanism_writes_files_the_importer_accepts() -> None:
    region = generate_mechanisms(list(MECHANISMS), 60, seed=5)
    for year, frame in region.results.items():
        imported = read_vpr(csv_bytes(frame), [s for s in region.specs if s.year == year])
        assert imported.ok, imported.problems[:3]
    assert set(region.truth["kind"]) >= {*MECHANISMS, "decoy_strong"}
