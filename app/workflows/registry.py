"""All workflow definitions by ``key@version``, and lookups that go through them."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from flask_babel import LazyString

from app.models.case import Category

if TYPE_CHECKING:
    from app.models.case import Case, Obligation
    from app.workflows.definitions import Workflow

CURRENT = {Category.OBJECTIVITY: "objectivity@1", Category.LOW_RESULTS: "low_results@1"}


@cache
def _all() -> dict[str, Workflow]:
    from app.workflows import low_results, objectivity

    return {w.ref: w for w in (objectivity.WORKFLOW, low_results.WORKFLOW)}


def get(ref: str) -> Workflow:
    """The definition for ``key@version``; KeyError for an unknown one."""
    return _all()[ref]


def all_workflows() -> list[Workflow]:
    return list(_all().values())


def of_case(case: Case) -> Workflow:
    return get(case.workflow)


def stage_title(case: Case, stage_key: str | None = None) -> LazyString | str:
    """The localised title of the case's stage (or of another stage of its workflow)."""
    return of_case(case).stage(stage_key or case.stage).title


def obligation_title(obligation: Obligation) -> LazyString | str:
    """The localised title of an obligation, from its workflow's definition."""
    spec = of_case(obligation.case).obligation_spec(obligation.obligation_type)
    return spec.title if spec else obligation.obligation_type
