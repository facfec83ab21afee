"""The login page in a real headless Chromium."""

from __future__ import annotations

from typing import Any

import pytest

from app.demo.seed import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def test_login_in_chromium(live_server: str, page: Any) -> None:
    page.goto(f"{live_server}/login")
    assert page.locator("html").get_attribute("lang") == "ru"
    assert page.locator("h1").inner_text() == "Вход"
    page.shot("01-login-page")

    page.fill("#email", "ministry@oko.demo")
    page.fill("#password", "wrong-password")
    page.click("button[type=submit]")
    assert "Неверный адрес электронной почты или пароль" in page.locator(".flash").inner_text()
    page.shot("02-wrong-password")

    page.fill("#email", "ministry@oko.demo")
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/")
    assert page.locator("h1").inner_text() == "Приозёрская область"
    assert "122" in page.locator(".stat").last.inner_text()
    page.shot("03-home")

    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["session"]["httpOnly"] is True
    assert cookies["session"]["sameSite"] == "Lax"
