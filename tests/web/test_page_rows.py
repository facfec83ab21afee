"""The pages drawn from plain rows (issue 20): what each row shows and links to is what the
objects say, counts and pages add up, and the helpers rows use give what url_for() and the
date filters give."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from flask_babel import force_locale, gettext

from app.extensions import db
from app.i18n import date_time, short_date, translate
from app.models.case import ObligationStatus
from app.web import filters
from app.workflows import obligations as ops
from app.workflows.clock import today_for
from tests.helpers import hand_in, login, open_test_case


def test_row_helpers_give_what_url_for_and_the_filters_give(
    app: Flask, world: dict[str, Any]
) -> None:
    with app.test_request_context("/"):
        assert filters.url_prefix("cases.case_detail", "case_id") + "42" == url_for(
            "cases.case_detail", case_id=42
        )
        head, tail = filters.url_parts("notices.read", "notification_id")
        assert f"{head}7{tail}" == url_for("notices.read", notification_id=7)
        with pytest.raises(ValueError, match="not at the end"):
            filters.url_prefix("notices.read", "notification_id")
        download = filters.url_maker("documents.download", "document_id", "number")
        assert download(12, 3) == url_for("documents.download", document_id=12, number=3)
        action = filters.url_maker("cases.obligation_action", "obligation_id", action="waive")
        assert action(5) == url_for("cases.obligation_action", obligation_id=5, action="waive")
        moment = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
        assert filters.short_dates()(moment.date()) == short_date(moment.date())
        assert filters.date_times()(moment) == date_time(moment)
        assert filters.short_dates()(None) == filters.date_times()(None) == "—"


def test_translate_gives_what_flask_babel_gives(app: Flask) -> None:
    """The history's per-event translations (i18n.translate) match Flask-Babel's gettext in
    each locale, with and without variables, and follow force_locale."""
    message = "%(field)s: %(value)s"
    for locale in ("ru", "en"):
        with app.test_request_context("/", headers={"Accept-Language": locale}):
            assert translate("Change recorded") == gettext("Change recorded")
            assert translate(message, field="a", value="b") == gettext(
                message, field="a", value="b"
            )
            with force_locale("en" if locale == "ru" else "ru"):
                assert translate("Change recorded") == gettext("Change recorded")
    with app.test_request_context("/", headers={"Accept-Language": "ru"}):
        assert translate("Change recorded") != "Change recorded"  # the catalogue is compiled


def test_the_case_list_counts_every_case_and_pages_them(
    app: Flask, client: FlaskClient, case_world: dict[str, Any], make: Any
) -> None:
    for _n in range(7):  # nine cases of the region's campaign in all
        open_test_case(make.school(case_world["mun_a"]))
    db.session.commit()
    login(client, case_world["users"]["ministry"])
    saved = app.config["OKO_PAGE_SIZE"]
    app.config["OKO_PAGE_SIZE"] = 5
    try:
        first, second = client.get("/cases").text, client.get("/cases?page=2").text
    finally:
        app.config["OKO_PAGE_SIZE"] = saved
    assert "(9)" in first and "(9)" in second  # x1 is in another region
    assert "Страница 1 из 2" in first and "Страница 2 из 2" in second
    links = [re.findall(r'href="/cases/(\d+)"', page) for page in (first, second)]
    assert [len(ids) for ids in links] == [5, 4]
    assert len(set(links[0]) | set(links[1])) == 9
    a1 = case_world["cases"]["a1"]
    row = _row(first + second, f'href="/cases/{a1.id}"')
    assert a1.school.login in row and case_world["mun_a"].name in row
    assert a1.campaign.title in row and a1.school.name in row


def _row(page: str, marker: str) -> str:
    """The table row of the page that holds ``marker``."""
    before, after = page.split(marker, 1)
    return before.rsplit("<tr", 1)[1] + marker + after.split("</tr>", 1)[0]


def test_inbox_rows_link_to_the_obligation_and_name_its_campaign(
    client: FlaskClient, case_world: dict[str, Any]
) -> None:
    a1, user = case_world["cases"]["a1"], case_world["users"]["municipal_a"]
    login(client, user)
    page = client.get("/inbox").text
    owed = [
        o
        for o in a1.obligations
        if o.responsible_org_id == user.organisation_id
        and o.status in (ObligationStatus.OPEN, ObligationStatus.RETURNED)
    ]
    assert owed
    for obligation in owed:
        row = _row(page, f'href="/cases/{a1.id}#obligation-{obligation.id}"')
        assert a1.campaign.title in row
        if obligation.due_date is not None:
            assert obligation.due_date.strftime("%d.%m.%Y") in row


def test_dashboard_cells_add_up_to_the_totals_and_count_what_is_overdue(
    client: FlaskClient, case_world: dict[str, Any]
) -> None:
    a1 = case_world["cases"]["a1"]
    order = a1.obligations[0]
    hand_in(order, case_world["users"]["municipal_a"])
    ops.review(order.id, accept=True, actor=case_world["users"]["ministry"], expected_version=None)
    db.session.commit()
    ministry = case_world["users"]["ministry"]
    login(client, ministry)
    page = client.get("/dashboard").text
    table = page.split('<table class="data compliance">', 1)[1].split("</table>", 1)[0]
    body, foot = table.split("<tfoot>", 1)
    badges = re.compile(r'<span class="badge[^"]*"( title="[^"]*")?>(\d+)</span>')

    def numbers(cell: str) -> list[int]:
        return [int(n) for _title, n in badges.findall(cell)] or [0, 0, 0, 0]

    rows = re.findall(r"<tr><td>([^<]*)</td>(.*?)</tr>", body, re.S)
    assert {name for name, _cells in rows} == {
        case_world["mun_a"].name,
        case_world["mun_b"].name,
    }
    cells = {name: re.findall(r"<td>(.*?)</td>", rest, re.S) for name, rest in rows}
    totals = [numbers(cell) for cell in re.findall(r"<th>(.*?)</th>", foot, re.S)[1:]]
    for column, total in enumerate(totals):
        summed = [sum(numbers(c[column])[k] for c in cells.values()) for k in range(4)]
        assert summed == total  # on time, late, overdue, open
    today = today_for(ministry)
    overdue_a = sum(numbers(cell)[2] for cell in cells[case_world["mun_a"].name])
    assert overdue_a == sum(1 for o in a1.obligations if o.is_overdue(today))
    assert 'title="просрочено"' in body
    drawn = badges.findall(body)
    assert drawn and all(bool(title) == (n != "0") for title, n in drawn)  # zeros plain, untitled


def test_inbox_rows_escape_what_they_show(client: FlaskClient, case_world: dict[str, Any]) -> None:
    a1, user = case_world["cases"]["a1"], case_world["users"]["municipal_a"]
    a1.school.name = 'Школа «<b>Знание</b>» & "сила"'
    db.session.commit()
    login(client, user)
    page = client.get("/inbox").text
    assert "<b>Знание</b>" not in page
    assert 'title="Школа «&lt;b&gt;Знание&lt;/b&gt;» &amp; &#34;сила&#34;"' in page
    owed = next(o for o in a1.obligations if o.responsible_org_id == user.organisation_id)
    row = _row(page, f'href="/cases/{a1.id}#obligation-{owed.id}"')
    assert f">{owed.measure.title}<" in row or f">{owed.measure.title} (" in row


def test_case_list_rows_escape_what_they_show(
    client: FlaskClient, case_world: dict[str, Any]
) -> None:
    a1 = case_world["cases"]["a1"]
    a1.school.name = 'Школа «<i>Знание</i>» & "сила"'
    a1.markers = {"<b>": True, "Б": False}
    a1.regional_markers = {"К<1>": True}
    db.session.commit()
    login(client, case_world["users"]["ministry"])
    row = _row(client.get("/cases").text, f'href="/cases/{a1.id}"')
    assert "<i>" not in row and "<b>" not in row and "К<1>" not in row
    assert 'title="Школа «&lt;i&gt;Знание&lt;/i&gt;» &amp; &#34;сила&#34;"' in row
    assert ">&lt;b&gt;</span>" in row and ">Б</span>" not in row
    assert ">К&lt;1&gt; · регион</span>" in row


def test_dashboard_pending_rows_escape_what_they_show(
    client: FlaskClient, case_world: dict[str, Any]
) -> None:
    a1 = case_world["cases"]["a1"]
    a1.school.name = 'Школа «<i>Знание</i>» & "сила"'
    db.session.commit()
    login(client, case_world["users"]["ministry"])
    page = client.get("/dashboard").text
    pending = page.split("Кто ещё не выполнил свою часть", 1)[1].split("<h2>", 1)[0]
    row = _row(pending, f'href="/cases/{a1.id}"')
    assert "<i>" not in page
    assert 'title="Школа «&lt;i&gt;Знание&lt;/i&gt;» &amp; &#34;сила&#34;"' in row


def test_the_history_rows_escape_what_events_hold(
    client: FlaskClient, case_world: dict[str, Any]
) -> None:
    """The history table's rows (made in Python, app.web.history_rows) escape every value an
    event holds, the raw event's included, and link each event to its case on the auditors'
    page."""
    from app import audit

    case, users = case_world["cases"]["a1"], case_world["users"]
    hostile = "<b>«жирный»</b> & 'кавычки'"
    audit.record(
        "case.support_level",
        actor=users["ministry"],
        object_type="case",
        object_id=case.id,
        org_id=case.school_id,
        case_id=case.id,
        before={"support_level": None},
        after={"support_level": 2, "note": hostile},
        reason=hostile,
    )
    db.session.commit()
    login(client, users["ministry"])
    for path in (f"/cases/{case.id}", "/audit"):
        page = client.get(path).text
        assert hostile not in page and "<b>«жирный»</b>" not in page
        assert "&lt;b&gt;«жирный»&lt;/b&gt; &amp; &#39;кавычки&#39;" in page  # the reason
        assert "&#34;note&#34;: &#34;&lt;b&gt;" in page  # the raw event's after
    assert f'<a href="/cases/{case.id}">№ {case.id}</a>' in page  # the auditors' page links
