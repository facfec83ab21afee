"""The import of the mechanisms' figures: a file whole or not at all, each refusal named by its
row and column; the year before's figures become the previous values."""

from __future__ import annotations

import io
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from openpyxl import Workbook

from app.errors import NotAllowed
from app.extensions import db
from app.mechanisms.importing import import_figures
from app.mechanisms.table import region_table
from app.models import AuditEvent, MechanismReport, MechanismValue
from tests.helpers import login

W = dict[str, Any]
HEADER = "Муниципалитет;Критерий;Год;Значение, %"
SEED_002 = "\n".join(
    [
        HEADER,
        "Район А;1.1;2021;60",
        "Район А;1.2;2021;11",
        "Район А;1.1;2022;96",
        "Район А;1.2;2022;93 %",
        "Район Б;1.1;2022;87,5",
    ]
).encode()


def _count(model: Any) -> int:
    return int(db.session.scalar(sa.select(sa.func.count()).select_from(model)))


def test_seed_002_figures_imported_show_their_change(world: W) -> None:
    result = import_figures(
        SEED_002, region=world["region"], actor=world["users"]["ministry"], filename="002.csv"
    )
    assert result.problems == []
    assert (result.rows, result.created, result.changed) == (5, 3, 0)
    table = region_table(world["users"]["ministry"], 2022)
    row = next(r for r in table.rows if r.municipality.id == world["mun_a"].id)
    c11, c12 = table.criteria[0], table.criteria[1]
    assert (row.cell(c11.id).value, row.cell(c11.id).previous, row.cell(c11.id).change) == (
        96,
        60,
        36,
    )
    assert row.cell(c12.id).change == 82 and row.cell(c12.id).previous_from_report
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "mechanisms.saved")
    ).all()
    assert len(events) == 3 and all(e.reason == "Загружено из файла 002.csv" for e in events)
    again = import_figures(SEED_002, region=world["region"], actor=world["users"]["ministry"])
    assert (again.created, again.changed, again.unchanged) == (0, 0, 3)


def test_refusals_name_row_and_column_and_nothing_is_written(world: W, make: Any) -> None:
    make.municipality(world["other_region"], "Район Вне")
    data = "\n".join(
        [
            HEADER,
            "Район А;1.1;2022;96",  # row 2: right
            "Район Неизвестный;1.1;2022;50",  # row 3
            "Район А;1.9;2022;50",  # row 4
            "Район А;1.2;1990;50",  # row 5
            "Район Б;1.2;2022;120",  # row 6
            "Район Б;1.1;2022;0,96",  # row 7: a share, not a percentage
            "Район А;1.1;2022;95",  # row 8: the same as row 2
            "Район Вне;1.1;2022;50",  # row 9: another region's municipality
            "Район Б;1.1;2022;",  # row 10
        ]
    ).encode()
    result = import_figures(data, region=world["region"], actor=world["users"]["ministry"])
    where = {(p.row, p.column) for p in result.problems}
    assert where == {
        (3, "Муниципалитет"),
        (4, "Критерий"),
        (5, "Год"),
        (6, "Значение, %"),
        (7, "Значение, %"),
        (8, "Критерий"),
        (9, "Муниципалитет"),
        (10, "Значение, %"),
    }
    text = [str(p) for p in result.problems]
    assert "строка 5, столбец «Год»: Год должен быть целым числом от 2015 до" in text[2]
    assert any("строка 8" in t and "что и в строке 2" in t for t in text)
    assert any("строка 7" in t and "0,96 записывается как 96" in t for t in text)
    assert _count(MechanismReport) == 0 and _count(MechanismValue) == 0


def test_a_file_without_a_column_is_refused_at_its_header(world: W) -> None:
    result = import_figures(
        "Муниципалитет;Критерий;Год\nРайон А;1.1;2022\n".encode(),
        region=world["region"],
        actor=world["users"]["ministry"],
    )
    assert [(p.row, p.column) for p in result.problems] == [(1, "Значение, %")]
    assert "Нет такого столбца" in str(result.problems[0])


def test_an_xlsx_file_is_read_like_a_csv(world: W) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["Municipality", "Criterion", "Year", "Value"])  # the English aliases
    sheet.append(["Район А", "Система оценки качества подготовки обучающихся", 2022, 96])
    sheet.append(["Район А", 1.2, 2022, 93.0])
    sheet.append(["Район Б", "1.1", "2022", 101])
    out = io.BytesIO()
    book.save(out)
    result = import_figures(
        out.getvalue(), region=world["region"], actor=world["users"]["ministry"]
    )
    assert [(p.row, p.column) for p in result.problems] == [(4, "Значение, %")]
    fixed = io.BytesIO()
    sheet.delete_rows(4)
    book.save(fixed)
    result = import_figures(
        fixed.getvalue(), region=world["region"], actor=world["users"]["ministry"]
    )
    assert result.problems == [] and result.created == 1
    values = sorted(float(v) for v in db.session.scalars(sa.select(MechanismValue.value)))
    assert values == [93.0, 96.0]


def test_a_dry_run_writes_nothing(world: W) -> None:
    result = import_figures(
        SEED_002, region=world["region"], actor=world["users"]["ministry"], dry_run=True
    )
    assert result.problems == [] and result.created == 3
    assert _count(MechanismReport) == 0


def test_only_the_regions_ministry_imports(world: W) -> None:
    for role in ("municipal_a", "auditor", "ministry_x"):
        with pytest.raises(NotAllowed):
            import_figures(SEED_002, region=world["region"], actor=world["users"][role])


def test_the_import_page_previews_then_writes(client: FlaskClient, world: W) -> None:
    login(client, world["users"]["ministry"])
    preview = client.post(
        "/mechanisms/import",
        data={"file": (io.BytesIO(SEED_002), "002.csv"), "preview": "1"},
        content_type="multipart/form-data",
    )
    assert "Отчётов будет создано: 3" in preview.text
    assert _count(MechanismReport) == 0
    token = preview.text.split('name="token" value="', 1)[1].split('"', 1)[0]
    done = client.post(
        "/mechanisms/import", data={"token": token, "filename": "002.csv", "confirm": "1"}
    )
    assert done.status_code == 302
    assert _count(MechanismReport) == 3
    bad = client.post(
        "/mechanisms/import",
        data={"file": (io.BytesIO(f"{HEADER}\nРайон А;1.1;2022;abc".encode()), "b.csv")},
        content_type="multipart/form-data",
    )
    assert "строка 2, столбец «Значение, %»" in bad.text
    client.post("/logout", data={})
    login(client, world["users"]["municipal_a"])
    assert client.get("/mechanisms/import").status_code == 403
