"""Keeping an uploaded file between a preview and its confirmation, bound to the session."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from flask import current_app, session

_TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")


def _folder() -> Path:
    folder = Path(current_app.instance_path) / "tmp"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def put(purpose: str, data: bytes) -> str:
    """Store the bytes; return the token the confirmation form carries."""
    drop(purpose)
    token = secrets.token_hex(16)
    (_folder() / f"{purpose}-{token}.bin").write_bytes(data)
    session[f"stash_{purpose}"] = token
    return token


def get(purpose: str, token: str | None) -> bytes | None:
    """The stored bytes, if the token is well-formed and belongs to this session."""
    if not token or not _TOKEN_RE.match(token) or session.get(f"stash_{purpose}") != token:
        return None
    path = _folder() / f"{purpose}-{token}.bin"
    return path.read_bytes() if path.exists() else None


def drop(purpose: str) -> None:
    """Forget this session's stored file for the purpose."""
    token = session.pop(f"stash_{purpose}", None)
    if token and _TOKEN_RE.match(token):
        (_folder() / f"{purpose}-{token}.bin").unlink(missing_ok=True)
