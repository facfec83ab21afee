"""VPR results in the database: import all or nothing, replace, signs, approval into cases."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa
from flask import Flask

from app.analytics.synthetic import csv_bytes, generate_region
from app.extensions import db
from app.models import Case, Organisation, Role, SignRun, VprResult
from app.orgs.directory import import_directory
from app.vpr import signs, store
from app.vpr.importer import import_results, read_specs
from tests.helpers import Factory


@pytest.fixture(scope="module")
def synthetic() -> Any:
    return generate_region(schools=40, seed=5, year=2024)


@pytest.fixture
def loaded(make: Factory, synthetic: Any) -> dict[str, Any]:
    """A region with the synthetic directory, specs of both years and both years' results."""
    region = make.region("Синтетическая область")
    directory = csv_bytes(synthetic.directory)
    assert import_directory(directory, region=region, actor=None).ok
    specs = [s.to_dict() for s in synthetic.specs]
    read_specs(json.dumps(specs, ensure_ascii=False).encode())
    for year in sorted(synthetic.results):
        outcome = import_results(csv_bytes(synthetic.results[year]), region=region, actor=None)
        assert outcome.ok, outcome.problems[:3]
    return {"region": region, "synthetic": synthetic}


def _rows() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(VprResult))


def test_results_round_trip_through_the_database(loaded: dict[str, Any]) -> None:
    synthetic, region = loaded["synthetic"], loaded["region"]
    year = max(synthetic.results)
    original = synthetic.results[year]
    assert _rows() == sum(len(f) for f in synthetic.results.values())
    frame = store.load_frame(region, [year])
    assert len(frame) == len(original)
    assert int(frame["score"].sum()) == int(original["Первичный балл"].astype(int).sum())
    task_columns = [c for c in frame.columns if c.startswith("task_")]
    assert task_columns
    # The task scores add up to the primary score, row by row, after the round trip.
    totals = frame[task_columns].fillna(0).astype(int).sum(axis=1)
    assert (totals == frame["score"].astype(int)).all()


def test_reimport_replaces_the_same_works(loaded: dict[str, Any]) -> None:
    synthetic, region = loaded["synthetic"], loaded["region"]
    year = max(synthetic.results)
    before = _rows()
    outcome = import_results(csv_bytes(synthetic.results[year]), region=region, actor=None)
    assert outcome.ok
    assert outcome.replaced == len(synthetic.results[year])
    assert _rows() == before


def test_malformed_files_are_refused_and_change_nothing(loaded: dict[str, Any]) -> None:
    synthetic, region = loaded["synthetic"], loaded["region"]
    year = max(synthetic.results)
    good = synthetic.results[year]
    before = _rows()
    broken = good.copy()
    broken.loc[broken.index[3], "Первичный балл"] = (
        int(broken.loc[broken.index[3], "Первичный балл"]) + 1
    )
    outcome = import_results(csv_bytes(broken), region=region, actor=None)
    assert not outcome.ok
    assert [(p.row, p.column) for p in outcome.problems][:1] == [(5, "Первичный балл")]
    missing = good.drop(columns=["Отметка"])
    outcome = import_results(csv_bytes(missing), region=region, actor=None)
    assert any(p.column == "Отметка" for p in outcome.problems)
    wrong_encoding = csv_bytes(good).decode("utf-8-sig").encode("utf-16")
    outcome = import_results(wrong_encoding, region=region, actor=None)
    assert not outcome.ok and outcome.problems
    assert _rows() == before


def test_unknown_schools_are_created_and_reported(make: Factory, synthetic: Any) -> None:
    region = make.region("Пустая область")
    read_specs(json.dumps([s.to_dict() for s in synthetic.specs], ensure_ascii=False).encode())
    year = min(synthetic.results)
    outcome = import_results(csv_bytes(synthetic.results[year]), region=region, actor=None)
    assert outcome.ok
    assert len(outcome.new_schools) == synthetic.results[year]["Логин ОО"].nunique()
    created = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Organisation)
        .where(Organisation.region_id == region.id, Organisation.login.is_not(None))
    )
    assert created == len(outcome.new_schools)


def test_signs_run_and_approval_open_the_cases(loaded: dict[str, Any]) -> None:
    synthetic, region = loaded["synthetic"], loaded["region"]
    year = max(synthetic.results)
    run = signs.compute_run(region, year, actor=None)
    assert run.rules and all("version" in r for r in run.rules.values())
    proposed = signs.proposed(run, region)
    flagged = set(proposed["Логин"]) if not proposed.empty else set()
    assert run.schools == len(flagged)
    for login in flagged:
        assert signs.evidence_of(run, login), f"{login} has a marker without evidence"
    ministry = Factory().user(Role.MINISTRY, region)
    report = signs.approve(run, region, actor=ministry)
    assert report.ok
    cases = db.session.scalars(
        sa.select(Case).where(Case.school.has(Organisation.region_id == region.id))
    ).all()
    assert {c.school.login for c in cases} == flagged
    assert run.approved_at is not None
    assert db.session.get(SignRun, run.id).approved_by_id == ministry.id


