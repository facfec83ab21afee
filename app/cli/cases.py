"""`flask cases export`."""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from app.cli.common import region_named
from app.extensions import db
from app.models.case import Case
from app.models.org import Organisation as Org
from app.workflows.clock import local_date, region_zone
from app.workflows.export import export_bytes

cases_cli = AppGroup("cases", help="Cases.")


@cases_cli.command("export")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--region", help="Region name (needed when there is not exactly one region).")
def cases_export(out: Path, region: str | None) -> None:
    """Write every case of the region to FILE.csv or FILE.xlsx."""
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in ("csv", "xlsx"):
        raise click.UsageError("--out must end in .csv or .xlsx")
    target = region_named(region)
    stmt = (
        sa.select(Case)
        .join(Org, Org.id == Case.school_id)
        .where(Org.region_id == target.id)
        .order_by(Case.campaign_id, Org.name)
    )
    out.write_bytes(export_bytes(stmt, fmt, local_date(None, region_zone(target))))
    db.session.rollback()
    click.echo(f"Wrote {out}.")
