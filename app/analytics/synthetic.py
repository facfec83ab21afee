"""Synthetic regions: two years of VPR results with planted non-objective schools and decoys.

The model is a small item-response simulation. Every pupil has an ability per subject (school
effect + a cohort's deviation + individual spread); a task's points are binomial with a logistic
success rate; the journal mark is the same ability seen through the school's leniency (its
marking culture plus this year's teacher) and a teacher's noise. The grade-4 cohort of the
first year is the grade-5 cohort of the second, with some turnover. Non-objective behaviour is
planted in the second year only:

* ``bunching`` — 50–90 % of the pupils one or two points below a mark boundary get the missing
  points (the checker "finds" them), in one subject: 6–35 % of the work's marks change;
* ``inversion`` — a weak school whose pupils get advanced (П) tasks right far more often than
  their basic (Б) results justify (30–50 % of П answers leaked), in one subject;
* ``inflation`` — the VPR results of one grade are raised well above the school's own journal
  marks (lenient checking or help during the test: +0.5–1 SD of ability, 0.35–0.7 of a mark on
  average), in both subjects.

Honest decoys that a naive rule would flag: specialised schools with genuinely high results,
and tiny schools (5–12 pupils per grade) with a wide spread of school effects.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from app import lazy
from app.analytics.spec import Task, TestSpec, specs_to_json

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    np = lazy.module("numpy")
    pd = lazy.module("pandas")

logger = logging.getLogger(__name__)

SUBJECTS = {"РУ": "Русский язык", "МА": "Математика"}
# (task id, maximum, level) — shaped after the public VPR demo versions
STRUCTURES: dict[tuple[int, str], list[tuple[str, int, str]]] = {
    (4, "РУ"): [
        ("1", 4, "Б"),
        ("2", 3, "Б"),
        ("3.1", 1, "Б"),
        ("3.2", 3, "Б"),
        ("4", 1, "Б"),
        ("5", 2, "Б"),
        ("6", 2, "Б"),
        ("7", 2, "Б"),
        ("8", 3, "Б"),
        ("9", 2, "П"),
        ("10", 1, "Б"),
        ("11", 2, "Б"),
        ("12.1", 1, "Б"),
        ("12.2", 2, "П"),
        ("13.1", 1, "Б"),
        ("13.2", 2, "П"),
        ("14", 3, "П"),
        ("15", 3, "П"),
    ],
    (4, "МА"): [
        ("1", 1, "Б"),
        ("2", 1, "Б"),
        ("3", 1, "Б"),
        ("4", 1, "Б"),
        ("5.1", 1, "Б"),
        ("5.2", 1, "Б"),
        ("6.1", 1, "Б"),
        ("6.2", 1, "Б"),
        ("7", 1, "Б"),
        ("8", 2, "Б"),
        ("9.1", 1, "П"),
        ("9.2", 1, "П"),
        ("10", 2, "Б"),
        ("11", 2, "П"),
        ("12", 3, "П"),
    ],
    (5, "РУ"): [
        ("1.1", 4, "Б"),
        ("1.2", 3, "Б"),
        ("1.3", 2, "Б"),
        ("2.1", 3, "Б"),
        ("2.2", 3, "Б"),
        ("2.3", 3, "Б"),
        ("2.4", 3, "Б"),
        ("3", 2, "Б"),
        ("4", 2, "Б"),
        ("5", 2, "П"),
        ("6", 2, "Б"),
        ("7", 2, "П"),
        ("8", 3, "П"),
        ("9", 2, "Б"),
        ("10", 2, "Б"),
        ("11", 3, "П"),
        ("12", 4, "П"),
    ],
    (5, "МА"): [
        ("1", 1, "Б"),
        ("2", 1, "Б"),
        ("3", 1, "Б"),
        ("4", 1, "Б"),
        ("5", 1, "Б"),
        ("6", 1, "Б"),
        ("7", 1, "Б"),
        ("8", 2, "Б"),
        ("9", 1, "Б"),
        ("10", 2, "П"),
        ("11", 1, "Б"),
        ("12", 2, "П"),
        ("13", 2, "П"),
        ("14", 3, "П"),
    ],
}
MARK_SHARES = (0.08, 0.41, 0.81)  # region's cumulative share below marks 3, 4 and 5
KINDS = ("bunching", "inversion", "inflation")
MUNICIPALITIES = (
    "городской округ «Город Верхнереченск»",
    "Светлогорский городской округ",
    "Боровской муниципальный район",
    "Заозёрный муниципальный округ",
    "Каменский муниципальный район",
    "Ольховский муниципальный район",
    "Степной муниципальный округ",
    "городской округ «Город Новодольск»",
    "Кедровский муниципальный район",
    "Рябиновский муниципальный район",
    "Тихоновский муниципальный округ",
    "Луговской муниципальный район",
)


@dataclass
class School:
    """A synthetic school and its hidden parameters."""

    login: str
    name: str
    municipality: str
    kind: str  # СОШ, ООШ, НОШ, лицей, гимназия
    specialised: bool
    size: int  # pupils per grade
    effect: float  # mean ability in region SD units
    leniency: float  # how much kinder the journal is than the ability
    planted: str = ""  # one of KINDS, or empty
    planted_works: tuple[tuple[int, str], ...] = ()
    decoy: str = ""


@dataclass
class SyntheticRegion:
    """Everything generated: specs, §1 frames by year (Russian headers), §6 directory, truth."""

    year: int
    specs: list[TestSpec]
    results: dict[int, pd.DataFrame]
    directory: pd.DataFrame
    truth: pd.DataFrame
    schools: list[School] = field(default_factory=list)


def _difficulties(rng: np.random.Generator, levels: list[str]) -> np.ndarray:
    basic = rng.uniform(-2.2, -0.6, len(levels))
    advanced = rng.uniform(-0.3, 1.0, len(levels))
    return np.where(np.array(levels) == "П", advanced, basic)


def _make_specs(rng: np.random.Generator, year: int) -> tuple[list[TestSpec], dict]:
    """Specs for both years (same structure), thresholds from a simulated reference population."""
    specs, difficulty = [], {}
    for (grade, code), tasks in STRUCTURES.items():
        maxima = np.array([t[1] for t in tasks])
        levels = [t[2] for t in tasks]
        b = _difficulties(rng, levels)
        difficulty[(grade, code)] = b
        theta = rng.normal(0, 1, 20000)
        scores = _task_scores(rng, theta, b, maxima, np.zeros(len(tasks))).sum(axis=1)
        c3, c4, c5 = (int(c) for c in np.quantile(scores, MARK_SHARES).round())
        c3 = max(c3, 1)
        c4 = max(c4, c3 + 1)
        cuts = (c3, c4, min(max(c5, c4 + 1), int(maxima.sum())))
        for y in (year, year + 1):
            specs.append(
                TestSpec(
                    y,
                    SUBJECTS[code],
                    grade,
                    code,
                    int(maxima.sum()),
                    cuts,  # type: ignore[arg-type]
                    tuple(Task(t[0], t[1], t[2]) for t in tasks),
                )
            )
    return specs, difficulty


def _task_scores(
    rng: np.random.Generator,
    theta: np.ndarray,
    b: np.ndarray,
    maxima: np.ndarray,
    shift: np.ndarray,
) -> np.ndarray:
    """Pupils × tasks points: binomial with a logistic success rate (shift: per-pupil-task logit)."""
    logit = 1.7 * (theta[:, None] - b[None, :]) + shift
    p = 1.0 / (1.0 + np.exp(-logit))
    return rng.binomial(np.broadcast_to(maxima, p.shape), p).astype(np.int16)


def _schools(rng: np.random.Generator, n: int) -> list[School]:
    schools = []
    logins = rng.choice(np.arange(100000, 1000000), size=n, replace=False)
    for i in range(n):
        roll = rng.random()
        municipality = MUNICIPALITIES[int(rng.integers(0, max(1, min(12, n // 10))))]
        if roll < 0.15:
            kind = ("лицей", "гимназия", "СОШ")[int(rng.integers(0, 3))]
            specialised, size = True, int(rng.integers(60, 160))
            effect = float(rng.normal(0.7, 0.2))
        elif roll < 0.27:
            kind, specialised, size = "ООШ", False, int(rng.integers(5, 13))
            effect = float(rng.normal(0, 0.5))
        else:
            kind, specialised = ("СОШ", "СОШ", "СОШ", "ООШ", "НОШ")[int(rng.integers(0, 5))], False
            size = int(np.clip(np.exp(rng.normal(np.log(45), 0.7)), 13, 200))
            effect = float(rng.normal(0, 0.3))
        number = i + 1
        name = {
            "лицей": f"МАОУ «Лицей № {number}»",
            "гимназия": f"МАОУ «Гимназия № {number}»",
            "СОШ": f"МБОУ «СОШ № {number}"
            + (" с углублённым изучением отдельных предметов»" if specialised else "»"),
            "ООШ": f"МБОУ «ООШ № {number}»",
            "НОШ": f"МБОУ «НОШ № {number}»",
        }[kind]
        decoy = "specialised" if specialised else ("tiny" if size < 13 else "")
        schools.append(
            School(
                f"edu{logins[i]}",
                name,
                municipality,
                kind,
                specialised,
                size,
                effect,
                float(rng.normal(0, 0.2)),
                decoy=decoy,
            )
        )
    return schools


def _plant(rng: np.random.Generator, schools: list[School], share: float) -> None:
    """Choose planted schools among regular ones big enough for their kind's sign to apply."""
    count = round(share * len(schools))
    order = rng.permutation(len(schools))
    for k in range(count):
        kind = KINDS[k % len(KINDS)]
        minimum = 55 if kind == "bunching" else 20
        for i in order:
            school = schools[i]
            if school.planted or school.specialised or school.size < minimum:
                continue
            grades = (4,) if school.kind == "НОШ" else (4, 5)
            subject = ("РУ", "МА")[int(rng.integers(0, 2))]
            if kind == "inflation":
                grade = grades[int(rng.integers(0, len(grades)))]
                works: tuple[tuple[int, str], ...] = ((grade, "РУ"), (grade, "МА"))
            else:
                works = tuple((g, subject) for g in grades)
            if kind == "inversion":
                school.effect = float(rng.normal(-0.45, 0.12))
            school.planted, school.planted_works = kind, works
            break


