"""`flask documents kinds|generate`: the generated documents from the command line, made by the
same generation as the case page."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from app.cli.common import fail
from app.documents import storage
from app.errors import DomainError
from app.extensions import db
from app.models.case import Case
from app.models.user import User
from app.paperwork import catalog, generate
from app.paperwork.contexts import BUILDERS

documents_cli = AppGroup("documents", help="Generated documents.")


@documents_cli.command("kinds")
def documents_kinds() -> None:
    """Print the key of every kind of generated document, one a line."""
    for kind in catalog.KINDS:
        if kind.key in BUILDERS:
            click.echo(kind.key)


@documents_cli.command("generate")
@click.option("--case", "case_id", required=True, type=int, help="Case id (as in the exports).")
@click.option("--kind", "key", required=True, help="A key of `flask documents kinds`.")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--as", "email", help="Whose name generates it (default: the issuer's person).")
def documents_generate(case_id: int, key: str, out: Path, email: str | None) -> None:
    """Generate the kind's document for the case, store it as its next version and write it."""
    if key not in BUILDERS:
        fail(f"Unknown document kind «{key}»; `flask documents kinds` lists them.")
    case = db.session.get(Case, case_id)
    if case is None:
        fail(f"No case {case_id}.")
    if not generate.applies(case, key):
        fail(
            f"The document «{key}» does not apply to case {case_id}: its track "
            f"({case.category.value}) and plan do not ask for it."
        )
    actor = (
        db.session.query(User).filter(User.email == email.lower()).first()
        if email
        else generate.default_author(case, key)
    )
    if actor is None:
        fail("Nobody may generate this document for the case; name someone with --as.")
    try:
        version = generate.generate(case, key, actor=actor)
    except DomainError as err:
        fail(err.message)
    data = storage.store().get(version.sha256)
    out.write_bytes(data)
    db.session.commit()
    click.echo(f"Wrote {out} (version {version.number}, {len(data)} bytes).")
