"""Reference contexts, one per document kind: the shape the product fills, with Russian data.

Used by the tests and as the documentation of each context contract (see ``catalog``). One
text in several documents carries ``<``, ``&``, straight quotes and «» to prove escaping.
"""

from __future__ import annotations

import copy
import hashlib
from datetime import UTC, date, datetime
from typing import Any

SCHOOL_NAME = "МБОУ «СОШ № 3 им. А. С. Пушкина»"
MUNICIPALITY_NAME = "Озерский муниципальный округ"
# The text that proves escaping: it must come out of every document exactly like this.
SPECIAL = (
    "Разбор критериев «Семь шагов» на ШМО & РМО: учителя 4 \"А\" и 4 'Б' классов, "
    "доля подтверждённых отметок < 90 %"
)

# Seed 000's approving order.
ORDER_TITLE = (
    "Об утверждении перечня общеобразовательных организаций Калининградской области с "
    "признаками необъективных результатов процедур оценки качества образования в распределении "
    "по уровням управленческого сопровождения в 2023-2024 учебном году"
)


def _utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


COMMON: dict[str, Any] = {
    "region": {
        "name": "Калининградская область",
        "authority": "Министерство образования Калининградской области",
        "name_genitive": "Калининградской области",
    },
    "municipality": {
        "name": MUNICIPALITY_NAME,
        "authority": "Управление образования администрации Озерского муниципального округа",
        "authority_dative": "Управлению образования администрации Озерского муниципального округа",
        "name_genitive": "Озерского муниципального округа",
    },
    "school": {
        "name": SCHOOL_NAME,
        "name_genitive": SCHOOL_NAME,
        "login": "edu390317",
        "type": "средняя общеобразовательная школа",
        "director": "Иванова Ирина Ивановна",
        "email": "school3@ozersk-edu.ru",
        "phone": "+7 (40142) 2-13-45",
    },
    "campaign": {
        "title": "ВПР-2023 → 2023/2024 учебный год",
        "vpr_year": 2023,
        "school_year": "2023/2024",
        "order_number": "1592/1",
        "order_date": date(2023, 11, 3),
        "deadlines": {
            "self_analysis": date(2023, 11, 30),
            "recheck": date(2023, 11, 30),
            "municipal_acts": date(2023, 12, 25),
            "information_certificate": date(2024, 1, 16),
            "director_indicators": date(2024, 1, 16),
            "director_evaluation": date(2024, 1, 22),
            "strategic_session": date(2024, 4, 30),
        },
    },
    "order": {
        "number": "1592/1",
        "date": "03.11.2023",
        "day": date(2023, 11, 3),
        "title": ORDER_TITLE,
        "issuer": "Министерство образования Калининградской области",
        "issuer_genitive": "Министерства образования Калининградской области",
        "reference": "от 03.11.2023 № 1592/1",
        "signatory": {"name": "Е. В. Соколова", "position": "Министр образования"},
    },
    "case": {
        "category": "признаки необъективности",
        "markers": ["4 РУ", "5 МА"],
        "marker_count": 2,
        "support_level": 2,
        "years_on_list": 3,
        "contract_review": True,
        "stage": "оценка эффективности руководителя",
        "status": "в работе",
    },
    "document": {"number": "998", "date": date(2023, 12, 29), "place": "г. Озерск"},
    "issuer": {
        "name": "Администрация муниципального образования «Озерский муниципальный округ "
        "Калининградской области»",
        "name_genitive": "администрации муниципального образования «Озерский муниципальный округ "
        "Калининградской области»",
        "name_in_sentence": "администрация муниципального образования «Озерский муниципальный "
        "округ Калининградской области»",
        "place": "г. Озерск",
        "administration": True,
        "school": False,
        "act": "ПОСТАНОВЛЕНИЕ",
        "act_name": "постановление",
        "act_genitive": "постановления",
        "act_dative": "постановлению",
        "act_instrumental": "постановлением",
        "operative": "ПОСТАНОВЛЯЕТ",
        "law": "Федеральным законом от 06.10.2003 № 131-ФЗ «Об общих принципах организации "
        "местного самоуправления в Российской Федерации»",
    },
}

