"""Sources of markers kept apart: approving the region's proposed list adds its markers beside
a federal case's FIOKO markers, school by school, with the reason of each drop or addition."""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa

from app.analytics.synthetic import csv_bytes, generate_region
from app.errors import Conflict
from app.extensions import db
from app.models import AuditEvent, Case, Organisation, Role
from app.orgs.directory import import_directory
from app.vpr import signs
from app.vpr.importer import import_results, read_specs
from app.workflows.flags import import_flags
from tests.helpers import Factory


@pytest.fixture
def run_with_federal_case(make: Factory) -> dict[str, Any]:
    synthetic = generate_region(schools=60, seed=11, year=2024)
    region = make.region("Синтетическая область")
    assert import_directory(csv_bytes(synthetic.directory), region=region, actor=None).ok
    read_specs(json.dumps([s.to_dict() for s in synthetic.specs], ensure_ascii=False).encode())
    for year in sorted(synthetic.results):
        assert import_results(csv_bytes(synthetic.results[year]), region=region, actor=None).ok
    year = max(synthetic.results)
    run = signs.compute_run(region, year, actor=None)
    proposed = signs.proposed(run, region)
    assert len(proposed) >= 3
    first = proposed.iloc[0]
    federal = (
        "Год;Логин;Муниципалитет;ОО;4 РУ;5 РУ;Количество маркеров\n"
        f"{year};{first['Логин']};{first['Муниципалитет']};{first['ОО']};1;1;2\n"
    ).encode()
    assert import_flags(federal, region=region, actor=None).ok
    ministry = make.user(Role.MINISTRY, region)
    return {"region": region, "run": run, "proposed": proposed, "ministry": ministry}


def _case(login: str) -> Case:
    return db.session.scalars(
        sa.select(Case).join(Case.school).where(Organisation.login == login)
    ).one()


def test_a_federal_case_keeps_its_fioko_markers_after_a_regional_approval(
    run_with_federal_case: dict[str, Any],
) -> None:
    w = run_with_federal_case
    logins = list(w["proposed"]["Логин"])
    federal_login, added, dropped = logins[0], logins[1], logins[2]
    regional = {c: int(v) for c, v in w["proposed"].iloc[0].items() if c[:1].isdigit() and v == 1}
    report = signs.approve(
        w["run"],
        w["region"],
        actor=w["ministry"],
        logins=[federal_login, added],
        reasons={federal_login: "подтверждено анализом региона", dropped: "профильная школа"},
        dropped={dropped: "профильная школа"},
    )
    assert report.ok, report.problems
    case = _case(federal_login)
    assert case.markers == {"4 РУ": 1, "5 РУ": 1}  # the federal markers as they were
    assert {k: v for k, v in case.regional_markers.items() if v} == regional
    assert case.marker_count == len(set(case.markers) | set(regional))
    assert _case(added).markers == {} and _case(added).regional_markers
    assert not db.session.scalars(
        sa.select(Case).join(Case.school).where(Organisation.login == dropped)
    ).first()
    event = db.session.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.case_id == case.id, AuditEvent.action == "case.regional_markers"
        )
    ).one()
    assert event.after["reason"] == "подтверждено анализом региона"
    assert event.after["federal_markers"] == {"4 РУ": 1, "5 РУ": 1}
    decisions = w["run"].decisions
    assert decisions[dropped] == {
        **decisions[dropped],
        "decision": "dropped",
        "reason": "профильная школа",
    }
    assert decisions[added]["decision"] == "added"

    # the rest of the list later; a decided school cannot be decided twice
    rest = [login for login in logins if login not in decisions]
    if rest:
        assert signs.approve(w["run"], w["region"], actor=w["ministry"]).ok
        assert set(w["run"].decisions) == set(logins)
    with pytest.raises(Conflict):
        signs.approve(w["run"], w["region"], actor=w["ministry"], logins=[added])

    # a later federal list changes the federal markers only
    year = w["run"].year
    row = w["proposed"].iloc[0]
    again = (
        "Год;Логин;Муниципалитет;ОО;4 РУ;5 РУ;Количество маркеров\n"
        f"{year};{row['Логин']};{row['Муниципалитет']};{row['ОО']};1;0;1\n"
    ).encode()
    assert import_flags(again, region=w["region"], actor=None).ok
    assert _case(federal_login).markers == {"4 РУ": 1, "5 РУ": 0}
    assert {k: v for k, v in _case(federal_login).regional_markers.items() if v} == regional


def test_the_page_approves_ticked_schools_and_drops_one_with_its_reason(
    client: Any, run_with_federal_case: dict[str, Any]
) -> None:
    from tests.helpers import login

    w = run_with_federal_case
    run, logins = w["run"], list(w["proposed"]["Логин"])
    login(client, w["ministry"])
    page = client.get(f"/vpr/signs/{run.id}")
    assert f'name="reason-{logins[0]}"' in page.text
    response = client.post(
        f"/vpr/signs/{run.id}/approve",
        data={"per_school": "1", "school": [logins[0]], f"reason-{logins[1]}": "малая школа"},
    )
    assert response.status_code == 200, response.text
    db.session.refresh(run)
    assert run.decisions[logins[0]]["decision"] == "added"
    assert run.decisions[logins[1]] == {**run.decisions[logins[1]], "reason": "малая школа"}
    assert logins[2] not in run.decisions  # neither ticked nor dropped: decided later
    assert _case(logins[0]).markers == {"4 РУ": 1, "5 РУ": 1}
    again = client.get(f"/vpr/signs/{run.id}")
    assert "малая школа" in again.text and "исключена" in again.text
