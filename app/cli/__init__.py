"""Command-line interface: `flask users|orgs|demo|audit|flags|cases|vpr|plans|obligations|
deadlines|notices|scheduler|backup|documents …`. One transaction per command."""

from __future__ import annotations

from flask import Flask

from app.cli.audit import audit_cli
from app.cli.backup import backup_cli
from app.cli.cases import cases_cli
from app.cli.demo import demo_cli
from app.cli.documents import documents_cli
from app.cli.flags import flags_cli
from app.cli.notices import deadlines_cli, notices_cli, scheduler_cli
from app.cli.orgs import orgs_cli
from app.cli.plans import obligations_cli, plans_cli
from app.cli.users import users_cli
from app.cli.vpr import vpr_cli

GROUPS = (
    users_cli,
    orgs_cli,
    demo_cli,
    audit_cli,
    flags_cli,
    cases_cli,
    vpr_cli,
    plans_cli,
    obligations_cli,
    deadlines_cli,
    notices_cli,
    scheduler_cli,
    backup_cli,
    documents_cli,
)


def register(app: Flask) -> None:
    """Attach the command groups to the app."""
    for group in GROUPS:
        app.cli.add_command(group)
