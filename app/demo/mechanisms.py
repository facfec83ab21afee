"""Demo figures of the municipal mechanisms: the first municipality reports as Chernozemelsky did
in seed 002 (criterion 1.1: 60 % in 2021, 96 % in 2022; criterion 1.2: 11 % and 93 %), approved
by its order of 30.11.2022 with the approved file attached; three others have figures of their
own, so that the ministry's table compares changes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from app.demo import names
from app.demo.answers import user_of
from app.demo.files import simple_pdf
from app.mechanisms import approval, reports
from app.mechanisms.criteria import criteria_of
from app.models.org import Organisation
from app.models.user import Role
from app.orgs import service as orgs

TODAY = date(2026, 11, 30)  # the demo's "today" (app.demo.cases)
SEED_002_CONCLUSIONS = (
    "Критерий 1.1: произошло увеличение показателя на 36 п. п., так как были учтены недочёты по "
    "организации системы оценки качества подготовки обучающихся, разработаны необходимые "
    "нормативно-правовые документы.\n"
    "Критерий 1.2: увеличение показателя на 82 п. п. за счёт системной работы в течение "
    "2021–2022 учебного года.\n"
    "На 2022–2023 учебный год разработаны дорожные карты по обоим критериям."
)
# (municipality index in names.MUNICIPALITIES, year, 1.1, 1.2, entered previous 1.1 and 1.2,
#  order number and date or None, conclusions)
FIGURES: tuple[
    tuple[int, int, str, str, tuple[str, str] | None, tuple[str, date] | None, str], ...
] = (
    (0, 2021, "60", "11", None, ("498", date(2021, 11, 29)), ""),
    (0, 2022, "96", "93", None, ("533", date(2022, 11, 30)), SEED_002_CONCLUSIONS),
    (1, 2021, "72", "45", None, ("311", date(2021, 11, 25)), ""),
    (1, 2022, "80", "52", None, ("402", date(2022, 11, 28)), "Рост по обоим критериям."),
    (
        2,
        2022,
        "55",
        "30",
        ("62", "35"),
        None,
        "Снижение по обоим критериям: отчёт и дорожная карта на утверждении.",
    ),
    (3, 2021, "85", "70", None, ("77", date(2021, 11, 30)), ""),
    (3, 2022, "78", "74", None, ("91", date(2022, 11, 30)), "Снижение по критерию 1.1."),
)
PUBLISHER = "Кравцова Людмила Николаевна"


def _figures(
    region_id: int, first: str, second: str, previous: tuple[str, str] | None
) -> dict[int, reports.Figure]:
    c11, c12 = criteria_of(region_id)[:2]
    before = previous or (None, None)
    return {
        c11.id: reports.Figure(Decimal(first), Decimal(before[0]) if before[0] else None),
        c12.id: reports.Figure(Decimal(second), Decimal(before[1]) if before[1] else None),
    }


def seed_mechanisms(region: Organisation) -> None:
    """Enter the demo figures through the municipalities' own users (idempotent)."""
    municipalities = orgs.municipalities_by_name(region)
    for index, year, first, second, previous, order, conclusions in FIGURES:
        name = orgs.normalise_name(names.MUNICIPALITIES[index][0]).lower()
        municipality = municipalities[name]
        if reports.report_of(municipality.id, year) is not None:
            continue
        actor = user_of(Role.MUNICIPAL, municipality.id)
        values = reports.ReportValues(
            figures=_figures(region.id, first, second, previous),
            conclusions=conclusions,
            order_number=order[0] if order else None,
            order_date=order[1] if order else None,
            publisher=PUBLISHER if index == 0 else actor.full_name,
        )
        reports.save_report(
            municipality, year, values, actor=actor, expected_version=None, today=TODAY
        )
        if index == 0 and year == 2022:
            approval.attach(
                municipality,
                year,
                "prikaz-533-otchet-i-dorozhnye-karty.pdf",
                simple_pdf("Prikaz No 533 ot 30.11.2022: otchet i dorozhnye karty 1.1, 1.2"),
                actor=actor,
                expected_version=None,
                today=TODAY,
            )
