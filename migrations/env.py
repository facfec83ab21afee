"""Alembic environment for Flask-Migrate. Logging is the application's, not alembic.ini's."""

import logging

from alembic import context
from flask import current_app

from migrations.render import render_item

config = context.config
log = logging.getLogger("alembic.env")
migrate_ext = current_app.extensions["migrate"]
target_metadata = migrate_ext.db.metadata


def _engine():
    return migrate_ext.db.engine


def _skip_empty(context_, revision, directives):
    """Do not write an empty revision when autogenerate finds nothing."""
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        log.info("No changes in schema detected.")


def _configure_args():
    args = dict(migrate_ext.configure_args)
    args.setdefault("process_revision_directives", _skip_empty)
    args.setdefault("render_item", render_item)
    args.setdefault("compare_type", True)
    return args


def run_migrations_offline():
    """Emit SQL to stdout instead of running it."""
    url = _engine().url.render_as_string(hide_password=False)
    context.configure(
        url=url, target_metadata=target_metadata, literal_binds=True, **_configure_args()
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    """Run the migrations on the application's database."""
    connection = config.attributes.get("connection")
    if connection is not None:  # tests pass their own connection
        context.configure(
            connection=connection, target_metadata=target_metadata, **_configure_args()
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    with _engine().connect() as connection:
        # SQLite alters a table by copying it; foreign keys must be off meanwhile, and the
        # pragma only works outside a transaction, so it goes to the raw connection first.
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.connection.driver_connection.execute("PRAGMA foreign_keys = OFF")
        try:
            context.configure(
                connection=connection, target_metadata=target_metadata, **_configure_args()
            )
            with context.begin_transaction():
                context.run_migrations()
        finally:
            if sqlite:
                connection.rollback()
                connection.connection.driver_connection.execute("PRAGMA foreign_keys = ON")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
