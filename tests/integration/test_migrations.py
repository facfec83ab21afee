"""The schema comes from the migrations only: one head, no drift, a real downgrade."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import downgrade, upgrade

from app import ROOT
from app.extensions import db
from migrations.render import render_item
from tests.conftest import make_app, new_database_url


def test_one_migration_head() -> None:
    from alembic.config import Config

    config = Config(str(ROOT / "migrations" / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"several migration heads: {heads}"


def test_models_match_migrations(app: Flask) -> None:
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "render_item": render_item}
        )
        diff = compare_metadata(context, db.metadata)
    assert diff == [], f"models and migrations differ: {diff}"


def test_downgrade_to_empty_and_upgrade_again(tmp_path: Path) -> None:
    url, drop = new_database_url(tmp_path)
    scratch = make_app(url, tmp_path)
    try:
        with scratch.app_context():
            upgrade()
            assert "audit_event" in sa.inspect(db.engine).get_table_names()
            downgrade(revision="base")
            leftover = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
            assert leftover == set()
            upgrade()
            assert "user_account" in sa.inspect(db.engine).get_table_names()
            db.engine.dispose()
    finally:
        drop()