@dataclass
class _Cohort:
    """Pupils of one grade of every school: school index and ability per subject."""

    school: np.ndarray
    theta: dict[str, np.ndarray]


def _new_cohort(rng: np.random.Generator, schools: list[School], grade: int) -> _Cohort:
    sizes = [
        0 if (grade == 5 and s.kind == "НОШ") else max(5, round(s.size * rng.uniform(0.85, 1.15)))
        for s in schools
    ]
    school = np.repeat(np.arange(len(schools)), sizes)
    # a cohort differs from the school's usual level a little (sd 0.1)
    effect = (np.array([s.effect for s in schools]) + rng.normal(0, 0.1, len(schools)))[school]
    z1, z2 = rng.normal(size=(2, len(school)))
    return _Cohort(
        school,
        {"РУ": effect + 0.95 * z1, "МА": effect + 0.95 * (0.7 * z1 + 0.714 * z2)},
    )


def _promote(rng: np.random.Generator, cohort: _Cohort, schools: list[School]) -> _Cohort:
    """Grade 4 of year Y as grade 5 of year Y+1: growth noise, school drift, 10 % turnover."""
    keep = np.array([s.kind != "НОШ" for s in schools])[cohort.school]
    school = cohort.school[keep]
    drift = rng.normal(0, 0.1, len(schools))[school]
    fresh = rng.random(len(school)) < 0.1
    effect = np.array([s.effect for s in schools])[school]
    theta = {}
    for code, values in cohort.theta.items():
        grown = values[keep] + drift + rng.normal(0, 0.3, len(school))
        theta[code] = np.where(fresh, effect + rng.normal(0, 0.95, len(school)), grown)
    return _Cohort(school, theta)


