"""Helpers shared by the tests: factories and logging in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask.testing import FlaskClient
from werkzeug.security import generate_password_hash

from app.extensions import db
from app.models import Organisation, OrgKind, Role, User

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

    def region(self, name: str | None = None) -> Organisation:
        org = Organisation(kind=OrgKind.REGION, name=name or f"Тестовая область {self._next()}")
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

    def school(self, municipality: Organisation, **values: Any) -> Organisation:
        n = self._next()
        values.setdefault("name", f"МБОУ «Средняя школа № {n}»")
        values.setdefault("login", f"edu{700000 + n:06d}")
        org = Organisation(
            kind=OrgKind.SCHOOL,
            parent_id=municipality.id,
            municipality_id=municipality.id,
            region_id=municipality.region_id,
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


def login(client: FlaskClient, user: User, password: str = TEST_PASSWORD) -> Any:
    """Log in through the login form."""
    response = client.post("/login", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.text
    return response


REAL_FLAG_LIST = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "data"
    / "real"
    / "federal_flag_list_2023_2025.xlsx"
)


def open_test_case(
    school: Organisation, *, year: int = 2023, category: Any = None, actor: User | None = None
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
        region, year, actor=None
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
