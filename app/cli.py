"""Command-line interface: `flask users|orgs|demo|audit ...`. One transaction per command."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from app import accounts, audit
from app.domain import DomainError
from app.extensions import db
from app.models.org import Organisation
from app.models.user import Role
from app.orgs import service as orgs_service
from app.orgs.directory import import_directory

users_cli = AppGroup("users", help="User accounts.")
orgs_cli = AppGroup("orgs", help="Organisations and the school directory.")
demo_cli = AppGroup("demo", help="The demonstration region.")
audit_cli = AppGroup("audit", help="The tamper-evident history.")
flags_cli = AppGroup("flags", help="Flag lists of schools with signs.")
cases_cli = AppGroup("cases", help="Cases.")


def _fail(message: str) -> None:
    db.session.rollback()
    click.echo(message, err=True)
    sys.exit(1)


def _organisation_by_ref(ref: str) -> Organisation | None:
    """An organisation by school login, numeric id, or exact name."""
    import sqlalchemy as sa

    stmt = sa.select(Organisation)
    if ref.isdigit():
        return db.session.get(Organisation, int(ref))
    if orgs_service.SCHOOL_LOGIN_RE.match(ref.lower()):
        return db.session.scalars(stmt.where(Organisation.login == ref.lower())).first()
    return db.session.scalars(stmt.where(Organisation.name == ref)).first()


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", "full_name", required=True, help="Full name.")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--org", "org_ref", required=True, help="School login, organisation id or name.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def users_create(email: str, full_name: str, role: str, org_ref: str, password: str) -> None:
    """Create a user account."""
    org = _organisation_by_ref(org_ref)
    if org is None:
        _fail(f"No organisation {org_ref!r}.")
        return
    try:
        user = accounts.create_user(
            email=email,
            full_name=full_name,
            role=Role(role),
            organisation=org,
            password=password,
            actor=None,
        )
    except DomainError as err:
        _fail(err.message)
        return
    db.session.commit()
    click.echo(f"Created {user.email} ({user.role.value}) in {org.name}.")


@users_cli.command("token")
@click.argument("email")
@click.option("--name", default="command line", show_default=True, help="What the token is for.")
def users_token(email: str, name: str) -> None:
    """Create a personal API token for the user and print it (once)."""
    from app.api import tokens

    user = accounts.find_user(email)
    if user is None or not user.active:
        _fail(f"No active user {email!r}.")
        return
    try:
        _token, secret = tokens.create(user, name)
    except DomainError as err:
        _fail(err.message)
        return
    db.session.commit()
    click.echo(secret)


def _region_for_import(name: str | None) -> Organisation:
    regions = orgs_service.regions()
    if name:
        return orgs_service.get_or_create_region(name, actor=None)
    if len(regions) == 1:
        return regions[0]
    raise click.UsageError(f"Name the region with --region (there are {len(regions)} regions).")


@orgs_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--region", help="Region name (needed when there is not exactly one region).")
@click.option("--dry-run", is_flag=True, help="Check and report without writing.")
def orgs_import(file: Path, region: str | None, dry_run: bool) -> None:
    """Import the school directory (CSV or XLSX); all rows or none."""
    target = _region_for_import(region)
    report = import_directory(file.read_bytes(), region=target, actor=None, dry_run=dry_run)
    if not report.ok:
        for problem in report.problems:
            click.echo(f"ERROR {problem}", err=True)
        _fail(f"Nothing imported: {len(report.problems)} problem(s).")
        return
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    click.echo(
        f"{'Would import' if dry_run else 'Imported'} {report.rows} rows: "
        f"{len(report.created_schools)} schools created, {len(report.updated_schools)} updated, "
        f"{report.unchanged} unchanged, "
        f"{len(report.created_municipalities)} municipalities created"
        + (
            f" ({', '.join(report.created_municipalities)})"
            if report.created_municipalities
            else ""
        )
        + "."
    )


@demo_cli.command("seed")
def demo_seed() -> None:
    """Build the demonstration region (idempotent) and print the demo logins."""
    from app.demo.seed import DEMO_PASSWORD, seed_demo

    logins = seed_demo()
    db.session.commit()
    click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for role, email, org in logins:
        click.echo(f"  {role:<10} {email:<32} {org}")


@audit_cli.command("verify")
def audit_verify() -> None:
    """Walk the history chain; exit 1 naming the first broken event."""
    result = audit.verify()
    db.session.rollback()
    if not result.ok:
        _fail(
            f"BROKEN at event {result.broken_seq}: {result.problem} "
            f"({result.checked} events checked before it)."
        )
        return
    click.echo(f"OK: {result.checked} events, chain intact.")


@flags_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--region", help="Region name (needed when there is not exactly one region).")
@click.option("--dry-run", is_flag=True, help="Check and report without writing.")
def flags_import(file: Path, region: str | None, dry_run: bool) -> None:
    """Import a flag list (CSV or XLSX): one case per school, year and category."""
    from app.workflows.flags import import_flags

    target = _region_for_import(region)
    report = import_flags(file.read_bytes(), region=target, actor=None, dry_run=dry_run)
    for warning in report.warnings:
        click.echo(f"WARNING {warning}", err=True)
    if not report.ok:
        for problem in report.problems:
            click.echo(f"ERROR {problem}", err=True)
        _fail(f"Nothing imported: {len(report.problems)} problem(s).")
        return
    db.session.rollback() if dry_run else db.session.commit()
    years = ", ".join(f"{y}: {n}" for y, n in sorted(report.per_year.items()))
    click.echo(
        f"{'Would import' if dry_run else 'Imported'} {report.rows} rows ({years}): "
        f"{len(report.cases_created)} cases created, {len(report.cases_updated)} updated, "
        f"{report.unchanged} unchanged; {len(report.merged_duplicates)} exact duplicate rows "
        f"merged; {len(report.schools_created)} schools, "
        f"{len(report.municipalities_created)} municipalities and "
        f"{len(report.campaigns_created)} campaigns created."
    )


@cases_cli.command("export")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--region", help="Region name (needed when there is not exactly one region).")
def cases_export(out: Path, region: str | None) -> None:
    """Write every case of the region to FILE.csv or FILE.xlsx."""
    import sqlalchemy as sa

    from app.models.case import Case
    from app.models.org import Organisation as Org
    from app.workflows.export import export_bytes

    fmt = out.suffix.lower().lstrip(".")
    if fmt not in ("csv", "xlsx"):
        raise click.UsageError("--out must end in .csv or .xlsx")
    target = _region_for_import(region)
    stmt = (
        sa.select(Case)
        .join(Org, Org.id == Case.school_id)
        .where(Org.region_id == target.id)
        .order_by(Case.campaign_id, Org.name)
    )
    out.write_bytes(export_bytes(stmt, fmt))
    db.session.rollback()
    click.echo(f"Wrote {out}.")


def register(app: Flask) -> None:
    """Attach the command groups to the app."""
    from app.backup.cli import backup_cli
    from app.deadlines.cli import deadlines_cli, scheduler_cli
    from app.vpr.cli import register_demo, vpr_cli

    register_demo(demo_cli)
    groups = (
        users_cli,
        orgs_cli,
        demo_cli,
        audit_cli,
        flags_cli,
        cases_cli,
        vpr_cli,
        deadlines_cli,
        scheduler_cli,
        backup_cli,
    )
    for group in groups:
        app.cli.add_command(group)


__all__ = ["register"]