def _bunch(
    rng: np.random.Generator, scores: np.ndarray, maxima: np.ndarray, spec: TestSpec, share: float
) -> None:
    """Give a share of the pupils 1–2 points below a boundary the points they were missing."""
    total = scores.sum(axis=1)
    for threshold in spec.thresholds:
        near = np.flatnonzero((total >= threshold - 2) & (total < threshold))
        for i in near[rng.random(len(near)) < share]:
            for _ in range(threshold - int(total[i])):
                room = np.flatnonzero(scores[i] < maxima)
                if len(room):
                    scores[i, rng.choice(room)] += 1
        total = scores.sum(axis=1)


def _work_scores(
    rng: np.random.Generator,
    cohort: _Cohort,
    spec: TestSpec,
    b: np.ndarray,
    schools: list[School],
    planted_year: bool,
) -> np.ndarray:
    """Task scores of every pupil of a cohort in one test work, with the planted behaviour."""
    maxima = np.array([t.max for t in spec.tasks])
    advanced = np.array([t.level == "П" for t in spec.tasks])
    theta = cohort.theta[spec.code].copy()
    school_task = rng.normal(0, 0.25, (len(schools), len(maxima)))[cohort.school]
    kinds = np.array(
        [
            s.planted if planted_year and (spec.grade, spec.code) in s.planted_works else ""
            for s in schools
        ]
    )
    strength = rng.uniform(0, 1, len(schools))
    kind = kinds[cohort.school]
    theta += np.where(kind == "inflation", 0.5 + 0.5 * strength[cohort.school], 0.0)
    scores = _task_scores(rng, theta, b, maxima, school_task)
    leak = (kind == "inversion")[:, None] & advanced[None, :]
    leak &= rng.random(scores.shape) < (0.3 + 0.2 * strength[cohort.school])[:, None]
    scores = np.where(leak, maxima[None, :], scores).astype(np.int16)
    for s_index in np.flatnonzero(kinds == "bunching"):
        rows = np.flatnonzero(cohort.school == s_index)
        block = scores[rows]
        _bunch(rng, block, maxima, spec, 0.5 + 0.4 * float(strength[s_index]))
        scores[rows] = block
    return scores


