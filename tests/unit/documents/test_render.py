"""Generated documents: they open in Word's format and say exactly what they were given."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from typing import Any

import pytest
from docx import Document

from app.documents import render as r
from app.paperwork.catalog import KINDS, kind
from app.paperwork.samples import SCHOOL_NAME, SPECIAL, sample, sample_images
from tests.unit.documents.docx_text import paragraphs, text

NBSP = "\u00a0"
KEYS = [k.key for k in KINDS]


@pytest.fixture(scope="module")
def images() -> dict[str, bytes]:
    return sample_images()


def _render(
    key: str, context: dict[str, Any], images: dict[str, bytes] | None = None, **options: Any
) -> bytes:
    return r.render(kind(key).bundled_template(), context, images, **options)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2023, 12, 29), "«29» декабря 2023 г."),
        (date(2024, 5, 3), "«03» мая 2024 г."),
        (datetime(2023, 12, 31, 22, 30, tzinfo=UTC), "«01» января 2024 г."),  # Moscow: +3 h
        (datetime(2023, 12, 31, 21, 0), "«01» января 2024 г."),  # naive moments are UTC
        (None, "«___» ________ 20__ г."),
        ("ежемесячно", "ежемесячно"),
    ],
)
def test_russian_document_dates(value: object, expected: str) -> None:
    assert r.ru_date(value) == expected


def test_short_dates_and_moments_in_moscow_time() -> None:
    assert r.short_date(date(2023, 12, 29)) == "29.12.2023"
    assert r.short_date(None) == "—"
    assert r.date_time(datetime(2023, 12, 29, 11, 5, tzinfo=UTC)) == "29.12.2023 14:05"
    assert r.date_time(datetime(2023, 12, 29, 11, 5)) == "29.12.2023 14:05"  # naive = UTC
    assert r.date_time(None) == "—"


def test_numbers_are_written_the_russian_way() -> None:
    assert r.num(0.71234) == "0,71"
    assert r.num(-0.05) == "−0,05"
    assert r.num(-0.0001) == "0,00"
    assert r.num(None) == r.num(float("nan")) == "—"
    assert (r.signed(0.45), r.signed(-1.6), r.signed(0), r.signed(-4, 0)) == (
        "+0,45",
        "−1,60",
        "0,00",
        "−4",
    )
    assert r.pct(0.834) == f"83{NBSP}%"
    assert (r.pvalue(0.00001), r.pvalue(0.034), r.pvalue(None)) == (f"<{NBSP}0,001", "0,034", "—")


EXPECTED: dict[str, list[str]] = {
    "municipal_order": [
        "РОССИЙСКАЯ ФЕДЕРАЦИЯ\nАДМИНИСТРАЦИЯ МУНИЦИПАЛЬНОГО ОБРАЗОВАНИЯ «ОЗЕРСКИЙ",
        "ПОСТАНОВЛЕНИЕ",
        "«29» декабря 2023 г.\t№ 998",
        "г. Озерск",
        "Об организации работы с общеобразовательными организациями Озерского муниципального "
        "округа с признаками",
        "в соответствии с Федеральным законом от 06.10.2003 № 131-ФЗ",
        "администрация муниципального образования «Озерский муниципальный округ Калининградской "
        "области»\nПОСТАНОВЛЯЕТ:",
        "2. Начальнику отдела образования (Старковой\xa0О.В.):\n– провести анализ",
        "3. Постановление вступает в силу со дня подписания.",
        "МАОУ «Гимназия № 1 г. Озерска»",
        "ежемесячно",
        "30.11.2023",
        "(рассмотрение контракта)",
        "приказом Министерства образования Калининградской области от 03.11.2023 "
        "№ 1592/1 «Об утверждении перечня общеобразовательных организаций Калининградской "
        "области с признаками необъективных",
        "Приложение 1\nУТВЕРЖДЕН\nпостановлением администрации муниципального образования "
        "«Озерский муниципальный округ Калининградской области»\nот «29» декабря 2023 г. № 998",
        "Глава администрации\nН.А.\xa0Строганова",
    ],
    "regional_order": [
        "МИНИСТЕРСТВО ОБРАЗОВАНИЯ КАЛИНИНГРАДСКОЙ ОБЛАСТИ\nПРИКАЗ\n«29» декабря 2023 г.\t№ 998",
        "г. Калининград",
        "В соответствии с Федеральным законом от 29.12.2012 № 273-ФЗ",
        "ПРИКАЗЫВАЮ:\n1. Утвердить перечень (приложение).",
        "Министр образования\nЕ.В.\xa0Соколова",
        "Приложение\nУТВЕРЖДЕН\nприказом Министерства образования Калининградской области\n"
        "от «29» декабря 2023 г. № 998",
        "3 уровень управленческого сопровождения",
    ],
    "regional_letter": [
        "МИНИСТЕРСТВО ОБРАЗОВАНИЯ КАЛИНИНГРАДСКОЙ ОБЛАСТИ\nг. Калининград\n29.12.2023 № 998",
        "Руководителям муниципальных органов управления образованием",
        "Уважаемые коллеги!",
        "Приказом Министерства образования Калининградской области от 03.11.2023 № 1592/1",
        "1 уровень управленческого сопровождения — 1 ОО; 3 уровень управленческого "
        "сопровождения — 1 ОО.",
        "Руководителям муниципальных органов управления образованием необходимо:",
        "Министр образования\nЕ.В.\xa0Соколова",
    ],
    "roadmap_report": [
        "АНАЛИТИЧЕСКИЙ ОТЧЁТ",
        "о промежуточных результатах реализации мероприятий дорожной карты за ноябрь 2023 г.",
        "Из 3 мероприятий дорожной карты выполнено 1",
        "Организационно-правовое обеспечение",
    ],
    "shnor_joint_plan": [
        "СОГЛАСОВАНО\nДиректор МБОУ «СОШ № 3 им. А. С. Пушкина»\nИ.И.\xa0Иванова",
        "УТВЕРЖДАЮ\nДиректор МАОУ «Лицей № 5»\nП.П.\xa0Петров",
        "СОВМЕСТНЫЙ ПЛАН РАБОТЫ",
        "и школы-лидера МАОУ «Лицей № 5» по переходу в эффективный режим",
        "01.03.2024",
    ],
    "roadmap": [
        "ДОРОЖНАЯ КАРТА",
        "Организационно-правовое обеспечение",
        "выполнено\nПриказ № 112 от 10.11.2023",
        "от «13» ноября 2023 г. № 118",
        "март – май 2024 г.",
        "И. И. Иванова",
    ],
    "self_analysis": [
        "САМОАНАЛИЗ",
        "edu390317",
        "Выполнение 78 % при 61 % по региону",
        f"41{NBSP}%",
        "Шаг 7. Ответственные и сроки контроля",
        "Не заполнено.",
        "2) видеонаблюдение во всех аудиториях;",
        "«Семь шагов»)\n(приказ Министерства образования Калининградской области от 03.11.2023 "
        "№ 1592/1)\n«29» ноября 2023 г.\n",  # no number given yet: none printed, no blank
    ],
    "information_certificate": [
        "ИНФОРМАЦИОННАЯ СПРАВКА",
        "0,81 [0,62; 0,91]",
        f"<{NBSP}0,001",
        "0,72 (<\u00a00,001)",
        "10.01.2024 11:30",
        "Недостаточно данных: 8 полных пар, требуется не менее 10.",
        "Таблица 3. Русский язык, 4 «А»: промежуточная аттестация и ВПР",
        "Рисунок 2. Отметки по журналу и ВПР, 4 «А»",
        "12",
    ],
    "recheck_protocol": [
        "ПРОТОКОЛ № 17",
        "Лебедев Андрей Николаевич",
        "50219",
        "−4",
        f"62{NBSP}%",
        "Целевой показатель не достигнут",
        "«28» ноября 2023 г.\tг. Озерск",
        "Эксперты подтвердили 5 из 8 отметок",
        "Рисунок 1.",
    ],
    "director_evaluation": [
        "ОЦЕНОЧНЫЙ ЛИСТ",
        "7 из 13",
        "частично эффективен",
        "продлении трудового договора",
        "М.А.\xa0Кузнецова",  # a signature line: initials, then the surname
        "(подпись)\n(расшифровка подписи)\n(дата)",
    ],
    "case_history": [
        "ИСТОРИЯ ДЕЛА",
        "Целостность истории подтверждена.",
        "23.01.2024 12:05",
        "03.11.2023 12:00",
        "Обязательство возвращено",
        "0" * 64,
        "сдано, ожидает проверки",
    ],
    "stage_form": [
        "АНКЕТА ФАКТОРОВ РИСКА",
        "Кадровые условия",
        "3. Материально-техническая база",
        "Не заполнено.",
        "И.И.\xa0Иванова",
    ],
}


@pytest.mark.parametrize("key", KEYS)
def test_each_document_opens_and_holds_its_values(key: str, images: dict[str, bytes]) -> None:
    context = sample(key)
    content = text(_render(key, context, images, strict=True))  # strict: every name is given
    assert SCHOOL_NAME in content
    assert SPECIAL in content  # <, &, straight quotes and «» come out exactly as given
    for expected in EXPECTED[key]:
        assert expected in content, expected
    if key == "case_history":
        assert all(e["hash"] in content for e in context["events"])


def test_user_text_cannot_break_the_xml() -> None:
    context = sample("roadmap")
    context["items"][0]["measure"] = "A\x0bB\x07C\x0cD\x00E\x1fF\ud800G</w:t>&amp;<w:p>"
    data = _render("roadmap", context)
    assert "ABCDEFG</w:t>&amp;<w:p>" in paragraphs(data)


def test_a_newline_starts_a_paragraph_with_the_same_layout() -> None:
    context = sample("self_analysis")
    context["sections"][0]["answer"] = "Первая строка.\r\nВторая строка."
    document = Document(io.BytesIO(_render("self_analysis", context)))
    body = {p.text: p for p in document.paragraphs}
    first, second = body["Первая строка."], body["Вторая строка."]
    assert first.alignment == second.alignment
    assert first.paragraph_format.first_line_indent == second.paragraph_format.first_line_indent


def _hollow(value: Any) -> Any:
    """The sample with every list empty, every date missing and no analytics or summary."""
    if isinstance(value, dict):
        return {k: None if k in ("analytics", "summary") else _hollow(v) for k, v in value.items()}
    if isinstance(value, list):
        return []
    return None if isinstance(value, date) else value


HOLLOW: dict[str, list[str]] = {
    "municipal_order": [
        "нет данных",
        "ПОСТАНОВЛЕНИЕ\n\t№ 998",  # no date: it is left out
    ],
    "regional_order": ["ПРИКАЗ\n\t№ 998"],
    "regional_letter": ["Уважаемые коллеги!"],
    "shnor_joint_plan": ["нет данных", "СОВМЕСТНЫЙ ПЛАН РАБОТЫ"],
    "roadmap_report": ["нет данных", "АНАЛИТИЧЕСКИЙ ОТЧЁТ"],
    "roadmap": ["нет данных", "приказом директора МБОУ «СОШ № 3 им. А. С. Пушкина»\n № 118"],
    "self_analysis": ["нет данных", "Разделы самоанализа не заполнены."],
    "information_certificate": ["Аналитические данные не загружены."],
    "recheck_protocol": [
        "нет данных",
        "Результаты перепроверки не загружены.",
        "состав комиссии не указан.",
    ],
    "director_evaluation": [
        "нет данных",
        "7 из 13",
        "Состав комиссии не определён: подписи членов комиссии не предусмотрены.",
    ],
    "case_history": ["нет данных", "Сформировано — (время московское)"],
    "stage_form": ["Разделы не заполнены."],
}


@pytest.mark.parametrize("key", KEYS)
def test_documents_degrade_gracefully_without_data(key: str) -> None:
    content = text(_render(key, _hollow(sample(key))))
    for expected in HOLLOW[key]:
        assert expected in content, expected
    assert "___" not in content  # what is not known is left out, never printed as blanks


# How each kind cites the campaign's approving order: the municipal order in its preamble, the
# others under their title.
CITED = {
    "municipal_order": "приказом Министерства образования Калининградской области "
    "от 03.11.2023 № 1592/1 «Об утверждении перечня",
    "information_certificate": "Во исполнение приказа Министерства образования Калининградской "
    "области от 03.11.2023 № 1592/1 «Об утверждении перечня",
    # The order is this very act: its title is the order's own.
    "regional_order": "Об утверждении перечня общеобразовательных организаций Калининградской "
    "области",
    "regional_letter": "Приказом Министерства образования Калининградской области от 03.11.2023 "
    "№ 1592/1 «Об утверждении перечня",
}
HEADING = "(приказ Министерства образования Калининградской области от 03.11.2023 № 1592/1)"


@pytest.mark.parametrize("key", KEYS)
def test_each_document_cites_the_order_or_leaves_the_citation_out(key: str) -> None:
    recorded = text(_render(key, sample(key), strict=True))
    assert CITED.get(key, HEADING) in recorded
    if key not in ("municipal_order", "regional_order", "regional_letter"):
        assert HEADING in recorded
    context = sample(key)
    context["order"] = None
    missing = text(_render(key, context, strict=True))
    assert "1592/1" not in missing.replace("Приказ от 03.11.2023 № 1592/1", "")  # history: an event
    assert "Во исполнение приказа" not in missing and "(приказ" not in missing
    assert "___" not in recorded and "___" not in missing
    if key == "municipal_order":
        assert "ПОСТАНОВЛЯЕТ" in missing and "приказом" not in missing
        assert (
            "131-ФЗ «Об общих принципах организации местного самоуправления в Российской "
            "Федерации», администрация муниципального образования" in missing
        )


def test_an_order_known_by_its_number_only_is_cited_by_it() -> None:
    context = sample("self_analysis")
    context["order"] |= {"date": None, "day": None, "reference": "№ 1311", "issuer_genitive": None}
    content = text(_render("self_analysis", context, strict=True))
    assert "(приказ № 1311)" in content and "___" not in content


def test_rendering_is_deterministic(images: dict[str, bytes]) -> None:
    first = _render("information_certificate", sample("information_certificate"), images)
    assert _render("information_certificate", sample("information_certificate"), images) == first


def test_charts_are_embedded_from_the_named_images(images: dict[str, bytes]) -> None:
    context = sample("information_certificate")
    with_charts = Document(io.BytesIO(_render("information_certificate", context, images)))
    assert len(with_charts.inline_shapes) == 2
    without = _render("information_certificate", context, {"agreement": images["agreement"]})
    assert len(Document(io.BytesIO(without)).inline_shapes) == 1
    assert r.MISSING_IMAGE in text(without)
    with pytest.raises(r.DocumentTemplateError, match="not a PNG"):
        _render("information_certificate", context, {"agreement": b"GIF89a"})


def _one_line_template(line: str) -> bytes:
    document = Document()
    document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_template_compiled_once_renders_with_each_call_s_own_settings() -> None:
    template = _one_line_template("{{ moment|date_time }} [{{ absent }}]")
    moment = {"moment": datetime(2024, 3, 1, 9, 30, tzinfo=UTC)}
    assert "01.03.2024 12:30 []" in text(r.render(template, moment))
    assert "01.03.2024 19:30 []" in text(r.render(template, moment, timezone="Asia/Vladivostok"))
    with pytest.raises(r.DocumentTemplateError, match="absent"):
        r.render(template, moment, strict=True)
    assert "01.03.2024 12:30 []" in text(r.render(template, moment))
