"""Kaliningrad: work with schools showing signs of non-objective results, distributed by levels
of management support — the ministry's letter of 08.11.2023 № 14164 on order № 1592/1 of
03.11.2023 (seed 000) and the Ozersk administration's постановление of 29.12.2023 № 998 that
turns it into tasks with dates (seed 001)."""

from __future__ import annotations

from datetime import date

from app.models.case import Category, Level
from app.models.plan import Scope
from app.plans.dates import ONGOING, before, between, by
from app.plans.measures import Measure, reviewed_by

DEFAULT_LEVEL = 2
ASSUMPTIONS = """\
Уровни управленческого сопровождения (приказ № 1592/1 распределяет ОО по уровням; содержание \
уровней в письмах не раскрыто, поэтому шаблон исходит из следующего, и министерство может это \
изменить):
— уровень 1: ОО выполняет собственные мероприятия (справка о корреляции, форма показателей \
руководителя, участие в стратегической сессии); их проверяет муниципалитет; муниципалитет \
проводит оценку эффективности руководителя и утверждает акты по профилактике;
— уровень 2: добавляется муниципальное сопровождение — анализ причин, нормативные акты о \
процедуре ВПР и о текущем контроле, контроль методических объединений, перепроверка работ \
муниципальной комиссией; документы ОО проверяет муниципалитет, муниципальные — министерство;
— уровень 3: региональное сопровождение — документы ОО проверяет министерство, перепроверку \
проводит региональная комиссия ГКУ КО «РЦО», оценку руководителя проверяет министерство.
ОО, которой перечень не назначил уровень, сопровождается по уровню 2, пока министерство его \
не назначит.
Сроки школьных мероприятий (16 января) взяты из постановления Озерского МО № 998 (001); \
перепроверка — ноябрь (практика 004), до 30 ноября. Срок стратегических сессий «с 15 февраля \
по апрель» — по 30 апреля; выпавший на нерабочий день срок переносится на следующий рабочий день.
Рассмотрение продления трудового договора — для ОО, включённой в перечень третий год подряд."""

OBJ = (Category.OBJECTIVITY,)
MUN, MIN, SCH = Level.MUNICIPALITY, Level.REGION, Level.SCHOOL