DIRECTOR_SIGNATORY = {"position": f"Директор {SCHOOL_NAME}", "name": "И.И.\u00a0Иванова"}
COMMISSION = [
    {
        "role": "Председатель комиссии",
        "name": "Старкова Ольга Владимировна",
        "position": "начальник отдела общего образования Управления образования",
    },
    {
        "role": "Член комиссии",
        "name": "Кузнецова Мария Андреевна",
        "position": "учитель русского языка МАОУ «Гимназия № 1 г. Озерска»",
    },
    {
        "role": "Член комиссии",
        "name": "Лебедев Андрей Николаевич",
        "position": "учитель математики МБОУ «СОШ № 5 г. Озерска»",
    },
]
SIGNS = [
    {
        "work": "4 РУ",
        "number": 1,
        "title": "Результаты значимо выше региональных",
        "found": True,
        "evidence": "Выполнение 78 % при 61 % по региону; ОГЭ не подтверждает.",
    },
    {
        "work": "4 РУ",
        "number": 3,
        "title": "Расхождение с отметками по журналу",
        "found": True,
        "evidence": "Повысили 41 % обучающихся; расхождение на 2 балла — 12 %.",
    },
    {
        "work": "5 МА",
        "number": 2,
        "title": "Инверсия: задания П выполнены лучше заданий Б",
        "found": True,
        "evidence": "Задания П: 64 % (регион 38 %); задания Б: 71 % (регион 75 %).",
    },
    {
        "work": "5 МА",
        "number": 4,
        "title": "Пики распределения баллов на границах отметок",
        "found": False,
        "evidence": "Недостаточно данных: 27 работ при минимуме 50.",
    },
]


def _order() -> dict[str, Any]:
    schools = [
        {
            "name": SCHOOL_NAME,
            "director": "Иванова Ирина Ивановна",
            "markers": ["4 РУ", "5 МА"],
            "support_level": 2,
            "years_on_list": 3,
            "contract_review": True,
        },
        {
            "name": "МАОУ «Гимназия № 1 г. Озерска»",
            "director": "Петров Пётр Петрович",
            "markers": ["4 МА"],
            "support_level": 1,
            "years_on_list": 1,
            "contract_review": False,
        },
        {
            "name": "МБОУ «ООШ п. Гавриловка»",
            "director": None,
            "markers": ["4 РУ", "5 РУ", "5 МА"],
            "support_level": None,
            "years_on_list": 2,
            "contract_review": False,
        },
    ]
    measures = [
        (
            "Самоанализ причин необъективности результатов ВПР по региональному шаблону «Семь шагов»",
            "Руководители ОО",
            date(2023, 11, 30),
        ),
        (
            "Перепроверка работ участников ВПР независимыми экспертами муниципальной комиссии",
            "Управление образования, МБУ «ИМЦ»",
            date(2023, 11, 30),
        ),
        (
            "Утверждение муниципальных нормативных актов по профилактике необъективности",
            "Управление образования",
            date(2023, 12, 25),
        ),
        (
            "Информационная справка о корреляции текущих отметок, промежуточной аттестации и "
            "результатов ВПР, ОГЭ, ЕГЭ",
            "Руководители ОО",
            date(2024, 1, 16),
        ),
        (
            "Оценка эффективности деятельности руководителей ОО",
            "Управление образования",
            date(2024, 1, 22),
        ),
        (SPECIAL, "МБУ «ИМЦ»", "ежемесячно"),
        ("Участие управленческих команд ОО в стратегических сессиях", "Руководители ОО", None),
    ]
    return {
        "schools": schools,
        "measures": [
            {"title": t, "responsible": r, "due_date": d, "result": "Протокол, приказ"}
            for t, r, d in measures
        ],
        "points": [
            {"number": 1, "text": "Утвердить перечень ОО (приложение 1).", "tasks": []},
            {
                "number": 2,
                "text": "Начальнику отдела образования (Старковой\u00a0О.В.):",
                "tasks": [
                    "провести анализ причин необъективности результатов ВПР;",
                    SPECIAL + ".",
                ],
            },
            {"number": 3, "text": "Постановление вступает в силу со дня подписания.", "tasks": []},
        ],
        "signatory": {"position": "Глава администрации", "name": "Н.А.\u00a0Строганова"},
    }


