"""Sign 6, identical answers to advanced tasks: copying classes are found, honest ones are not."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from app.analytics.signs import compute_signs
from tests.unit.analytics import sign_data as sd

COPYING, STRONG = "edu999001", "edu999002"


def _copy(rng: np.random.Generator, tasks: np.ndarray, share: float) -> np.ndarray:
    """A share of the pupils take the advanced answers of the best pupil of the class."""
    copied = tasks.copy()
    leader = int(np.argmax(tasks.sum(axis=1)))
    copiers = rng.random(len(tasks)) < share
    copied[np.ix_(copiers, np.arange(sd.BASIC, sd.BASIC + sd.ADVANCED))] = tasks[leader, sd.BASIC :]
    return copied


def _region(with_class: bool = True) -> pd.DataFrame:
    rng = np.random.default_rng(21)
    spec = sd.spec(max_score=sd.BASIC + sd.ADVANCED)
    schools = {}
    for i in range(300):
        tasks = sd.task_matrix(rng, rng.normal(0, 0.35), int(rng.integers(20, 60)))
        schools[f"edu{100000 + i}"] = {"score": tasks.sum(axis=1), "tasks": tasks}
    copied = _copy(rng, sd.task_matrix(rng, 0.0, 28), 0.4)
    schools[COPYING] = {"score": copied.sum(axis=1), "tasks": copied}
    strong = sd.task_matrix(rng, 1.5, 50)  # honest: many pupils solve every advanced task
    schools[STRONG] = {"score": strong.sum(axis=1), "tasks": strong}
    frame = sd.frame(spec, schools)
    if with_class:  # classes of 25 in each school
        position = frame.groupby("school_login").cumcount().to_numpy()
        frame["class"] = np.where(position < 25, "4А", "4Б")
    result = compute_signs(frame, [spec], rules=["identical_answers"])
    return result.details["identical_answers"].set_index("school_login")


@pytest.fixture(scope="module")
def found() -> pd.DataFrame:
    return _region()


def test_a_class_copying_its_best_pupils_advanced_answers_is_found(found) -> None:
    copying = found.loc[COPYING]
    assert copying["p_value"] < 0.001
    assert copying["pattern"]
    assert copying["identical_pairs"] > 2 * copying["expected_identical_pairs"]


def test_an_honest_strong_school_with_alike_answers_is_not(found) -> None:
    strong = found.loc[STRONG]
    assert strong["identical_pairs"] >= 80  # ceilings: many pupils have every advanced point
    assert strong["p_value"] > 0.01


def test_identical_answers_p_values_are_valid_on_honest_schools(found) -> None:
    p = found.drop(index=[COPYING])["p_value"].to_numpy()
    assert found["applicable"].all()
    assert (p < 0.05).mean() <= 0.09  # 0.07 here; a null that ignored ability gave 0.3
    assert (p < 0.01).mean() <= 0.03
    assert p.min() > 1e-5  # the copying class has 2e-6


def test_without_classes_the_whole_work_is_one_class() -> None:
    whole = _region(with_class=False)
    assert whole.loc[COPYING, "p_value"] < 0.001
    assert (whole.drop(index=[COPYING])["p_value"] < 0.01).mean() <= 0.03
