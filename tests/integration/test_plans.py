"""Campaign plans as data: the real flag list opened on the Kaliningrad template with its order,
the plan's workbook out and back, the ministry's and a municipality's edits carried to the open
obligations with their history, and the two commands the checks use."""

from __future__ import annotations

import csv
import io
import random
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import sqlalchemy as sa
from flask import Flask

from app.demo.answers import People
from app.demo.walk import work
from app.errors import InvalidInput, NotAllowed
from app.extensions import db
from app.models import AuditEvent, Campaign, Case, Category, Obligation, ObligationStatus
from app.models.plan import PlanVersion
from app.models.user import Role
from app.plans import service
from app.plans.dates import before, by
from app.plans.measures import from_row
from app.plans.xlsx import HUMAN, MACHINE, from_xlsx, to_xlsx
from app.workflows import obligations as ops
from app.workflows import replan
from tests.helpers import REAL_FLAG_LIST, Factory, hand_in, open_test_case

# The seed's terms for 2023/24 (order 1592/1, letter 14164, постановление 998), each moved to a
# working day: «по апрель» ends on 30.04.2024, a day off, so the sessions run to 02.05.2024.
SEED_TERMS = {
    date(2023, 11, 30),  # recheck
    date(2023, 12, 25),  # municipal acts
    date(2024, 1, 16),  # the school's certificate and indicator form («до 16 января»)
    date(2024, 1, 22),  # the director evaluation
    date(2024, 5, 2),  # strategic sessions «с 15 февраля по апрель»
}


def _measure(campaign: Campaign, key: str) -> Any:
    return next(r for r in service.plan_of(campaign).measures if r.key == key)


def _of(case: Case, key: str) -> Obligation:
    return next(o for o in case.obligations if o.obligation_type == key)


