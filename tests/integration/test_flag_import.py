"""Importing flag lists: the real federal list, duplicates, unknown schools, all or nothing."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from app.extensions import db
from app.models import AuditEvent, Campaign, Case, Category, Organisation
from app.workflows.flags import import_flags
from tests.helpers import REAL_FLAG_LIST, Factory

HEADER = "Год;Логин;Муниципалитет;ОО;4 РУ;4 МА;5 РУ;5 МА;Количество маркеров"


def _cases_per_year() -> dict[int, int]:
    rows = db.session.execute(
        sa.select(Campaign.vpr_year, sa.func.count(Case.id))
        .join(Case, Case.campaign_id == Campaign.id)
        .group_by(Campaign.vpr_year)
    )
    return dict(rows.tuples().all())


@pytest.fixture
def region(make: Factory) -> Organisation:
    return make.region("Республика Дагестан")


def test_the_real_federal_list_imports_cleanly(region: Organisation) -> None:
    if not REAL_FLAG_LIST.exists():
        pytest.fail(f"the real list is missing: {REAL_FLAG_LIST}")
    data = REAL_FLAG_LIST.read_bytes()
    report = import_flags(data, region=region, actor=None)
    assert report.ok, report.problems[:5]
    assert report.rows == 599
    assert report.marker_columns == ["4 РУ", "4 МА", "5 РУ", "5 МА"]
    assert len(report.merged_duplicates) == 148  # the 2024 block is duplicated row for row
    assert len(report.schools_created) == 341
    assert len(report.municipalities_created) == 53
    assert _cases_per_year() == {2023: 159, 2024: 148, 2025: 144}
    three_years = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Case.school_id))).where(Case.contract_review)
    )
    assert three_years == 17
    flagged_2025 = db.session.scalars(
        sa.select(Case).join(Campaign).where(Campaign.vpr_year == 2025, Case.contract_review)
    ).all()
    assert len(flagged_2025) == 17
    assert all(c.years_on_list == 3 for c in flagged_2025)

    events = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    again = import_flags(data, region=region, actor=None)
    assert again.ok
    assert (again.cases_created, again.cases_updated, again.unchanged) == ([], [], 451)
    assert again.schools_created == [] and again.campaigns_created == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == events


def test_conflicting_duplicates_reject_the_file_naming_both_rows(region: Organisation) -> None:
    text = "\n".join(
        [
            HEADER,
            "2024;edu000001;Район;Школа 1;1;0;0;0;1",
            "2024;edu000002;Район;Школа 2;0;1;0;0;1",
            "2024;edu000001;Район;Школа 1;1;1;0;0;2",
        ]
    )
    report = import_flags(text.encode(), region=region, actor=None)
    assert not report.ok
    assert report.problems[0].row == 4
    assert "2" in report.problems[0].message and "4" in report.problems[0].message
    assert _cases_per_year() == {}


def test_bad_values_are_reported_by_row_and_column(region: Organisation) -> None:
    text = "\n".join(
        [
            HEADER,
            "2024;edu000001;Район;Школа 1;1;0;0;0;2",
            "20x4;edu000002;Район;Школа 2;0;1;0;0;1",
            "2024;edu3;Район;Школа 3;0;7;0;0;1",
        ]
    )
    report = import_flags(text.encode("cp1251"), region=region, actor=None)
    found = {(p.row, p.column) for p in report.problems}
    assert found == {
        (2, "Количество маркеров"),
        (3, "Год"),
        (4, "Логин"),
        (4, "4 МА"),
        (4, "Количество маркеров"),
    }
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Organisation)
            .where(Organisation.login.like("edu00000%"))
        )
        == 0
    )


def test_categories_levels_and_unknown_schools(region: Organisation, make: Factory) -> None:
    municipality = make.municipality(region, "Район")
    known = make.school(municipality, login="edu000009", name="Известная школа")
    text = "\n".join(
        [
            HEADER + ";Категория;Уровень сопровождения",
            "2024;edu000009;Район;Известная школа;1;0;0;0;1;необъективность;3",
            "2024;edu000009;Район;Известная школа;0;0;0;0;0;ШНОР;2",
            "2024;edu000010;Новый район;Новая школа;0;0;1;0;1;;",
        ]
    )
    report = import_flags(text.encode(), region=region, actor=None)
    assert report.ok, report.problems
    assert report.schools_created == ["edu000010"]
    assert report.municipalities_created == ["Новый район"]
    cases = db.session.scalars(sa.select(Case).where(Case.school_id == known.id)).all()
    assert {(c.category, c.support_level) for c in cases} == {
        (Category.OBJECTIVITY, 3),
        (Category.LOW_RESULTS, 2),
    }
    low = next(c for c in cases if c.category is Category.LOW_RESULTS)
    assert low.stage == "diagnostics"  # the ШНОР plan's first milestone with something owed
    assert {o.obligation_type[:3] for o in low.obligations} == {"ch_"}
    objectivity = next(c for c in cases if c.category is Category.OBJECTIVITY)
    assert "k_recheck_regional" in {o.obligation_type for o in objectivity.obligations}


def test_dry_run_writes_nothing(region: Organisation) -> None:
    text = HEADER + "\n2024;edu000001;Район;Школа 1;1;0;0;0;1\n"
    report = import_flags(text.encode(), region=region, actor=None, dry_run=True)
    assert report.ok and len(report.cases_created) == 1 and report.campaigns_created == [2024]
    assert _cases_per_year() == {}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Campaign)) == 0


def test_cli_flags_import(app: Flask, db_session: Any, tmp_path: Any) -> None:
    Factory().region("Единственная")
    db_session.commit()
    good = tmp_path / "list.csv"
    good.write_text(HEADER + "\n2024;edu000001;Район;Школа 1;1;0;0;0;1\n", encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "\n2024;edu000001;Район;Школа 1;1;0;0;0;3\n", encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["flags", "import", str(bad), "--region", "Единственная"])
    assert result.exit_code == 1
    assert "Количество маркеров" in result.output
    result = runner.invoke(
        args=["flags", "import", str(good), "--region", "Единственная", "--dry-run"]
    )
    assert result.exit_code == 0 and "1 cases created" in result.output
    assert _cases_per_year() == {}
    result = runner.invoke(args=["flags", "import", str(good), "--region", "Единственная"])
    assert result.exit_code == 0, result.output
    assert _cases_per_year() == {2024: 1}
