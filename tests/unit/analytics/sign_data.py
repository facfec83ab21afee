"""Small simulated regions for the statistical tests of single signs (seeded, deterministic)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from app.analytics.spec import Task, TestSpec

BASIC, ADVANCED = 8, 5  # one-point tasks of each level


def spec(year: int = 2024, max_score: int = 30) -> TestSpec:
    """One test: mathematics, grade 4, eight basic and five advanced tasks (13 points)."""
    tasks = tuple(Task(str(i + 1), 1, "Б" if i < BASIC else "П") for i in range(BASIC + ADVANCED))
    thresholds = (4, 8, 11)
    if max_score != BASIC + ADVANCED:  # a score-only test: one task carries every point
        tasks, thresholds = (Task("1", max_score, "Б"),), (10, 18, 25)
    return TestSpec(year, "Математика", 4, "МА", max_score, thresholds, tasks)


def frame(spec_: TestSpec, schools: dict[str, dict[str, np.ndarray]]) -> pd.DataFrame:
    """§1-like rows: per school `score`, optional `journal` (0 = none) and `tasks` (pupils × k)."""
    sizes = [len(data["score"]) for data in schools.values()]
    score = np.concatenate([np.asarray(data["score"]) for data in schools.values()])
    journal = np.concatenate(
        [
            np.asarray(data.get("journal", np.zeros(n, dtype=int)))
            for n, data in zip(sizes, schools.values(), strict=True)
        ]
    )
    result = pd.DataFrame(
        {
            "year": spec_.year,
            "subject": spec_.subject,
            "code": spec_.code,
            "grade": spec_.grade,
            "school_login": np.repeat(list(schools), sizes),
            "score": score.astype(np.int16),
            "mark": spec_.mark_for(score),
            "journal_mark": pd.array(np.where(journal > 0, journal, None), dtype="Int8"),
        }
    )
    if all("tasks" in data for data in schools.values()):
        tasks = np.concatenate([data["tasks"] for data in schools.values()])
        for j, task in enumerate(spec_.tasks):
            result["task_" + task.id] = pd.array(tasks[:, j], dtype="Int8")
    return result


def honest_scores(rng: np.random.Generator, pupils: int, rate: float | None = None) -> np.ndarray:
    """Scores of an honest school on `spec()`: binomial with a school-specific success rate."""
    rate = 1 / (1 + np.exp(-rng.normal(0.3, 0.5))) if rate is None else rate
    return rng.binomial(30, rate, pupils)


def bunch(rng: np.random.Generator, score: np.ndarray, share: float) -> np.ndarray:
    """Move `share` of the pupils one or two points below a threshold of `spec()` onto it."""
    moved = score.copy()
    for threshold in spec().thresholds:
        near = (score >= threshold - 2) & (score < threshold)
        moved[near & (rng.random(len(score)) < share)] = threshold
    return moved


def task_matrix(
    rng: np.random.Generator, ability: float, pupils: int, leak: float = 0.0
) -> np.ndarray:
    """Pupils × tasks of 0/1 with a logistic model; `leak` = chance an advanced task is given."""
    theta = rng.normal(ability, 1.0, pupils)[:, None]
    difficulty = np.r_[np.linspace(-2.0, -0.5, BASIC), np.linspace(0.0, 1.2, ADVANCED)]
    correct = rng.random((pupils, BASIC + ADVANCED)) < 1 / (1 + np.exp(-1.7 * (theta - difficulty)))
    advanced = np.arange(BASIC + ADVANCED) >= BASIC
    correct |= advanced & (rng.random(correct.shape) < leak)
    return correct.astype(np.int8)


def journal_marks(rng: np.random.Generator, score: np.ndarray, leniency: float) -> np.ndarray:
    """Journal marks 2..5 from the ability behind a score, a school's leniency and noise."""
    latent = (score - 6.5) / 2.5 + leniency + rng.normal(0, 0.5, len(score))
    return 2 + np.searchsorted([-1.2, -0.2, 0.9], latent)