def _roadmap() -> dict[str, Any]:
    rows = [
        (
            "Организационно-правовое обеспечение",
            "1.",
            "Приказ о назначении ответственных за реализацию дорожной карты и объективность ВПР",
            "до 13 ноября 2023 г.",
            "Директор И. И. Иванова",
            "приказ по ОО",
            "выполнено",
            "Приказ № 112 от 10.11.2023",
        ),
        (
            None,
            "2.",
            "Самоанализ причин необъективности по шаблону «Семь шагов»",
            date(2023, 11, 30),
            "Заместитель директора по УВР Е. А. Смирнова",
            "самоанализ направлен в МБУ «ИМЦ»",
            "выполнено",
            None,
        ),
        (
            "Объективность проведения и проверки работ",
            "3.",
            "Общественное наблюдение и видеонаблюдение в аудиториях при проведении ВПР",
            "постоянно",
            "Заместитель директора по УВР",
            "наблюдатели в 100 % аудиторий",
            "в работе",
            None,
        ),
        (
            None,
            "4.",
            "Проверка работ школьной комиссией без участия учителей, работающих в классе",
            "март – май 2024 г.",
            "Руководители ШМО",
            "доля подтверждённых при перепроверке отметок не ниже 90 %",
            "не начато",
            None,
        ),
        (
            None,
            "5.",
            SPECIAL,
            date(2024, 1, 16),
            "Учителя начальных классов",
            "доля расхождений на 2 балла и более < 5 %",
            "в работе",
            "Проанализированы результаты 4 «А» класса",
        ),
        (
            "Повышение квалификации",
            "6.",
            "Курсы повышения квалификации по оцениванию для учителей математики и русского языка",
            "ноябрь 2023 г. – май 2024 г.",
            "Директор",
            "обучено не менее 6 педагогов",
            "в работе",
            "Обучены 3 педагога",
        ),
    ]
    keys = (
        "section",
        "number",
        "measure",
        "deadline",
        "responsible",
        "indicator",
        "status",
        "progress",
    )
    return {
        "document": {"number": "118", "date": date(2023, 11, 13), "place": "г. Озерск"},
        "title": "повышения объективности оценочных процедур в 2023/2024 учебном году",
        "approved_by": f"приказом директора {SCHOOL_NAME}",
        "items": [dict(zip(keys, row, strict=True)) for row in rows],
        "signatory": DIRECTOR_SIGNATORY,
    }


def _self_analysis() -> dict[str, Any]:
    steps = [
        (
            "Организация проведения ВПР: наблюдатели, видеонаблюдение, кодирование работ",
            "Присутствовали общественные наблюдатели (2 чел.), видеозапись велась в 3 из 4 "
            "аудиторий; работы кодировались до проверки.",
        ),
        ("Проверка работ: состав комиссии, критерии, конфликт интересов", SPECIAL),
        (
            "Сопоставление результатов ВПР с отметками по журналу",
            "В 4 «А» классе 41 % обучающихся получили на ВПР отметку выше годовой.",
        ),
        (
            "Анализ выполнения заданий базового и повышенного уровня",
            "Задания повышенного уровня по математике выполнены лучше базовых (64 % и 71 %).",
        ),
        (
            "Выявленные причины необъективности",
            "Проверка учителями собственных классов; отсутствие перекрёстной проверки.",
        ),
        (
            "Планируемые меры",
            "1) перекрёстная проверка работ;\n2) видеонаблюдение во всех "
            "аудиториях;\n3) разбор критериев оценивания на ШМО.",
        ),
        ("Ответственные и сроки контроля", None),
    ]
    return {
        "document": {"number": None, "date": date(2023, 11, 29), "place": "г. Озерск"},
        "signs": copy.deepcopy(SIGNS),
        "shares": [
            {"work": "4 РУ", "n": 52, "lowered": 0.06, "confirmed": 0.53, "raised": 0.41},
            {"work": "5 МА", "n": 47, "lowered": 0.09, "confirmed": 0.62, "raised": 0.29},
        ],
        "sections": [{"title": t, "answer": a} for t, a in steps],
        "signatory": DIRECTOR_SIGNATORY,
    }


