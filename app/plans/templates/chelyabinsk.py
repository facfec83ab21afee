"""Chelyabinsk: scientific and methodological support of schools with low educational results
(ШНОР) in 2024 — the ministry's order of 08.02.2024 № 04/335 on the lists of its letter of
07.12.2023 № 12865, with the twelve measures for every ШНОР run by the institute (ГБУ ДПО
«ЧИРО»), the three measures of the municipal authorities, and leader schools (seed 003)."""

from __future__ import annotations

from datetime import date

from app.models.case import Category, Level
from app.models.plan import Scope
from app.plans.dates import ONGOING, after, between, by
from app.plans.measures import Measure, reviewed_by

ASSUMPTIONS = """\
Приказ № 04/335 и презентация ЧИРО называют мероприятия 2024 года без дат; шаблон ставит \
сроки по ходу учебного года (министерство меняет их на свои): анкетирование — до 29 марта, \
закрепление школы-лидера — до 15 марта, дорожные карты МОУО — до 29 марта, дорожные карты \
ШНОР — до 26 апреля, совместный план со школой-лидером — в течение 15 рабочих дней после \
закрепления, оценка компетенций педагогов — до 31 мая, мониторинг дорожных карт — до 30 ноября, \
анализ участия в проекте — до 13 декабря. Мероприятия ЧИРО для всех ШНОР — региональные: одно \
исполнение отвечает за все ОО. Уровни сопровождения для ШНОР не различаются. Школа-лидер не \
может сама быть в перечнях кампании.
Сопровождение по приказу № 04/335 ведётся в рамках региональной концепции работы с ОО с низкими \
результатами обучения и с ОО, функционирующими в неблагоприятных социальных условиях (приказ \
№ 02/1568): шаблон применяет те же мероприятия к перечню ШФНСУ."""

# The regional concept (order № 02/1568 cited by seed 003) covers both lists.
LOW = (Category.LOW_RESULTS, Category.ADVERSE)
INST, MUN, MIN, SCH = Level.INSTITUTE, Level.MUNICIPALITY, Level.REGION, Level.SCHOOL


