"""The rows of the heavy read statements are kept between requests under PostgreSQL's snapshot
(app.readcache): served again while nothing is written, never once a write is committed, never
from a write still under way, and a request that has written reads its own changes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from app import readcache
from app.extensions import db
from app.models.org import Organisation, OrgKind
from app.models.user import Role, User
from tests.conftest import BACKEND, cached_site
from tests.helpers import Factory, login, open_test_case

pytestmark = pytest.mark.skipif(
    BACKEND != "postgresql", reason="the cache is keyed on PostgreSQL's snapshot"
)

COUNT = (
    sa.select(sa.func.count())
    .select_from(Organisation)
    .where(Organisation.kind == sa.bindparam("kind", type_=sa.String))
)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Flask]:
    """An application with the cache on, over a database whose writes are committed."""
    with cached_site(tmp_path, WTF_CSRF_ENABLED=False) as app:
        yield app


def _add_region(app: Flask, name: str) -> None:
    with app.app_context():
        db.session.add(Organisation(kind=OrgKind.REGION, name=name, timezone="Europe/Moscow"))
        db.session.commit()


def _read(app: Flask, kind: str = "region") -> tuple[int, list[str]]:
    """The count in a request of its own, with the statements that request sent."""
    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(statement)

    with app.test_request_context("/"):
        sa.event.listen(db.engine, "before_cursor_execute", record)
        try:
            (count,) = readcache.rows(COUNT, {"kind": kind})[0]
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", record)
    return int(count), sent


def test_rows_are_served_again_until_a_write_is_committed(site: Flask) -> None:
    _add_region(site, "Первая область")
    assert _read(site)[0] == 1
    again, sent = _read(site)
    assert again == 1
    assert not any("count(" in s.lower() for s in sent), sent  # only the snapshot was read
    _add_region(site, "Вторая область")
    fresh, sent = _read(site)
    assert fresh == 2 and any("count(" in s.lower() for s in sent)


def test_parameters_are_part_of_the_key(site: Flask) -> None:
    _add_region(site, "Первая область")
    assert _read(site, "region")[0] == 1
    assert _read(site, "municipality")[0] == 0


def test_a_write_under_way_is_not_taken_for_the_data_and_shows_once_committed(
    site: Flask,
) -> None:
    _add_region(site, "Первая область")
    with site.app_context():
        writer = db.engine.connect()
        running = writer.begin()
        writer.execute(
            sa.insert(Organisation).values(
                kind=OrgKind.REGION, name="Третья область", timezone="Europe/Moscow"
            )
        )
        try:
            assert _read(site)[0] == 1  # not committed: not seen, and kept under this snapshot
            running.commit()
        finally:
            writer.close()
    assert _read(site)[0] == 2  # the snapshot changed with the commit: read anew


def test_a_request_that_has_written_reads_its_own_change(site: Flask) -> None:
    _add_region(site, "Первая область")
    assert _read(site)[0] == 1
    with site.test_request_context("/"):
        db.session.add(Organisation(kind=OrgKind.REGION, name="Своя", timezone="Europe/Moscow"))
        db.session.flush()
        assert readcache.rows(COUNT, {"kind": "region"})[0][0] == 2  # on its own session
        db.session.commit()
        assert readcache.rows(COUNT, {"kind": "region"})[0][0] == 2  # a new snapshot
    assert _read(site)[0] == 2


def _stage_counts(page: str) -> list[int]:
    """The counts of the dashboard's «cases by stage» tables."""
    found = re.findall(r"stage=[^\"]+\">[^<]+</a></td><td>(\d+)</td>", page)
    return [int(n) for n in found]


def test_the_ministry_dashboard_shows_a_new_case_on_the_next_view(site: Flask) -> None:
    with site.app_context():
        make = Factory()
        region = make.region("Кэш-область")
        mun = make.municipality(region, "Кэш-район")
        first, second = make.school(mun), make.school(mun)
        ministry = make.user(Role.MINISTRY, region)
        open_test_case(first, actor=ministry)
        db.session.commit()
        second_id, ministry_id = second.id, ministry.id
    client = site.test_client()
    with site.app_context():
        login(client, db.session.get(User, ministry_id))
    assert sum(_stage_counts(client.get("/dashboard").text)) == 1
    assert sum(_stage_counts(client.get("/dashboard").text)) == 1  # the kept rows, the same
    with site.app_context():
        open_test_case(
            db.session.get(Organisation, second_id), actor=db.session.get(User, ministry_id)
        )
        db.session.commit()
    assert sum(_stage_counts(client.get("/dashboard").text)) == 2
