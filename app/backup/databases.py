"""Database dumps: PostgreSQL through pg_dump / pg_restore, SQLite through its online backup API.

A dump comes with an inventory (schema revision, rows per table, the store contents the rows
refer to) read in the very snapshot the dump holds, so the backup copies exactly the contents
its database needs, however busy the application is meanwhile.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from app.documents.cleanup import CONTENT_COLUMNS

DUMP_FILES = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}

Query = Callable[[str], Sequence[Any]]


class BackupError(RuntimeError):
    """A backup cannot be written or restored; the message says why (command-line English)."""


@dataclass(frozen=True)
class Inventory:
    """What a database holds: its schema revision, rows per table, the contents it refers to."""

    revision: str | None
    tables: dict[str, int]
    contents: frozenset[str]


def dump_file(dialect: str) -> str:
    """The name of the dump file for a database dialect."""
    if dialect not in DUMP_FILES:
        raise BackupError(f"Backups of {dialect} databases are not supported.")
    return DUMP_FILES[dialect]


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _inventory(query: Query, tables: list[str]) -> Inventory:
    # Table and column names come from the database's own catalogue or the constant above.
    counts = {t: int(query(f"SELECT count(*) FROM {_quoted(t)}")[0][0]) for t in sorted(tables)}  # noqa: S608
    contents: set[str] = set()
    for table, column in CONTENT_COLUMNS:
        if table in counts:
            contents.update(
                row[0]
                for row in query(f"SELECT DISTINCT {_quoted(column)} FROM {_quoted(table)}")  # noqa: S608
            )
    revision = None
    if "alembic_version" in counts:
        rows = query("SELECT version_num FROM alembic_version")
        revision = rows[0][0] if rows else None
    return Inventory(revision, counts, frozenset(contents))


PG_TABLES = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
SQLITE_TABLES = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"


def inventory(engine: sa.Engine) -> Inventory:
    """The inventory of the live database."""
    with engine.connect() as conn:

        def query(sql: str) -> Sequence[Any]:
            return conn.exec_driver_sql(sql).all()

        listing = PG_TABLES if engine.dialect.name == "postgresql" else SQLITE_TABLES
        return _inventory(query, [row[0] for row in query(listing)])


def is_empty(engine: sa.Engine) -> bool:
    """True when the database has no tables at all."""
    return not sa.inspect(engine).get_table_names()


def dump(engine: sa.Engine, target: Path, *, pg_bin: str = "") -> Inventory:
    """Write the database to ``target`` and return the inventory of what was written."""
    if engine.dialect.name == "postgresql":
        return _pg_dump(engine, target, pg_bin)
    dump_file(engine.dialect.name)
    return _sqlite_dump(engine, target)


def restore(engine: sa.Engine, source: Path, *, pg_bin: str = "") -> None:
    """Load the dump ``source`` into the (empty) database of ``engine``."""
    if engine.dialect.name == "postgresql":
        options = ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
        _pg(_pg_tool("pg_restore", pg_bin), engine.url, options, str(source))
    else:
        _sqlite_restore(engine, source)
    engine.dispose()  # no pooled connection keeps a picture of the empty database


def _sqlite_dump(engine: sa.Engine, target: Path) -> Inventory:
    raw = engine.raw_connection()
    try:
        with closing(sqlite3.connect(target, isolation_level=None)) as copy:
            raw.driver_connection.backup(copy)  # type: ignore[union-attr]
            # One self-contained file: the copy inherits WAL mode, which needs side files.
            copy.execute("PRAGMA journal_mode = DELETE")
            listing = [row[0] for row in copy.execute(SQLITE_TABLES)]
            return _inventory(lambda sql: copy.execute(sql).fetchall(), listing)
    finally:
        raw.close()


def _sqlite_restore(engine: sa.Engine, source: Path) -> None:
    raw = engine.raw_connection()
    try:
        with closing(sqlite3.connect(source.resolve().as_uri() + "?mode=ro", uri=True)) as dumped:
            dumped.backup(raw.driver_connection)  # type: ignore[arg-type]
    finally:
        raw.close()


def _pg_dump(engine: sa.Engine, target: Path, pg_bin: str) -> Inventory:
    tool = _pg_tool("pg_dump", pg_bin)
    with engine.connect() as conn:
        conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")
            _check_client_version(tool, conn.dialect.server_version_info)
            # pg_dump reads the snapshot this transaction holds, and so does the inventory.
            snapshot = conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
            options = ["--format=custom", f"--snapshot={snapshot}", "--file", str(target)]
            _pg(tool, engine.url, options)

            def query(sql: str) -> Sequence[Any]:
                return conn.exec_driver_sql(sql).all()

            return _inventory(query, [row[0] for row in query(PG_TABLES)])


def _pg_tool(name: str, pg_bin: str) -> str:
    tool = str(Path(pg_bin) / name) if pg_bin else shutil.which(name)
    if not tool or not Path(tool).is_file():
        raise BackupError(f"{name} not found: install the PostgreSQL client or set OKO_PG_BIN.")
    return tool


def _check_client_version(tool: str, server: tuple[int, ...] | None) -> None:
    """pg_dump refuses a newer server; say so plainly and how to point at the right one."""
    answer = subprocess.run([tool, "--version"], capture_output=True, text=True, check=False)  # noqa: S603
    found = re.search(r"\)\s*(\d+)", answer.stdout)
    client = int(found.group(1)) if found else 0
    if server and client < server[0]:
        raise BackupError(
            f"{tool} is version {client}, older than the PostgreSQL server ({server[0]}): "
            f"set OKO_PG_BIN to the client binaries of version {server[0]} or later."
        )


def _pg(tool: str, url: sa.URL, options: list[str], *files: str) -> None:
    """Run a libpq tool on the database of ``url``; the password goes by environment, not argv."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    dsn = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    result = subprocess.run(  # noqa: S603
        [tool, *options, "--dbname", dsn, *files],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"{Path(tool).name} failed: {result.stderr.strip()}")
