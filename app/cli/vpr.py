"""`flask vpr import|exams|signs`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from app.analytics.spec import SpecError, parse_specs
from app.cli.common import fail, refuse, region_named
from app.errors import DomainError
from app.extensions import db
from app.vpr.exams import import_exams
from app.vpr.importer import import_results, read_specs
from app.vpr.national import national_lists
from app.vpr.signs import compute_run, proposed_bytes
from app.vpr.store import load_specs

vpr_cli = AppGroup("vpr", help="VPR results, signs of non-objectivity, proposed lists.")


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
    target = region_named(region)
    try:
        for spec_file in spec_files:
            specs = read_specs(spec_file.read_bytes())
            click.echo(f"{spec_file.name}: {len(specs)} specifications.")
    except SpecError as err:
        refuse(err.problems, "Nothing imported: the specifications have problems.")
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


@vpr_cli.command("exams")
@click.option("--region", help="Region name (needed when there is not exactly one region).")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def vpr_exams(region: str | None, file: Path) -> None:
    """Import state exam results (ОГЭ / ЕГЭ, §7) for sign 1; the file whole or not at all."""
    report = import_exams(file.read_bytes(), region=region_named(region), actor=None)
    if not report.ok:
        db.session.rollback()
        refuse(report.problems, f"{file.name}: NOT imported.")
    db.session.commit()
    click.echo(f"{file.name}: {report.rows} exam results for {report.units} school exams imported.")


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
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in ("csv", "xlsx"):
        raise click.UsageError("--out must end in .csv or .xlsx")
    target = region_named(region)
    try:
        run = compute_run(target, year, actor=None)
    except DomainError as err:
        fail(err.message)
    out.write_bytes(proposed_bytes(run, target, fmt))
    if evidence:
        evidence.write_text(
            json.dumps(run.evidence, ensure_ascii=False, indent=1), encoding="utf-8"
        )
    db.session.commit()
    click.echo(f"{run.schools} schools with at least one marker; list written to {out}.")


@vpr_cli.command("national")
@click.option("--year", required=True, type=int)
@click.option(
    "--spec",
    "spec_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Test specifications (§2 JSON); the stored ones when none is given.",
)
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for one proposed list (§3 CSV) per region.",
)
@click.option("--evidence", is_flag=True, help="Also write each region's evidence as JSON.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def vpr_national(
    year: int, spec_files: tuple[Path, ...], out: Path, evidence: bool, file: Path
) -> None:
    """Compute the signs of a national results file (§1 CSV, several regions) region by
    region, each region's schools as the directory has them, in memory bounded by the largest
    region; refused whole if any row has a problem. The results are not stored."""
    try:
        specs = [s for f in spec_files for s in parse_specs(f.read_bytes())]
    except SpecError as err:
        refuse(err.problems, "Nothing computed: the specifications have problems.")
    report = national_lists(file, specs or load_specs(), year, out, evidence=evidence)
    if not report.ok:
        refuse(report.problems, f"{file.name}: NOT computed.")
    for region, path in report.lists.items():
        click.echo(
            f"{region}: {report.rows[region]} rows, {report.schools[region]} schools with "
            f"at least one marker; list written to {path}."
        )
    if report.unknown_rows:
        click.echo(
            f"{report.unknown_rows} rows of schools not in the directory were left out.", err=True
        )
