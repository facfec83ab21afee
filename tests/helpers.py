"""Helpers shared by the tests: factories and logging in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask.testing import FlaskClient
from werkzeug.security import generate_password_hash

from app.extensions import db
from app.models import Organisation, OrgKind, Role, User
from app.models.org import Subordination

TEST_PASSWORD = "correct-horse-battery"
# Tests log in for real, through the login form; a cheap hash keeps that fast.
FAST_HASH = generate_password_hash(TEST_PASSWORD, method="pbkdf2:sha256:1000")


class Factory:
    """Creates organisations and users inside the test's transaction."""

    def __init__(self) -> None:
        self._n = 0

    def _next(self) -> int:
        self._n += 1
        return self._n

    def region(self, name: str | None = None, timezone: str | None = None) -> Organisation:
        org = Organisation(
            kind=OrgKind.REGION,
            name=name or f"Тестовая область {self._next()}",
            timezone=timezone or "Europe/Moscow",
        )
        db.session.add(org)
        db.session.flush()
        return org

    def municipality(self, region: Organisation, name: str | None = None) -> Organisation:
        org = Organisation(
            kind=OrgKind.MUNICIPALITY,
            name=name or f"Тестовый район {self._next()}",
            parent_id=region.id,
            region_id=region.id,
        )
        db.session.add(org)
        db.session.flush()
        return org

    def serving(self, parent: Organisation, name: str | None = None) -> Organisation:
        """A regional institute (under a region) or a methodological centre (a municipality)."""
        institute = parent.kind is OrgKind.REGION
        org = Organisation(
            kind=OrgKind.INSTITUTE if institute else OrgKind.METHOD_CENTRE,
            name=name or f"{'Институт' if institute else 'ИМЦ'} {self._next()}",
            parent_id=parent.id,
            region_id=parent.region_id or parent.id,
            municipality_id=None if institute else parent.id,
        )
        db.session.add(org)
        db.session.flush()
        return org

    def school(self, parent: Organisation, **values: Any) -> Organisation:
        """A school of a municipality, or (``subordination`` regional or private) of a region."""
        n = self._next()
        values.setdefault("name", f"МБОУ «Средняя школа № {n}»")
        values.setdefault("login", f"edu{700000 + n:06d}")
        under_region = parent.kind is OrgKind.REGION
        values.setdefault(
            "subordination", Subordination.REGIONAL if under_region else Subordination.MUNICIPAL
        )
        org = Organisation(
            kind=OrgKind.SCHOOL,
            parent_id=parent.id,
            municipality_id=None if under_region else parent.id,
            region_id=parent.id if under_region else parent.region_id,
            **values,
        )
        db.session.add(org)
        db.session.flush()
        return org

    def user(self, role: Role, org: Organisation, **values: Any) -> User:
        n = self._next()
        values.setdefault("email", f"{role.value}{n}@test.example")
        values.setdefault("full_name", f"Пользователь {n}")
        user = User(role=role, organisation=org, password_hash=FAST_HASH, **values)
        db.session.add(user)
        db.session.flush()
        return user


def demo_login(client: FlaskClient, email: str) -> None:
    """Log a demo account in through the login form (every demo account shares one password)."""
    from app.demo.seed import DEMO_PASSWORD

    response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302, email


def browser_login(page: Any, base: str, email: str) -> None:
    """Log a demo account in through the login page in the browser, as its person would."""
    from app.demo.seed import DEMO_PASSWORD

    page.goto(f"{base}/login")
    page.get_by_label("Электронная почта").fill(email)
    page.get_by_label("Пароль").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Вход").click()
    page.wait_for_url(f"{base}/")


