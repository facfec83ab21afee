"""`flask audit verify`."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app import audit
from app.cli.common import fail
from app.extensions import db

audit_cli = AppGroup("audit", help="The tamper-evident history.")


@audit_cli.command("verify")
def audit_verify() -> None:
    """Walk the history chain; exit 1 naming the first broken event."""
    result = audit.verify()
    db.session.rollback()
    if not result.ok:
        fail(
            f"BROKEN at event {result.broken_seq}: {result.problem} "
            f"({result.checked} events checked before it)."
        )
    click.echo(f"OK: {result.checked} events, chain intact.")
