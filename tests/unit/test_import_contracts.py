"""The import contracts of pyproject.toml hold, and they are not decoration: an import the wrong
way across a layer, or Flask inside the analytics, breaks them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    if not LINT_IMPORTS.exists():
        pytest.fail("lint-imports is missing (import-linter, requirements-dev.txt)")
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _copy(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    shutil.copytree(ROOT / "app", tree / "app", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tree / "pyproject.toml")
    return tree


def test_the_contracts_hold() -> None:
    run = _lint(ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout


def test_an_import_up_the_layers_breaks_them(tmp_path: Path) -> None:
    tree = _copy(tmp_path)
    (tree / "app" / "access" / "wrong_way.py").write_text(
        '"""Asks the workflows from below them."""\n\nfrom app.workflows import cases  # noqa\n'
    )
    run = _lint(tree)
    assert run.returncode != 0
    assert "Layers import downward only BROKEN" in run.stdout
    assert "app.access.wrong_way -> app.workflows.cases" in run.stdout


def test_flask_inside_the_analytics_breaks_them(tmp_path: Path) -> None:
    tree = _copy(tmp_path)
    (tree / "app" / "analytics" / "wrong_way.py").write_text(
        '"""Reaches for the request."""\n\nfrom flask import request  # noqa\n'
    )
    run = _lint(tree)
    assert run.returncode != 0
    assert "no Flask, no models, no database BROKEN" in run.stdout
