"""The ministry imports VPR results in a real browser and follows the progress bar; then the
signs are computed and a school's evidence opens with its charts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app.analytics.synthetic import csv_bytes, generate_region
from tests.helpers import browser_login

pytestmark = pytest.mark.browser


def test_import_with_progress_then_signs(live_server: str, page: Any, tmp_path: Path) -> None:
    region = generate_region(schools=60, seed=11, year=2024)
    specs = tmp_path / "specs.json"
    specs.write_text(
        json.dumps([s.to_dict() for s in region.specs], ensure_ascii=False), encoding="utf-8"
    )
    first, second = tmp_path / "vpr_2024.csv", tmp_path / "vpr_2025.csv"
    first.write_bytes(csv_bytes(region.results[2024]))
    second.write_bytes(csv_bytes(region.results[2025]))

    browser_login(page, live_server, "ministry@oko.demo")
    page.goto(f"{live_server}/vpr/")
    page.set_input_files("form[action$='/vpr/specs'] input[type=file]", str(specs))
    page.click("form[action$='/vpr/specs'] button")
    assert "8" in page.locator(".flash.success").inner_text()
    for path in (first, second):
        page.set_input_files("form[action$='/vpr/imports'] input[type=file]", str(path))
        page.click("form[action$='/vpr/imports'] button")
        row = page.locator("tr[data-job]").first
        row.locator(".job-result .badge.ok").wait_for(timeout=60_000)
    page.shot("01-imports-done")
    assert page.locator("tr[data-job] .badge.ok").count() == 2

    page.fill("#year", "2025")
    page.click("form[action$='/vpr/signs'] button")
    page.wait_for_url("**/vpr/signs/*")
    page.shot("02-proposed-list")
    schools = page.locator("table.data tbody tr td:nth-child(2) a")
    if schools.count():
        schools.first.click()
        page.wait_for_url("**/vpr/signs/*/edu*")
        assert page.locator(".card.evidence").count() >= 1
        image = page.locator("img").first
        image.wait_for()
        assert page.evaluate("img => img.naturalWidth", image.element_handle()) > 100
        page.shot("03-school-evidence")
