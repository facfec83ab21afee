"""Signs of non-objectivity on a small synthetic region, and the statistical helpers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from app.analytics.proposed import proposed_list
from app.analytics.signs import (
    RULES,
    SignsResult,
    benjamini_hochberg,
    compute_signs,
    resolve_params,
    specialised_from_directory,
)
from app.analytics.synthetic import SyntheticRegion, csv_bytes, generate_region
from app.analytics.vpr import read_vpr


@pytest.fixture(scope="module")
def region() -> SyntheticRegion:
    return generate_region(160, seed=4)


@pytest.fixture(scope="module")
def frame(region: SyntheticRegion) -> pd.DataFrame:
    frames = []
    for year, frame in region.results.items():
        imported = read_vpr(csv_bytes(frame), [s for s in region.specs if s.year == year])
        assert imported.ok, imported.problems[:3]
        frames.append(imported.frame)
    both = pd.concat(frames, ignore_index=True)
    for column in ("subject", "code", "school_login"):
        both[column] = both[column].astype("category")
    return both


@pytest.fixture(scope="module")
def signs(region: SyntheticRegion, frame: pd.DataFrame) -> SignsResult:
    return compute_signs(
        frame, region.specs, specialised=specialised_from_directory(region.directory)
    )


def _planted(region: SyntheticRegion, kind: str) -> dict[str, tuple]:
    return {s.login: s.planted_works for s in region.schools if s.planted == kind}


def test_a_planted_bunching_school_is_flagged_with_the_boundary(region, signs) -> None:
    fired = signs.results[
        (signs.results["rule"] == "boundary_peaks") & (signs.results["status"] == "fired")
    ]
    bunching = _planted(region, "bunching")
    hits = fired[fired["school_login"].astype(str).isin(bunching)]
    assert len(hits) >= 1
    evidence = hits.iloc[0]["evidence"]
    spec = next(
        s
        for s in region.specs
        if s.year == signs.year and s.code == evidence["code"] and s.grade == evidence["grade"]
    )
    mark = evidence["numbers"]["peak_mark"]
    assert evidence["numbers"]["peak_threshold"] == spec.thresholds[mark - 3]
    assert evidence["rule"] == "boundary_peaks"
    assert evidence["version"] == RULES["boundary_peaks"].version
    assert evidence["params"]["min_works"] == 30
    numbers, reference = evidence["numbers"], evidence["reference"]
    assert numbers["share_moved"] >= evidence["params"]["margin"]
    assert numbers[f"mark{mark}_at_boundary"] > reference[f"mark{mark}_region_expected_at_boundary"]
    assert evidence["school_unit"] == "strongest"  # sign 4: the school's three strongest works
    assert evidence["school_works_combined"] == min(3, evidence["school_works_tested"])


def test_every_kind_is_found_and_most_flags_are_planted(region, signs) -> None:
    flagged = set(signs.markers.loc[signs.markers["marker"] == 1, "school_login"].astype(str))
    planted = {s.login for s in region.schools if s.planted}
    for kind in ("bunching", "inversion", "inflation"):
        assert flagged & set(_planted(region, kind)), kind
    assert len(flagged & planted) / len(flagged) >= 0.7


def test_small_works_are_not_tested_for_peaks(signs) -> None:
    peaks = signs.details["boundary_peaks"]
    assert not peaks.loc[peaks["n"] < 30, "applicable"].any()
    small = signs.results[(signs.results["rule"] == "boundary_peaks") & (signs.results["n"] < 30)]
    assert set(small["status"]) == {"insufficient_data"}


def test_specialised_schools_have_their_own_reference(region, signs) -> None:
    above = signs.details["above_region"]
    special = {s.login for s in region.schools if s.specialised}
    mine = above[above["school_login"].astype(str).isin(special)]
    assert set(mine["reference_group"]) == {"specialised"}
    regular = above[~above["school_login"].astype(str).isin(special)]
    assert mine["reference_rate"].mean() > regular["reference_rate"].mean() + 0.1


def test_sign_one_alone_does_not_set_the_marker(signs) -> None:
    results, markers = signs.results, signs.markers.set_index(["school_login", "grade", "code"])
    fired = results[results["status"] == "fired"]
    alone = fired.groupby(["school_login", "grade", "code"], observed=True)["rule"].agg(set)
    for key in alone[alone.map(lambda rules: rules == {"above_region"})].index:
        assert markers.loc[key, "marker"] == 0


def test_cohort_change_only_on_grade_five(signs) -> None:
    cohort = signs.results[signs.results["rule"] == "cohort_change"]
    assert set(cohort["grade"]) == {5}


def test_proposed_list_layout(signs) -> None:
    listed = proposed_list(signs.markers)
    marker_columns = ["4 МА", "4 РУ", "5 МА", "5 РУ"]
    assert list(listed.columns[:4]) == ["Год", "Логин", "Муниципалитет", "ОО"]
    assert list(listed.columns[4:8]) == marker_columns
    counted = listed[marker_columns].fillna(0).sum(axis=1)
    assert (counted == listed["Количество маркеров"]).all()
    assert (listed["Количество маркеров"] >= 1).all()
    assert set(listed["Логин"]) == set(
        signs.markers.loc[signs.markers["marker"] == 1, "school_login"].astype(str)
    )


def test_external_confirmation_suppresses_sign_one(region, frame) -> None:
    loose = {"above_region": {"margin": 0.0, "fdr": 0.5}}
    special = specialised_from_directory(region.directory)
    first = compute_signs(
        frame, region.specs, rules=["above_region"], params=loose, specialised=special
    )
    fired = first.results[first.results["status"] == "fired"].iloc[0]
    external = pd.DataFrame(
        {"school_login": [fired["school_login"]], "code": [fired["code"]], "confirmed": [True]}
    )
    again = compute_signs(
        frame,
        region.specs,
        rules=["above_region"],
        params=loose,
        specialised=special,
        external=external,
    )
    key = ["school_login", "code", "grade"]
    same = again.results.set_index(key).loc[tuple(fired[key])]
    assert same["status"] == "confirmed_externally"
    assert first.rules["above_region"]["params"]["margin"] == 0.0


def test_benjamini_hochberg_matches_the_textbook() -> None:
    p = np.array([0.01, 0.04, 0.03, 0.005, np.nan])
    q = benjamini_hochberg(p)
    assert q[3] == pytest.approx(0.02)
    assert q[0] == pytest.approx(0.02)
    assert q[2] == pytest.approx(0.04)
    assert q[1] == pytest.approx(0.04)
    assert np.isnan(q[4])


def test_parameters_are_validated() -> None:
    assert (
        resolve_params({"boundary_peaks": {"min_works": 30}})["boundary_peaks"]["min_works"] == 30
    )
    with pytest.raises(ValueError, match="unknown parameters"):
        resolve_params({"boundary_peaks": {"min_work": 30}})
    with pytest.raises(ValueError, match="unknown rule"):
        resolve_params({"peaks": {}})


def test_false_discoveries_are_controlled_over_the_whole_list(signs) -> None:
    """The work route's q-values are Benjamini–Hochberg over every work of signs 2–5 at once."""
    pooled = [name for name in signs.details if name != "above_region"]
    p = np.concatenate(
        [
            np.where(signs.details[n]["applicable"], signs.details[n]["p_value"], np.nan)
            for n in pooled
        ]
    )
    q = np.concatenate([signs.details[n]["q_value"].to_numpy(dtype=float) for n in pooled])
    assert np.allclose(q, benjamini_hochberg(p), equal_nan=True)
    per_rule = benjamini_hochberg(
        np.where(
            signs.details["inversion"]["applicable"], signs.details["inversion"]["p_value"], np.nan
        )
    )
    assert not np.allclose(per_rule, signs.details["inversion"]["q_value"], equal_nan=True)
