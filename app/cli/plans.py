"""`flask plans list` and `flask obligations export`."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from app.extensions import db
from app.models.case import Campaign, Case, Obligation
from app.models.org import Organisation
from app.models.plan import Plan, PlanMeasure
from app.plans.templates import DEFAULT, TEMPLATES
from app.tabular import csv_row

plans_cli = AppGroup("plans", help="Plan templates and campaign plans.")
obligations_cli = AppGroup("obligations", help="The obligations of the cases.")

EXPORT_COLUMNS = (
    "case",
    "year",
    "campaign",
    "school_login",
    "track",
    "support_level",
    "measure",
    "responsible_level",
    "opened_on",
    "due_on",
    "status",
    "done_on",
)


@plans_cli.command("list")
def plans_list() -> None:
    """The templates, then every campaign's plan."""
    click.echo("Templates:")
    for template in TEMPLATES.values():
        default = " (default)" if template.key in DEFAULT else ""
        tracks = ", ".join(t.value for t in template.tracks)
        click.echo(
            f"  {template.key:<28} seeds {'+'.join(template.seeds):<8} [{tracks}]{default}  {template.title}"
        )
    rows = db.session.execute(
        sa.select(Plan, Campaign, sa.func.count(PlanMeasure.id))
        .join(Campaign, Campaign.id == Plan.campaign_id)
        .outerjoin(
            PlanMeasure, sa.and_(PlanMeasure.plan_id == Plan.id, PlanMeasure.withdrawn_at.is_(None))
        )
        .group_by(Plan.id, Campaign.id)
        .order_by(Campaign.region_id, Campaign.vpr_year)
    ).all()
    click.echo("Campaign plans:")
    for plan, campaign, measures in rows:
        click.echo(
            f"  campaign {campaign.id:<4} {campaign.title:<36} plan v{plan.version} "
            f"({plan.template_key}), {measures} measures in force"
        )
    if not rows:
        click.echo("  none")


@obligations_cli.command("export")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--campaign", "campaign_id", type=int, help="Only this campaign's cases.")
def obligations_export(out: Path, campaign_id: int | None) -> None:
    """Every obligation, one row each (UTF-8 CSV with a header)."""
    stmt = (
        sa.select(Obligation, Case, Campaign, Organisation.login, PlanMeasure.title)
        .join(Case, Case.id == Obligation.case_id)
        .join(Campaign, Campaign.id == Case.campaign_id)
        .join(Organisation, Organisation.id == Case.school_id)
        .join(PlanMeasure, PlanMeasure.id == Obligation.measure_id)
        .order_by(Case.id, Obligation.id)
    )
    if campaign_id is not None:
        stmt = stmt.where(Case.campaign_id == campaign_id)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_COLUMNS)
    count = 0
    for obligation, case, campaign, login, title in db.session.execute(stmt):
        label = f"{title} ({obligation.period})" if obligation.period else title
        writer.writerow(
            csv_row(
                [
                    case.id,
                    campaign.vpr_year,
                    campaign.id,
                    login,
                    case.category.value,
                    case.support_level or "",
                    label,
                    obligation.level.value,
                    obligation.opened_on.isoformat(),
                    obligation.due_date.isoformat() if obligation.due_date else "",
                    obligation.status.value,
                    obligation.completed_on.isoformat() if obligation.completed_on else "",
                ]
            )
        )
        count += 1
    out.write_text(buffer.getvalue(), encoding="utf-8")
    db.session.rollback()
    click.echo(f"Wrote {count} obligations to {out}.")
