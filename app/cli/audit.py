"""`flask audit verify [--against FILE]`, `flask audit checkpoint`, `flask audit keygen`."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click
from flask.cli import AppGroup

from app import audit
from app.cli.common import fail
from app.extensions import db
from app.models.types import utcnow

audit_cli = AppGroup("audit", help="The tamper-evident history.")


@audit_cli.command("verify")
@click.option(
    "--against",
    "against",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A checkpoint taken earlier: the history must still hold it.",
)
@click.option("--public-key", default=None, help="The signing key's public part (base64).")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=lambda: os.cpu_count() or 1,
    show_default="the number of cores",
    help="Processes that check parts of the chain at once (PostgreSQL).",
)
def audit_verify(against: Path | None, public_key: str | None, workers: int) -> None:
    """Walk the history chain (and compare it with a checkpoint); exit 1 naming the first
    broken event."""
    if against is None:
        result = audit.verify(workers=workers)
    else:
        try:
            point = json.loads(against.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError):
            fail(f"{against} is not a checkpoint file.")
        result = audit.verify_against(point, public_key, workers=workers)
    db.session.rollback()
    if not result.ok:
        fail(
            f"BROKEN at event {result.broken_seq}: {result.problem} "
            f"({result.checked} events checked before it)."
        )
    suffix = f", and it holds the checkpoint of {against.name}" if against else ""
    click.echo(f"OK: {result.checked} events, chain intact{suffix}.")


@audit_cli.command("keygen")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def audit_keygen(out: Path) -> None:
    """Create the Ed25519 key that signs checkpoints (keep it outside the database)."""
    if out.exists():
        fail(f"{out} exists already.")
    pem, public = audit.new_signing_key()
    out.touch(mode=0o600)
    out.write_bytes(pem)
    click.echo(f"Private key written to {out}. Public key (give it to the auditors): {public}")


@audit_cli.command("checkpoint")
@click.option(
    "--key",
    "key",
    envvar="OKO_AUDIT_KEY",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The private key file (default: $OKO_AUDIT_KEY).",
)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def audit_checkpoint(key: Path, out: Path) -> None:
    """Sign the chain's head and write the checkpoint for the auditor to keep outside."""
    try:
        point = audit.checkpoint(key.read_bytes(), utcnow())
    except ValueError as err:
        fail(str(err))
    finally:
        db.session.rollback()
    out.write_text(json.dumps(point, indent=2) + "\n", encoding="utf-8")
    click.echo(f"Checkpoint of event {point['seq']} written to {out}.")
