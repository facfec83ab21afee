"""`flask flags import`."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click
from flask.cli import AppGroup

from app.cli.common import refuse, region_named
from app.extensions import db
from app.plans.templates import DEFAULT, parse_keys
from app.workflows.flags import Opening, import_flags

flags_cli = AppGroup("flags", help="Flag lists of schools with signs.")


@flags_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--region", help="Region name (needed when there is not exactly one region).")
@click.option("--dry-run", is_flag=True, help="Check and report without writing.")
@click.option(
    "--plan",
    "templates",
    help="Plan templates of the campaigns the list opens, e.g. kaliningrad_objectivity "
    "(several: a,b). Default: " + ",".join(DEFAULT) + ". `flask plans list` lists them.",
)
@click.option(
    "--order-number",
    help="The approving order's number, recorded for the campaign of the order date's year "
    "(without a date: of the list's newest year).",
)
@click.option(
    "--order-date", type=click.DateTime(formats=["%Y-%m-%d"]), help="The approving order's date."
)
@click.option(
    "--live-year",
    type=int,
    help="The year whose campaign is live; the list's earlier years are recorded as history "
    "(closed cases with no obligations, no notices).",
)
def flags_import(
    file: Path,
    region: str | None,
    dry_run: bool,
    templates: str | None,
    order_number: str | None,
    order_date: datetime | None,
    live_year: int | None,
) -> None:
    """Import a flag list (CSV or XLSX): one case per school, year and category, each with the
    obligations its campaign's plan gives it."""
    if templates:
        try:
            parse_keys(templates)
        except KeyError as err:
            raise click.UsageError(
                f"Unknown plan template {err.args[0]!r} (see flask plans list)."
            ) from err
    target = region_named(region)
    opening = Opening(
        templates, order_number, order_date.date() if order_date else None, live_year=live_year
    )
    report = import_flags(
        file.read_bytes(), region=target, actor=None, dry_run=dry_run, opening=opening
    )
    for warning in report.warnings:
        click.echo(f"WARNING {warning}", err=True)
    if not report.ok:
        refuse(report.problems, f"Nothing imported: {len(report.problems)} problem(s).")
    db.session.rollback() if dry_run else db.session.commit()
    years = ", ".join(f"{y}: {n}" for y, n in sorted(report.per_year.items()))
    click.echo(
        f"{'Would import' if dry_run else 'Imported'} {report.rows} rows ({years}): "
        f"{len(report.cases_created)} cases created, "
        f"{len(report.cases_recorded)} recorded as history, "
        f"{len(report.cases_closed)} closed by a next year's list, "
        f"{len(report.cases_updated)} updated, "
        f"{report.unchanged} unchanged; {len(report.merged_duplicates)} exact duplicate rows "
        f"merged; {len(report.schools_created)} schools, "
        f"{len(report.municipalities_created)} municipalities and "
        f"{len(report.campaigns_created)} campaigns created."
    )
