"""Configuration from environment variables, validated, with development defaults."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

# The project's checkout: templates/, migrations/ and instance/ live here.
ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """A setting is missing or malformed."""


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


def _int(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from exc
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}")
    return value


def _int_list(name: str, default: tuple[int, ...]) -> tuple[int, ...]:
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        values = tuple(sorted({int(part) for part in raw.split(",") if part.strip()}, reverse=True))
    except ValueError as exc:
        raise ConfigError(f"{name} must be comma-separated integers, got {raw!r}") from exc
    if not values or min(values) < 1:
        raise ConfigError(f"{name} needs whole numbers of days, at least 1")
    return values


def _storage_url(name: str) -> str:
    """Empty (the local store) or ``s3://bucket[/prefix]``."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return ""
    parts = urlsplit(raw)
    if parts.scheme != "s3" or not parts.netloc or parts.query or parts.fragment:
        raise ConfigError(f"{name} must look like s3://bucket/prefix, got {raw!r}")
    return raw


def _secret_key(instance_path: Path, production: bool) -> str:
    """SECRET_KEY from the environment; development keeps a generated one in instance/."""
    key = os.environ.get("SECRET_KEY")
    if key:
        if len(key) < 32:
            raise ConfigError("SECRET_KEY must be at least 32 characters")
        return key
    if production:
        raise ConfigError("SECRET_KEY must be set in production (OKO_ENV=production)")
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _normalise_db_url(url: str) -> str:
    # Heroku-style and bare postgresql URLs select psycopg 3 explicitly.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def load_config(instance_path: Path) -> dict[str, Any]:
    """Build the Flask configuration mapping from the environment."""
    production = os.environ.get("OKO_ENV", "development") == "production"
    db_url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance_path / 'oko.sqlite3'}"
    https = _bool("OKO_HTTPS", production)
    return {
        "OKO_ENV": "production" if production else "development",
        "SECRET_KEY": _secret_key(instance_path, production),
        "SQLALCHEMY_DATABASE_URI": _normalise_db_url(db_url),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": https,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": https,
        "PREFERRED_URL_SCHEME": "https" if https else "http",
        "OKO_PROXY_HOPS": _int("OKO_PROXY_HOPS", 0),
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
        # A session lasts a working day from the login, not renewed by use (the server-side
        # session row has the same end).
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=_int("OKO_SESSION_HOURS", 12, 1)),
        "SESSION_REFRESH_EACH_REQUEST": False,
        "BABEL_DEFAULT_LOCALE": "ru",
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("OKO_TIMEZONE", "Europe/Moscow"),
        "OKO_LOCALES": ("ru", "en"),
        "MAX_CONTENT_LENGTH": _int("OKO_MAX_UPLOAD_MB", 25, 1) * 1024 * 1024,
        "OKO_STORAGE_DIR": os.environ.get("OKO_STORAGE_DIR", str(instance_path / "storage")),
        "OKO_STORAGE_URL": _storage_url("OKO_STORAGE_URL"),
        "OKO_S3_ENDPOINT_URL": os.environ.get("OKO_S3_ENDPOINT_URL", ""),
        "OKO_PG_BIN": os.environ.get("OKO_PG_BIN", ""),
        "OKO_LOGIN_DELAY_AFTER": _int("OKO_LOGIN_DELAY_AFTER", 3, 1),
        "OKO_LOGIN_MAX_WAIT_MINUTES": _int("OKO_LOGIN_MAX_WAIT_MINUTES", 15, 1),
        "OKO_PAGE_SIZE": _int("OKO_PAGE_SIZE", 50, 5),
        "OKO_READ_CACHE": _bool("OKO_READ_CACHE", True),
        # the drawn pages the server's workers share (app.pageshare); empty: each its own
        "OKO_PAGE_DIR": os.environ.get("OKO_PAGE_DIR", str(instance_path / "pages")),
        "OKO_REMIND_DAYS": _int_list("OKO_REMIND_DAYS", (5, 1)),
        "OKO_ESCALATE_AFTER_DAYS": _int("OKO_ESCALATE_AFTER_DAYS", 3, 1),
        "OKO_BASE_URL": os.environ.get("OKO_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        "OKO_SMTP_HOST": os.environ.get("OKO_SMTP_HOST", ""),
        "OKO_SMTP_PORT": _int("OKO_SMTP_PORT", 25, 1),
        "OKO_SMTP_USER": os.environ.get("OKO_SMTP_USER", ""),
        "OKO_SMTP_PASSWORD": os.environ.get("OKO_SMTP_PASSWORD", ""),
        "OKO_SMTP_STARTTLS": _bool("OKO_SMTP_STARTTLS", False),
        "OKO_MAIL_FROM": os.environ.get("OKO_MAIL_FROM", "ОКО <noreply@oko.local>"),
        "OKO_DIGEST_HOUR": _int("OKO_DIGEST_HOUR", 7, 0),
    }
