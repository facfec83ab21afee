"""`flask users create|token`."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.accounts import tokens
from app.accounts import users as accounts
from app.cli.common import fail, organisation_by_ref
from app.errors import DomainError
from app.extensions import db
from app.models.user import Role

users_cli = AppGroup("users", help="User accounts.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", "full_name", required=True, help="Full name.")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--org", "org_ref", required=True, help="School login, organisation id or name.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def users_create(email: str, full_name: str, role: str, org_ref: str, password: str) -> None:
    """Create a user account."""
    org = organisation_by_ref(org_ref)
    if org is None:
        fail(f"No organisation {org_ref!r}.")
    try:
        user = accounts.create_user(
            email=email,
            full_name=full_name,
            role=Role(role),
            organisation=org,
            password=password,
            actor=None,
        )
    except DomainError as err:
        fail(err.message)
    db.session.commit()
    click.echo(f"Created {user.email} ({user.role.value}) in {org.name}.")


@users_cli.command("token")
@click.argument("email")
@click.option("--name", default="command line", show_default=True, help="What the token is for.")
def users_token(email: str, name: str) -> None:
    """Create a personal API token for the user and print it (once)."""
    user = accounts.find_user(email)
    if user is None or not user.active:
        fail(f"No active user {email!r}.")
    try:
        _token, secret = tokens.create(user, name)
    except DomainError as err:
        fail(err.message)
    db.session.commit()
    click.echo(secret)
