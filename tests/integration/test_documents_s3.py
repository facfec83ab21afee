"""Documents in an S3-compatible bucket (OKO_STORAGE_URL): uploads, downloads, health, dedup."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.config import ConfigError, load_config
from app.demo.files import simple_pdf
from app.documents import contents, storage
from app.documents.s3 import S3Store
from app.extensions import db
from tests.helpers import hand_in, login, open_test_case
from tests.s3server import new_bucket, object_keys, s3_server, s3_storage


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with s3_server() as url:
        yield url


@pytest.fixture
def bucket(app: Flask, endpoint: str) -> Iterator[str]:
    """A fresh bucket holding the session app's documents under the prefix ``docs/``."""
    name = new_bucket(endpoint)
    with s3_storage(app, f"s3://{name}/docs", endpoint):
        yield name


def _local_files(app: Flask) -> list[Path]:
    root = Path(app.config["OKO_STORAGE_DIR"])
    return [p for p in root.rglob("*") if p.is_file() and not p.name.startswith(".")]


def test_upload_and_download_go_through_the_bucket(
    client: FlaskClient, world: dict[str, Any], app: Flask, endpoint: str, bucket: str
) -> None:
    local_before = _local_files(app)
    order = open_test_case(world["schools"]["a1"]).obligations[0]
    login(client, world["users"]["municipal_a"])
    content = simple_pdf("Order in the bucket")
    response = client.post(
        f"/obligations/{order.id}/upload",
        data={"version": str(order.version), "file": (io.BytesIO(content), "Приказ.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    sha = contents.digest(content)
    assert f"docs/{sha[:2]}/{sha[2:4]}/{sha}" in object_keys(endpoint, bucket)
    assert _local_files(app) == local_before  # nothing went to the local folder
    db.session.refresh(order)
    download = client.get(f"/documents/{order.document_id}/v/1")
    assert download.status_code == 200
    assert download.data == content


def test_the_same_content_is_stored_once(
    world: dict[str, Any], app: Flask, endpoint: str, bucket: str
) -> None:
    # Both municipalities hand in the same bytes (hand_in writes one text per obligation type).
    first = open_test_case(world["schools"]["a1"]).obligations[0]
    second = open_test_case(world["schools"]["b1"]).obligations[0]
    one = hand_in(first, world["users"]["municipal_a"])
    two = hand_in(second, world["users"]["municipal_b"])
    assert one.document_id != two.document_id and one.sha256 == two.sha256
    assert object_keys(endpoint, bucket) == [
        f"docs/{one.sha256[:2]}/{one.sha256[2:4]}/{one.sha256}"
    ]
    assert storage.store() is storage.store()  # one client per app, not one per call
    assert isinstance(storage.store(), S3Store)


def test_health_checks_the_bucket(client: FlaskClient, app: Flask, endpoint: str) -> None:
    name = new_bucket(endpoint)
    with s3_storage(app, f"s3://{name}", endpoint):
        health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json["checks"]["storage"] == "ok"
    assert object_keys(endpoint, name) == [".health"]
    with s3_storage(app, "s3://oko-no-such-bucket/docs", endpoint):
        broken = client.get("/healthz")
    assert broken.status_code == 503
    assert broken.json["checks"] == {"database": "ok", "storage": "error: NoSuchBucket"}


def test_a_missing_content_reads_as_missing(app: Flask, endpoint: str, bucket: str) -> None:
    with app.app_context():
        with pytest.raises(FileNotFoundError):
            storage.store().get("0" * 64)
        assert not storage.store().exists("0" * 64)


@pytest.mark.parametrize(
    "url", ["http://bucket/docs", "s3://", "s3:///prefix", "s3://bucket/docs?x=1"]
)
def test_a_malformed_storage_url_is_refused_at_start(
    url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("OKO_STORAGE_URL", url)
    with pytest.raises(ConfigError, match="OKO_STORAGE_URL"):
        load_config(tmp_path)


def test_the_storage_url_selects_the_store(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("OKO_STORAGE_URL", "s3://oko-docs/region/2026/")
    assert load_config(tmp_path)["OKO_STORAGE_URL"] == "s3://oko-docs/region/2026/"
    monkeypatch.delenv("OKO_STORAGE_URL")
    assert load_config(tmp_path)["OKO_STORAGE_URL"] == ""
