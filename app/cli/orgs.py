"""`flask orgs import`, `flask orgs add` and `flask orgs requisites`."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from app.cli.common import fail, organisation_by_ref, refuse, region_named
from app.errors import DomainError
from app.extensions import db
from app.legal.requisites import set_requisites
from app.models.org import OrgKind
from app.orgs.directory import import_directory
from app.orgs.service import create_serving

orgs_cli = AppGroup("orgs", help="Organisations and the school directory.")


@orgs_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--region", help="Region name (needed when there is not exactly one region).")
@click.option("--dry-run", is_flag=True, help="Check and report without writing.")
def orgs_import(file: Path, region: str | None, dry_run: bool) -> None:
    """Import the school directory (CSV or XLSX); all rows or none."""
    target = region_named(region)
    report = import_directory(file.read_bytes(), region=target, actor=None, dry_run=dry_run)
    if not report.ok:
        refuse(report.problems, f"Nothing imported: {len(report.problems)} problem(s).")
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


@orgs_cli.command("add")
@click.option(
    "--kind",
    type=click.Choice(["institute", "method_centre"]),
    required=True,
    help="A regional institute (under the region) or a municipal methodological centre.",
)
@click.option("--name", required=True, help="The organisation's full name.")
@click.option("--parent", "parent_ref", help="The municipality of a methodological centre.")
@click.option("--region", help="Region name (needed when there is not exactly one region).")
def orgs_add(kind: str, name: str, parent_ref: str | None, region: str | None) -> None:
    """Add a regional institute or a municipal methodological centre."""
    target = region_named(region)
    parent = target
    if kind == OrgKind.METHOD_CENTRE:
        found = organisation_by_ref(parent_ref) if parent_ref else None
        if found is None or found.kind is not OrgKind.MUNICIPALITY or found.region_id != target.id:
            raise click.UsageError("Name the municipality of the region with --parent.")
        parent = found
    try:
        org = create_serving(parent, OrgKind(kind), name, actor=None)
    except DomainError as err:
        fail(err.message)
    db.session.commit()
    click.echo(f"Created {kind} {org.id}: {org.name} (under {parent.name}).")


@orgs_cli.command("requisites")
@click.argument("ref")
@click.option("--authority", help="The issuing body in full, as on the letterhead.")
@click.option("--place", help="The place of issue, e.g. «г. Озерск».")
@click.option("--head-position", help="Who signs the acts, e.g. «Глава администрации».")
@click.option("--head-name", help="The head's full name («Строганова Наталья Александровна»).")
def orgs_requisites(
    ref: str,
    authority: str | None,
    place: str | None,
    head_position: str | None,
    head_name: str | None,
) -> None:
    """Record an organisation's requisites for its documents (REF: login, id or exact name); an
    empty value clears a field."""
    org = organisation_by_ref(ref)
    if org is None:
        fail(f"No organisation «{ref}».")
    values = {
        "authority": authority,
        "place": place,
        "head_position": head_position,
        "head_name": head_name,
    }
    try:
        changed = set_requisites(org, values, actor=None)
    except DomainError as err:
        fail(err.message)
    db.session.commit()
    click.echo(f"{org.name}: {'requisites recorded' if changed else 'nothing changed'}.")