def test_the_real_list_on_the_kaliningrad_plan_with_order_1592_1(
    app: Flask, db_session: Any, tmp_path: Path
) -> None:
    region = Factory().region("Калининградская область")
    db_session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "flags",
            "import",
            str(REAL_FLAG_LIST),
            "--region",
            region.name,
            "--plan",
            "kaliningrad_objectivity",
            "--order-number",
            "1592/1",
            "--order-date",
            "2023-11-03",
        ]
    )
    assert result.exit_code == 0, result.output
    campaign = db.session.scalars(sa.select(Campaign).where(Campaign.vpr_year == 2023)).one()
    assert (campaign.order_number, campaign.order_date) == ("1592/1", date(2023, 11, 3))
    assert service.plan_of(campaign).template_key == "kaliningrad_objectivity"
    cases = db.session.scalars(
        sa.select(Case).where(
            Case.campaign_id == campaign.id, Case.category == Category.OBJECTIVITY
        )
    ).all()
    assert len(cases) > 100
    assert {c.opened_on for c in cases} == {date(2023, 11, 3)}
    dated = {o.due_date for c in cases for o in c.obligations if o.due_date}
    assert dated == SEED_TERMS
    for case in cases:  # every measure of its level, from the import on
        keys = {o.obligation_type for o in case.obligations}
        assert {"k_certificate", "k_director_form", "k_director_evaluation"} <= keys
        assert ("k_recheck" in keys) == (case.support_level in (2, None))
        assert ("k_recheck_regional" in keys) == (case.support_level == 3)
    later = db.session.scalars(sa.select(Campaign).where(Campaign.vpr_year > 2023)).all()
    assert [c.order_number for c in later] == [None, None]  # the order is 2023's

    out = tmp_path / "obligations.csv"
    result = runner.invoke(
        args=["obligations", "export", "--out", str(out), "--campaign", str(campaign.id)]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert list(rows[0]) == [
        "case",
        "year",
        "campaign",
        "school_login",
        "track",
        "support_level",
        "measure",
        "responsible_level",
        "opened_on",
        "due_on",
        "status",
        "done_on",
    ]
    assert len(rows) == sum(len(c.obligations) for c in cases) + sum(
        len(c.obligations)
        for c in db.session.scalars(
            sa.select(Case).where(
                Case.campaign_id == campaign.id, Case.category != Category.OBJECTIVITY
            )
        )
    )
    assert {r["year"] for r in rows} == {"2023"}
    evaluation = next(r for r in rows if r["measure"].startswith("Оценка эффективности"))
    assert evaluation["due_on"] == "2024-01-22" and evaluation["opened_on"] == "2023-11-03"
    assert evaluation["responsible_level"] == "municipality" and evaluation["status"] == "open"


def test_an_earliest_walk_of_a_real_case_has_nothing_late(
    app: Flask, db_session: Any, make: Factory
) -> None:
    from app.workflows.flags import Opening, import_flags

    region = make.region("Калининградская область")
    report = import_flags(
        REAL_FLAG_LIST.read_bytes(),
        region=region,
        actor=None,
        opening=Opening("kaliningrad_objectivity", "1592/1", date(2023, 11, 3)),
    )
    assert report.ok, report.problems[:3]
    case = db.session.scalars(
        sa.select(Case)
        .join(Campaign)
        .where(Campaign.vpr_year == 2023, Case.category == Category.OBJECTIVITY)
        .order_by(Case.id)
    ).first()
    assert case is not None
    ministry = make.user(Role.MINISTRY, region)
    make.user(Role.SCHOOL, case.school)
    make.user(Role.MUNICIPAL, case.municipality)
    work(case, People.of(case, ministry), date(2024, 6, 30), random.Random(5), earliest=True)
    assert [o.obligation_type for o in case.obligations if o.required and not o.is_done()] == []
    assert [o.obligation_type for o in case.obligations if o.done_on_time() is False] == []


def test_the_plan_round_trips_through_its_workbook(world: dict[str, Any]) -> None:
    case = open_test_case(world["schools"]["a1"])
    plan = service.plan_of(case.campaign)
    before_export = service.export(plan)
    data = to_xlsx(plan)
    parsed = from_xlsx(data)
    assert parsed.problems == []
    assert [m.key for m in parsed.measures] == [r.key for r in plan.measures]
    assert parsed.measures == [from_row(r) for r in plan.measures]
    result = replan.import_plan(
        case.campaign, data, actor=world["users"]["ministry"], reason="Без изменений"
    )
    assert result.problems == [] and result.replaced is not None and not result.replaced.any
    assert service.export(plan) == before_export and plan.version == 1
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert [c.value for c in sheet[3]] == [*HUMAN, *MACHINE]  # the roadmap's columns first


def test_an_edit_of_the_words_in_the_workbook_moves_the_open_obligations(
    world: dict[str, Any],
) -> None:
    ministry, municipal = world["users"]["ministry"], world["users"]["municipal_a"]
    first = open_test_case(world["schools"]["a1"])
    second = open_test_case(world["schools"]["b1"])
    done = _of(first, "k_certificate")
    hand_in(done, world["users"]["school_a1"])
    ops.review(done.id, accept=True, actor=municipal, expected_version=None)
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(service.plan_of(first.campaign))))
    sheet = book.active
    header = [c.value for c in sheet[3]]
    for row in sheet.iter_rows(min_row=4):
        if row[header.index("Ключ")].value == "k_certificate":
            row[header.index("Сроки")].value = "до 20.01.2024"  # the official edits the words
    buffer = io.BytesIO()
    book.save(buffer)
    result = replan.import_plan(
        first.campaign, buffer.getvalue(), actor=ministry, reason="Письмо № 15 от 10.01.2024"
    )
    assert result.problems == [] and result.replaced.changed == ["k_certificate"]
    pending = _of(second, "k_certificate")
    assert pending.due_date == date(2024, 1, 22)  # 20.01.2024 is a Saturday
    assert done.due_date == date(2024, 1, 16)  # done: its term stays as it was
    moved = db.session.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.object_id == pending.id, AuditEvent.action == "obligation.due_changed"
        )
    ).one()
    assert moved.reason == "Письмо № 15 от 10.01.2024"
    assert moved.before == {"due_date": "2024-01-16"} and moved.after["due_date"] == "2024-01-22"
    sheet.cell(row=4, column=3).value = "к середине зимы"
    bad = io.BytesIO()
    book.save(bad)
    refused = replan.import_plan(first.campaign, bad.getvalue(), actor=ministry, reason="x")
    assert [(p.row, p.column) for p in refused.problems] == [(4, "Сроки")]
    sheet.cell(row=4, column=3).value = "не позднее 25.12.2023"
    sheet.cell(row=5, column=1).value = "1.2.3.4.5.6.7.8.9.10.11"  # longer than a number is
    sheet.cell(row=6, column=header.index("Этап") + 1).value = "nowhere"
    worse = io.BytesIO()
    book.save(worse)
    refused = replan.import_plan(first.campaign, worse.getvalue(), actor=ministry, reason="x")
    assert [(p.row, p.column) for p in refused.problems] == [(5, "№"), (6, "Этап")]
    assert service.plan_of(first.campaign).version == 2  # the refused files changed nothing