def login(client: FlaskClient, user: User, password: str = TEST_PASSWORD) -> Any:
    """Log in through the login form."""
    response = client.post("/login", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.text
    return response


REAL_FLAG_LIST = Path(__file__).resolve().parent / "data" / "federal_flag_list_2023_2025.xlsx"


def open_test_case(
    school: Organisation,
    *,
    year: int = 2023,
    category: Any = None,
    actor: User | None = None,
    templates: str | None = None,
) -> Any:
    """A case for the school in its region's campaign of ``year`` (created when missing), opened
    on 3 November of that year, the day such lists are approved."""
    from datetime import UTC, datetime

    from app.models.case import Category
    from app.workflows import campaigns
    from app.workflows.cases import open_case

    region = db.session.get(Organisation, school.region_id)
    assert region is not None
    campaign = campaigns.find_campaign(region, year) or campaigns.create_campaign(
        region, year, actor=None, templates=templates
    )
    return open_case(
        campaign,
        school,
        category or Category.OBJECTIVITY,
        markers={"4 РУ": 1, "5 МА": 1},
        support_level=2,
        actor=actor,
        source="test",
        now=datetime(year, 11, 3, 9, tzinfo=UTC),
    )


def hand_in(obligation: Any, actor: User, **kwargs: Any) -> Any:
    """Hand an obligation in the way its responsible party would: by uploading the document it
    asks for, or by a plain submission when it takes none."""
    from app.demo.files import simple_pdf
    from app.workflows import obligations
    from app.workflows.handin import upload_for_obligation

    if obligation.document_types:
        return upload_for_obligation(
            obligation.id,
            "document.pdf",
            simple_pdf(f"Document {obligation.obligation_type}"),
            actor=actor,
            expected_version=None,
            **kwargs,
        )
    return obligations.submit(obligation.id, actor=actor, expected_version=None, **kwargs)


SMALL_SPEC = {
    "year": 2023,
    "subject": "Математика",
    "grade": 4,
    "code": "МА",
    "max_score": 10,
    "marks": {"3": 3, "4": 6, "5": 8},
    "tasks": [{"id": "1", "max": 5, "level": "Б"}, {"id": "2", "max": 5, "level": "П"}],
}


def load_small_vpr(region: Organisation, schools: list[Organisation]) -> tuple[bytes, bytes]:
    """VPR results of 2023 (grade 4 mathematics, 12 pupils a school) imported for the schools;
    returns the specification (§2 JSON) and the results file (§1 CSV) that were imported."""
    import json

    from app.vpr.importer import import_results, read_specs

    spec = json.dumps([SMALL_SPEC], ensure_ascii=False).encode()
    read_specs(spec)
    lines = [
        "Год;Предмет;Параллель;Логин ОО;Муниципалитет;Название ОО;Код участника;Класс;Вариант;"
        "1;2;Первичный балл;Отметка;Отметка по журналу"
    ]
    for school in schools:
        parent = db.session.get(Organisation, school.parent_id)
        for n in range(12):
            one, two = n % 6, (n * 3) % 6
            score = one + two
            mark = 2 if score < 3 else 3 if score < 6 else 4 if score < 8 else 5
            lines.append(
                f"2023;Математика;4;{school.login};{parent.name if parent else ''};{school.name};"
                f"{school.login}-{n};4А;1;{one};{two};{score};{mark};{min(5, mark + 1)}"
            )
    results = ("\n".join(lines) + "\n").encode()
    outcome = import_results(results, region=region, actor=None)
    assert outcome.ok, outcome.problems[:3]
    return spec, results


def accept_a1_order(w: dict[str, Any]) -> None:
    """a1's first measure (the analysis of causes, an act of municipality A) handed in and accepted."""
    from app.workflows import obligations

    order = w["cases"]["a1"].obligations[0]
    hand_in(order, w["users"]["municipal_a"])
    obligations.review(order.id, accept=True, actor=w["users"]["ministry"], expected_version=None)
    db.session.flush()


def student_marks_csv(login: str) -> bytes:
    """A school's marks (24 pupils, the journal against ВПР) that give correlation charts."""
    lines = [
        "Год;Логин ОО;Класс;Код участника;Предмет;Четверть 1;Четверть 2;Четверть 3;Четверть 4;"
        "Промежуточная аттестация;ВПР"
    ]
    for i in range(24):
        journal = 3 + (i % 3)
        vpr = max(2, journal - (1 if i % 4 == 0 else 0))
        marks = ";".join([str(journal)] * 5)
        lines.append(f"2024;{login};4А;p{i:03d};Русский язык;{marks};{vpr}")
    return "\n".join(lines).encode("utf-8")
