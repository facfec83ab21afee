"""Plan templates from the seeds, chosen when a campaign is opened and then edited as the
campaign's own plan. Each template builds its measures for the campaign of a VPR year and says
which seed each measure comes from; several templates combine into one plan (an objectivity
template and a ШНОР one, say)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.models.case import Category
from app.plans.measures import Measure
from app.plans.templates import chelyabinsk, chernozemelsky, kaliningrad, lazo


@dataclass(frozen=True)
class Template:
    key: str
    title: str
    seeds: tuple[str, ...]
    tracks: tuple[Category, ...]
    # The support level of a case the list gives none (None: such cases get only the measures
    # for every level).
    default_level: int | None
    assumptions: str
    build: Callable[[int], list[Measure]]  # the measures for the campaign of a VPR year

    def measures(self, vpr_year: int) -> list[Measure]:
        return self.build(vpr_year)


TEMPLATES: dict[str, Template] = {
    t.key: t
    for t in (
        Template(
            "kaliningrad_objectivity",
            "Признаки необъективности по уровням управленческого сопровождения "
            "(Калининградская область)",
            ("000", "001"),
            (Category.OBJECTIVITY,),
            kaliningrad.DEFAULT_LEVEL,
            kaliningrad.ASSUMPTIONS,
            kaliningrad.measures,
        ),
        Template(
            "lazo_objectivity",
            "Дорожная карта повышения объективности оценочных процедур "
            "(муниципальный район имени Лазо)",
            ("004",),
            (Category.OBJECTIVITY,),
            None,
            lazo.ASSUMPTIONS,
            lazo.measures,
        ),
        Template(
            "chelyabinsk_shnor",
            "Научно-методическое сопровождение ШНОР и ШФНСУ со школами-лидерами "
            "(Челябинская область)",
            ("003",),
            (Category.LOW_RESULTS, Category.ADVERSE),
            None,
            chelyabinsk.ASSUMPTIONS,
            chelyabinsk.measures,
        ),
        Template(
            "chernozemelsky_mechanisms",
            "Муниципальные механизмы управления качеством: критерии 1.1 и 1.2 "
            "(Черноземельское РМО)",
            ("002",),
            (Category.OBJECTIVITY, Category.LOW_RESULTS, Category.ADVERSE),
            None,
            chernozemelsky.ASSUMPTIONS,
            chernozemelsky.measures,
        ),
    )
}
# What a campaign is opened with when nobody chooses: the objectivity plan by levels and the
# ШНОР support plan.
DEFAULT = ("kaliningrad_objectivity", "chelyabinsk_shnor")


def parse_keys(text: str | tuple[str, ...] | list[str] | None) -> tuple[str, ...]:
    """Template keys from «a,b» or «a+b» (the default when empty); KeyError naming an unknown one."""
    if not text:
        return DEFAULT
    keys = tuple(
        k.strip()
        for k in (text.replace("+", ",").split(",") if isinstance(text, str) else text)
        if k.strip()
    )
    for key in keys:
        if key not in TEMPLATES:
            raise KeyError(key)
    return keys or DEFAULT
