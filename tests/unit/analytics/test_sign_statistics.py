"""The statistics behind the signs, on small simulated regions with a fixed seed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from app.analytics.combine import school_level
from app.analytics.peaks import skewed_sf
from app.analytics.signs import compute_signs
from app.analytics.signstats import (
    _betabinom_sf,
    between_school_variance,
    lower_scale,
    robust_scale,
    strongest_works,
)
from tests.unit.analytics import sign_data as sd

PEAKS = {"boundary_peaks": {"min_works": 30}}


def _peaks(schools: dict[str, dict[str, np.ndarray]]) -> pd.DataFrame:
    spec = sd.spec()
    result = compute_signs(sd.frame(spec, schools), [spec], rules=["boundary_peaks"], params=PEAKS)
    return result.details["boundary_peaks"].set_index("school_login")


@pytest.fixture(scope="module")
def peaks() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    schools = {f"edu{100000 + i}": {"score": sd.honest_scores(rng, 40)} for i in range(300)}
    for k in range(20):  # 40 pupils around the "4" boundary: bunched or honest
        schools[f"edu9990{k:02d}"] = {"score": sd.bunch(rng, sd.honest_scores(rng, 40, 0.55), 0.6)}
        schools[f"edu9991{k:02d}"] = {"score": sd.honest_scores(rng, 40, 0.55)}
    return _peaks(schools)


def test_bunching_schools_of_forty_pupils_are_found(peaks) -> None:
    planted = peaks[peaks.index.str.startswith("edu9990")]
    # the best of 8 statistics (deficit widths 2 and 3; all boundaries and each alone) with
    # Bonferroni: the power at 40 pupils and α = 0.05 is about 80 %
    assert (planted["p_value"] < 0.05).mean() >= 0.7
    assert planted["share_moved"].median() > 0.4  # 60 % of those just below were moved
    assert planted["pattern"].mean() >= 0.9


def test_honest_schools_of_forty_pupils_are_not(peaks) -> None:
    honest = peaks[peaks.index.str.startswith("edu9991")]
    assert (honest["p_value"] < 0.05).mean() <= 0.1
    assert honest["p_value"].min() > 0.001


def test_bunching_p_values_are_valid_under_the_null(peaks) -> None:
    p = peaks[~peaks.index.str.startswith("edu9990")]["p_value"].to_numpy()
    assert (p < 0.05).mean() <= 0.06  # Bonferroni over the statistics: conservative
    assert (p < 0.01).mean() <= 0.015


def test_too_small_works_are_not_tested_for_peaks() -> None:
    rng = np.random.default_rng(3)
    schools = {f"edu{100000 + i}": {"score": sd.honest_scores(rng, 25)} for i in range(40)}
    assert not _peaks(schools)["applicable"].any()


def _inversion(rng: np.random.Generator, extra: dict[str, tuple[float, float]]) -> pd.DataFrame:
    spec = sd.spec(max_score=sd.BASIC + sd.ADVANCED)
    schools = {}
    for i in range(300):
        tasks = sd.task_matrix(rng, rng.normal(0, 0.35), 30)
        schools[f"edu{100000 + i}"] = {"score": tasks.sum(axis=1), "tasks": tasks}
    for login, (ability, leak) in extra.items():
        tasks = sd.task_matrix(rng, ability, 30, leak)
        schools[login] = {"score": tasks.sum(axis=1), "tasks": tasks}
    result = compute_signs(sd.frame(spec, schools), [spec], rules=["inversion"])
    return result.details["inversion"].set_index("school_login")


def test_inversion_compares_advanced_tasks_with_schools_of_the_same_basic_level() -> None:
    found = _inversion(
        np.random.default_rng(5), {"edu999001": (-0.9, 0.0), "edu999002": (-0.6, 0.4)}
    )
    weak = found.loc["edu999001"]  # honest and weak: loses more on hard tasks than on easy ones
    assert weak["contrast"] < 0
    assert weak["p_value"] > 0.05
    leaked = found.loc["edu999002"]
    assert leaked["p_value"] < 0.01
    assert leaked["advanced_rate"] > leaked["expected_advanced_rate"] + 0.1
    p = found.drop(index=["edu999002"])["p_value"].to_numpy()
    assert 0.01 <= (p < 0.05).mean() <= 0.09


def _journal_region(rng: np.random.Generator, change: float) -> pd.DataFrame:
    """Two years; every school keeps its journal's leniency; edu999001 is lenient, and its
    VPR results rise by `change` points in the second year."""
    frames = []
    for year in (2023, 2024):
        spec = sd.spec(year, max_score=sd.BASIC + sd.ADVANCED)
        schools = {}
        for i in range(250):
            leniency = np.random.default_rng(i).normal(0, 0.3)  # the same in both years
            tasks = sd.task_matrix(rng, rng.normal(0, 0.3), 30)
            score = tasks.sum(axis=1)
            schools[f"edu{100000 + i}"] = {
                "score": score,
                "tasks": tasks,
                "journal": sd.journal_marks(rng, score, leniency),
            }
        tasks = sd.task_matrix(rng, 0.0, 40)
        score = tasks.sum(axis=1)
        journal = sd.journal_marks(rng, score, 0.7)
        raised = np.minimum(score + (change if year == 2024 else 0), spec.max_score).astype(int)
        schools["edu999001"] = {"score": raised, "tasks": tasks, "journal": journal}
        frames.append(sd.frame(spec, schools))
    return pd.concat(frames, ignore_index=True)


def test_journal_mismatch_sees_a_change_against_the_schools_own_last_year() -> None:
    rng = np.random.default_rng(8)
    data = _journal_region(rng, change=2)
    specs = [sd.spec(y, max_score=sd.BASIC + sd.ADVANCED) for y in (2023, 2024)]
    found = compute_signs(data, specs, rules=["journal_mismatch"]).details["journal_mismatch"]
    school = found.set_index("school_login").loc["edu999001"]
    assert school["previous_year_score_excess_sd"] < -0.3  # a lenient journal last year
    assert school["p_value_vs_last_year"] < 0.01
    assert school["p_value_vs_others"] > school["p_value_vs_last_year"]
    others = found[found["school_login"] != "edu999001"]["p_value"].to_numpy()
    assert (others < 0.05).mean() <= 0.09


def test_between_school_variance_recovers_the_spread() -> None:
    rng = np.random.default_rng(2)
    n = rng.integers(10, 200, 600)
    variance = 1.0 / n
    estimate = rng.normal(0, 0.2, 600) + rng.normal(0, np.sqrt(variance))
    estimate[:20] += 2.0  # schools with the sign do not widen the honest spread
    tau2 = between_school_variance(
        estimate, np.zeros(600), variance, np.zeros(600), np.ones(600, bool)
    )
    assert np.sqrt(tau2[0]) == pytest.approx(0.2, abs=0.04)


def test_beta_binomial_tail_matches_scipy() -> None:
    k, n = np.array([3, 10, 25]), np.array([10, 30, 40])
    p0, rho = np.array([0.2, 0.3, 0.5]), np.array([0.05, 0.1, 0.02])
    scale = 1 / rho - 1
    expected = stats.betabinom.sf(k - 1, n, p0 * scale, (1 - p0) * scale)
    assert _betabinom_sf(k, n, p0, rho) == pytest.approx(expected, rel=1e-9)


def test_skewed_tail_is_normal_without_skew_and_heavier_with_it() -> None:
    z = np.array([-1.0, 0.0, 2.0, 3.0])
    assert skewed_sf(z, np.zeros(4)) == pytest.approx(stats.norm.sf(z), abs=2e-3)
    assert (skewed_sf(z[2:], np.full(2, 0.5)) > stats.norm.sf(z[2:])).all()


def test_school_route_combines_a_subject_and_corrects_for_the_units() -> None:
    rng = np.random.default_rng(4)
    schools = np.repeat([f"edu{100000 + i}" for i in range(200)], 4)
    code = np.tile(["МА", "МА", "РУ", "РУ"], 200)
    grade = np.tile([4, 5, 4, 5], 200)
    p = rng.uniform(size=800)
    p[:2] = 0.004  # the first school: both grades of mathematics, moderately
    found = school_level(
        pd.Series(schools), pd.Series(code), pd.Series(grade), p, np.ones(800, bool)
    )
    assert found.unit[0] == "subject"
    assert list(found.in_best_unit[:4]) == [True, True, False, False]
    pair = stats.norm.sf(2 * stats.norm.isf(0.004) / np.sqrt(2))
    assert found.p_value[0] == pytest.approx(5 * pair, rel=0.5)  # five units: all, 2 + 2
    assert found.q_value[0] < 0.1


def _schools(count: int, works: int = 4) -> pd.Series:
    return pd.Series(np.repeat([f"edu{100000 + i}" for i in range(count)], works))


def test_sign_four_route_combines_the_three_strongest_works_whatever_they_are() -> None:
    rng = np.random.default_rng(4)
    p = rng.uniform(size=800)
    p[[1, 2, 3]] = 0.004  # the first school: 5 МА, 4 РУ and 5 РУ (two subjects, two grades)
    p[0] = 0.6
    found = strongest_works(_schools(200), p, np.ones(800, bool))
    assert list(found.in_best_unit[:4]) == [False, True, True, True]
    triple = stats.norm.sf(3 * stats.norm.isf(0.004) / np.sqrt(3))  # one triple, no selection
    assert triple < found.p_value[0] < 0.001
    assert found.combined[0] == 3 and found.tested[0] == 4
    code, grade = np.tile(["МА", "МА", "РУ", "РУ"], 200), np.tile([4, 5, 4, 5], 200)
    units = school_level(_schools(200), pd.Series(code), pd.Series(grade), p, np.ones(800, bool))
    assert found.p_value[0] < units.p_value[0] / 3  # no unit holds 5 МА, 4 РУ and 5 РУ alone


def test_sign_four_route_keeps_a_pair_when_only_two_works_stand_out() -> None:
    rng = np.random.default_rng(14)
    p = rng.uniform(size=800)
    p[[1, 2]] = 0.001  # 5 МА and 4 РУ: another subject AND another grade
    p[[0, 3]] = (0.6, 0.7)
    found = strongest_works(_schools(200), p, np.ones(800, bool))
    assert list(found.in_best_unit[:4]) == [True, True, True, False]  # the third: the 0.6
    assert found.p_value[0] < 0.005  # still found in a region of 200 schools


def test_the_lower_scale_is_not_widened_by_the_works_with_the_sign() -> None:
    rng = np.random.default_rng(3)
    honest = 1.5 * rng.standard_normal(2000)  # honest works spread 1.5 × sampling noise
    z = honest.copy()
    z[:200] += 4.0  # one work in ten with the sign: only ever raised
    everyone = np.ones(2000, bool)
    lower = lower_scale(z, everyone)[0]
    assert lower == pytest.approx(1.5, rel=0.06)
    assert robust_scale(z, np.zeros(2000, np.int64), everyone)[0] > 1.12 * 1.5  # a MAD widens
    assert lower_scale(0.5 * honest, everyone)[0] == 1.0  # never narrower than sampling noise
    assert (lower_scale(z[:5], everyone[:5]) == 1.0).all()  # too few works: no scale estimated


def test_sign_four_route_is_calibrated_on_honest_schools() -> None:
    rng = np.random.default_rng(5)
    p = rng.uniform(size=8000)
    found = strongest_works(_schools(2000), p, np.ones(8000, bool))
    school_p = found.p_value[::4]
    for level in (0.05, 0.2, 0.5):
        assert (school_p <= level).mean() == pytest.approx(level, rel=0.3)
    # a school with one tested work among them (fewer than 30 such: on all schools' scale)
    alone = pd.concat([_schools(400), pd.Series(["edu999999"])], ignore_index=True)
    p = np.append(rng.uniform(size=1600), 0.01)
    single = strongest_works(alone, p, np.ones(1601, bool))
    assert 0.009 <= single.p_value[-1] <= 0.02  # its one work's own p, never more lenient
    assert single.combined[-1] == 1 and single.tested[-1] == 1