def test_a_ministry_edit_moves_open_obligations_with_history(world: dict[str, Any]) -> None:
    ministry = world["users"]["ministry"]
    cases = [open_test_case(world["schools"][k]) for k in ("a1", "a2", "b1")]
    campaign = cases[0].campaign
    done = _of(cases[0], "k_director_evaluation")
    ops.waive(done.id, actor=ministry, reason="Оценка проведена ранее", expected_version=None)
    values = from_row(_measure(campaign, "k_director_evaluation")).shifted(
        when=by(date(2024, 1, 29))
    )
    with pytest.raises(NotAllowed):
        replan.save_measure(
            campaign,
            "k_director_evaluation",
            values,
            actor=world["users"]["municipal_a"],
            reason="x",
        )
    with pytest.raises(InvalidInput):
        replan.save_measure(campaign, "k_director_evaluation", values, actor=ministry, reason=" ")
    done_before = done.due_date
    report = replan.save_measure(
        campaign, "k_director_evaluation", values, actor=ministry, reason="Приказ № 44"
    )
    assert report.changed and report.cases == 3
    assert [_of(c, "k_director_evaluation").due_date for c in cases[1:]] == [date(2024, 1, 29)] * 2
    assert done.due_date == done_before
    events = db.session.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.action == "obligation.due_changed", AuditEvent.reason == "Приказ № 44"
        )
    ).all()
    assert sorted(e.case_id for e in events) == sorted(c.id for c in cases[1:])
    versions = db.session.scalars(
        sa.select(PlanVersion).where(PlanVersion.plan_id == service.plan_of(campaign).id)
    ).all()
    assert [v.version for v in versions] == [1, 2] and versions[-1].reason == "Приказ № 44"

    # A new measure reaches every open case it applies to; withdrawing it waives what is open.
    added = replan.save_measure(
        campaign,
        None,
        from_row(_measure(campaign, "k_certificate")).shifted(key="k_pedsovet", number="12"),
        actor=ministry,
        reason="Педсовет по итогам ВПР",
    )
    assert added.obligations_added == 3
    gone = replan.withdraw_measure(campaign, "k_pedsovet", actor=ministry, reason="Отменено")
    assert gone.cases == 3
    assert {_of(c, "k_pedsovet").status for c in cases} == {ObligationStatus.WAIVED}


def test_a_municipality_sets_an_earlier_date_for_its_own_schools(world: dict[str, Any]) -> None:
    municipal_a = world["users"]["municipal_a"]
    own = open_test_case(world["schools"]["a1"])
    other = open_test_case(world["schools"]["b1"])
    campaign = own.campaign
    regional = from_row(_measure(campaign, "k_certificate"))
    later = regional.shifted(key="k_cert_a", when=before(date(2024, 1, 20)))
    with pytest.raises(InvalidInput, match=r"16\.01\.2024"):
        replan.save_measure(
            campaign,
            None,
            later,
            actor=municipal_a,
            reason="x",
            municipality=world["mun_a"],
            overrides="k_certificate",
        )
    with pytest.raises(NotAllowed):
        replan.save_measure(
            campaign,
            None,
            later,
            actor=municipal_a,
            reason="x",
            municipality=world["mun_b"],
            overrides="k_certificate",
        )
    earlier = regional.shifted(key="k_cert_a", when=before(date(2024, 1, 12)))
    replan.save_measure(
        campaign,
        None,
        earlier,
        actor=municipal_a,
        reason="Постановление № 998: справка до 12 января",
        municipality=world["mun_a"],
        overrides="k_certificate",
    )
    certificate = next(o for o in own.obligations if o.obligation_type.startswith("k_cert"))
    assert certificate.obligation_type == "k_cert_a" and certificate.due_date == date(2024, 1, 12)
    assert len([o for o in own.obligations if o.obligation_type.startswith("k_cert")]) == 1
    assert _of(other, "k_certificate").due_date == date(2024, 1, 16)  # another municipality
    # The municipality withdraws its own date: its schools are back on the region's.
    replan.withdraw_measure(campaign, "k_cert_a", actor=municipal_a, reason="Ошибка")
    back = next(o for o in own.obligations if o.obligation_type.startswith("k_cert"))
    assert back.obligation_type == "k_certificate" and back.due_date == date(2024, 1, 16)
    assert back.status is ObligationStatus.OPEN


def test_plans_list_names_the_templates_and_the_campaign_plans(
    app: Flask, world: dict[str, Any], db_session: Any
) -> None:
    open_test_case(world["schools"]["a1"])
    db_session.commit()
    output = app.test_cli_runner().invoke(args=["plans", "list"]).output
    for key in (
        "kaliningrad_objectivity",
        "lazo_objectivity",
        "chelyabinsk_shnor",
        "chernozemelsky_mechanisms",
    ):
        assert key in output
    assert "kaliningrad_objectivity+chelyabinsk_shnor" in output