JOURNAL_CUTS = (-2.1, -0.55, 0.75)  # the journal is kinder than the VPR scale


def _results_frame(
    rng: np.random.Generator,
    cohort: _Cohort,
    spec: TestSpec,
    scores: np.ndarray,
    schools: list[School],
    task_ids: list[str],
) -> pd.DataFrame:
    """The §1 rows of one test work with Russian headers and cells as text."""
    n = len(cohort.school)
    # the journal's kindness is the school's culture plus this year's teacher (sd 0.1)
    kindness = np.array([s.leniency for s in schools]) + rng.normal(0, 0.1, len(schools))
    leniency = kindness[cohort.school]
    latent = cohort.theta[spec.code] + leniency + rng.normal(0, 0.55, n)
    journal = (2 + np.searchsorted(JOURNAL_CUTS, latent)).astype(str)
    journal = np.where(rng.random(n) < 0.03, "", journal)
    total = scores.sum(axis=1)
    order = np.argsort(cohort.school, kind="stable")
    position = np.arange(n) - np.searchsorted(cohort.school[order], cohort.school[order])
    rank = np.empty(n, dtype=np.int64)
    rank[order] = position
    letters = np.array(list("АБВГД"))[np.minimum(rank // 26, 4)]
    frame = pd.DataFrame(
        {
            "Год": spec.year,
            "Предмет": spec.subject,
            "Параллель": spec.grade,
            "Логин ОО": np.array([s.login for s in schools])[cohort.school],
            "Муниципалитет": np.array([s.municipality for s in schools])[cohort.school],
            "Название ОО": np.array([s.name for s in schools])[cohort.school],
            "Код участника": (cohort.school * 1000 + rank + 10000 * spec.grade).astype(str),
            "Класс": np.char.add(str(spec.grade), letters),
            "Вариант": (1 + rng.integers(0, 2, n)).astype(str),
        }
    )
    cells = np.where(
        scores == 0, np.where(rng.random(scores.shape) < 0.3, "X", "0"), scores.astype(str)
    )
    own = {t.id: j for j, t in enumerate(spec.tasks)}
    for task_id in task_ids:
        frame[task_id] = cells[:, own[task_id]] if task_id in own else ""
    frame["Первичный балл"] = total
    frame["Отметка"] = spec.mark_for(total)
    frame["Отметка по журналу"] = journal
    return frame


def task_columns(specs: list[TestSpec]) -> list[str]:
    """Union of the specs' task ids in natural order ("2" before "10", "3.1" before "3.2")."""
    ids = {t.id for s in specs for t in s.tasks}
    return sorted(ids, key=lambda t: tuple(int(p) if p.isdigit() else 0 for p in t.split(".")))


def _directory(schools: list[School]) -> pd.DataFrame:
    rows = [
        (
            s.login,
            s.name,
            s.municipality,
            s.kind,
            "да" if s.specialised else "нет",
            "",
            f"{s.login}@school.example",
            "",
        )
        for s in schools
    ]
    return pd.DataFrame(
        rows,
        columns=[
            "Логин",
            "Название",
            "Муниципалитет",
            "Тип",
            "Углублённое изучение",
            "Директор",
            "Email",
            "Телефон",
        ],
    )


def _truth(schools: list[School], year: int) -> pd.DataFrame:
    rows = [
        {
            "login": s.login,
            "kind": s.planted or f"decoy_{s.decoy}",
            "planted": int(bool(s.planted)),
            "year": year,
            "works": "; ".join(f"{g} {c}" for g, c in s.planted_works),
            "pupils_per_grade": s.size,
        }
        for s in schools
        if s.planted or s.decoy
    ]
    return pd.DataFrame(rows).sort_values(
        ["planted", "kind", "login"], ascending=[False, True, True]
    )


def generate_region(
    schools: int = 300,
    seed: int = 1,
    *,
    year: int = 2023,
    planted_share: float = 0.1,
    spec_seed: int | None = None,
) -> SyntheticRegion:
    """A deterministic synthetic region: years `year` and `year + 1`, planting in the second.

    Regions of one country share their tests: give them the same `spec_seed` (the specs and
    task difficulties then come from it, the schools and pupils from `seed`)."""
    rng = np.random.default_rng(seed)
    spec_rng = rng if spec_seed is None else np.random.default_rng(spec_seed)
    specs, difficulty = _make_specs(spec_rng, year)
    region = _schools(rng, schools)
    _plant(rng, region, planted_share)
    first4 = _new_cohort(rng, region, 4)
    cohorts = {
        (year, 4): first4,
        (year, 5): _new_cohort(rng, region, 5),
        (year + 1, 4): _new_cohort(rng, region, 4),
        (year + 1, 5): _promote(rng, first4, region),
    }
    results = {}
    for y in (year, year + 1):
        year_specs = [s for s in specs if s.year == y]
        ids = task_columns(year_specs)
        parts = []
        for spec in year_specs:
            cohort = cohorts[(y, spec.grade)]
            scores = _work_scores(
                rng, cohort, spec, difficulty[(spec.grade, spec.code)], region, y == year + 1
            )
            parts.append(_results_frame(rng, cohort, spec, scores, region, ids))
        results[y] = pd.concat(parts, ignore_index=True)
    logger.info("synthetic region: %d schools, %d rows", schools, sum(map(len, results.values())))
    return SyntheticRegion(
        year, specs, results, _directory(region), _truth(region, year + 1), region
    )


def csv_bytes(frame: pd.DataFrame, *, encoding: str = "utf-8", sep: str = ";") -> bytes:
    """A frame as the bytes of a CSV file (UTF-8 without BOM unless `encoding` says otherwise)."""
    return frame.to_csv(sep=sep, index=False, lineterminator="\n").encode(encoding)


def write_region(region: SyntheticRegion, out: str | Path) -> list[Path]:
    """Write §1 (one CSV per year), §2 (one JSON per year), §6 and truth.csv into `out`."""
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for year, frame in region.results.items():
        path = folder / f"vpr_{year}.csv"
        path.write_bytes(csv_bytes(frame))
        spec_path = folder / f"specs_{year}.json"
        spec_path.write_text(specs_to_json(s for s in region.specs if s.year == year), "utf-8")
        written += [path, spec_path]
    for name, frame in (("schools.csv", region.directory), ("truth.csv", region.truth)):
        (folder / name).write_bytes(csv_bytes(frame))
        written.append(folder / name)
    return written
