"""Whole journeys through the UI in a real headless Chromium, one per role's job: the ministry
imports a flag list, a school and its municipality take a certificate through a return and a
second version, an auditor verifies the history. Screenshots of every step are kept under
test-artifacts/<backend>/<test name>/."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.demo.files import simple_pdf
from app.demo.seed import DEMO_PASSWORD
from app.extensions import db
from app.models.audit import AuditEvent
from app.models.case import Campaign, Case, Obligation, ObligationStatus
from app.models.document import ReviewStatus
from app.models.org import Organisation
from app.models.user import Role, User
from app.workflows.flags import import_flags
from tests.conftest import LiveServer
from tests.helpers import browser_login

pytestmark = pytest.mark.browser

IMPORT_YEAR = 2027  # the demo has no campaign for it: the import opens one
IMPORTED = ("edu990101", "edu990102", "edu990103")
CERTIFICATE_YEAR = 2028  # the certificate journey's own campaign, made in its set-up
CERTIFICATE_SCHOOL = "edu990117"
KEYBOARD_YEAR = 2029  # the keyboard-only journey's campaign
KEYBOARD_SCHOOL = "edu990118"
MARKERS = ("4 РУ", "4 МА", "5 РУ", "5 МА")


def _logout(page: Any, base: str) -> None:
    page.get_by_role("button", name="Выйти").click()
    page.wait_for_url(f"{base}/login")


def _expect_flash(page: Any, text: str) -> None:
    """The page after an action shows the message (waits for the redirect to land)."""
    expect(page.locator("main > .flash").first).to_contain_text(text)


def _flag_list(live: LiveServer, year: int, logins: Iterable[str]) -> bytes:
    """A §3 flag list naming demo schools by their directory names."""
    lines = ["Год;Логин;Муниципалитет;ОО;" + ";".join(MARKERS) + ";Количество маркеров"]
    with live.app.app_context():
        for n, login in enumerate(logins):
            school = db.session.scalars(
                sa.select(Organisation).where(Organisation.login == login)
            ).one()
            assert school.parent is not None
            marks = [1, n % 2, 0, 1]
            cells = [str(year), login, school.parent.name, school.name, *map(str, marks)]
            lines.append(";".join([*cells, str(sum(marks))]))
    return ("\n".join(lines) + "\n").encode("utf-8")


def test_ministry_imports_a_flag_list_and_sees_the_cases(
    live: LiveServer, page: Any, tmp_path: Path
) -> None:
    base = live.url
    flags = tmp_path / f"flags_{IMPORT_YEAR}.csv"
    flags.write_bytes(_flag_list(live, IMPORT_YEAR, IMPORTED))

    browser_login(page, base, "ministry@oko.demo")
    nav = page.get_by_role("navigation", name="Разделы")
    nav.get_by_text("Ещё").click()  # a yearly task: under «More»
    nav.get_by_role("link", name="Загрузить список").click()
    page.get_by_role("heading", name="Загрузка списка", exact=False).wait_for()
    page.shot("01-import-page")

    page.get_by_label("Список школ").set_input_files(str(flags))
    page.get_by_role("button", name="Проверить и просмотреть").click()
    page.get_by_role("heading", name="Предварительный просмотр: пока ничего не записано").wait_for()
    facts = page.locator("dl.facts")
    assert _fact(facts, "Строк в файле") == "3"
    assert _fact(facts, "Открыто сопровождений") == "3"
    assert _fact(facts, "Новые кампании") == str(IMPORT_YEAR)
    page.shot("02-preview")
    with live.app.app_context():  # the preview wrote nothing
        assert _campaign(IMPORT_YEAR) is None

    page.get_by_role("button", name="Загрузить", exact=True).click()
    page.get_by_role("heading", name="Загружено", exact=True).wait_for()
    page.shot("03-imported")

    page.get_by_role("link", name=re.compile(f"Перейти к списку.*{IMPORT_YEAR}")).click()
    page.wait_for_url(re.compile(r"/cases\?campaign=\d+"))
    rows = page.locator("table.data tbody tr")
    assert rows.count() == len(IMPORTED)
    assert sorted(rows.locator("td:nth-child(2) .muted").all_inner_texts()) == list(IMPORTED)
    selected = page.get_by_label("Кампания").locator("option:checked")
    expect(selected).to_have_text(re.compile(f"^ВПР-{IMPORT_YEAR}, "))
    page.shot("04-cases-of-the-campaign")

    with live.app.app_context():
        campaign = _campaign(IMPORT_YEAR)
        assert campaign is not None
        logins = db.session.scalars(
            sa.select(Organisation.login)
            .join(Case, Case.school_id == Organisation.id)
            .where(Case.campaign_id == campaign.id)
        ).all()
        assert sorted(logins) == list(IMPORTED)


def _fact(facts: Any, title: str) -> str:
    """The value of a <dt>/<dd> pair of a facts list."""
    term = facts.locator("dt", has_text=title)
    return str(term.locator("xpath=following-sibling::dd[1]").inner_text()).strip()


def _campaign(year: int) -> Campaign | None:
    return db.session.scalars(sa.select(Campaign).where(Campaign.vpr_year == year)).first()


@dataclass(frozen=True)
class CertificateCase:
    case_id: int
    obligation_id: int
    school_login: str
    municipality_email: str
    campaign_title: str


def _user(role: Role, org_id: int) -> User:
    return db.session.scalars(
        sa.select(User).where(User.role == role, User.organisation_id == org_id)
    ).one()


@pytest.fixture(scope="module")
def certificate_case(live: LiveServer) -> CertificateCase:
    """A case whose school owes the information certificate from the day it opens (set up
    through the service layer: it is not part of the journeys)."""
    return _certificate_case(live, CERTIFICATE_YEAR, CERTIFICATE_SCHOOL)


@pytest.fixture(scope="module")
def keyboard_case(live: LiveServer) -> CertificateCase:
    """Another such case, in a campaign of its own, for the keyboard-only journey."""
    return _certificate_case(live, KEYBOARD_YEAR, KEYBOARD_SCHOOL)


def _certificate_case(live: LiveServer, year: int, login: str) -> CertificateCase:
    data = _flag_list(live, year, [login])
    with live.app.app_context():
        ministry = db.session.scalars(
            sa.select(User).where(User.email == "ministry@oko.demo")
        ).one()
        assert ministry.organisation is not None
        assert import_flags(data, region=ministry.organisation, actor=ministry).ok
        case = db.session.scalars(
            sa.select(Case)
            .join(Campaign)
            .join(Organisation, Organisation.id == Case.school_id)
            .where(Campaign.vpr_year == year, Organisation.login == login)
        ).one()
        certificate = next(o for o in case.obligations if o.obligation_type == "k_certificate")
        assert certificate.status is ObligationStatus.OPEN
        found = CertificateCase(
            case_id=case.id,
            obligation_id=certificate.id,
            school_login=login,
            municipality_email=_user(Role.MUNICIPAL, case.municipality_id).email,
            campaign_title=case.campaign.title,
        )
        db.session.commit()
    return found


def _open_from_inbox(page: Any, obligation_id: int) -> Any:
    """Open the obligation from «My obligations» (of every campaign: the inbox opens on the
    newest); return its row on the case page."""
    page.get_by_role("navigation").get_by_role("link", name="Мои обязательства").click()
    page.wait_for_url(re.compile(r"/inbox$"))
    page.wait_for_load_state()  # the page's script makes the choice apply itself
    page.get_by_label("Кампания").select_option("all")
    page.wait_for_url(re.compile(r"campaign=all"))
    page.locator(f"a[href$='#obligation-{obligation_id}']").first.click()
    row = page.locator(f"#obligation-{obligation_id}")
    row.wait_for()
    return row


def _upload(page: Any, row: Any, path: Path, note: str) -> None:
    row.get_by_label("Файл").set_input_files(str(path))
    row.get_by_label("Примечание").fill(note)
    row.get_by_role("button", name="Загрузить и сдать").click()
    _expect_flash(page, "Документ загружен и сдан на проверку")


def test_school_uploads_a_certificate_returned_then_accepted(
    live: LiveServer, page: Any, certificate_case: CertificateCase, tmp_path: Path
) -> None:
    base, target = live.url, certificate_case
    first, second = tmp_path / "spravka.pdf", tmp_path / "spravka-2.pdf"
    first.write_bytes(simple_pdf("Information certificate, draft"))
    second.write_bytes(simple_pdf("Information certificate, corrected"))
    comment = "Добавьте сравнение с отметками за четверть по математике"

    browser_login(page, base, f"{target.school_login}@oko.demo")
    row = _open_from_inbox(page, target.obligation_id)
    page.shot("01-school-case-page")
    _upload(page, row, first, "Первая редакция")
    assert "версия 1: spravka.pdf" in row.inner_text()
    page.shot("02-school-uploaded-v1")
    _logout(page, base)

    browser_login(page, base, target.municipality_email)
    row = _open_from_inbox(page, target.obligation_id)
    box = row.get_by_label("Комментарий")
    box.fill("Добавьте сравнение")
    box.press("Enter")  # a new line of the comment, never the acceptance
    page.wait_for_timeout(300)
    with live.app.app_context():
        pending = db.session.get(Obligation, target.obligation_id)
        assert pending is not None and pending.status is ObligationStatus.SUBMITTED
    box.fill(comment)
    row.get_by_role("button", name="Вернуть на доработку").click()
    _expect_flash(page, "Возвращено на доработку")
    expect(row.locator("td:nth-child(4) .badge.warn")).to_have_text("возвращено на доработку")
    page.shot("03-municipality-returned-v1")
    _logout(page, base)

    browser_login(page, base, f"{target.school_login}@oko.demo")
    row = _open_from_inbox(page, target.obligation_id)
    assert comment in row.locator(".comment").first.inner_text()
    page.shot("04-school-sees-the-comment")
    _upload(page, row, second, "Исправлено")
    page.shot("05-school-uploaded-v2")
    _logout(page, base)

    browser_login(page, base, target.municipality_email)
    row = _open_from_inbox(page, target.obligation_id)
    assert comment in row.inner_text()  # the reviewer sees what was asked of version 1
    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    row.get_by_role("button", name="Принять").click()
    _expect_flash(page, "Принято")
    versions = row.locator("ul.versions li")
    assert versions.count() == 2
    v2, v1 = versions.nth(0), versions.nth(1)
    assert "версия 2: spravka-2.pdf" in v2.inner_text()
    assert v2.locator(".badge").inner_text() == "принято"
    assert "версия 1: spravka.pdf" in v1.inner_text()
    assert v1.locator(".badge").inner_text() == "возвращено"
    assert comment in v1.inner_text()
    assert row.locator("td:nth-child(4) .badge.ok").inner_text() == "принято"
    assert asked and asked[0].startswith("Принять «") and "отозвать" in asked[0]
    assert row.get_by_role("button", name="Отозвать принятие").is_visible()
    page.shot("06-municipality-accepted-v2")

    with live.app.app_context():
        obligation = db.session.get(Obligation, target.obligation_id)
        assert obligation is not None and obligation.document is not None
        assert obligation.status is ObligationStatus.ACCEPTED
        assert [(v.number, v.review_status) for v in obligation.document.versions] == [
            (1, ReviewStatus.RETURNED),
            (2, ReviewStatus.ACCEPTED),
        ]
        assert obligation.document.versions[0].review_comment == comment


def test_auditor_opens_and_verifies_the_history(
    live: LiveServer, page: Any, certificate_case: CertificateCase
) -> None:
    base, target = live.url, certificate_case
    with live.app.app_context():
        case_events = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.case_id == target.case_id)
        )

    browser_login(page, base, "auditor@oko.demo")
    page.get_by_role("navigation").get_by_role("link", name="Сопровождение").click()
    page.get_by_label("Кампания").select_option(label=target.campaign_title)
    page.get_by_label("Школа").fill(target.school_login)
    page.get_by_role("button", name="Показать").click()
    page.wait_for_url(re.compile(f"q={target.school_login}"))
    found = page.locator("table.data tbody tr")
    expect(found).to_have_count(1)
    page.shot("01-case-found")
    found.get_by_role("link").click()
    page.wait_for_url(f"{base}/cases/{target.case_id}")
    status = page.locator("#chain-status")
    assert "flash success" in str(status.get_attribute("class"))
    assert f"История сопровождения проверена: {case_events} событи" in status.inner_text()
    history = page.locator("table.history tbody tr")
    assert history.count() == case_events
    assert history.filter(has_text="Сопровождение открыто").count() == 1
    with live.app.app_context():
        owed = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Obligation)
            .where(Obligation.case_id == target.case_id)
        )
    assert history.filter(has_text="Обязательство создано").count() == owed
    page.shot("02-case-history-checks-out")

    page.get_by_role("navigation").get_by_role("link", name="История").click()
    page.get_by_role("heading", name="История изменений").wait_for()
    page.shot("03-history-page")
    page.get_by_role("button", name=re.compile("Проверить всю цепочку")).click()
    page.get_by_text("Проверка поставлена в очередь").wait_for()
    with live.app.app_context():  # the scheduler's minute comes: it runs the queued check
        from app.audit import region_events_clause
        from app.jobs.chaincheck import run_queued_checks

        run_queued_checks()
        from app.models import User

        region_id = db.session.scalar(
            sa.select(User.organisation_id).where(User.email == "auditor@oko.demo")
        )
        total = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEvent)
            .where(region_events_clause(region_id))
        )
    result = page.locator("#verify-result")  # the page reloads until the result is there
    assert "flash success" in str(result.get_attribute("class"))
    assert result.inner_text().startswith(f"Цепочка не нарушена: проверено {total} событи")
    page.shot("04-chain-verified")


def test_ministry_moves_a_term_of_its_plan(live: LiveServer, page: Any) -> None:
    """The ministry opens the current campaign's plan, moves the director evaluation's term,
    and the open obligations of the campaign follow with the reason in their history."""
    base = live.url
    with live.app.app_context():
        campaign = _campaign(2026)
        assert campaign is not None
        campaign_id, title = campaign.id, campaign.title

    browser_login(page, base, "ministry@oko.demo")
    page.get_by_role("navigation").get_by_role("link", name="Кампании").click()
    page.get_by_role("link", name=title).click()
    page.get_by_role("link", name=re.compile("План мероприятий")).click()
    page.wait_for_url(f"{base}/campaigns/{campaign_id}/plan")
    row = page.locator("#m-k_director_evaluation")
    expect(row).to_contain_text("не позднее 22.01.2027")
    expect(page.locator("#m-k_strategic_session")).to_contain_text("с 15.02.2027 по 30.04.2027")
    page.shot("01-plan")

    row.get_by_role("link", name="Изменить").click()
    page.get_by_label("Дата (или последний день)").fill("2027-01-29")
    page.get_by_label("Причина изменения плана").fill("Письмо министерства № 12 от 10.01.2027")
    page.shot("02-measure")
    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="Сохранить").click()
    _expect_flash(page, "План сохранён")
    assert asked and "открыт" in asked[0]  # it said how many open obligations follow
    expect(page.locator("#m-k_director_evaluation")).to_contain_text("не позднее 29.01.2027")
    page.shot("03-plan-saved")

    with live.app.app_context():
        rows = db.session.execute(
            sa.select(Obligation.status, Obligation.due_date)
            .join(Case, Case.id == Obligation.case_id)
            .where(
                Case.campaign_id == campaign_id,
                Obligation.obligation_type == "k_director_evaluation",
            )
        ).all()
        assert rows and {due for status, due in rows if status is ObligationStatus.OPEN} == {
            date(2027, 1, 29)
        }
        moved = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEvent)
            .where(
                AuditEvent.action == "obligation.due_changed",
                AuditEvent.reason == "Письмо министерства № 12 от 10.01.2027",
            )
        )
        assert moved == len([r for r in rows if r.status is ObligationStatus.OPEN])


def _tab_to(page: Any, target: Any, limit: int = 600) -> None:
    """Press Tab until ``target`` has the focus, as a keyboard user would."""
    handle = target.element_handle()
    for _ in range(limit):
        if page.evaluate("(el) => document.activeElement === el", handle):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{target} is not reachable with Tab")


def _choose_file_with_space(page: Any, field: Any, path: Path) -> None:
    """Tab to a file field and open its chooser with Space. On a loaded machine the first press
    can come before the page is ready for it (no chooser opens); a keyboard user presses again,
    and so does this, up to three times, each time from the field having the focus."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for attempt in range(3):
        _tab_to(page, field)
        try:
            with page.expect_file_chooser(timeout=10_000) as chooser:
                page.keyboard.press("Space")
        except PlaywrightTimeout:
            if attempt == 2:
                raise
            continue
        chooser.value.set_files(str(path))
        return