def measures(year: int) -> list[Measure]:
    """The measures for the campaign of VPR year ``year`` (work in year/year+1)."""
    nxt = year + 1
    acts = by(date(year, 12, 25))
    municipal = (2, 3)
    return [
        Measure(
            "k_causes",
            "1",
            "Анализ причин необъективности результатов ВПР и низких образовательных "
            "результатов в общеобразовательных организациях",
            MUN,
            acts,
            "municipal_acts",
            OBJ,
            result="Аналитическая справка о причинах необъективности",
            reviewers=reviewed_by(l2=MIN, l3=MIN),
            takes="document:analysis",
            levels=municipal,
            scope=Scope.MUNICIPALITY,
            seed="000 (абз. «предусмотреть мероприятия, предусматривающие анализ причин…»); "
            "001 п. 1",
        ),
        Measure(
            "k_vpr_acts",
            "2",
            "Нормативные правовые акты, регламентирующие процедуру проведения ВПР и "
            "общественную экспертизу деятельности и качества образования ОО",
            MUN,
            acts,
            "municipal_acts",
            OBJ,
            result="Утверждённые муниципальные акты",
            reviewers=reviewed_by(l2=MIN, l3=MIN),
            takes="document:normative_act",
            levels=municipal,
            scope=Scope.MUNICIPALITY,
            seed="000 (тот же абзац); 001 п. 1",
        ),
        Measure(
            "k_control_order",
            "3",
            "Муниципальный порядок текущего контроля успеваемости, предусматривающий "
            "соотношение персонифицированных результатов обучающихся по промежуточной "
            "аттестации за 1, 2, 3, 4 четверти с результатами ВПР",
            MUN,
            acts,
            "municipal_acts",
            OBJ,
            result="Утверждённый порядок текущего контроля",
            reviewers=reviewed_by(l2=MIN, l3=MIN),
            takes="document:normative_act",
            levels=municipal,
            scope=Scope.MUNICIPALITY,
            seed="000 (тот же абзац); 001 п. 1",
        ),
        Measure(
            "k_prevention_acts",
            "4",
            "Нормативные акты по профилактической работе по недопущению признаков "
            "необъективности процедур оценки качества образования в подведомственных ОО",
            MUN,
            acts,
            "municipal_acts",
            OBJ,
            result="Утверждённые муниципальные нормативные акты",
            reviewers=reviewed_by(MIN),
            takes="document:normative_act",
            scope=Scope.MUNICIPALITY,
            seed="000 («утвердить в срок не позднее 25 декабря 2023 года…»); 001 п. 1",
        ),
        Measure(
            "k_mmo",
            "5",
            "Контроль над организацией работы муниципальных методических объединений "
            "учителей-предметников: по вопросу подготовки и проведения ВПР; по системе "
            "оценивания, структуре и содержанию проверочных работ; по анализу возможных "
            "причин необъективности и низких результатов ВПР; по выявлению проблемных зон",
            MUN,
            ONGOING,
            "monitoring",
            OBJ,
            result="Планы и протоколы заседаний ММО",
            levels=municipal,
            scope=Scope.MUNICIPALITY,
            required=False,
            seed="000 (абз. «организацию работы муниципальных методических объединений…»); "
            "001 п. 1",
        ),
        Measure(
            "k_recheck",
            "6",
            "Перепроверка работ участников ВПР независимыми экспертами муниципальной "
            "предметной комиссии",
            MUN,
            by(date(year, 11, 30)),
            "recheck",
            OBJ,
            result="Протокол перепроверки: доля подтверждённых отметок",
            reviewers=reviewed_by(MIN),
            takes="record:recheck_protocol",
            levels=(2,),
            seed="004 (раздел «Организационные меры», п. 1: «ноябрь 2023 г.»)",
        ),
        Measure(
            "k_recheck_regional",
            "6.1",
            "Перепроверка работ участников ВПР региональной предметной комиссией "
            "(ГКУ КО «Региональный центр образования»)",
            Level.INSTITUTE,
            by(date(year, 11, 30)),
            "recheck",
            OBJ,
            result="Протокол перепроверки: доля подтверждённых отметок",
            reviewers=reviewed_by(MIN),
            takes="record:recheck_protocol",
            levels=(3,),
            seed="000 (региональный уровень: министерство совместно с ГКУ КО «РЦО»); 004 (срок)",
        ),
        Measure(
            "k_certificate",
            "7",
            "Информационная справка о проведении комплексного анализа наличия корреляции "
            "результатов текущего контроля успеваемости с результатами промежуточной "
            "аттестации и корреляции результатов текущего контроля успеваемости и "
            "промежуточной аттестации с результатами процедур внешней системы оценки "
            "качества образования (ОГЭ, ЕГЭ, ВПР)",
            SCH,
            before(date(nxt, 1, 16)),
            "certificate",
            OBJ,
            result="Информационная справка в отдел образования",
            reviewers=reviewed_by(l1=MUN, l2=MUN, l3=MIN),
            takes="document:certificate",
            seed="000 (последний пункт: «поручить руководителям…»); 001 п. 2 («в срок до "
            "16 января 2024 года»)",
        ),
        Measure(
            "k_director_form",
            "8",
            "Заполненная форма сбора информации по показателям мониторинга эффективности "
            "деятельности руководителя образовательной организации",
            SCH,
            before(date(nxt, 1, 16)),
            "director_evaluation",
            OBJ,
            result="Форма показателей в отдел образования",
            reviewers=reviewed_by(l1=MUN, l2=MUN, l3=MIN),
            takes="record:director_indicators",
            seed="001 п. 2 («предоставить в срок до 16 января 2024 года заполненную форму…»)",
        ),
        Measure(
            "k_director_evaluation",
            "9",
            "Оценка эффективности деятельности руководителя общеобразовательной организации "
            "с признаками необъективных результатов",
            MUN,
            by(date(nxt, 1, 22)),
            "director_evaluation",
            OBJ,
            result="Оценочный лист руководителя, решение комиссии",
            reviewers=reviewed_by(l1=None, l2=MIN, l3=MIN),
            takes="record:director_evaluation",
            seed="000 («провести в срок не позднее 22 января 2024 года оценку…»); 001 п. 1",
        ),
        Measure(
            "k_contract",
            "10",
            "Рассмотрение вопроса о продлении трудового договора с руководителем ОО, "
            "включённой в перечень третий год подряд",
            MUN,
            by(date(nxt, 1, 22)),
            "director_evaluation",
            OBJ,
            result="Решение учредителя",
            reviewers=reviewed_by(MIN),
            takes="document:decision",
            min_years=3,
            seed="DOMAIN.md («Flagged three years in a row, a director's contract may be "
            "reviewed»); срок — вместе с оценкой руководителя (000)",
        ),
        Measure(
            "k_strategic_session",
            "11",
            "Участие управленческой команды ОО в очных стратегических сессиях по выстраиванию "
            "механизмов управления качеством образования, формированию управленческого цикла "
            "внутренней системы оценки качества образования",
            SCH,
            between(date(nxt, 2, 15), date(nxt, 4, 30)),
            "strategic_session",
            OBJ,
            result="Участие подтверждено министерством",
            reviewers=reviewed_by(MIN),
            takes="attendance",
            seed="000 («в период с 15 февраля 2024 года по апрель 2024 года»); 001 п. 1",
        ),
    ]