def _correlation(
    subject: str,
    klass: str,
    measure: str,
    other: str,
    n: int,
    stats: tuple[float | None, ...],
    shares: tuple[float, float, float],
    verdict: str,
) -> dict[str, Any]:
    keys = (
        "spearman",
        "spearman_low",
        "spearman_high",
        "spearman_p",
        "kendall",
        "kendall_p",
        "kappa",
    )
    return {
        "subject": subject,
        "class_name": klass,
        "measure": measure,
        "compared_with": other,
        "n": n,
        **dict(zip(keys, stats, strict=True)),
        "lowered": shares[0],
        "confirmed": shares[1],
        "raised": shares[2],
        "verdict": verdict,
    }


def _certificate() -> dict[str, Any]:
    correlations = [
        _correlation(
            "Русский язык",
            "4 «А»",
            "Четверть 4",
            "Промежуточная аттестация",
            26,
            (0.81, 0.62, 0.91, 0.00001, 0.72, 0.00002, 0.78),
            (0.04, 0.85, 0.11),
            "Высокая положительная связь (ρ = 0,81; n = 26); отметки подтверждены у 85 %.",
        ),
        _correlation(
            "Русский язык",
            "4 «А»",
            "Промежуточная аттестация",
            "ВПР",
            26,
            (0.34, -0.05, 0.64, 0.089, 0.29, 0.094, 0.31),
            (0.42, 0.5, 0.08),
            "Слабая связь (ρ = 0,34; n = 26): 42 % обучающихся получили на ВПР "
            "отметку ниже годовой.",
        ),
        _correlation(
            "Математика",
            "5 «Б»",
            "Промежуточная аттестация",
            "ВПР",
            8,
            (None,) * 7,
            (0.25, 0.625, 0.125),
            "Недостаточно данных: 8 полных пар, требуется не менее 10.",
        ),
    ]
    contingency = {
        "title": "Русский язык, 4 «А»: промежуточная аттестация и ВПР",
        "row_label": "Отметка по журналу",
        "column_label": "Отметка ВПР",
        "rows": [
            {"mark": 2, "counts": [1, 0, 0, 0]},
            {"mark": 3, "counts": [2, 4, 1, 0]},
            {"mark": 4, "counts": [0, 5, 6, 1]},
            {"mark": 5, "counts": [0, 1, 3, 2]},
        ],
    }
    charts = [
        {"title": "Доли понизивших, подтвердивших и повысивших отметку", "image": "agreement"},
        {"title": "Отметки по журналу и ВПР, 4 «А»", "image": "contingency"},
    ]
    analytics = {
        "source": "Отметки обучающихся 4-х и 5-х классов (файл «Отметки_2023.xlsx»)",
        "computed_at": _utc(2024, 1, 10, 8, 30),
        "min_n": 10,
        "correlations": correlations,
        "signs": copy.deepcopy(SIGNS),
        "contingency": [contingency],
        "charts": charts,
    }
    conclusions = (
        "Связь годовых отметок с результатами ВПР слабая; причины рассмотрены на "
        "педагогическом совете (протокол № 4 от 12.01.2024).\nПланируется: "
        f"{SPECIAL}."
    )
    return {
        "document": {"number": "14", "date": date(2024, 1, 15), "place": "г. Озерск"},
        "analytics": analytics,
        "conclusions": conclusions,
        "signatory": DIRECTOR_SIGNATORY,
    }


RECHECKED = [
    ("4 РУ", "30117", 31, 27, 5, 4),
    ("4 РУ", "30118", 24, 24, 4, 4),
    ("4 РУ", "30121", 28, 25, 5, 4),
    ("4 РУ", "30125", 19, 18, 4, 4),
    ("4 РУ", "30130", 14, 14, 3, 3),
    ("5 МА", "50211", 12, 10, 4, 3),
    ("5 МА", "50214", 9, 9, 3, 3),
    ("5 МА", "50219", 16, 15, 5, 5),
]


