"""What every command shares: refusing with a message, finding the region or organisation named."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import NoReturn

import click
import sqlalchemy as sa

from app.extensions import db
from app.models.org import Organisation
from app.orgs import service as orgs_service


def fail(message: str) -> NoReturn:
    """Undo the command's changes, print the message on stderr, exit 1."""
    db.session.rollback()
    click.echo(message, err=True)
    sys.exit(1)


def refuse(problems: Iterable[object], summary: str) -> NoReturn:
    """Print each problem of a refused file (row and column in each), then fail."""
    for problem in problems:
        click.echo(f"ERROR {problem}", err=True)
    fail(summary)


def organisation_by_ref(ref: str) -> Organisation | None:
    """An organisation by school login, numeric id, or exact name."""
    stmt = sa.select(Organisation)
    if ref.isdigit():
        return db.session.get(Organisation, int(ref))
    if orgs_service.SCHOOL_LOGIN_RE.match(ref.lower()):
        return db.session.scalars(stmt.where(Organisation.login == ref.lower())).first()
    return db.session.scalars(stmt.where(Organisation.name == ref)).first()


def region_named(name: str | None) -> Organisation:
    """The region given by --region (created if new), or the only region there is."""
    regions = orgs_service.regions()
    if name:
        return orgs_service.get_or_create_region(name, actor=None)
    if len(regions) == 1:
        return regions[0]
    raise click.UsageError(f"Name the region with --region (there are {len(regions)} regions).")
