"""Chernozemelsky district (Kalmykia): the municipal mechanisms of managing the quality of
education — the department's order of 30.11.2022 № 533 approving the report for the year and the
roadmaps for the next school year under criterion 1.1 (the system of assessing pupils'
preparation) and criterion 1.2 (the system of work with ШНОР and ШФНСУ), seed 002."""

from __future__ import annotations

from datetime import date

from app.models.case import Category, Level
from app.models.plan import Scope
from app.plans.dates import ONGOING, before, between, by
from app.plans.measures import Measure, reviewed_by

ASSUMPTIONS = """\
Дорожные карты района (002) пишут сроки словами: «ежегодно», «постоянно», «в течение года», \
месяц. Шаблон относит годовые мероприятия к учебному году кампании (с декабря по май; «июнь» — \
июнь следующего года, «январь» — январь), «постоянно» и «в течение года» оставляет без срока. \
Мероприятия критерия 1.1 относятся к ОО с признаками необъективности, критерия 1.2 — к ШНОР и \
ШФНСУ; отчёт по критериям и дорожные карты на следующий год утверждаются приказом отдела \
образования до 30 ноября следующего года. Сроки, уже прошедшие к дате приказа (сентябрь — \
октябрь), в шаблон не включены."""

OBJ = (Category.OBJECTIVITY,)
LOW = (Category.LOW_RESULTS, Category.ADVERSE)
ALL = (Category.OBJECTIVITY, Category.LOW_RESULTS, Category.ADVERSE)
MUN, IMC, MIN, SCH = Level.MUNICIPALITY, Level.METHOD_CENTRE, Level.REGION, Level.SCHOOL


