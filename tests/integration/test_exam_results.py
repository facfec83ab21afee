"""State exam results (§7) in the database: refused whole naming row and column, replaced per
school exam on re-import, and used by the signs (sign 1) through the ministry's page."""

from __future__ import annotations

import io
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import ExamResult
from app.vpr import exams
from tests.helpers import login

HEADER = "Год;Экзамен;Предмет;Логин ОО;Код участника;Первичный балл;Тестовый балл;Отметка"


def _count() -> int:
    return int(db.session.scalar(sa.select(sa.func.count()).select_from(ExamResult)) or 0)


def test_exam_results_import_whole_or_not_at_all(world: dict[str, Any]) -> None:
    region, a1 = world["region"], world["schools"]["a1"].login
    good = f"{HEADER}\n2024;ОГЭ;Математика;{a1};p1;20;;4\n2024;ЕГЭ;Математика;{a1};p2;50;72;\n"
    report = exams.import_exams(good.encode(), region=region, actor=None)
    assert report.ok and report.rows == 2 and _count() == 2
    again = f"{HEADER}\n2024;ОГЭ;Математика;{a1};p3;21;;5\n"  # replaces that school's ОГЭ
    assert exams.import_exams(again.encode(), region=region, actor=None).ok
    stored = exams.load_exams(region, [2024])
    assert sorted(stored["participant"]) == ["p2", "p3"]
    foreign = world["schools"]["x1"].login  # a school of the other region
    bad = f"{HEADER}\n2024;ОГЭ;Математика;{a1};p9;20;;4\n2024;ОГЭ;Математика;{foreign};p1;20;;4\n"
    refused = exams.import_exams(bad.encode(), region=region, actor=None)
    assert not refused.ok and [(p.row, p.column) for p in refused.problems] == [(3, "Логин ОО")]
    assert _count() == 2  # nothing of the bad file was written


def test_the_page_reports_each_problem(client: Any, world: dict[str, Any]) -> None:
    login(client, world["users"]["ministry"])
    bad = f"{HEADER}\n2024;ОГЭ;Математика;edu12;p1;20;;7\n".encode()
    response = client.post(
        "/vpr/exams",
        data={"file": (io.BytesIO(bad), "exams.csv")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "строка 2" in response.text and "«Отметка»" in response.text
    assert "«Логин ОО»" in response.text
    assert _count() == 0


def test_the_command_imports_or_refuses(app: Any, world: dict[str, Any], tmp_path: Any) -> None:
    a1 = world["schools"]["a1"].login
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_text(f"{HEADER}\n2024;ЕГЭ;Математика;{a1};p1;50;72;\n", encoding="utf-8")
    bad.write_text(f"{HEADER}\n2024;ЕГЭ;Математика;{a1};p1;50;172;\n", encoding="utf-8")
    runner = app.test_cli_runner()
    region = world["region"].name
    result = runner.invoke(args=["vpr", "exams", "--region", region, str(good)])
    assert result.exit_code == 0, result.output
    assert "1 exam results" in result.output
    refused = runner.invoke(args=["vpr", "exams", "--region", region, str(bad)])
    assert refused.exit_code != 0 and "«Тестовый балл»" in refused.output
