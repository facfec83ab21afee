"""Create and restore backups.

A backup is a folder::

    manifest.json            format, time, schema revision, dialect, rows per table, and the
                             SHA-256 of every other file in the folder
    database.pgdump          pg_dump --format=custom (PostgreSQL) or database.sqlite3 (SQLite)
    contents/ab/cd/<sha256>  every document content the database refers to

The manifest is written last: a folder without one is an unfinished backup. A restore checks
everything it can before it changes anything (the checksums, the dialect, the schema revision,
an empty database), then puts the contents into the configured store, verified, and only then
loads the database, so the database never refers to a content the store lacks.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import current_app

from app import audit
from app.backup import databases
from app.backup.databases import BackupError, Inventory
from app.documents import storage
from app.documents.contents import digest, fsync_path
from app.extensions import db

FORMAT = 1
MANIFEST = "manifest.json"
CONTENTS = "contents"
FIELDS = {"format", "created_at", "schema_revision", "dialect", "database", "tables", "files"}

__all__ = ["BackupError", "Created", "Restored", "create_backup", "restore_backup"]


@dataclass(frozen=True)
class Created:
    """What a new backup holds."""

    folder: Path
    dialect: str
    inventory: Inventory
    content_bytes: int
    files: int


@dataclass(frozen=True)
class Restored:
    """What a restore put back, and the checks run on the result."""

    dialect: str
    inventory: Inventory
    head: str | None
    chain: audit.VerifyResult | None  # None: not walked (a backup from before revision 0021)


def _file_digest(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _migrations() -> ScriptDirectory:
    return ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())


def create_backup(folder: Path) -> Created:
    """Write the database and every content it refers to into ``folder`` (new or empty)."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise BackupError(f"{folder} exists and is not an empty folder.")
    folder.mkdir(parents=True, exist_ok=True)
    dialect = db.engine.dialect.name
    dump = folder / databases.dump_file(dialect)
    found = databases.dump(db.engine, dump, pg_bin=current_app.config["OKO_PG_BIN"])
    fsync_path(dump)
    content_bytes = _copy_contents(found.contents, storage.LocalStore(folder / CONTENTS))
    files = {
        path.relative_to(folder).as_posix(): _file_digest(path)
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }
    manifest = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "schema_revision": found.revision,
        "dialect": dialect,
        "database": dump.name,
        "tables": found.tables,
        "files": files,
    }
    _write_durably(folder / MANIFEST, json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return Created(folder, dialect, found, content_bytes, len(files))


def _copy_contents(wanted: frozenset[str], copies: storage.LocalStore) -> int:
    """Copy every wanted content out of the configured store, checking each one's digest."""
    source, total, problems = storage.store(), 0, []
    for sha in sorted(wanted):
        try:
            data = source.get(sha)
        except FileNotFoundError:
            problems.append(f"{sha}: missing from the document store")
            continue
        if digest(data) != sha:
            problems.append(f"{sha}: the stored content does not match its SHA-256")
            continue
        copies.put(data)
        total += len(data)
    if problems:
        raise BackupError(
            "The document store is damaged; no backup written:\n" + "\n".join(problems)
        )
    return total


def _write_durably(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    fsync_path(path.parent)


def restore_backup(folder: Path) -> Restored:
    """Put the backup in ``folder`` into the configured (empty) database and store."""
    manifest = _read_manifest(folder)
    _verify_files(folder, manifest["files"])
    dialect = db.engine.dialect.name
    if manifest["dialect"] != dialect:
        raise BackupError(f"The backup is of a {manifest['dialect']} database, this is {dialect}.")
    if manifest["database"] != databases.dump_file(dialect):
        raise BackupError(f"The database dump should be {databases.dump_file(dialect)}.")
    migrations = _migrations()
    revision = manifest["schema_revision"]
    if revision is None or revision not in {r.revision for r in migrations.walk_revisions()}:
        raise BackupError(f"Schema revision {revision!r} of the backup is unknown to this code.")
    if not databases.is_empty(db.engine):
        raise BackupError(
            "The database is not empty: restore only into a new database without tables."
        )
    _put_contents(folder, manifest["files"])
    databases.restore(
        db.engine, folder / manifest["database"], pg_bin=current_app.config["OKO_PG_BIN"]
    )
    db.session.remove()
    restored = databases.inventory(db.engine)
    _compare(restored, manifest["tables"])
    # A backup taken before revision 0021 has no stored records yet: `flask db upgrade` adds
    # them, then `flask audit verify` walks the chain.
    columns = {c["name"] for c in sa.inspect(db.engine).get_columns("audit_event")}
    chain = audit.verify() if "canonical" in columns else None
    return Restored(dialect, restored, migrations.get_current_head(), chain)


def _read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST
    if not path.is_file():
        raise BackupError(f"No {MANIFEST} in {folder}: not a backup, or an unfinished one.")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise BackupError(f"{MANIFEST} is not valid JSON: {exc}") from exc
    lacking = FIELDS - set(manifest) if isinstance(manifest, dict) else FIELDS
    if lacking:
        raise BackupError(f"{MANIFEST} lacks {', '.join(sorted(lacking))}.")
    if manifest["format"] != FORMAT:
        raise BackupError(f"Backup format {manifest['format']!r} is not {FORMAT}.")
    return manifest


def _verify_files(folder: Path, files: dict[str, str]) -> None:
    """Every file named in the manifest is there with its checksum, and there is no other."""
    present = {
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if path.is_file() and path.name != MANIFEST
    }
    problems = [f"{name}: not listed in {MANIFEST}" for name in sorted(present - set(files))]
    for name, expected in sorted(files.items()):
        if name not in present:
            problems.append(f"{name}: missing")
        elif _file_digest(folder / name) != expected:
            problems.append(f"{name}: SHA-256 does not match {MANIFEST}")
        elif name.startswith(f"{CONTENTS}/") and not name.endswith(f"/{expected}"):
            problems.append(f"{name}: the content does not match its name")
    if problems:
        raise BackupError("The backup is damaged; nothing restored:\n" + "\n".join(problems))


def _put_contents(folder: Path, files: dict[str, str]) -> None:
    """Put each content into the configured store and read it back to verify it."""
    target = storage.store()
    for name in sorted(files):
        if not name.startswith(f"{CONTENTS}/"):
            continue
        sha = target.put((folder / name).read_bytes())
        if digest(target.get(sha)) != sha:
            raise BackupError(f"{name}: the store did not keep the content intact.")


def _compare(restored: Inventory, expected: dict[str, int]) -> None:
    """The restored database has the rows the manifest promises and every content it needs."""
    problems = [
        f"{table}: {restored.tables.get(table)} rows, the manifest says {count}"
        for table, count in sorted(expected.items())
        if restored.tables.get(table) != count
    ]
    missing = [sha for sha in sorted(restored.contents) if not storage.store().exists(sha)]
    problems += [f"content {sha} is missing from the store" for sha in missing]
    if problems:
        raise BackupError(
            "Restored, but the result does not match the manifest:\n" + "\n".join(problems)
        )
