"""The region's indicators: share of schools with signs by municipality and year, rechecks,
each school's risk profile over three years — on a Russian page and in an XLSX."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pandas as pd

from app.analytics.indicators import objectivity_level, region_indicators
from app.extensions import db
from app.models.stage import RecheckWork
from tests.helpers import login, open_test_case
from tests.web.test_vpr_russian import english_words


def test_levels_shares_trend_and_risks() -> None:
    schools = pd.DataFrame(
        {
            "login": [f"edu00000{i}" for i in range(4)],
            "name": [f"Школа {i}" for i in range(4)],
            "municipality": ["А", "А", "Б", "Б"],
        }
    )
    listed = pd.DataFrame(
        {
            "year": [2023, 2024, 2025, 2025],
            "login": ["edu000000"] * 3 + ["edu000002"],
            "federal": [True, True, False, True],
            "regional": [False, True, True, False],
        }
    )
    rechecks = pd.DataFrame({"year": [2025] * 10, "login": ["edu000002"] * 10})
    rechecks["confirmed"] = [True] * 7 + [False] * 3
    ind = region_indicators(schools, listed, rechecks)
    region = ind.region.set_index("year")
    assert region.loc[2025, "flagged"] == 2 and region.loc[2025, "flagged_share"] == 0.5
    assert region.loc[2025, "trend"] == 0.25 and region.loc[2025, "level"] == "low"
    assert region.loc[2025, "recheck_confirmed_share"] == 0.7
    mun = ind.municipalities.set_index(["municipality", "year"])
    assert mun.loc[("А", 2023), "flagged_share"] == 0.5 and mun.loc[("Б", 2023), "flagged"] == 0
    profiles = ind.profiles.set_index("login")
    assert profiles.loc["edu000000", "risk"] == "high"  # three years in a row
    assert profiles.loc["edu000000", 2024] == "ФИОКО+регион"
    assert profiles.loc["edu000002", "risk"] == "medium"  # once, rechecks confirm 70 %
    assert objectivity_level(0.04) == "high" and objectivity_level(0.08) == "medium"


def test_the_page_and_the_workbook(client: Any, world: dict[str, Any]) -> None:
    a1, b1 = world["schools"]["a1"], world["schools"]["b1"]
    for year in (2023, 2024, 2025):
        open_test_case(a1, year=year)
    case = open_test_case(b1, year=2025)
    for i in range(5):
        db.session.add(
            RecheckWork(
                case_id=case.id,
                subject="Математика",
                grade=5,
                participant=f"p{i}",
                score_school=20,
                mark_school=4,
                score_recheck=18 if i < 2 else 20,
                mark_recheck=3 if i < 2 else 4,
            )
        )
    db.session.flush()
    login(client, world["users"]["ministry"])
    page = client.get("/vpr/indicators")
    assert page.status_code == 200
    assert not english_words(page.text), english_words(page.text)
    text = page.text
    assert "высокий" in text and "25 %" in text and "60 %" in text  # a1 in 2023: 1 of 4
    assert "+25 п. п." in text  # 2025: 2 of 4 schools after 1 of 4
    workbook = openpyxl.load_workbook(io.BytesIO(client.get("/vpr/indicators.xlsx").data))
    assert workbook.sheetnames == ["Регион", "Муниципалитеты", "Профили риска"]
    header = [c.value for c in workbook["Регион"][1]]
    assert "Доля школ с признаками" in header and "Уровень объективности" in header
