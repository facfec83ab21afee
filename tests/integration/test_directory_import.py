"""The school directory import: all rows or none, with every problem named."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask

from app.extensions import db
from app.models import Organisation, OrgKind
from app.orgs.directory import import_directory
from tests.helpers import Factory
from tests.unit.test_tabular import xlsx_bytes

HEADER = "Логин;Название;Муниципалитет;Тип;Углублённое изучение;Директор;Email;Телефон\n"
GOOD = HEADER + (
    "edu100001;МБОУ «Лицей № 1»;город Энск;лицей;да;Иванова И. И.;l1@example.org;+7 900\n"
    "edu100002;МКОУ «Сосновская ООШ»;Сосновский район;ООШ;нет;;;\n"
    "edu100003;МБОУ «СОШ № 5»;город Энск;СОШ;;Петров П. П.;;\n"
)


def _count(kind: OrgKind) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Organisation).where(Organisation.kind == kind)
    )


def test_import_creates_municipalities_and_schools(make: Factory) -> None:
    region = make.region()
    report = import_directory(GOOD.encode("cp1251"), region=region, actor=None)
    assert report.ok, report.problems
    assert sorted(report.created_municipalities) == ["Сосновский район", "город Энск"]
    assert report.created_schools == ["edu100001", "edu100002", "edu100003"]
    lyceum = db.session.scalars(sa.select(Organisation).filter_by(login="edu100001")).one()
    assert lyceum.specialised is True and lyceum.school_type == "лицей"
    assert lyceum.parent is not None and lyceum.parent.name == "город Энск"
    assert lyceum.region_id == region.id


def test_reimport_updates_changed_schools_only(make: Factory) -> None:
    region = make.region()
    import_directory(GOOD.encode(), region=region, actor=None)
    changed = GOOD.replace("Петров П. П.", "Сидоров С. С.")
    report = import_directory(changed.encode(), region=region, actor=None)
    assert report.ok
    assert report.updated_schools == ["edu100003"]
    assert report.unchanged == 2
    assert report.created_municipalities == []


def test_a_bad_row_rejects_the_whole_file_and_names_row_and_column(make: Factory) -> None:
    region = make.region()
    schools_before = _count(OrgKind.SCHOOL)
    bad = (
        GOOD
        + "edu12;Школа;город Энск;СОШ;может быть;;not-an-email;\n"
        + ("edu100001;Дубль;город Энск;СОШ;нет;;;\n")
    )
    report = import_directory(bad.encode(), region=region, actor=None)
    assert not report.ok
    found = {(p.row, p.column) for p in report.problems}
    assert {(5, "Логин"), (5, "Углублённое изучение"), (5, "Email"), (6, "Логин")} <= found
    assert any("строке 2" in p.message or "row 2" in p.message for p in report.problems)
    assert _count(OrgKind.SCHOOL) == schools_before


def test_missing_column_is_reported(make: Factory) -> None:
    report = import_directory("Логин;Название\nedu1;X\n".encode(), region=make.region(), actor=None)
    assert [(p.column) for p in report.problems] == ["Муниципалитет"]


def test_xlsx_works_and_dry_run_writes_nothing(make: Factory) -> None:
    region = make.region()
    rows = [line.split(";") for line in GOOD.strip().split("\n")]
    report = import_directory(xlsx_bytes(rows), region=region, actor=None, dry_run=True)
    assert report.ok and len(report.created_schools) == 3
    assert db.session.scalar(sa.select(Organisation).filter_by(login="edu100001")) is None


def test_login_of_another_region_is_refused(make: Factory) -> None:
    first, second = make.region(), make.region()
    import_directory(GOOD.encode(), region=first, actor=None)
    report = import_directory(GOOD.encode(), region=second, actor=None)
    assert {p.row for p in report.problems} == {2, 3, 4}


def test_cli_import_and_error_exit(app: Flask, db_session: Any, tmp_path: Path) -> None:
    make_region = Factory().region("Единственная область")
    assert make_region.id
    db_session.commit()
    good, bad = tmp_path / "dir.csv", tmp_path / "bad.csv"
    good.write_text(GOOD, encoding="utf-8")
    bad.write_text(HEADER + "edu1;;;;;;;\n", encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["orgs", "import", str(bad), "--region", "Единственная область"])
    assert result.exit_code == 1
    assert "row 2" in result.output or "строка 2" in result.output
    result = runner.invoke(args=["orgs", "import", str(good), "--region", "Единственная область"])
    assert result.exit_code == 0, result.output
    assert "3 schools created" in result.output
