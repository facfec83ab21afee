"""Small hand-made inputs shared by the analytics tests."""

from __future__ import annotations

from app.analytics.spec import parse_specs

SPEC_JSON = """[
 {"year": 2024, "subject": "Русский язык", "grade": 4, "code": "РУ", "max_score": 7,
  "marks": {"3": 2, "4": 4, "5": 6},
  "tasks": [{"id": "1", "max": 3, "level": "Б"}, {"id": "2", "max": 4, "level": "П"}]},
 {"year": 2024, "subject": "Математика", "grade": 4, "code": "МА", "max_score": 5,
  "marks": {"3": 1, "4": 3, "5": 5},
  "tasks": [{"id": "1", "max": 2, "level": "Б"}, {"id": "3.1", "max": 3, "level": "П"}]}
]"""
HEADER = (
    "Год;Предмет;Параллель;Логин ОО;Муниципалитет;Название ОО;Код участника;Класс;Вариант;"
    "1;2;3.1;Первичный балл;Отметка;Отметка по журналу"
)
ROWS = [
    "2024;Русский язык;4;edu123456;Район;Школа № 1;p1;4А;1;3;X;;3;3;4",
    "2024;Русский язык;4;edu123456;Район;Школа № 1;p2;4А;1;3;4;;7;5;",
    "2024;Математика;4;edu123456;Район;Школа № 1;p1;4А;2;2;;Х;2;3;3",
    "2024;Математика;4;EDU654321;Район;Школа № 2;p9;4Б;1;1;;3;4;4;5",
]


def specs():
    """The two specifications above."""
    return parse_specs(SPEC_JSON)


def csv_text(rows: list[str] | None = None, header: str = HEADER, sep: str = ";") -> str:
    """A §1 file as text with the given rows."""
    lines = [header, *(ROWS if rows is None else rows)]
    return "\n".join(line.replace(";", sep) for line in lines) + "\n"
