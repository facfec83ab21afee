"""Test specifications (DATA_FORMATS §2): tasks with maxima and levels, and the mark scale."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app import lazy
from app.parsing import parse_int
from app.tabular import Problem
from app.translatable import _

if TYPE_CHECKING:
    import numpy as np
else:
    np = lazy.module("numpy")

logger = logging.getLogger(__name__)

LEVELS = {"Б": "Б", "B": "Б", "П": "П", "P": "П"}  # Latin look-alikes are accepted and normalised
MARKS = (3, 4, 5)


@dataclass(frozen=True)
class Task:
    """One task of a test work: its id as written in the column header, maximum and level."""

    id: str
    max: int
    level: str  # "Б" basic or "П" advanced


@dataclass(frozen=True)
class TestSpec:
    """The specification of one test work (year, subject, grade)."""

    __test__ = False  # not a pytest test class despite the name

    year: int
    subject: str
    grade: int
    code: str
    max_score: int
    thresholds: tuple[int, int, int]  # lowest primary score for marks 3, 4, 5
    tasks: tuple[Task, ...]

    @property
    def key(self) -> tuple[int, str, int]:
        """(year, subject, grade): how result rows find their specification."""
        return (self.year, self.subject, self.grade)

    @property
    def task_ids(self) -> list[str]:
        """Task ids in the specification's order."""
        return [t.id for t in self.tasks]

    def mark_for(self, scores: Any) -> np.ndarray:
        """Marks 2..5 for primary scores (scalar or array), by the mark thresholds."""
        bounds = np.asarray(self.thresholds)
        return (np.searchsorted(bounds, np.asarray(scores), side="right") + 2).astype(np.int8)

    def to_dict(self) -> dict[str, Any]:
        """The §2 JSON object for this specification."""
        return {
            "year": self.year,
            "subject": self.subject,
            "grade": self.grade,
            "code": self.code,
            "max_score": self.max_score,
            "marks": {str(m): t for m, t in zip(MARKS, self.thresholds, strict=True)},
            "tasks": [{"id": t.id, "max": t.max, "level": t.level} for t in self.tasks],
        }


class SpecError(Exception):
    """The specification file is not valid; `problems` say where (row = object number)."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = list(problems)


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        return parse_int(value)
    return None


def _parse_tasks(raw: Any, number: int, problems: list[Problem]) -> list[Task]:
    if not isinstance(raw, list) or not raw:
        problems.append(Problem(number, "tasks", _("The list of tasks is missing or empty.")))
        return []
    tasks: list[Task] = []
    for item in raw:
        task_id = str(item.get("id", "")).strip() if isinstance(item, dict) else ""
        maximum = _int(item.get("max")) if isinstance(item, dict) else None
        level = LEVELS.get(str(item.get("level", "")).strip()) if isinstance(item, dict) else None
        if not task_id or maximum is None or maximum < 1 or level is None:
            problems.append(
                Problem(
                    number,
                    "tasks",
                    _(
                        "Task «%(id)s» needs an id, a positive maximum and the level Б or П.",
                        id=task_id,
                    ),
                )
            )
            continue
        tasks.append(Task(task_id, maximum, level))
    ids = [t.id for t in tasks]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(Problem(number, "tasks", _("Task «%(id)s» appears twice.", id=dup)))
    return tasks


def _parse_thresholds(raw: Any, max_score: int, number: int, problems: list[Problem]) -> tuple:
    values = [_int(raw.get(str(m))) if isinstance(raw, dict) else None for m in MARKS]
    if any(v is None for v in values):
        problems.append(
            Problem(number, "marks", _("The marks need thresholds for 3, 4 and 5 as integers."))
        )
        return ()
    ints = [int(v) for v in values if v is not None]
    if not (0 < ints[0] < ints[1] < ints[2] <= max_score):
        problems.append(
            Problem(
                number,
                "marks",
                _(
                    "The thresholds for marks 3, 4 and 5 must increase and lie between 1 and "
                    "the maximum score."
                ),
            )
        )
        return ()
    return tuple(ints)


def spec_from_dict(
    obj: Mapping[str, Any], number: int = 1
) -> tuple[TestSpec | None, list[Problem]]:
    """One §2 object as a TestSpec, or None with the problems (row = the object's number)."""
    problems: list[Problem] = []
    year, grade, max_score = (_int(obj.get(k)) for k in ("year", "grade", "max_score"))
    subject = str(obj.get("subject") or "").strip()
    code = str(obj.get("code") or "").strip()
    for name, value in (("year", year), ("grade", grade), ("max_score", max_score)):
        if value is None:
            problems.append(Problem(number, name, _("An integer is required.")))
    for name, text in (("subject", subject), ("code", code)):
        if not text:
            problems.append(Problem(number, name, _("A value is required.")))
    if grade is not None and not 4 <= grade <= 11:
        problems.append(Problem(number, "grade", _("The grade must be between 4 and 11.")))
    tasks = _parse_tasks(obj.get("tasks"), number, problems)
    thresholds = _parse_thresholds(obj.get("marks"), max_score or 0, number, problems)
    total = sum(t.max for t in tasks)
    if tasks and max_score is not None and total != max_score:
        problems.append(
            Problem(
                number,
                "max_score",
                _(
                    "The task maxima add up to %(total)d, not to the maximum score %(max)d.",
                    total=total,
                    max=max_score,
                ),
            )
        )
    if problems or year is None or grade is None or max_score is None:
        return None, problems
    return TestSpec(year, subject, grade, code, max_score, thresholds, tuple(tasks)), []


def parse_specs(source: bytes | str | Iterable[Mapping[str, Any]]) -> list[TestSpec]:
    """Parse a §2 file (JSON bytes/text, or already-loaded objects); raise SpecError if invalid."""
    if isinstance(source, bytes | str):
        try:
            loaded = json.loads(source)
        except (ValueError, UnicodeDecodeError) as exc:
            raise SpecError([Problem(None, None, _("The file is not valid JSON."))]) from exc
        items = loaded if isinstance(loaded, list) else [loaded]
    else:
        items = list(source)
    specs: list[TestSpec] = []
    numbers: list[int] = []
    problems: list[Problem] = []
    for number, obj in enumerate(items, start=1):
        if not isinstance(obj, Mapping):
            problems.append(Problem(number, None, _("A specification must be a JSON object.")))
            continue
        spec, found = spec_from_dict(obj, number)
        problems.extend(found)
        if spec is not None:
            specs.append(spec)
            numbers.append(number)
    seen: dict[tuple[int, str, int], int] = {}
    for number, spec in zip(numbers, specs, strict=True):
        if spec.key in seen:
            problems.append(
                Problem(number, None, _("The specification for this test work appears twice."))
            )
        seen[spec.key] = number
    if problems:
        raise SpecError(problems)
    logger.debug("parsed %d test specifications", len(specs))
    return specs


def specs_to_json(specs: Iterable[TestSpec]) -> str:
    """The §2 file text for the given specifications."""
    return json.dumps([s.to_dict() for s in specs], ensure_ascii=False, indent=1)
