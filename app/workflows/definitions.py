"""The shape of a workflow definition: stages, the obligations they create, transitions.

Definitions are data (frozen dataclasses) with a key and a version; a campaign records which
``key@version`` it uses, so an old campaign keeps its rules when a new version is added.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from app.models.case import Level
from app.models.user import Role

if TYPE_CHECKING:
    from app.models.case import Case

# A guard looks at a case and returns None when the transition may proceed, or the reason why not.
Guard = Callable[["Case"], str | None]


@dataclass(frozen=True)
class DueRule:
    """When an obligation is due: the campaign's date for ``schedule_key`` if the campaign has
    one, otherwise ``working_days`` working days after entering the stage."""

    schedule_key: str | None = None
    working_days: int = 10

    def encode(self) -> str:
        """The rule as stored on the obligation."""
        if self.schedule_key:
            return f"schedule:{self.schedule_key}"
        return f"working_days:{self.working_days}"


@dataclass(frozen=True)
class ObligationSpec:
    """An obligation a stage creates on entry."""

    key: str
    title: LazyString | str
    level: Level
    due: DueRule
    reviewer: Role | None = None  # None: done as soon as it is submitted
    documents: tuple[str, ...] = ()
    required: bool = True  # must be accepted (or waived) before the case may move on
    # One document of the municipality answers this obligation in every case of the municipality.
    municipality_wide: bool = False


@dataclass(frozen=True)
class Stage:
    key: str
    title: LazyString | str
    obligations: tuple[ObligationSpec, ...] = ()
    terminal: bool = False


class Kind:
    FORWARD = "forward"
    BACK = "back"
    CLOSE = "close"


@dataclass(frozen=True)
class Transition:
    """A move between stages, who may take it, and what must hold first."""

    key: str
    source: str
    target: str
    title: LazyString | str
    roles: frozenset[Role]
    guards: tuple[Guard, ...] = ()
    kind: str = Kind.FORWARD
    needs_reason: bool = False
    resolution: str | None = None  # CaseStatus value set when the move closes the case


def ways_out(
    order: list[str], closers: frozenset[Role], returners: frozenset[Role]
) -> tuple[Transition, ...]:
    """From every open stage: closing the case as escalated (``closers``, with a reason), and
    returning it to any earlier stage (``returners``, with a reason)."""
    escalate = tuple(
        Transition(
            f"escalate_from_{stage}",
            stage,
            "closed",
            _l("Close as escalated"),
            closers,
            kind=Kind.CLOSE,
            needs_reason=True,
            resolution="escalated",
        )
        for stage in order
    )
    back = tuple(
        Transition(
            f"return_{source}_to_{target}",
            source,
            target,
            _l("Return to an earlier stage"),
            returners,
            kind=Kind.BACK,
            needs_reason=True,
        )
        for i, source in enumerate(order)
        for target in order[:i]
    )
    return escalate + back


@dataclass(frozen=True)
class Workflow:
    key: str
    version: int
    title: LazyString | str
    stages: tuple[Stage, ...]
    transitions: tuple[Transition, ...]
    stage_index: dict[str, int] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "stage_index", {s.key: i for i, s in enumerate(self.stages)})
        self._check()

    @property
    def ref(self) -> str:
        return f"{self.key}@{self.version}"

    @property
    def initial(self) -> Stage:
        return self.stages[0]

    def stage(self, key: str) -> Stage:
        return self.stages[self.stage_index[key]]

    def transitions_from(self, stage_key: str) -> list[Transition]:
        return [t for t in self.transitions if t.source == stage_key]

    def transition(self, key: str) -> Transition | None:
        return next((t for t in self.transitions if t.key == key), None)

    def obligation_spec(self, key: str) -> ObligationSpec | None:
        """The spec of an obligation type, in whichever stage it appears."""
        for stage in self.stages:
            for spec in stage.obligations:
                if spec.key == key:
                    return spec
        return None

    def schedule_keys(self) -> list[str]:
        """Obligation types whose due date the campaign schedule sets."""
        return [
            o.due.schedule_key for s in self.stages for o in s.obligations if o.due.schedule_key
        ]

    def _check(self) -> None:
        """Refuse a malformed definition at import time rather than at the first case."""
        keys = set(self.stage_index)
        seen: set[str] = set()
        for t in self.transitions:
            if t.source not in keys or t.target not in keys:
                raise ValueError(f"{self.key}: transition {t.key} names an unknown stage")
            if t.key in seen:
                raise ValueError(f"{self.key}: transition {t.key} defined twice")
            seen.add(t.key)
            if t.kind == Kind.BACK and not t.needs_reason:
                raise ValueError(f"{self.key}: returning ({t.key}) must need a reason")