def test_each_school_reads_its_own_part_of_the_run(loaded: dict[str, Any]) -> None:
    """A case page asks for one school: it gets that school's evidence and works, the same as
    filtering the region's whole run, in one query, without loading the region's lists."""
    region = loaded["region"]
    year = max(loaded["synthetic"].results)
    run = signs.compute_run(region, year, actor=None)
    db.session.commit()
    logins = sorted({m["school_login"] for m in run.markers})
    flagged = sorted({e["school_login"] for e in run.evidence})
    assert flagged and len(flagged) < len(logins)
    whole_evidence, whole_markers = list(run.evidence), list(run.markers)
    db.session.expire_all()
    fresh = signs.latest_run(region, year)
    assert fresh is not None
    assert "evidence" not in fresh.__dict__ and "markers" not in fresh.__dict__  # deferred
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", seen)
    try:
        for login in logins:
            statements.clear()
            evidence, works = signs.evidence_of(fresh, login), signs.works_of(fresh, login)
            assert len(statements) == 1, statements
            assert evidence == [e for e in whole_evidence if e["school_login"] == login]
            assert works == [m for m in whole_markers if m["school_login"] == login]
            statements.clear()
            row = signs.school_run(region.id, year, login)  # the case page's: run and part
            assert len(statements) == 1, statements
            assert row is not None and (row.id, row.year) == (fresh.id, year)
            assert row.created_at == fresh.created_at
            assert (row.evidence or []) == evidence and (row.markers or []) == works
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", seen)
    assert "evidence" not in fresh.__dict__
    assert signs.evidence_of(fresh, "edu999999") == []
    unknown = signs.school_run(region.id, year, "edu999999")
    assert unknown is not None and unknown.evidence is None and unknown.markers is None
    assert signs.school_run(region.id, year + 5, logins[0]) is None


def test_cli_demo_vpr_import_and_signs(app: Flask, db_session: Any, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    out = tmp_path / "region"
    result = runner.invoke(
        args=["demo", "vpr", str(out), "--schools", "30", "--seed", "2", "--year", "2024"]
    )
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} >= {
        "vpr_2024.csv",
        "vpr_2025.csv",
        "specs_2024.json",
        "schools.csv",
        "truth.csv",
    }
    Factory().region("Единственная")
    db_session.commit()
    assert (
        runner.invoke(
            args=["orgs", "import", str(out / "schools.csv"), "--region", "Единственная"]
        ).exit_code
        == 0
    )
    result = runner.invoke(
        args=[
            "vpr",
            "import",
            "--region",
            "Единственная",
            "--spec",
            str(out / "specs_2024.json"),
            "--spec",
            str(out / "specs_2025.json"),
            str(out / "vpr_2024.csv"),
            str(out / "vpr_2025.csv"),
        ]
    )
    assert result.exit_code == 0, result.output
    proposed, evidence = tmp_path / "proposed.csv", tmp_path / "evidence.json"
    result = runner.invoke(
        args=[
            "vpr",
            "signs",
            "--region",
            "Единственная",
            "--year",
            "2025",
            "--out",
            str(proposed),
            "--evidence",
            str(evidence),
        ]
    )
    assert result.exit_code == 0, result.output
    header = proposed.read_text(encoding="utf-8-sig").splitlines()[0].split(";")
    assert header[:4] == ["Год", "Логин", "Муниципалитет", "ОО"]
    assert "Количество маркеров" in header
    assert isinstance(json.loads(evidence.read_text(encoding="utf-8")), list)


def test_cli_national_file_gives_each_region_its_own_list(
    app: Flask, db_session: Any, tmp_path: Path
) -> None:
    """A file of two regions' schools: each region gets the list its rows alone give."""
    from app.analytics.proposed import proposed_list
    from app.analytics.signs import compute_signs
    from app.analytics.spec import specs_to_json
    from app.analytics.vpr import read_vpr

    frames, names, regions = [], {}, []
    for k, (region_name, size) in enumerate((("Первая область", 40), ("Вторая область", 30))):
        synthetic = generate_region(size, seed=40 + k, year=2024, spec_seed=3)
        new = {s.login: f"edu{200000 + 1000 * k + i}" for i, s in enumerate(synthetic.schools)}
        directory = synthetic.directory.assign(
            Логин=synthetic.directory["Логин"].map(new),
            Email=[f"{v}@school.example" for v in synthetic.directory["Логин"].map(new)],
        )
        region = Factory().region(region_name)
        assert import_directory(csv_bytes(directory), region=region, actor=None).ok
        frames += [
            f.assign(**{"Логин ОО": f["Логин ОО"].map(new)}) for f in synthetic.results.values()
        ]
        names.update(dict.fromkeys(new.values(), region_name))
        regions.append(region)
    db_session.commit()
    national = pd.concat(frames, ignore_index=True).sort_values(
        ["Год", "Предмет", "Параллель"], kind="stable"
    )
    source, specs_file, out = tmp_path / "national.csv", tmp_path / "specs.json", tmp_path / "lists"
    source.write_bytes(csv_bytes(national))
    specs_file.write_text(specs_to_json(synthetic.specs), "utf-8")
    result = app.test_cli_runner().invoke(
        args=[
            "vpr",
            "national",
            "--year",
            "2025",
            "--spec",
            str(specs_file),
            "--out",
            str(out),
            str(source),
        ]
    )
    assert result.exit_code == 0, result.output
    frame = read_vpr(source.read_bytes(), synthetic.specs).frame
    for region in regions:
        written = pd.read_csv(out / f"{region.name}.csv", sep=";", dtype=str, encoding="utf-8-sig")
        schools = db.session.execute(
            sa.select(Organisation.login, Organisation.name, Organisation.specialised).where(
                Organisation.region_id == region.id, Organisation.login.is_not(None)
            )
        ).all()
        logins = {s.login for s in schools}
        alone = frame[frame["school_login"].astype("str").isin(logins).to_numpy()]
        expected = proposed_list(
            compute_signs(
                alone.reset_index(drop=True),
                synthetic.specs,
                year=2025,
                specialised=[s.login for s in schools if s.specialised],
            ).markers
        )
        assert len(written) > 0 and set(written["Логин"]) <= logins
        assert sorted(written["Логин"]) == sorted(expected["Логин"])
        assert f"{region.name}: " in result.output