def measures(year: int) -> list[Measure]:
    """The measures for the campaign of VPR year ``year`` (the order of 30 November ``year``)."""
    y = year + 1
    return [
        Measure(
            "zm_roadmaps_order",
            "п. 1–2",
            "Утверждение отчёта по итогам работы по развитию системы оценки качества "
            "подготовки обучающихся и системы работы со ШНОР и/или ШФНСУ и дорожных карт на "
            "учебный год (приказ отдела образования)",
            MUN,
            by(date(year, 11, 30)),
            "roadmap",
            ALL,
            result="Приказ об утверждении отчёта и дорожных карт",
            reviewers=reviewed_by(MIN),
            takes="document:order",
            scope=Scope.MUNICIPALITY,
            seed="002, приказ № 533, пп. 1–2",
        ),
        Measure(
            "zm_publish",
            "п. 4",
            "Разработка, сбор материалов и размещение на сайте отдела образования по "
            "критериям оценки муниципальных механизмов 1.1 и 1.2",
            MUN,
            ONGOING,
            "monitoring",
            ALL,
            scope=Scope.MUNICIPALITY,
            required=False,
            seed="002, приказ № 533, п. 4",
        ),
        Measure(
            "zm_school_roadmap",
            "п. 3",
            "Выполнение мероприятий дорожных карт в установленные сроки",
            SCH,
            between(date(year, 12, 1), date(y, 5, 31)),
            "roadmap",
            ALL,
            result="Мероприятия выполнены",
            reviewers=reviewed_by(MUN),
            takes="roadmap:school",
            seed="002, приказ № 533, п. 3",
        ),
        Measure(
            "zm_orders_objectivity",
            "1.1.15",
            "Наличие приказов об обеспечении объективности процедур оценки качества образования",
            SCH,
            before(date(y, 3, 1)),
            "flagged",
            OBJ,
            result="Приказ ОО",
            reviewers=reviewed_by(MUN),
            takes="document:order",
            seed="002, дорожная карта 1.1, п. 1.1.15 («постоянно»: к процедурам весны)",
        ),
        Measure(
            "zm_objectivity_events",
            "1.1.14",
            "Проведение мероприятий по повышению объективности оценки результатов в ОО",
            SCH,
            by(date(y, 5, 31)),
            "monitoring",
            OBJ,
            result="Отчёт ОО о проведённых мероприятиях",
            reviewers=reviewed_by(MUN),
            seed="002, дорожная карта 1.1, п. 1.1.14 («ежегодно»)",
        ),
        Measure(
            "zm_recheck",
            "1.1.19",
            "Проведение выборочной перепроверки ВПР муниципальной комиссией",
            MUN,
            by(date(year, 12, 28)),
            "recheck",
            OBJ,
            result="Протокол перепроверки",
            reviewers=reviewed_by(MIN),
            takes="record:recheck_protocol",
            seed="002, дорожная карта 1.1, п. 1.1.19 («ежегодно»)",
        ),
        Measure(
            "zm_statistics",
            "1.1.8",
            "Предоставление статистических данных для ежегодного методического анализа "
            "результатов ГИА, комплекта статистических материалов, анализа результатов ВПР",
            SCH,
            between(date(y, 6, 1), date(y, 6, 30)),
            "monitoring",
            OBJ,
            result="Данные размещены на сайте",
            reviewers=reviewed_by(MUN),
            seed="002, дорожная карта 1.1, п. 1.1.8 («ежегодно, июнь»)",
        ),
        Measure(
            "zm_management_study",
            "1.2.1",
            "Изучение деятельности ОО по проблеме «Эффективность управленческой деятельности "
            "по обеспечению качества образования»",
            MUN,
            between(date(year, 12, 1), date(y, 5, 31)),
            "diagnostics",
            LOW,
            result="Справка по итогам изучения",
            takes="document:report",
            seed="002, дорожная карта 1.2, п. 1.2.1 («в течение года»)",
        ),
        Measure(
            "zm_interview",
            "1.2.2",
            "Собеседование с руководителями школ с низкими образовательными результатами по "
            "итогам ВПР, ЕГЭ и ОГЭ",
            MUN,
            between(date(y, 5, 1), date(y, 5, 31)),
            "monitoring",
            LOW,
            result="Протокол собеседования",
            seed="002, дорожная карта 1.2, п. 1.2.2 («ежегодно май сентябрь ноябрь»: майское)",
        ),
        Measure(
            "zm_support",
            "1.2.4",
            "Организационно-методическое сопровождение школ с низкими образовательными "
            "результатами; адресная методическая помощь",
            IMC,
            ONGOING,
            "monitoring",
            LOW,
            required=False,
            seed="002, дорожная карта 1.2, пп. 1.2.4, 1.2.6 («постоянно»)",
        ),
        Measure(
            "zm_base_schools",
            "1.2.8",
            "Определение базовых школ муниципалитета с лучшими образовательными результатами",
            MUN,
            between(date(y, 5, 1), date(y, 5, 31)),
            "mentoring",
            LOW,
            result="Приказ о базовых школах",
            reviewers=reviewed_by(MIN),
            takes="document:order",
            scope=Scope.MUNICIPALITY,
            seed="002, дорожная карта 1.2, п. 1.2.8 («май»)",
        ),
        Measure(
            "zm_prevention",
            "1.2.10",
            "Выявление ОО с неэффективными результатами и профилактическая работа",
            MUN,
            between(date(y, 1, 9), date(y, 1, 31)),
            "diagnostics",
            LOW,
            scope=Scope.MUNICIPALITY,
            seed="002, дорожная карта 1.2, п. 1.2.10 («январь»)",
        ),
        Measure(
            "zm_vpr_objectivity",
            "1.2.12",
            "Обеспечение объективности образовательных результатов в рамках ВПР",
            SCH,
            between(date(y, 3, 1), date(y, 5, 31)),
            "monitoring",
            LOW,
            reviewers=reviewed_by(MUN),
            seed="002, дорожная карта 1.2, п. 1.2.12 («март – май»)",
        ),
        Measure(
            "zm_annual_report",
            "1.1, 1.2",
            "Отчёт по критериям 1.1 и 1.2 (показатели за год и их изменение) и дорожные карты "
            "на следующий учебный год",
            MUN,
            by(date(y, 11, 30)),
            "monitoring",
            ALL,
            result="Отчёт и дорожные карты, утверждённые приказом",
            reviewers=reviewed_by(MIN),
            takes="document:report",
            scope=Scope.MUNICIPALITY,
            seed="002 («Отчёт по критерию 1.1…», «Отчёт по критерию 1.2…»)",
        ),
    ]
