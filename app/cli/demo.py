"""`flask demo seed|vpr`."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from app.analytics.synthetic import generate_region, write_region
from app.demo.seed import DEMO_PASSWORD, seed_demo
from app.extensions import db

demo_cli = AppGroup("demo", help="The demonstration region.")


@demo_cli.command("seed")
def demo_seed() -> None:
    """Build the demonstration region (idempotent) and print the demo logins."""
    logins = seed_demo()
    db.session.commit()
    click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for role, email, org in logins:
        click.echo(f"  {role:<10} {email:<32} {org}")


@demo_cli.command("vpr")
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@click.option("--schools", default=300, show_default=True, type=click.IntRange(20, 50000))
@click.option("--seed", default=1, show_default=True, type=int)
@click.option(
    "--year", default=2024, show_default=True, type=int, help="The first of the two years."
)
def demo_vpr(out: Path, schools: int, seed: int, year: int) -> None:
    """Write a synthetic region: §1 results and §2 specs for two years, §6 directory, truth."""
    region = generate_region(schools=schools, seed=seed, year=year)
    paths = write_region(region, out)
    for path in paths:
        click.echo(str(path))
