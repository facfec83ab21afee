"""`flask vpr import|signs` and `flask demo vpr`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from app.analytics.spec import SpecError
from app.domain import DomainError
from app.extensions import db
from app.models.org import Organisation

vpr_cli = AppGroup("vpr", help="VPR results, signs of non-objectivity, proposed lists.")


def _fail(message: str) -> None:
    db.session.rollback()
    click.echo(message, err=True)
    sys.exit(1)


def _region(name: str | None) -> Organisation:
    from app.cli import _region_for_import

    return _region_for_import(name)


@vpr_cli.command("import")
@click.option(
    "--spec",
    "spec_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Test specifications (§2 JSON); may be given several times.",
)
@click.option("--region", help="Region name (needed when there is not exactly one region).")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
def vpr_import(spec_files: tuple[Path, ...], region: str | None, files: tuple[Path, ...]) -> None:
    """Import VPR results (§1, CSV or XLSX); each file whole or not at all."""
    from app.vpr.importer import import_results, read_specs

    target = _region(region)
    try:
        for spec_file in spec_files:
            specs = read_specs(spec_file.read_bytes())
            click.echo(f"{spec_file.name}: {len(specs)} specifications.")
    except SpecError as err:
        for problem in err.problems:
            click.echo(f"ERROR {problem}", err=True)
        _fail("Nothing imported: the specifications have problems.")
        return
    db.session.commit()
    failed = False
    for path in files:
        outcome = import_results(path.read_bytes(), region=target, actor=None)
        if not outcome.ok:
            db.session.rollback()
            failed = True
            for problem in outcome.problems:
                click.echo(f"ERROR {path.name}: {problem}", err=True)
            click.echo(f"{path.name}: NOT imported ({len(outcome.problems)} problem(s)).", err=True)
            continue
        db.session.commit()
        created = ", ".join(s["login"] for s in outcome.new_schools)
        click.echo(
            f"{path.name}: {outcome.rows} results in {outcome.works} works imported"
            f" ({outcome.replaced} earlier results replaced)"
            + (f"; schools created: {created}" if created else "")
            + "."
        )
    if failed:
        sys.exit(1)


@vpr_cli.command("signs")
@click.option("--year", required=True, type=int)
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="FILE.csv or FILE.xlsx in the layout of the federal list (§3).",
)
@click.option(
    "--evidence",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the evidence of every fired sign as JSON.",
)
@click.option("--region", help="Region name (needed when there is not exactly one region).")
def vpr_signs(year: int, out: Path, evidence: Path | None, region: str | None) -> None:
    """Compute the signs for YEAR and write the proposed list."""
    from app.vpr.signs import compute_run, proposed_bytes

    fmt = out.suffix.lower().lstrip(".")
    if fmt not in ("csv", "xlsx"):
        raise click.UsageError("--out must end in .csv or .xlsx")
    target = _region(region)
    try:
        run = compute_run(target, year, actor=None)
    except DomainError as err:
        _fail(err.message)
        return
    out.write_bytes(proposed_bytes(run, target, fmt))
    if evidence:
        evidence.write_text(
            json.dumps(run.evidence, ensure_ascii=False, indent=1), encoding="utf-8"
        )
    db.session.commit()
    click.echo(f"{run.schools} schools with at least one marker; list written to {out}.")


def register_demo(demo_cli: AppGroup) -> None:
    """Attach `flask demo vpr` to the demo group."""

    @demo_cli.command("vpr")
    @click.argument("out", type=click.Path(file_okay=False, path_type=Path))
    @click.option("--schools", default=300, show_default=True, type=click.IntRange(20, 50000))
    @click.option("--seed", default=1, show_default=True, type=int)
    @click.option(
        "--year", default=2024, show_default=True, type=int, help="The first of the two years."
    )
    def demo_vpr(out: Path, schools: int, seed: int, year: int) -> None:
        """Write a synthetic region: §1 results and §2 specs for two years, §6 directory, truth."""
        from app.analytics.synthetic import generate_region, write_region

        region = generate_region(schools=schools, seed=seed, year=year)
        paths = write_region(region, out)
        for path in paths:
            click.echo(str(path))
