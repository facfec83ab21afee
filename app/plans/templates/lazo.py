"""The Lazo district: the roadmap of raising the objectivity of assessment procedures, approved by
the order of the district's education department of 02.11.2023 № 429 (seed 004): the school's
self-analysis by the regional «Seven steps» template by 30 November, sent to the methodological
centre (МБУ «ИМЦ»), the recheck in November, and the centre's monthly report on the last Monday
of each month."""

from __future__ import annotations

from datetime import date

from app.models.case import Category, Level
from app.models.plan import Scope
from app.plans.dates import ONGOING, after_open, before, between, by, monthly
from app.plans.measures import Measure, reviewed_by

ASSUMPTIONS = """\
Приказ и дорожная карта района не различают уровни сопровождения: все мероприятия относятся к \
каждой ОО с признаками необъективности. «Ноябрь 2023 г.» — до 30 ноября включительно; \
«ноябрь — декабрь» — по 31 декабря; «постоянно» и «в течение учебного года» — без срока \
(не напоминаются). Ежемесячный отчёт МБУ «ИМЦ» — в последний понедельник месяца, а если он \
нерабочий, в предыдущий рабочий понедельник; отчёты — с ноября по май."""

OBJ = (Category.OBJECTIVITY,)
MUN, IMC, SCH = Level.MUNICIPALITY, Level.METHOD_CENTRE, Level.SCHOOL


