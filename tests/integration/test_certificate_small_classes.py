"""The information certificate on realistic grade-5 data: classes of 1–9 pupils are reported
as too small, empty ОГЭ/ЕГЭ columns beside valid pairs are no finding, and the quarters are
compared with ВПР for the same pupils."""

from __future__ import annotations

import io
from typing import Any

from docx import Document as Docx

from app.documents import storage
from app.paperwork.generate import generate
from app.stages import attachments
from tests.helpers import open_test_case

HEADER = (
    "Год;Логин ОО;Класс;Код участника;Предмет;Четверть 1;Четверть 2;Четверть 3;Четверть 4;"
    "Промежуточная аттестация;ВПР;ОГЭ;ЕГЭ"
)


def _marks(login: str) -> bytes:
    lines = [HEADER]
    sizes = {"5А": 1, "5Б": 4, "5В": 9, "5Г": 14}  # three classes below the 10 pairs needed
    for name, size in sizes.items():
        for i in range(size):
            mark = 3 + (i % 3)
            vpr = max(2, mark - (1 if i % 4 == 0 else 0))
            lines.append(
                f"2024;{login};{name};{name}{i:02d};Математика;{mark};{mark};{mark};{mark};{mark};{vpr};;"
            )
    return "\n".join(lines).encode("utf-8")


def _text(data: bytes) -> str:
    doc = Docx(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts += [c.text for c in row.cells]
    return "\n".join(parts)


def test_the_certificate_renders_for_small_classes_and_empty_exam_columns(
    world: dict[str, Any],
) -> None:
    school = world["schools"]["a1"]
    case = open_test_case(school)
    attachments.upload(
        case, "student_marks", "marks.csv", _marks(school.login), actor=world["users"]["school_a1"]
    )
    rows = attachments.correlations(case)["rows"]  # type: ignore[index]
    small = [r for r in rows if r["class"] in ("5А", "5Б", "5В")]
    assert small and {r["status"] for r in small} == {"not_enough_data"}
    assert all("spearman_ci" not in r for r in small)
    assert not any(r["compared_with"] in ("oge", "ege") for r in rows)  # empty: no rows
    quarters_vpr = [r for r in rows if r["class"] == "5Г" and r["compared_with"] == "vpr"]
    assert {r["measure"] for r in quarters_vpr} >= {"q1", "q4", "attestation"}
    assert all(r["status"] == "ok" for r in quarters_vpr)

    version = generate(case, "information_certificate", actor=world["users"]["ministry"])
    text = _text(storage.store().get(version.sha256))
    assert "Недостаточно данных: полных пар — 1" in text
    assert "Недостаточно данных: полных пар — 9" in text
    assert "5Г" in text and "ВПР" in text
    assert "Классы 5А, 5Б, 5В: полных пар меньше необходимого" in text  # the conclusions