def _recheck() -> dict[str, Any]:
    works = [
        {
            "work": w,
            "participant": p,
            "score_school": a,
            "score_recheck": b,
            "score_change": b - a,
            "mark_school": m,
            "mark_recheck": r,
            "confirmed": m == r,
        }
        for w, p, a, b, m, r in RECHECKED
    ]
    by_work = [
        {
            "work": "4 РУ",
            "n": 5,
            "confirmed": 3,
            "share_confirmed": 0.6,
            "mean_shift": -1.6,
            "wilcoxon_p": 0.25,
            "meets_target": False,
        },
        {
            "work": "5 МА",
            "n": 3,
            "confirmed": 2,
            "share_confirmed": 2 / 3,
            "mean_shift": -1.0,
            "wilcoxon_p": 0.5,
            "meets_target": False,
        },
    ]
    summary = {
        "n": 8,
        "confirmed": 5,
        "lowered": 3,
        "raised": 0,
        "share_confirmed": 0.625,
        "share_low": 0.245,
        "share_high": 0.915,
        "target": 0.9,
        "meets_target": False,
        "mean_shift": -1.375,
        "wilcoxon_p": 0.0625,
        "wording": "Эксперты подтвердили 5 из 8 отметок (62 %; целевое значение 90 %). "
        "Изменение баллов статистически незначимо (критерий Уилкоксона, p = 0,0625).",
    }
    return {
        "document": {"number": "17", "date": date(2023, 11, 28), "place": "г. Озерск"},
        "commission": copy.deepcopy(COMMISSION),
        "works": works,
        "by_work": by_work,
        "summary": summary,
        "charts": [{"title": "Первичные баллы до и после перепроверки", "image": "recheck"}],
        "conclusion": "Целевой показатель не достигнут: завышение баллов по критериям К1–К3. "
        "Рекомендовано: " + SPECIAL + ".",
    }


def _evaluation() -> dict[str, Any]:
    indicators = [
        ("1", "Доля отметок ВПР, подтверждённых при перепроверке", 3, "62,5 %", 0),
        (
            "2",
            "Локальные акты ОО об объективности оценочных процедур",
            2,
            "приказы № 112, 118; положение о ВСОКО",
            2,
        ),
        (
            "3",
            "Общественное наблюдение и видеонаблюдение при проведении ВПР",
            2,
            "наблюдатели во всех аудиториях",
            2,
        ),
        ("4", "Согласованность отметок по журналу с результатами ВПР (ρ Спирмена)", 3, "0,34", 1),
        ("5", "Выполнение мероприятий дорожной карты в срок", 2, SPECIAL, 1),
        ("6", "Повышение квалификации педагогов по вопросам оценивания", 1, "3 педагога", 1),
    ]
    keys = ("number", "title", "weight", "value", "score")
    return {
        "document": {"number": "5", "date": date(2024, 1, 22), "place": "г. Озерск"},
        "indicators": [dict(zip(keys, row, strict=True)) for row in indicators],
        "evaluation": {
            "method": "Методика оценки эффективности деятельности руководителей ОО "
            "(постановление администрации от 16.05.2023 № 305)",
            "total": 7,
            "max_total": 13,
            "result": "частично эффективен",
            "decision": "Признать деятельность руководителя частично эффективной; "
            "обеспечить выполнение дорожной карты до конца учебного года.",
            "recommendation": "ОО включена в перечень третий год подряд: рассмотреть вопрос о "
            "продлении трудового договора с руководителем.",
        },
        "commission": copy.deepcopy(COMMISSION),
    }


def _hash(seq: int, prev: str) -> str:
    return hashlib.sha256(f"oko-sample|{seq}|{prev}".encode()).hexdigest()


