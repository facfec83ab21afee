"""Document contents in an S3-compatible bucket (AWS S3, MinIO, Yandex Object Storage, Ceph).

Keys follow the local layout, ``<prefix>ab/cd/<sha256>``. A PutObject that has answered is
durable (that is the service's contract), so ``put`` returning means the content is safe before
the database transaction that refers to it commits. The body travels with its Content-MD5: a
transfer damaged on the way is refused by the server instead of stored. Credentials and region
come from the standard AWS sources (``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``,
``AWS_DEFAULT_REGION``, ``~/.aws``, an instance role).
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from app.documents.contents import SHA_RE, digest

HEALTH_KEY = ".health"
MISSING = {"404", "NoSuchKey", "NotFound"}


def client(endpoint_url: str | None) -> Any:
    """An S3 client; thread-safe, so one serves the whole application."""
    config = Config(
        connect_timeout=5,
        read_timeout=60,
        retries={"max_attempts": 5, "mode": "standard"},
        # S3-compatible servers differ on the newer flexible checksums; Content-MD5 is universal.
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
        # A custom endpoint (MinIO, Yandex, Ceph) is addressed by path, not by bucket host name.
        s3={"addressing_style": "path" if endpoint_url else "auto"},
    )
    return boto3.session.Session().client("s3", endpoint_url=endpoint_url, config=config)


def key_prefix(path: str) -> str:
    """The key prefix of the URL path ``/a/b/`` as ``a/b/`` (empty for the bucket's root)."""
    stripped = path.strip("/")
    return f"{stripped}/" if stripped else ""


def _missing(exc: ClientError) -> bool:
    return str(exc.response.get("Error", {}).get("Code")) in MISSING


@dataclass(frozen=True)
class S3Store:
    """Contents as objects ``<prefix>ab/cd/<sha256>`` in ``bucket``."""

    client: Any
    bucket: str
    prefix: str = ""

    def key(self, sha256: str) -> str:
        if not SHA_RE.match(sha256):
            raise ValueError("not a SHA-256 digest")
        return f"{self.prefix}{sha256[:2]}/{sha256[2:4]}/{sha256}"

    def _size(self, sha256: str) -> int | None:
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=self.key(sha256))
        except ClientError as exc:
            if _missing(exc):
                return None
            raise
        return int(head["ContentLength"])

    def put(self, data: bytes) -> str:
        sha = digest(data)
        if self._size(sha) == len(data):
            return sha
        md5 = hashlib.md5(data, usedforsecurity=False).digest()
        self.client.put_object(
            Bucket=self.bucket,
            Key=self.key(sha),
            Body=data,
            ContentMD5=base64.b64encode(md5).decode("ascii"),
            ContentType="application/octet-stream",
        )
        return sha

    def get(self, sha256: str) -> bytes:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self.key(sha256))
        except ClientError as exc:
            if _missing(exc):  # the same answer as the local store's
                raise FileNotFoundError(f"no content {sha256} in s3://{self.bucket}") from exc
            raise
        data: bytes = response["Body"].read()
        return data

    def exists(self, sha256: str) -> bool:
        return self._size(sha256) is not None

    def check(self) -> None:
        """Raise unless the bucket can be written and read back."""
        key = self.prefix + HEALTH_KEY
        self.client.put_object(Bucket=self.bucket, Key=key, Body=b"ok")
        if self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read() != b"ok":
            raise OSError("document store read-back failed")
