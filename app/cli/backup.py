"""`flask backup create|restore DIR`."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from app.backup.service import MANIFEST, BackupError, create_backup, restore_backup
from app.extensions import db

backup_cli = AppGroup("backup", help="Backups of the database and the document store.")

FOLDER = click.Path(file_okay=False, path_type=Path)


def _rows(tables: dict[str, int]) -> str:
    return f"{sum(tables.values())} rows in {len(tables)} tables"


@backup_cli.command("create")
@click.argument("folder", type=FOLDER)
def create_command(folder: Path) -> None:
    """Write the database, every document it refers to and a manifest into a new FOLDER."""
    try:
        made = create_backup(folder)
    except BackupError as err:
        raise click.ClickException(str(err)) from err
    finally:
        db.session.rollback()
    found = made.inventory
    click.echo(
        f"Backup written to {made.folder}:\n"
        f"  database  {made.dialect}, schema {found.revision}, {_rows(found.tables)}\n"
        f"  documents {len(found.contents)} contents, {made.content_bytes / 1e6:.1f} MB\n"
        f"  manifest  {MANIFEST} with the SHA-256 of {made.files} files"
    )


@backup_cli.command("restore")
@click.argument("folder", type=FOLDER)
def restore_command(folder: Path) -> None:
    """Restore the backup in FOLDER into an empty database and the configured document store."""
    try:
        done = restore_backup(folder)
    except BackupError as err:
        raise click.ClickException(str(err)) from err
    finally:
        db.session.rollback()
    found = done.inventory
    click.echo(
        f"Restored {folder} into the {done.dialect} database:\n"
        f"  database  schema {found.revision}, {_rows(found.tables)}, as in the manifest\n"
        f"  documents {len(found.contents)} contents in the store, each SHA-256 verified"
    )
    if done.chain is None:
        click.echo("  history   not walked: run `flask db upgrade`, then `flask audit verify`")
    elif done.chain.ok:
        click.echo(f"  history   {done.chain.checked} events, chain intact")
    else:
        raise click.ClickException(
            f"History chain BROKEN at event {done.chain.broken_seq}: {done.chain.problem}"
        )
    if found.revision != done.head:
        click.echo(f"The code's schema is {done.head}: run `flask db upgrade` next.")
