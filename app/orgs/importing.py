"""The all-or-nothing skeleton of every importer that names schools by login: the file read as a
table (each problem named by row and column), the logins checked against the region, and the
rows written in one savepoint, rolled back on a dry run or left unwritten on any problem."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from flask_babel import gettext as _

from app.extensions import db
from app.models.org import Organisation
from app.models.user import User
from app.orgs import service
from app.tabular import Column, Problem, Table, TableError, read_table


def read_or_report(
    data: bytes, columns: Sequence[Column], problems: list[Problem], *, keep_extra: bool = False
) -> Table | None:
    """The file as a table, or None with the reasons added to ``problems``."""
    try:
        return read_table(data, columns, keep_extra=keep_extra)
    except TableError as err:
        problems.extend(err.problems)
        return None


def schools_in_region(
    rows: Iterable[tuple[int, str]], region: Organisation, problems: list[Problem]
) -> dict[str, Organisation]:
    """The existing schools of the (row number, login) pairs; a login of another region's school
    is a problem of its row."""
    rows = list(rows)
    schools = service.schools_by_login({login for _number, login in rows})
    for number, login in rows:
        school = schools.get(login)
        if school is not None and school.region_id != region.id:
            problems.append(
                Problem(number, "Логин", _("This login belongs to a school of another region."))
            )
    return schools


def municipality_named(
    name: str,
    municipalities: dict[str, Organisation],
    region: Organisation,
    *,
    actor: User | None,
    created: list[str],
) -> Organisation:
    """The region's municipality of this name (``municipalities`` by lower-case name), created
    and noted in ``created`` when new."""
    key = name.lower()
    if key not in municipalities:
        municipalities[key] = service.create_municipality(region, name, actor=actor)
        created.append(name)
    return municipalities[key]


def write_whole(apply: Callable[[], None], *, dry_run: bool) -> None:
    """Run ``apply`` in a savepoint: all of its writes stay, or (on a dry run) none."""
    with db.session.begin_nested() as savepoint:
        apply()
        if dry_run:
            savepoint.rollback()