def measures(year: int) -> list[Measure]:
    """The measures for the campaign of VPR year ``year``."""
    nxt = year + 1
    return [
        Measure(
            "lz_orders",
            "1",
            "Организационно-правовое и административное сопровождение (в том числе "
            "аналитическая работа)",
            MUN,
            before(date(year, 11, 13)),
            "flagged",
            OBJ,
            result="Распорядительные акты и документы",
            takes="document:order",
            scope=Scope.MUNICIPALITY,
            seed="004, дорожная карта, п. 1 («до 13 ноября 2023 г.»)",
        ),
        Measure(
            "lz_monitoring_review",
            "3",
            "Изучение анализа результатов мониторинга оценочных процедур ОО за предшествующий "
            "период (1 – 3 года)",
            IMC,
            before(date(year, 11, 13)),
            "flagged",
            OBJ,
            result="Отсутствие ОО, демонстрирующих признаки необъективности оценочных процедур",
            scope=Scope.MUNICIPALITY,
            seed="004, дорожная карта, п. 3",
        ),
        Measure(
            "lz_responsible",
            "3.2",
            "Назначение ответственных лиц по реализации мероприятий Дорожной карты в ОО",
            SCH,
            after_open(10),
            "flagged",
            OBJ,
            result="Приказ ОО о назначении ответственных",
            reviewers=reviewed_by(MUN),
            takes="document:order",
            seed="004, приказ № 429, п. 3.2",
        ),
        Measure(
            "lz_self_analysis",
            "3.3",
            "Анализ причин необъективности ВПР с использованием регионального шаблона «Семь "
            "шагов»; результаты самоанализа — в МБУ «ИМЦ»",
            SCH,
            before(date(year, 11, 30)),
            "self_analysis",
            OBJ,
            result="Самоанализ объективности проведения ВПР",
            reviewers=reviewed_by(IMC),
            takes="form:self_analysis",
            seed="004, приказ № 429, пп. 3.3, 2.4 («Срок: до 30 ноября 2023 г.»); дорожная "
            "карта, раздел «Выявление ОО…», п. 1",
        ),
        Measure(
            "lz_self_analysis_posted",
            "3.5",
            "Размещение результатов самоанализа в личных кабинетах органов местного "
            "самоуправления, осуществляющих управление в сфере образования",
            IMC,
            before(date(year, 11, 30)),
            "self_analysis",
            OBJ,
            result="Результаты размещены (lkomsu.rcoko27.ru)",
            scope=Scope.MUNICIPALITY,
            seed="004, приказ № 429, п. 3.5",
        ),
        Measure(
            "lz_recheck",
            "4.1",
            "Перепроверка работ обучающихся ОО, вошедших в список необъективных, независимыми "
            "экспертами (школьными, межшкольными, муниципальными предметными комиссиями)",
            SCH,
            by(date(year, 11, 30)),
            "recheck",
            OBJ,
            result="Протокол перепроверки",
            reviewers=reviewed_by(MUN),
            takes="record:recheck_protocol",
            seed="004, дорожная карта, «Организационные меры», п. 1 («ноябрь 2023 г.»)",
        ),
        Measure(
            "lz_programmes",
            "2.2",
            "Корректировка рабочих программ по учебным предметам, мониторинг выполнения "
            "программ в соответствии с учебным планом и годовым календарным графиком",
            SCH,
            between(date(year, 11, 1), date(year, 12, 31)),
            "roadmap",
            OBJ,
            result="Скорректированные рабочие программы",
            seed="004, дорожная карта, раздел «Выявление ОО…», п. 2 («ноябрь декабрь 2023»)",
        ),
        Measure(
            "lz_comparison",
            "2.4",
            "Сопоставление результатов внешних оценочных процедур с результатами внутренней "
            "системы оценки качества образования (текущий анализ успеваемости, промежуточная "
            "аттестация) у одних и тех же обучающихся; анализ причин необъективности",
            SCH,
            between(date(year, 11, 1), date(year, 12, 31)),
            "certificate",
            OBJ,
            result="Аналитическая справка о соответствии отметок",
            reviewers=reviewed_by(IMC),
            takes="document:certificate",
            seed="004, дорожная карта, раздел «Выявление ОО…», п. 4",
        ),
        Measure(
            "lz_competences",
            "3.4",
            "Участие в диагностике предметных компетенций педагогических работников",
            SCH,
            by(date(year, 12, 31)),
            "competence",
            OBJ,
            result="Выявлены профессиональные дефициты педагогов",
            reviewers=reviewed_by(MUN),
            seed="004, дорожная карта, «Меры по повышению компетентности», п. 4 («декабрь "
            "2023 г.»)",
        ),
        Measure(
            "lz_roadmap",
            "3.1",
            "Реализация мероприятий Дорожной карты в ОО в учебном году",
            SCH,
            between(date(year, 11, 2), date(nxt, 5, 31)),
            "roadmap",
            OBJ,
            result="Дорожная карта ОО выполнена",
            reviewers=reviewed_by(MUN),
            takes="roadmap:school",
            seed="004, приказ № 429, п. 3.1",
        ),
        Measure(
            "lz_monthly_report",
            "3.4 ИМЦ",
            "Аналитический отчёт по промежуточным результатам реализации мероприятий "
            "Дорожной карты для совещания руководителей ОО",
            IMC,
            monthly(date(year, 11, 1), date(nxt, 5, 31)),
            "monitoring",
            OBJ,
            result="Отчёт ответственному лицу Управления образования",
            reviewers=reviewed_by(MUN),
            takes="record:roadmap_report",
            scope=Scope.MUNICIPALITY,
            reminders=(3, 1),
            seed="004, приказ № 429, пп. 3.3–3.4 («ежемесячно, последний понедельник месяца»)",
        ),
        Measure(
            "lz_council",
            "2.3",
            "Освещение промежуточных результатов реализации Дорожной карты на педагогическом "
            "совете, совещаниях при директоре и заместителе директора по УВР",
            SCH,
            ONGOING,
            "monitoring",
            OBJ,
            result="Протоколы педсоветов и совещаний",
            required=False,
            seed="004, приказ № 429, п. 2.3",
        ),
        Measure(
            "lz_observers",
            "4.3",
            "Обеспечение общественного наблюдения в ОО при проведении оценочных процедур",
            SCH,
            ONGOING,
            "monitoring",
            OBJ,
            result="Организован общественный контроль за качеством образования в ОО",
            required=False,
            seed="004, дорожная карта, «Организационные меры», п. 3 («постоянно»)",
        ),
    ]
