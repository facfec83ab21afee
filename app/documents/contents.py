"""What every document store shares: contents are named by their SHA-256."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Protocol

SHA_RE = re.compile(r"^[0-9a-f]{64}$")


class Store(Protocol):
    """Where document contents live. ``put`` returns the SHA-256 only once the content is durable,
    and storing a content twice keeps one copy; ``get`` raises FileNotFoundError for an unknown
    one; ``check`` raises unless the store can be written and read back."""

    def put(self, data: bytes) -> str: ...
    def get(self, sha256: str) -> bytes: ...
    def exists(self, sha256: str) -> bool: ...
    def check(self) -> None: ...


def digest(data: bytes) -> str:
    """The SHA-256 hex digest that names a content."""
    return hashlib.sha256(data).hexdigest()


def fsync_path(path: Path) -> None:
    """Flush a file or a directory (a rename is durable once its directory is) to the disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