def _keyboard_login(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    _tab_to(page, page.get_by_label("Электронная почта"))
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/")


def _keyboard_open(page: Any, obligation_id: int) -> Any:
    _tab_to(page, page.get_by_role("navigation").get_by_role("link", name="Мои обязательства"))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/inbox"))
    _tab_to(page, page.locator(f"a[href$='#obligation-{obligation_id}']").first)
    page.keyboard.press("Enter")
    row = page.locator(f"#obligation-{obligation_id}")
    row.wait_for()
    return row


def test_upload_and_review_with_the_keyboard_alone(
    live: LiveServer, page: Any, keyboard_case: CertificateCase, tmp_path: Path
) -> None:
    """A school hands in its certificate and the municipality accepts it using Tab, Space and
    Enter only (the file chosen in the chooser the keyboard opens)."""
    base, target = live.url, keyboard_case
    pdf = tmp_path / "spravka.pdf"
    pdf.write_bytes(simple_pdf("Information certificate"))

    _keyboard_login(page, base, f"{target.school_login}@oko.demo")
    row = _keyboard_open(page, target.obligation_id)
    _choose_file_with_space(page, row.get_by_label("Файл"), pdf)
    _tab_to(page, row.get_by_role("button", name="Загрузить и сдать"))
    page.keyboard.press("Enter")
    _expect_flash(page, "Документ загружен и сдан на проверку")
    _tab_to(page, page.get_by_role("button", name="Выйти"))
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/login")

    _keyboard_login(page, base, target.municipality_email)
    row = _keyboard_open(page, target.obligation_id)
    page.once("dialog", lambda dialog: dialog.accept())
    _tab_to(page, row.get_by_role("button", name="Принять"))
    page.keyboard.press("Enter")
    _expect_flash(page, "Принято")
    page.shot("keyboard-accepted")
    with live.app.app_context():
        obligation = db.session.get(Obligation, target.obligation_id)
        assert obligation is not None and obligation.status is ObligationStatus.ACCEPTED
