"""`flask backup create|restore`: a committed database and its documents, backed up and restored
into a new empty database and an empty store, then compared; damaged backups are refused."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from app.demo.files import simple_pdf
from app.documents import storage
from app.extensions import db
from app.models import AuditEvent, DocumentVersion, Role, User
from app.paperwork.catalog import kind
from app.paperwork.generate import register_template
from app.workflows import obligations as ops
from app.workflows.handin import upload_for_obligation
from tests.conftest import CsrfClient, make_app, new_database_url, upgrade_schema
from tests.helpers import Factory, hand_in, login, open_test_case
from tests.s3server import new_bucket, object_keys, s3_server


class Site:
    """An app on a database of its own, where every change is committed for real."""

    def __init__(self, folder: Path, *, migrate: bool, **config: Any) -> None:
        folder.mkdir(parents=True)
        url, self._drop = new_database_url(folder)
        self.app = make_app(url, folder, **config)
        if migrate:
            upgrade_schema(self.app)

    def cli(self, *args: str) -> Any:
        return self.app.test_cli_runner().invoke(args=list(args))

    def close(self) -> None:
        with self.app.app_context():
            db.engine.dispose()
        self._drop()


def _fill(site: Site) -> None:
    """Two municipalities' orders, one returned and handed in again, and an uploaded template."""
    with site.app.app_context():
        make = Factory()
        region = make.region()
        ministry = make.user(Role.MINISTRY, region)
        admin = make.user(Role.ADMIN, region)
        orders = []
        for _ in range(2):
            municipality = make.municipality(region)
            municipal = make.user(Role.MUNICIPAL, municipality)
            order = open_test_case(make.school(municipality)).obligations[0]
            hand_in(order, municipal)
            orders.append((order, municipal))
        order, municipal = orders[0]
        ops.review(
            order.id, accept=False, actor=ministry, expected_version=None, comment="Нет подписи"
        )
        signed = simple_pdf("Order, signed")
        upload_for_obligation(
            order.id,
            "Приказ № 1.pdf",
            signed,
            actor=municipal,
            expected_version=None,
            note="С подписью",
        )
        template = kind("municipal_order").bundled_template()
        register_template("municipal_order", template, "order.docx", actor=admin)
        db.session.commit()


def _counts(app: Flask) -> dict[str, int]:
    with app.app_context():
        tables = sa.inspect(db.engine).get_table_names()
        with db.engine.connect() as conn:
            return {
                t: conn.scalar(sa.select(sa.func.count()).select_from(sa.table(t))) or 0
                for t in tables
            }


def _documents(app: Flask) -> dict[tuple[int, int], bytes]:
    """Every document version, downloaded over HTTP by the region's ministry."""
    app.test_client_class = CsrfClient
    client = app.test_client()
    with app.app_context():
        ministry = db.session.scalars(sa.select(User).where(User.role == Role.MINISTRY)).one()
        versions = db.session.execute(
            sa.select(DocumentVersion.document_id, DocumentVersion.number)
        )
        keys = sorted(versions.tuples())
    login(client, ministry)
    found = {}
    for document_id, number in keys:
        response = client.get(f"/documents/{document_id}/v/{number}")
        assert response.status_code == 200, (document_id, number)
        found[document_id, number] = response.data
    return found


def _stored(app: Flask, endpoint: str) -> set[str]:
    """The names of the contents in the app's store, local or S3."""
    url = app.config["OKO_STORAGE_URL"]
    if url:
        keys = object_keys(endpoint, url.removeprefix("s3://").strip("/"))
    else:
        keys = [p.name for p in Path(app.config["OKO_STORAGE_DIR"]).rglob("*") if p.is_file()]
    return {key.rsplit("/", 1)[-1] for key in keys if not key.endswith(".health")}


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with s3_server() as url:
        yield url


def _storage(kind_: str, endpoint: str) -> dict[str, str]:
    if kind_ == "local":
        return {}
    return {"OKO_STORAGE_URL": f"s3://{new_bucket(endpoint)}/", "OKO_S3_ENDPOINT_URL": endpoint}