def measures(year: int) -> list[Measure]:
    """The measures for the campaign of VPR year ``year`` (the support runs in year + 1)."""
    y = year + 1
    regional = Scope.REGION
    return [
        Measure(
            "ch_webinars",
            "1",
            "Вебинары по вопросам, связанным с повышением качества образования в школах с "
            "низкими образовательными результатами, на основе данных оценки профессиональных "
            "компетенций педагогических работников",
            INST,
            between(date(y, 3, 1), date(y, 11, 29)),
            "competence",
            LOW,
            result="Проведены вебинары для ШНОР",
            reviewers=reviewed_by(MIN),
            scope=regional,
            seed="003, «Мероприятия для всех ШНОР в 2024 году», п. 1",
        ),
        Measure(
            "ch_competences",
            "2",
            "Оценка профессиональных компетенций педагогических работников ШНОР для участия "
            "в повышении квалификации на базе ГБУ ДПО «ЧИРО»",
            INST,
            by(date(y, 5, 31)),
            "competence",
            LOW,
            result="Результаты оценки компетенций по каждому педагогу",
            reviewers=reviewed_by(MIN),
            takes="record:competence_assessment",
            seed="003, «Мероприятия для всех ШНОР», п. 2",
        ),
        Measure(
            "ch_questionnaire",
            "3",
            "Анкетирование по диагностике внутренних и внешних причин низких образовательных "
            "результатов",
            SCH,
            by(date(y, 3, 29)),
            "diagnostics",
            LOW,
            result="Заполненная анкета рисков",
            reviewers=reviewed_by(MUN),
            takes="form:risk_questionnaire",
            seed="003, «Мероприятия для всех ШНОР», п. 3",
        ),
        Measure(
            "ch_courses",
            "4",
            "Реализация адресных программ повышения квалификации в рамках государственного "
            "задания по дополнительным профессиональным программам и программам "
            "профессиональной переподготовки",
            INST,
            between(date(y, 4, 1), date(y, 11, 29)),
            "competence",
            LOW,
            result="Педагоги ШНОР прошли повышение квалификации",
            reviewers=reviewed_by(MIN),
            scope=regional,
            seed="003, «Мероприятия для всех ШНОР», п. 4",
        ),
        Measure(
            "ch_municipal_roadmap",
            "М1",
            "Разработка дорожной карты МОУО по сопровождению ШНОР в 2024 году",
            MUN,
            by(date(y, 3, 29)),
            "roadmap",
            LOW,
            result="Утверждённая дорожная карта МОУО",
            reviewers=reviewed_by(INST),
            takes="roadmap:municipal",
            scope=Scope.MUNICIPALITY,
            seed="003, «Мероприятия по сопровождению ШНОР, осуществляемые МОУО», п. 1; "
            "«Мероприятия для всех ШНОР», п. 5",
        ),
        Measure(
            "ch_roadmap_support",
            "М2",
            "Организационное сопровождение разработки дорожных карт ШНОР на 2024 год",
            MUN,
            between(date(y, 3, 1), date(y, 4, 26)),
            "roadmap",
            LOW,
            scope=Scope.MUNICIPALITY,
            required=False,
            seed="003, «Мероприятия … МОУО», п. 2",
        ),
        Measure(
            "ch_school_roadmap",
            "5",
            "Разработка дорожной карты ШНОР на 2024 год (выход в эффективный режим "
            "функционирования)",
            SCH,
            by(date(y, 4, 26)),
            "roadmap",
            LOW,
            result="Дорожная карта ОО, согласованная МОУО",
            reviewers=reviewed_by(MUN),
            takes="roadmap:school",
            seed="003, «Мероприятия для всех ШНОР», п. 5",
        ),
        Measure(
            "ch_leader",
            "М3",
            "Определение и закрепление за ШНОР школы-лидера, демонстрирующей высокие "
            "результаты в части достижения качества образования",
            MUN,
            by(date(y, 3, 15)),
            "mentoring",
            LOW,
            result="Закреплена школа-лидер",
            takes="record:leader_assignment",
            seed="003, «Мероприятия … МОУО», п. 3",
        ),
        Measure(
            "ch_joint_plan",
            "М3.1",
            "Совместный план работы ШНОР и закреплённой школы-лидера",
            SCH,
            after("ch_leader", 15),
            "mentoring",
            LOW,
            result="План, согласованный со школой-лидером",
            reviewers=reviewed_by(MUN),
            takes="roadmap:mentor",
            seed="003, «Мероприятия … МОУО», п. 3 (закрепление школы-лидера)",
        ),
        Measure(
            "ch_leader_consultations",
            "М3.2",
            "Консультации школы-лидера для управленческой команды ШНОР",
            Level.LEADER_SCHOOL,
            after("ch_leader", 40),
            "mentoring",
            LOW,
            result="Проведены консультации",
            reviewers=reviewed_by(MUN),
            seed="003, «Мероприятия … МОУО», п. 3; «Мероприятия для всех ШНОР», п. 12",
        ),
        Measure(
            "ch_ukoo",
            "6",
            "Мониторинг качества результатов обучения в системе общего образования Челябинской "
            "области посредством региональной информационной системы «Управление качеством "
            "общего образования» (ИС УКОО)",
            INST,
            ONGOING,
            "monitoring",
            LOW,
            scope=regional,
            required=False,
            seed="003, «Мероприятия для всех ШНОР», п. 6",
        ),
        Measure(
            "ch_press",
            "7",
            "Размещение пресс-релизов на официальном сайте ГБУ ДПО «ЧИРО», в социальных сетях",
            INST,
            ONGOING,
            "monitoring",
            LOW,
            scope=regional,
            required=False,
            seed="003, «Мероприятия для всех ШНОР», п. 7",
        ),
        Measure(
            "ch_practices",
            "8",
            "Обобщение результативных практик поддержки школ с низкими образовательными "
            "результатами",
            INST,
            by(date(y, 10, 31)),
            "monitoring",
            LOW,
            result="Сборник практик",
            reviewers=reviewed_by(MIN),
            scope=regional,
            seed="003, «Мероприятия для всех ШНОР», п. 8",
        ),
        Measure(
            "ch_roadmap_monitoring",
            "9",
            "Мониторинг реализации дорожных карт МОУО и ШНОР по итогам участия в региональном "
            "проекте",
            INST,
            by(date(y, 11, 29)),
            "monitoring",
            LOW,
            result="Аналитическая справка по итогам мониторинга",
            reviewers=reviewed_by(MIN),
            scope=regional,
            seed="003, «Мероприятия для всех ШНОР», п. 9",
        ),
        Measure(
            "ch_seminar",
            "10",
            "Методический семинар с руководителями муниципальных методических служб и "
            "руководителями ОО по обсуждению результативных практик поддержки ШНОР",
            INST,
            between(date(y, 10, 1), date(y, 10, 31)),
            "monitoring",
            LOW,
            reviewers=reviewed_by(MIN),
            scope=regional,
            seed="003, «Мероприятия для всех ШНОР», п. 10",
        ),
        Measure(
            "ch_analysis",
            "11",
            "Анализ результатов участия МОУО и ШНОР в региональном проекте адресной поддержки ШНОР",
            INST,
            by(date(y, 12, 13)),
            "monitoring",
            LOW,
            result="Аналитический отчёт",
            reviewers=reviewed_by(MIN),
            scope=regional,
            seed="003, «Мероприятия для всех ШНОР», п. 11",
        ),
        Measure(
            "ch_exit_consultations",
            "12",
            "Консультации по вопросам подведения промежуточных итогов работы по выходу из "
            "группы ШНОР и определение задач дальнейшего взаимодействия школы и ГБУ ДПО «ЧИРО»",
            INST,
            between(date(y, 11, 1), date(y, 12, 20)),
            "monitoring",
            LOW,
            result="Задачи дальнейшего взаимодействия",
            seed="003, «Мероприятия для всех ШНОР», п. 12",
        ),
    ]
