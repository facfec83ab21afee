"""`flask orgs import`."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from app.cli.common import refuse, region_named
from app.extensions import db
from app.orgs.directory import import_directory

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
