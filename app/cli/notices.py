"""`flask deadlines …`, `flask notices export` and `flask scheduler run`."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app.cli.common import region_named
from app.extensions import db
from app.jobs import scheduler
from app.notices import export
from app.notices.digest import send_digests
from app.notices.mail import deliver_pending
from app.notices.sweep import sweep
from app.workflows.campaigns import find_campaign
from app.workflows.clock import local_date, zone
from app.workflows.compliance import compliance_xlsx

deadlines_cli = AppGroup("deadlines", help="Reminders, notices, escalations, reports.")
notices_cli = AppGroup("notices", help="The log of the notices sent.")
scheduler_cli = AppGroup("scheduler", help="The process that runs the periodic jobs.")


def _moment(day: str | None) -> datetime | None:
    """--now YYYY-MM-DD: that day, mid-morning local time (time travel for demos and tests)."""
    if not day:
        return None
    local = datetime.combine(date.fromisoformat(day), time(9, 0), tzinfo=zone())
    return local.astimezone(UTC)


@deadlines_cli.command("sweep")
@click.option("--now", "day", help="Sweep as of this date (YYYY-MM-DD) instead of today.")
@click.option("--no-mail", is_flag=True, help="Create the notices but do not send e-mail now.")
def sweep_command(day: str | None, no_mail: bool) -> None:
    """Create every notice due by the date that has not gone out yet, then send the e-mails."""
    report = sweep(_moment(day))
    db.session.commit()
    details = ", ".join(f"{kind}: {n}" for kind, n in sorted(report.sent.items())) or "none"
    extended = sum(report.extended.values())
    click.echo(
        f"{report.today}: {report.total} new notices ({details}), {extended} of today's "
        f"extended, listing {sum(report.listed.values())} obligations; "
        f"{report.already} already sent."
    )
    if not no_mail:
        click.echo(f"E-mails sent: {deliver_pending(limit=100_000)}.")


@deadlines_cli.command("digest")
@click.option("--now", "day", help="As of this date (YYYY-MM-DD).")
def digest_command(day: str | None) -> None:
    """Queue and send today's digests."""
    created = send_digests(_moment(day))
    db.session.commit()
    click.echo(f"Digests: {created}; e-mails sent: {deliver_pending(limit=100_000)}.")


@deadlines_cli.command("report")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--region", help="Region name (needed when there is not exactly one region).")
@click.option("--year", type=int, help="Only the campaign of this VPR year.")
def report_command(out: Path, region: str | None, year: int | None) -> None:
    """Write the compliance report (XLSX) of the region."""
    target = region_named(region)
    campaign = find_campaign(target, year) if year else None
    if year and campaign is None:
        raise click.UsageError(f"No campaign for {year}.")
    out.write_bytes(compliance_xlsx(target.id, campaign.id if campaign else None, local_date()))
    click.echo(f"Wrote {out}.")


@notices_cli.command("export")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--year", type=int, help="Only the items of the campaign of this VPR year.")
def export_command(out: Path, year: int | None) -> None:
    """Write every notice item (recipient, organisation, kind, case, year, measure, time) as
    UTF-8 CSV."""
    with out.open("w", encoding="utf-8", newline="") as f:
        written = export.write_csv(f, year)
    click.echo(f"Wrote {written} rows to {out}.")


@scheduler_cli.command("run")
def scheduler_run() -> None:
    """Run the periodic jobs (blocking). Start exactly one, next to the web server."""
    scheduler.run(current_app._get_current_object())  # type: ignore[attr-defined]
