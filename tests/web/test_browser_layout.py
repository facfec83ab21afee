"""Each role's main pages in Chromium at a phone's 375 px and a laptop's 1366 px: no horizontal
page scroll, and axe-core finds no serious or critical accessibility violation. The first screen
of every page at both widths is kept under test-artifacts/sqlite/layout/<login>/."""

from __future__ import annotations

import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.conftest import ARTIFACTS, BACKEND, LiveServer
from tests.helpers import browser_login

# The layout is the database's no more than the fonts are: it is checked on one backend.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(BACKEND != "sqlite", reason="pages lay out the same on every database"),
]

WIDTHS = (375, 1366)
ROLES = (
    "ministry@oko.demo",
    "mun1@oko.demo",
    "edu990001@oko.demo",
    "auditor@oko.demo",
    "institute@oko.demo",
    "imc1@oko.demo",
    "admin@oko.demo",
)
AXE = Axe()


def _main_pages(page: Any, base: str) -> list[str]:
    """The start page, every section of the navigation, a case page and the notices."""
    links = [a.get_attribute("href") for a in page.locator("header nav a").all()]
    page.goto(f"{base}/cases?campaign=all")
    first_case = page.locator("main table a[href^='/cases/']").first
    if first_case.count():
        links.append(first_case.get_attribute("href"))
    return list(dict.fromkeys(["/", *links, "/notices"]))


def _serious(page: Any) -> list[str]:
    violations = AXE.run(page).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes'][:3]]}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("email", ROLES)
def test_main_pages_fit_a_phone_and_a_laptop_and_pass_axe(
    live: LiveServer, page: Any, email: str
) -> None:
    base = live.url
    folder = ARTIFACTS / BACKEND / "layout" / email.split("@")[0]
    folder.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1366, "height": 900})
    browser_login(page, base, email)
    paths = _main_pages(page, base)
    assert len(paths) >= 4, paths
    problems: list[str] = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for path in paths:
            page.goto(f"{base}{path}")
            wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if wide > 0:
                problems.append(f"{path} at {width} px scrolls sideways by {wide} px")
            problems += [f"{path} at {width} px: {v}" for v in _serious(page)]
            name = re.sub(r"[^\w]+", "-", path.strip("/")) or "home"
            page.screenshot(path=str(folder / f"{width}-{name}.png"))  # the first screen
    assert not problems, "\n".join(problems)


def test_the_menu_opens_on_a_phone_and_reaches_the_logout(live: LiveServer, page: Any) -> None:
    base = live.url
    page.set_viewport_size({"width": 375, "height": 800})
    browser_login(page, base, "ministry@oko.demo")
    logout = page.get_by_role("button", name="Выйти")
    assert not logout.is_visible()  # folded away with the sections
    page.get_by_role("button", name="Меню").click()
    assert page.get_by_role("button", name="Меню").get_attribute("aria-expanded") == "true"
    assert (
        page.get_by_role("navigation", name="Разделы")
        .get_by_role("link", name="Сопровождение")
        .is_visible()
    )
    page.shot("menu-open")
    logout.click()
    page.wait_for_url(f"{base}/login")
