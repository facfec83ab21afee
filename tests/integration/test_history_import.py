"""Importing past years as history, and a new year's list closing last year's open cases."""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask

from app.extensions import db
from app.models import (
    AuditEvent,
    Campaign,
    Case,
    CaseStatus,
    Obligation,
    Organisation,
    OrgKind,
    Role,
)
from app.models.plan import NextListRule
from app.plans.service import plan_of
from app.workflows.flags import Opening, import_flags
from tests.helpers import REAL_FLAG_LIST, Factory


def _by_year() -> dict[int, list[Case]]:
    out: dict[int, list[Case]] = {}
    for case, year in db.session.execute(
        sa.select(Case, Campaign.vpr_year).join(Campaign, Campaign.id == Case.campaign_id)
    ):
        out.setdefault(year, []).append(case)
    return out


def test_the_real_list_with_a_live_year_records_the_earlier_years_as_history(
    app: Flask, db_session: Any, tmp_path: Path
) -> None:
    region = Factory().region("Республика Дагестан")
    db_session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "flags",
            "import",
            str(REAL_FLAG_LIST),
            "--region",
            region.name,
            "--live-year",
            "2025",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "307 recorded as history" in result.output
    cases = _by_year()
    assert {year: len(c) for year, c in cases.items()} == {2023: 159, 2024: 148, 2025: 144}
    for year in (2023, 2024):
        assert {c.status for c in cases[year]} <= {CaseStatus.RESOLVED, CaseStatus.ESCALATED}
        assert all(not c.obligations for c in cases[year]), year
    # Escalated exactly when the school is on the next year's list again.
    logins = {year: {c.school.login for c in cases[year]} for year in cases}
    for case in cases[2023]:
        escalated = case.school.login in logins[2024]
        assert (case.status is CaseStatus.ESCALATED) == escalated
    assert {c.status for c in cases[2025]} == {CaseStatus.OPEN}
    assert all(c.obligations for c in cases[2025])
    assert sum(c.contract_review for c in cases[2025]) == 17
    assert max(c.years_on_list for c in cases[2025]) == 3

    # People to be told: the ministry and every municipality's authority.
    make = Factory()
    make.user(Role.MINISTRY, region)
    for municipality in db.session.scalars(
        sa.select(Organisation).where(Organisation.kind == OrgKind.MUNICIPALITY)
    ):
        make.user(Role.MUNICIPAL, municipality)
    db_session.commit()
    result = runner.invoke(args=["deadlines", "sweep", "--now", "2026-12-28", "--no-mail"])
    assert result.exit_code == 0, result.output
    history = {c.id for year in (2023, 2024) for c in cases[year]}
    out = tmp_path / "notices.csv"
    result = runner.invoke(args=["notices", "export", "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    told = {int(c) for r in rows for c in r["case"].split()}
    assert told and not told & history  # nothing about the closed history
    assert {r["year"] for r in rows} == {"2025"}
    escalations = Counter((r["recipient"], r["measure"]) for r in rows if r["kind"] == "escalation")
    assert escalations and max(escalations.values()) == 1  # one escalation a person and measure
    ministry_rows = [
        r for r in rows if r["kind"] == "escalation" and r["recipient_org"] == region.name
    ]
    causes = next(r for r in ministry_rows if r["measure"] == "k_causes")
    assert len(causes["case"].split()) == 144  # every live case the municipal acts block


def test_a_new_years_list_closes_last_years_open_cases_by_the_plans_rule(
    world: dict[str, Any],
) -> None:
    region, ministry = world["region"], world["users"]["ministry"]
    a1, a2, b1 = (world["schools"][k] for k in ("a1", "a2", "b1"))
    header = "Год;Логин;Муниципалитет;ОО;4 РУ;Количество маркеров"

    def row(year: int, school: Any) -> str:
        return f"{year};{school.login};{school.parent.name};{school.name};1;1"

    first = "\n".join([header, row(2023, a1), row(2023, a2), row(2023, b1)]) + "\n"
    assert import_flags(first.encode(), region=region, actor=ministry).ok
    second = "\n".join([header, row(2024, a1)]) + "\n"
    report = import_flags(second.encode(), region=region, actor=ministry, opening=Opening())
    assert report.ok, report.problems
    cases = {c.school_id: c for c in _by_year()[2023]}
    again = cases[a1.id]
    assert again.status is CaseStatus.ESCALATED and again.stage == "closed"
    assert {o.status.value for o in again.obligations} == {"waived"}
    event = db.session.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.case_id == again.id, AuditEvent.action == "case.action"
        )
    ).one()
    assert "ВПР-2024" in (event.reason or "")
    # The default rule leaves the others at work …
    assert cases[a2.id].status is CaseStatus.OPEN and cases[b1.id].status is CaseStatus.OPEN
    # … «escalate_and_close» closes them when the next list comes.
    plan_of(cases[a2.id].campaign).next_list_rule = NextListRule.ESCALATE_AND_CLOSE
    third = "\n".join([header, row(2024, a1)]) + "\n"
    import_flags(third.encode(), region=region, actor=ministry)
    assert cases[a2.id].status is CaseStatus.RESOLVED
    assert cases[b1.id].status is CaseStatus.RESOLVED
    owed = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Obligation)
        .where(Obligation.case_id == cases[a2.id].id, Obligation.status == "open")
    )
    assert owed == 0
