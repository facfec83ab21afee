"""The document store: file contents by SHA-256, outside the web root.

Locally (the default), a file is written to a temporary name in its final directory, flushed
and fsynced, then renamed into place and the directory fsynced, all before the database
transaction that refers to it commits. A crash can leave an unreferenced file behind, never a row
pointing at a missing or partial one. The same content is stored once. With
``OKO_STORAGE_URL=s3://bucket/prefix`` the contents go to an S3-compatible bucket instead
(``app/documents/s3.py``), under the same rules.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app

from app.documents import s3
from app.documents.contents import SHA_RE, Store, digest, fsync_path


@dataclass(frozen=True)
class LocalStore:
    """Contents as files under ``root/ab/cd/<sha256>``."""

    root: Path

    def path(self, sha256: str) -> Path:
        if not SHA_RE.match(sha256):  # never let anything else near the file system
            raise ValueError("not a SHA-256 digest")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, data: bytes) -> str:
        sha = digest(data)
        target = self.path(sha)
        if target.exists() and target.stat().st_size == len(data):
            return sha
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        fsync_path(target.parent)
        return sha

    def get(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).exists()

    def check(self) -> None:
        """Raise unless the store can be written and read back."""
        self.root.mkdir(parents=True, exist_ok=True)
        probe = self.root / ".health"
        probe.write_bytes(b"ok")
        if probe.read_bytes() != b"ok":
            raise OSError("document store read-back failed")


def store() -> Store:
    """The configured store of the current application, built once per app and settings (the S3
    client keeps its connection pool between requests)."""
    config = current_app.config
    settings = (
        config["OKO_STORAGE_URL"],
        config["OKO_S3_ENDPOINT_URL"],
        config["OKO_STORAGE_DIR"],
    )
    cached = current_app.extensions.get("oko_store")
    if cached is None or cached[0] != settings:
        cached = (settings, _build(*settings))
        current_app.extensions["oko_store"] = cached
    built: Store = cached[1]
    return built


def _build(url: str, endpoint_url: str, directory: str) -> Store:
    if not url:
        return LocalStore(Path(directory))
    parts = urlsplit(url)  # validated by app.config: s3://bucket[/prefix]
    return s3.S3Store(s3.client(endpoint_url or None), parts.netloc, s3.key_prefix(parts.path))