def _history() -> dict[str, Any]:
    raw = [
        (
            _utc(2023, 11, 3, 9, 0),
            "Импорт перечня",
            "министерство",
            "Дело открыто",
            "",
            "этап: выявлена; маркеры: 4 РУ, 5 МА",
            "Приказ от 03.11.2023 № 1592/1",
        ),
        (
            _utc(2023, 11, 7, 7, 12),
            "Старкова О. В.",
            "муниципалитет",
            "Этап изменён",
            "этап: выявлена",
            "этап: самоанализ",
            None,
        ),
        (
            _utc(2023, 11, 29, 13, 40),
            "Иванова И. И.",
            "школа",
            "Обязательство сдано",
            "статус: открыто",
            "статус: сдано",
            None,
        ),
        (
            _utc(2023, 12, 1, 6, 5),
            "Старкова О. В.",
            "муниципалитет",
            "Обязательство возвращено",
            "статус: сдано",
            "статус: возвращено",
            SPECIAL,
        ),
        (
            _utc(2023, 12, 4, 21, 30),
            "Иванова И. И.",
            "школа",
            "Обязательство сдано",
            "статус: возвращено",
            "статус: сдано",
            None,
        ),
    ]
    events, prev = [], "0" * 64
    for seq, (at, actor, role, action, before, after, reason) in enumerate(raw, start=1041):
        digest = _hash(seq, prev)
        events.append(
            {
                "seq": seq,
                "occurred_at": at,
                "actor": actor,
                "role": role,
                "action": action,
                "before": before,
                "after": after,
                "reason": reason,
                "hash": digest,
                "prev_hash": prev,
            }
        )
        prev = digest
    stages = [
        {
            "stage": "выявлена",
            "entered_at": _utc(2023, 11, 3, 9, 0),
            "left_at": _utc(2023, 11, 7, 7, 12),
            "entered_by": "Импорт перечня",
            "reason": None,
        },
        {
            "stage": "самоанализ",
            "entered_at": _utc(2023, 11, 7, 7, 12),
            "left_at": None,
            "entered_by": "Старкова О. В.",
            "reason": None,
        },
    ]
    obligations = [
        {
            "title": "Самоанализ по шаблону «Семь шагов»",
            "responsible": SCHOOL_NAME,
            "due_date": date(2023, 11, 30),
            "status": "сдано, ожидает проверки",
            "completed_on": date(2023, 12, 5),
            "comment": SPECIAL,
        },
        {
            "title": "Муниципальные нормативные акты",
            "responsible": MUNICIPALITY_NAME,
            "due_date": date(2023, 12, 25),
            "status": "открыто",
            "completed_on": None,
            "comment": None,
        },
    ]
    return {
        "document": {"number": None, "date": date(2024, 1, 23), "place": None},
        "stages": stages,
        "obligations": obligations,
        "events": events,
        "verification": {
            "ok": True,
            "checked": 1045,
            "checked_at": _utc(2024, 1, 23, 9, 5),
            "message": "Цепочка из 1045 событий не нарушена: все хеши совпадают.",
        },
        "generated_at": _utc(2024, 1, 23, 9, 5),
        "generated_by": {"name": "Морозова Елена Павловна", "role": "аудитор"},
    }


def _stage_form() -> dict[str, Any]:
    return {
        "title": "Анкета факторов риска низких образовательных результатов",
        "subtitle": "по методике ФИОКО (seed 003)",
        "sections": [
            {"title": "Кадровые условия", "answer": "Дефицит учителей математики; " + SPECIAL},
            {"title": "Контингент обучающихся", "answer": "Доля обучающихся с ОВЗ — 12 %."},
            {"title": "Материально-техническая база", "answer": None},
        ],
        "signatory": DIRECTOR_SIGNATORY,
    }


