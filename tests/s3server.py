"""A real S3-compatible server on loopback for the tests: moto's, in a thread of this process
(MinIO cannot be installed here; moto speaks the same HTTP API to the same boto3 client)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask

STORAGE_KEYS = ("OKO_STORAGE_URL", "OKO_S3_ENDPOINT_URL")


@contextmanager
def s3_server() -> Iterator[str]:
    """Serve S3 on 127.0.0.1 and yield its endpoint URL; any credentials are accepted."""
    from moto.server import ThreadedMotoServer

    with pytest.MonkeyPatch.context() as env:
        env.setenv("AWS_ACCESS_KEY_ID", "oko-test")
        env.setenv("AWS_SECRET_ACCESS_KEY", "oko-test-secret")
        env.setenv("AWS_DEFAULT_REGION", "us-east-1")
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        try:
            host, port = server.get_host_and_port()
            yield f"http://{host}:{port}"
        finally:
            server.stop()


def new_bucket(endpoint: str) -> str:
    """Create an empty bucket with a fresh name."""
    from app.documents import s3

    name = f"oko-{uuid.uuid4().hex[:12]}"
    s3.client(endpoint).create_bucket(Bucket=name)
    return name


def object_keys(endpoint: str, bucket: str) -> list[str]:
    """Every key in the bucket."""
    from app.documents import s3

    pages = s3.client(endpoint).get_paginator("list_objects_v2").paginate(Bucket=bucket)
    return sorted(item["Key"] for page in pages for item in page.get("Contents", []))


@contextmanager
def s3_storage(app: Flask, url: str, endpoint: str) -> Iterator[Any]:
    """The app's documents in ``url`` for the duration of the block."""
    saved = {key: app.config[key] for key in STORAGE_KEYS}
    app.config.update(OKO_STORAGE_URL=url, OKO_S3_ENDPOINT_URL=endpoint)
    try:
        yield app
    finally:
        app.config.update(saved)
