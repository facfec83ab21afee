"""Drawn pages kept between views under PostgreSQL's snapshot (app.readcache.page): served again
while nothing is written, drawn anew after any committed write, keyed on the viewer, the locale
and the viewer's day, and never holding a browser session's CSRF token."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app import readcache
from app.extensions import db
from app.models.user import Role
from app.web.cases import page as case_page
from app.web.cases import views as case_views
from tests.conftest import BACKEND, cached_site
from tests.helpers import TEST_PASSWORD, Factory, open_test_case

pytestmark = pytest.mark.skipif(
    BACKEND != "postgresql", reason="the cache is keyed on PostgreSQL's snapshot"
)

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Flask]:
    """An application with the cache and CSRF checks on, over committed data."""
    with cached_site(tmp_path, WTF_CSRF_ENABLED=True) as app:
        yield app


@pytest.fixture
def case(site: Flask) -> dict[str, Any]:
    with site.app_context():
        make = Factory()
        region = make.region("Кэш-область")
        mun = make.municipality(region, "Кэш-район")
        school = make.school(mun)
        ministry = make.user(Role.MINISTRY, region)
        other = make.user(Role.MINISTRY, region)
        opened = open_test_case(school, actor=ministry)
        db.session.commit()
        return {
            "id": opened.id,
            "school": school.id,
            "ministry": ministry.email,
            "other": other.email,
        }


def _login(site: Flask, email: str) -> FlaskClient:
    client = site.test_client()
    token = TOKEN.search(client.get("/login").text)
    assert token
    done = client.post(
        "/login", data={"email": email, "password": TEST_PASSWORD, "csrf_token": token[1]}
    )
    assert done.status_code == 302, done.text
    return client


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the case page's gathering of its sections (done only when it is drawn)."""
    calls: list[int] = []
    gather = case_page.gather

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return gather(*args, **kwargs)

    monkeypatch.setattr(case_page, "gather", counted)
    return calls


def test_a_second_view_is_served_kept_and_a_committed_write_draws_it_anew(
    site: Flask, case: dict[str, Any], drawn: list[int]
) -> None:
    client = _login(site, case["ministry"])
    first = client.get(f"/cases/{case['id']}")
    assert first.status_code == 200 and len(drawn) == 1
    again = client.get(f"/cases/{case['id']}")
    assert TOKEN.sub("", again.text) == TOKEN.sub("", first.text)  # but for the signed token
    assert len(drawn) == 1  # not drawn again
    with site.app_context(), db.engine.begin() as other:  # a connection of its own, committed
        other.execute(
            sa.text("UPDATE organisation SET name = 'Школа переименована' WHERE id = :id"),
            {"id": case["school"]},
        )
    fresh = client.get(f"/cases/{case['id']}")
    assert len(drawn) == 2 and "Школа переименована" in fresh.text


def test_each_session_gets_its_own_token_and_a_kept_page_s_token_posts(
    site: Flask, case: dict[str, Any], drawn: list[int]
) -> None:
    one, two = _login(site, case["ministry"]), _login(site, case["ministry"])
    other = _login(site, case["other"])
    pages = [c.get(f"/cases/{case['id']}").text for c in (one, two, other)]
    assert len(drawn) == 2  # the same user's second session was served the kept page
    tokens = [set(TOKEN.findall(p)) for p in pages]
    assert all(len(t) == 1 for t in tokens), tokens  # the one current token in every form
    assert len(set.union(*tokens)) == 3  # nobody's token on another's page
    assert readcache.CSRF_MARK not in "".join(pages)
    form = {"locale": "en", "next": f"/cases/{case['id']}"}
    (theirs,) = tokens[0]
    refused = two.post("/language", data=form | {"csrf_token": theirs})
    assert refused.status_code == 400  # another session's token is no good here
    (token,) = tokens[1]
    chosen = two.post("/language", data=form | {"csrf_token": token})
    assert chosen.status_code == 302, chosen.text  # the kept page's token, put back, holds
    assert '<html lang="en">' in two.get(f"/cases/{case['id']}").text  # the choice was taken
    assert '<html lang="ru">' in other.get(f"/cases/{case['id']}").text


def test_the_viewer_s_day_is_part_of_the_key(
    site: Flask, case: dict[str, Any], drawn: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    client = _login(site, case["ministry"])
    monkeypatch.setattr(case_views, "today_for", lambda _user: date(2023, 11, 10))
    client.get(f"/cases/{case['id']}")
    client.get(f"/cases/{case['id']}")
    assert len(drawn) == 1
    monkeypatch.setattr(case_views, "today_for", lambda _user: date(2024, 6, 1))
    client.get(f"/cases/{case['id']}")
    assert len(drawn) == 2


def test_a_page_with_flashed_messages_is_not_kept(
    site: Flask, case: dict[str, Any], drawn: list[int]
) -> None:
    client = _login(site, case["ministry"])
    with client.session_transaction() as session:
        session["_flashes"] = [("message", "Сохранено одно сообщение")]
    shown = client.get(f"/cases/{case['id']}").text
    assert "Сохранено одно сообщение" in shown
    assert "Сохранено одно сообщение" not in client.get(f"/cases/{case['id']}").text
    assert len(drawn) == 2


def test_a_kept_view_runs_one_statement_the_one_that_finds_its_user(
    site: Flask, case: dict[str, Any], drawn: list[int]
) -> None:
    """The signed-in user's lookup names the snapshot it read in (app.readcache.seen_at): a view
    served from the cache needs no connection or statement besides it."""
    client = _login(site, case["ministry"])
    client.get(f"/cases/{case['id']}")
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    with site.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            kept = client.get(f"/cases/{case['id']}")
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
    assert kept.status_code == 200 and len(drawn) == 1
    assert len(statements) == 1 and "pg_current_snapshot" in statements[0], statements


def test_a_worker_that_has_not_drawn_the_page_is_served_the_one_another_drew(
    site: Flask, case: dict[str, Any], drawn: list[int]
) -> None:
    """The server's workers share their drawn pages (app.pageshare): a process whose memory
    holds nothing reads the page another drew at the same snapshot, and a committed write
    retires it for all of them."""
    client = _login(site, case["ministry"])
    first = client.get(f"/cases/{case['id']}")
    readcache._pages.clear()  # as in another worker: nothing kept in its memory
    again = client.get(f"/cases/{case['id']}")
    assert len(drawn) == 1 and TOKEN.sub("", again.text) == TOKEN.sub("", first.text)
    assert TOKEN.search(again.text) and readcache.CSRF_MARK not in again.text
    with site.app_context(), db.engine.begin() as other:
        other.execute(
            sa.text("UPDATE organisation SET name = 'Школа другого процесса' WHERE id = :id"),
            {"id": case["school"]},
        )
    readcache._pages.clear()
    fresh = client.get(f"/cases/{case['id']}")
    assert len(drawn) == 2 and "Школа другого процесса" in fresh.text