def _regional_order() -> dict[str, Any]:
    return {
        "levels": [
            {
                "level": 1,
                "title": "1 уровень управленческого сопровождения",
                "schools": [
                    {"name": SCHOOL_NAME, "municipality": MUNICIPALITY_NAME, "years_on_list": 3}
                ],
            },
            {
                "level": 3,
                "title": "3 уровень управленческого сопровождения",
                "schools": [
                    {
                        "name": "МАОУ «Гимназия № 1 г. Озерска»",
                        "municipality": MUNICIPALITY_NAME,
                        "years_on_list": 1,
                    }
                ],
            },
        ],
        "points": [
            {"number": 1, "text": "Утвердить перечень (приложение).", "tasks": []},
            {
                "number": 2,
                "text": "Руководителям муниципальных органов управления образованием:",
                "tasks": [SPECIAL + "."],
            },
        ],
        "signatory": {"position": "Министр образования", "name": "Е.В.\u00a0Соколова"},
        "issuer": MINISTRY_ISSUER,
        "document": {"number": "998", "date": date(2023, 12, 29), "place": "г. Калининград"},
    }


MINISTRY_ISSUER = {
    "name": "Министерство образования Калининградской области",
    "name_genitive": "Министерства образования Калининградской области",
    "name_in_sentence": "Министерство образования Калининградской области",
    "place": "г. Калининград",
    "administration": False,
    "school": False,
    "act": "ПРИКАЗ",
    "act_name": "приказ",
    "act_genitive": "приказа",
    "act_dative": "приказу",
    "act_instrumental": "приказом",
    "operative": "ПРИКАЗЫВАЮ",
    "law": "Федеральным законом от 29.12.2012 № 273-ФЗ «Об образовании в Российской Федерации»",
}


def _regional_letter() -> dict[str, Any]:
    return {
        **_regional_order(),
        "addressees": ["Руководителям муниципальных органов управления образованием"],
    }


def _roadmap_report() -> dict[str, Any]:
    roadmap = _roadmap()
    return {
        "period": "ноябрь 2023 г.",
        "summary": "Из 3 мероприятий дорожной карты выполнено 1, выполняется 1, не начато 1.",
        "text": SPECIAL,
        "items": roadmap["items"],
        "signatory": DIRECTOR_SIGNATORY,
    }


def _joint_plan() -> dict[str, Any]:
    return {
        "leader": {
            "name": "МАОУ «Лицей № 5»",
            "name_genitive": "МАОУ «Лицей № 5»",
            "director": "Петров Пётр Петрович",
        },
        "items": [
            {
                "number": 1,
                "measure": SPECIAL,
                "deadline": date(2024, 3, 1),
                "responsible": "Школа-лидер",
                "result": "План взаимодействия",
            }
        ],
        "signatory": DIRECTOR_SIGNATORY,
        "leader_signatory": {"position": "Директор МАОУ «Лицей № 5»", "name": "П.П.\u00a0Петров"},
    }


_BUILDERS = {
    "shnor_joint_plan": _joint_plan,
    "roadmap_report": _roadmap_report,
    "regional_order": _regional_order,
    "regional_letter": _regional_letter,
    "municipal_order": _order,
    "roadmap": _roadmap,
    "self_analysis": _self_analysis,
    "information_certificate": _certificate,
    "recheck_protocol": _recheck,
    "director_evaluation": _evaluation,
    "case_history": _history,
    "stage_form": _stage_form,
}


def sample(key: str) -> dict[str, Any]:
    """A fresh, complete reference context for the document kind `key`."""
    return {**copy.deepcopy(COMMON), **_BUILDERS[key]()}


def sample_images() -> dict[str, bytes]:
    """PNG charts for the image names the samples use (drawn by the analytics' chart code)."""
    import pandas as pd  # heavy imports only when charts are actually drawn

    from app.analytics import charts

    table = [row["counts"] for row in _certificate()["analytics"]["contingency"][0]["rows"]]
    shares = pd.DataFrame(
        [
            {"label": "4 РУ", "lowered": 0.06, "confirmed": 0.53, "raised": 0.41},
            {"label": "5 МА", "lowered": 0.09, "confirmed": 0.62, "raised": 0.29},
        ]
    )
    return {
        "agreement": charts.agreement_png(shares, title="ВПР и отметки по журналу"),
        "contingency": charts.contingency_png(
            table, x_label="Отметка по журналу", y_label="Отметка ВПР", title="4 «А»"
        ),
        "recheck": charts.recheck_scatter_png(
            [w[2] for w in RECHECKED], [w[3] for w in RECHECKED], title="Перепроверка"
        ),
    }