@pytest.mark.parametrize("store", ["local", "s3"])
def test_backup_then_restore_into_an_empty_database_and_store(
    tmp_path: Path, endpoint: str, store: str
) -> None:
    source = Site(tmp_path / "source", migrate=True, **_storage(store, endpoint))
    target = Site(tmp_path / "target", migrate=False, **_storage(store, endpoint))
    try:
        _fill(source)
        folder = tmp_path / "backup"
        made = source.cli("backup", "create", str(folder))
        assert made.exit_code == 0, made.output
        assert "Backup written to" in made.output

        done = target.cli("backup", "restore", str(folder))
        assert done.exit_code == 0, done.output
        assert "chain intact" in done.output

        assert _counts(target.app) == _counts(source.app)
        documents = _documents(source.app)
        assert len(documents) >= 3
        assert _documents(target.app) == documents
        assert _stored(target.app, endpoint) == _stored(source.app, endpoint)
        assert len(_stored(target.app, endpoint)) == 3  # two PDFs and a template
        verified = target.cli("audit", "verify")
        assert verified.exit_code == 0, verified.output
        _the_restored_site_keeps_working(target)
    finally:
        source.close()
        target.close()


def _the_restored_site_keeps_working(site: Site) -> None:
    """History stays append-only, and new rows and events follow on from the restored ones."""
    with site.app.app_context():
        forge = sa.text("UPDATE audit_event SET action = 'forged' WHERE seq = 1")
        with pytest.raises(sa.exc.DatabaseError, match="append-only"), db.engine.begin() as conn:
            conn.execute(forge)
        municipal = db.session.scalars(sa.select(User).where(User.role == Role.MUNICIPAL)).first()
        assert municipal is not None
        school = Factory().school(municipal.organisation, login="edu799999")
        hand_in(open_test_case(school, year=2024).obligations[0], municipal)
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) > 1
    verified = site.cli("audit", "verify")
    assert verified.exit_code == 0, verified.output


@pytest.fixture(scope="module")
def backup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One backup of a filled site, copied by each test that damages it."""
    folder = tmp_path_factory.mktemp("backed-up")
    source = Site(folder / "source", migrate=True)
    try:
        _fill(source)
        made = source.cli("backup", "create", str(folder / "backup"))
        assert made.exit_code == 0, made.output
        yield folder / "backup"
    finally:
        source.close()


def _flip_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def _damage(folder: Path, how: str) -> str:
    """Damage the backup; return what the refusal must name."""
    manifest = json.loads((folder / "manifest.json").read_text())
    if how == "dump":
        _flip_a_byte(folder / manifest["database"])
        return f"{manifest['database']}: SHA-256 does not match"
    if how == "content":
        name = next(n for n in sorted(manifest["files"]) if n.startswith("contents/"))
        _flip_a_byte(folder / name)
        return f"{name}: SHA-256 does not match"
    if how == "missing":
        name = next(n for n in sorted(manifest["files"]) if n.startswith("contents/"))
        (folder / name).unlink()
        return f"{name}: missing"
    manifest["schema_revision"] = "9999_from_the_future"
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return "Schema revision '9999_from_the_future' of the backup is unknown"


@pytest.mark.parametrize("how", ["dump", "content", "missing", "revision"])
def test_a_damaged_backup_is_refused_naming_the_file(
    backup: Path, tmp_path: Path, how: str
) -> None:
    folder = tmp_path / "backup"
    shutil.copytree(backup, folder)
    expected = _damage(folder, how)
    target = Site(tmp_path / "target", migrate=False)
    try:
        refused = target.cli("backup", "restore", str(folder))
        assert refused.exit_code == 1
        assert expected in refused.output
        with target.app.app_context():
            assert sa.inspect(db.engine).get_table_names() == []
        assert not Path(target.app.config["OKO_STORAGE_DIR"]).exists()
    finally:
        target.close()


def test_restore_refuses_a_database_that_is_not_empty(backup: Path, tmp_path: Path) -> None:
    target = Site(tmp_path / "target", migrate=True)
    try:
        refused = target.cli("backup", "restore", str(backup))
        assert refused.exit_code == 1
        assert "The database is not empty" in refused.output
        with target.app.app_context():
            assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 0
    finally:
        target.close()


def test_create_refuses_a_folder_in_use_and_a_damaged_store(tmp_path: Path) -> None:
    site = Site(tmp_path / "site", migrate=True)
    try:
        _fill(site)
        used = tmp_path / "used"
        used.mkdir()
        (used / "notes.txt").write_text("something else")
        refused = site.cli("backup", "create", str(used))
        assert refused.exit_code == 1
        assert "is not an empty folder" in refused.output
        with site.app.app_context():
            sha = db.session.scalars(sa.select(DocumentVersion.sha256)).first()
            assert sha is not None
            path = storage.LocalStore(Path(site.app.config["OKO_STORAGE_DIR"])).path(sha)
        path.unlink()
        refused = site.cli("backup", "create", str(tmp_path / "new"))
        assert refused.exit_code == 1
        assert f"{sha}: missing from the document store" in refused.output
        assert not (tmp_path / "new" / "manifest.json").exists()
    finally:
        site.close()
