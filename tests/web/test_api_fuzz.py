"""Schemathesis against a live server with the demo region: no 5xx and no response that breaks
the OpenAPI description, with a ministry token, a school token, and without a token."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from app.accounts import tokens
from app.extensions import db
from app.models import User
from tests.conftest import LiveServer

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
COMMON = [
    "--max-examples",
    "10",
    "--seed",
    "1",
    "--generation-database",
    "none",
    "--workers",
    "1",  # hypothesis parses lambdas with ast.parse, which is not thread-safe on Python 3.11.7
    "--no-color",
    "--request-timeout",
    "30",
]


@pytest.fixture(scope="module")
def api_server(live: LiveServer) -> dict[str, Any]:
    """The shared live server (these tests run last: the fuzzer changes the demo region)."""
    server = live
    with server.app.app_context():
        secrets = {}
        for email in ("ministry@oko.demo", "edu990001@oko.demo"):
            user = db.session.scalars(sa.select(User).where(User.email == email)).one()
            secrets[email] = tokens.create(user, "fuzz")[1]
        db.session.commit()
    return {"schema": f"{server.url}/api/v1/openapi.json", "tokens": secrets}


def _run(arguments: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    if not SCHEMATHESIS.exists() and shutil.which("schemathesis") is None:
        pytest.fail("schemathesis is not installed (requirements-dev.txt)")
    command = [
        str(SCHEMATHESIS if SCHEMATHESIS.exists() else "schemathesis"),
        "run",
        *arguments,
        *COMMON,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=tmp_path)


@pytest.mark.parametrize("email", ["ministry@oko.demo", "edu990001@oko.demo"])
def test_fuzz_with_a_token(api_server: dict[str, Any], email: str, tmp_path: Path) -> None:
    token = api_server["tokens"][email]
    result = _run(
        [api_server["schema"], "--checks", "all", "-H", f"Authorization: Bearer {token}"], tmp_path
    )
    assert result.returncode == 0, result.stdout[-6000:]
    assert " passed" in result.stdout


def test_fuzz_without_a_token(api_server: dict[str, Any], tmp_path: Path) -> None:
    checks = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
    result = _run([api_server["schema"], "--checks", checks], tmp_path)
    assert result.returncode == 0, result.stdout[-6000:]
