"""A plan as an XLSX workbook in the layout of the seeds' roadmaps (№, мероприятие, сроки,
ответственный исполнитель, результат / показатель), followed by the machine columns that make
it a plan: a workbook written here and read back gives the same measures."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _

from app.models.case import Category, Level
from app.models.plan import DateKind, Plan, Scope
from app.parsing import parse_int
from app.plans import dates
from app.plans import measures as m
from app.tabular import Column, Problem, TableError, read_table, text_row

# The responsible executors as a roadmap names them.
RESPONSIBLE = {
    Level.SCHOOL: "Образовательная организация",
    Level.LEADER_SCHOOL: "Школа-лидер",
    Level.METHOD_CENTRE: "Муниципальный методический центр",
    Level.MUNICIPALITY: "Муниципальный орган управления образованием",
    Level.INSTITUTE: "Региональный институт (центр оценки качества, институт развития образования)",
    Level.REGION: "Министерство образования",
}
HUMAN = ("№", "Мероприятие", "Сроки", "Ответственный исполнитель", "Результат / показатель")
MACHINE = (
    "Ключ",
    "Ответственный (код)",
    "Проверяет на уровне 1",
    "Проверяет на уровне 2",
    "Проверяет на уровне 3",
    "Перечни",
    "Уровни сопровождения",
    "Лет в перечне, не менее",
    "Виды ОО",
    "Охват",
    "Что сдаётся",
    "Этап",
    "Вид срока",
    "Срок",
    "Начало",
    "Рабочих дней",
    "После мероприятия",
    "Включительно",
    "Правило месяца",
    "Напоминания",
    "Обязательное",
    "Источник",
)
COLUMNS = [Column(h) for h in HUMAN] + [Column(h, required=h != "Ключ") for h in MACHINE]


def _list(values: list[str] | tuple[str, ...]) -> str:
    return ", ".join(str(v) for v in values)


def _day(value: date | None) -> str:
    return f"{value:%d.%m.%Y}" if value else ""


def to_xlsx(plan: Plan) -> bytes:
    """The plan's measures in force (the region's, then each municipality's own) as a workbook."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = "План мероприятий"
    sheet.append([plan.title])
    sheet["A1"].font = Font(bold=True)
    sheet.append([])
    sheet.append([*HUMAN, *MACHINE])
    for cell in sheet[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    numbers = {row.key: row.number for row in plan.measures}
    for row in plan.measures:
        if not row.active or row.municipality_id is not None:
            continue
        measure = m.from_row(row)
        rule = measure.when
        sheet.append(
            text_row(
                sheet,
                [
                    measure.number,
                    measure.title,
                    dates.describe(rule, numbers),
                    RESPONSIBLE[measure.responsible],
                    measure.result,
                    measure.key,
                    measure.responsible.value,
                    *[(r.value if r else "") for r in measure.reviewers],
                    _list([t.value for t in measure.tracks]),
                    _list([str(level) for level in measure.levels]),
                    str(measure.min_years),
                    _list(measure.school_kinds),
                    measure.scope.value,
                    measure.takes,
                    measure.milestone,
                    rule.kind.value,
                    _day(rule.due),
                    _day(rule.start),
                    "" if rule.days is None else str(rule.days),
                    rule.after or "",
                    "да" if rule.inclusive else "нет",
                    rule.monthly or "",
                    _list([str(d) for d in measure.reminders]),
                    "да" if measure.required else "нет",
                    measure.seed,
                ],
            )
        )
    for letter, width in zip("ABCDE", (8, 70, 24, 30, 40), strict=True):
        sheet.column_dimensions[letter].width = width
    for cells in sheet.iter_rows(min_row=4, max_col=5):
        for cell in cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@dataclass
class Parsed:
    measures: list[m.Measure] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _parse_day(text: str, number: int, column: str, problems: list[Problem]) -> date | None:
    text = text.strip()
    if not text:
        return None
    try:
        day, month, year = (int(p) for p in text.split("."))
        return date(year, month, day)
    except ValueError:
        problems.append(Problem(number, column, _("A date is written as dd.mm.yyyy.")))
        return None


def _enum_list(text: str, kind: type, number: int, column: str, problems: list[Problem]) -> list:
    out = []
    for item in (p.strip() for p in text.split(",")):
        if not item:
            continue
        try:
            out.append(kind(item))
        except ValueError:
            problems.append(Problem(number, column, _("Unknown value «%(v)s».", v=item)))
    return out


def _level(text: str, number: int, column: str, problems: list[Problem]) -> Level | None:
    if not text.strip():
        return None
    try:
        return Level(text.strip())
    except ValueError:
        problems.append(Problem(number, column, _("Unknown value «%(v)s».", v=text.strip())))
        return None


def _rule(row: dict[str, str], number: int, problems: list[Problem]) -> dates.DateRule | None:
    kind_text = row["Вид срока"].strip()
    if not kind_text:  # a person filled the human columns only: read «Сроки»
        rule = dates.parse(row["Сроки"])
        if rule is None:
            message = _(
                "Write the term as «до 30.11.2023», «не позднее …», «с … по …» or «постоянно»."
            )
            problems.append(Problem(number, "Сроки", message))
        return rule
    try:
        kind = DateKind(kind_text)
    except ValueError:
        problems.append(Problem(number, "Вид срока", _("Unknown value «%(v)s».", v=kind_text)))
        return None
    before = len(problems)
    due = _parse_day(row["Срок"], number, "Срок", problems)
    start = _parse_day(row["Начало"], number, "Начало", problems)
    days = parse_int(row["Рабочих дней"]) if row["Рабочих дней"].strip() else None
    if row["Рабочих дней"].strip() and days is None:
        problems.append(Problem(number, "Рабочих дней", _("A whole number is required.")))
    needs = {
        DateKind.FIXED: due is not None,
        DateKind.PERIOD: due is not None and start is not None and start <= due,
        DateKind.MONTHLY: due is not None and start is not None and start <= due,
        DateKind.AFTER_OPEN: days is not None,
        DateKind.AFTER_MEASURE: days is not None and bool(row["После мероприятия"].strip()),
        DateKind.ONGOING: True,
    }
    if len(problems) == before and not needs[kind]:
        problems.append(Problem(number, "Вид срока", _("The term is incomplete for its kind.")))
    if len(problems) > before:
        return None
    machine = dates.DateRule(
        kind,
        due=due,
        start=start,
        days=days,
        after=row["После мероприятия"].strip() or None,
        inclusive=row["Включительно"].strip().lower() != "нет",
        monthly=row["Правило месяца"].strip() or None,
    )
    return _edited_words(machine, row["Сроки"], number, problems)


SIMPLE_KINDS = (DateKind.FIXED, DateKind.PERIOD, DateKind.ONGOING)


def _edited_words(
    machine: dates.DateRule, words: str, number: int, problems: list[Problem]
) -> dates.DateRule | None:
    """A person edits the «Сроки» column, not the machine ones: where the words of a simple
    term no longer say what the machine columns do, the words win; words that cannot be read
    are refused rather than silently ignored."""
    words = words.strip()
    if machine.kind not in SIMPLE_KINDS or not words or words == dates.describe(machine):
        return machine
    edited = dates.parse(words)
    if edited is None:
        problems.append(
            Problem(
                number,
                "Сроки",
                _("Write the term as «до 30.11.2023», «не позднее …», «с … по …» or «постоянно»."),
            )
        )
    return edited


def _row(number: int, row: dict[str, str], problems: list[Problem]) -> m.Measure | None:
    before = len(problems)
    title = row["Мероприятие"].strip()
    if not title:
        problems.append(Problem(number, "Мероприятие", _("The measure is not described.")))
    for column, most in (("№", m.NUMBER_MAX), ("Источник", m.SEED_MAX), ("Ключ", m.KEY_MAX)):
        if len(row.get(column, "").strip()) > most:
            problems.append(Problem(number, column, _("At most %(n)d characters.", n=most)))
    responsible = _level(row["Ответственный (код)"], number, "Ответственный (код)", problems)
    if responsible is None and len(problems) == before:
        problems.append(Problem(number, "Ответственный (код)", _("A value is required.")))
    reviewers = [
        _level(row[f"Проверяет на уровне {n}"], number, f"Проверяет на уровне {n}", problems)
        for n in (1, 2, 3)
    ]
    tracks = _enum_list(row["Перечни"], Category, number, "Перечни", problems)
    levels = [parse_int(v.strip()) for v in row["Уровни сопровождения"].split(",") if v.strip()]
    if any(v not in m.ALL_LEVELS for v in levels):
        problems.append(
            Problem(number, "Уровни сопровождения", _("The support levels are 1, 2 and 3."))
        )
    min_years = parse_int(row["Лет в перечне, не менее"]) or 1
    scope = _enum_list(row["Охват"], Scope, number, "Охват", problems)
    milestone = row["Этап"].strip()
    if milestone not in m.MILESTONES:
        problems.append(Problem(number, "Этап", _("Unknown value «%(v)s».", v=milestone)))
    takes = row["Что сдаётся"].strip() or "nothing"
    if not (takes in m.TAKES_PLAIN or takes.startswith(m.TAKES_PREFIXES)):
        problems.append(Problem(number, "Что сдаётся", _("Unknown value «%(v)s».", v=takes)))
    reminders = [parse_int(v.strip()) for v in row["Напоминания"].split(",") if v.strip()]
    if any(v is None for v in reminders):
        problems.append(Problem(number, "Напоминания", _("Whole numbers separated by commas.")))
    rule = _rule(row, number, problems)
    if len(problems) > before or rule is None or responsible is None:
        return None
    return m.Measure(
        key=row.get("Ключ", "").strip(),
        number=row["№"].strip(),
        title=title,
        responsible=responsible,
        when=rule,
        milestone=milestone,
        tracks=tuple(tracks),
        result=row["Результат / показатель"].strip(),
        reviewers=(reviewers[0], reviewers[1], reviewers[2]),
        takes=takes,
        levels=tuple(v for v in levels if v is not None) or m.ALL_LEVELS,
        min_years=min_years,
        school_kinds=tuple(v.strip() for v in row["Виды ОО"].split(",") if v.strip()),
        scope=scope[0] if scope else Scope.SCHOOL,
        reminders=tuple(v for v in reminders if v is not None),
        seed=row["Источник"].strip(),
        required=row["Обязательное"].strip().lower() != "нет",
    )


def from_xlsx(data: bytes) -> Parsed:
    """The measures of a workbook in this layout, or the problems (row and column) that refuse
    it whole."""
    parsed = Parsed()
    try:
        table = read_table(data, COLUMNS, title_rows=True)
    except TableError as err:
        parsed.problems.extend(err.problems)
        return parsed
    keys: dict[str, int] = {}
    for number, row in table:
        measure = _row(number, row, parsed.problems)
        if measure is None:
            continue
        if measure.key and measure.key in keys:
            message = _("The key already appears in row %(n)d.", n=keys[measure.key])
            parsed.problems.append(Problem(number, "Ключ", message))
            continue
        if measure.key:
            keys[measure.key] = number
        parsed.measures.append(measure)
    if not parsed.problems and not parsed.measures:
        parsed.problems.append(Problem(None, None, _("The file has no rows.")))
    if parsed.problems:
        parsed.measures = []
    return parsed
