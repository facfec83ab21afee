"""Every user-facing string has a Russian translation (CI fails otherwise)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from app import ROOT

RU_PO = ROOT / "app" / "translations" / "ru" / "LC_MESSAGES" / "messages.po"


def _extract(tmp_path: Path) -> Path:
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-o",
            str(pot),
            "--no-location",
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return pot


def test_every_string_in_the_code_has_a_russian_translation(tmp_path: Path) -> None:
    with _extract(tmp_path).open("rb") as f:
        template = read_po(f)
    with RU_PO.open("rb") as f:
        russian = read_po(f)
    missing = []
    for message in template:
        if not message.id:
            continue
        translated = russian.get(message.id, context=message.context)
        strings = translated.string if translated else None
        ok = all(strings) if isinstance(strings, tuple) else bool(strings)
        if not ok or (translated is not None and translated.fuzzy):
            missing.append(message.id)
    assert missing == [], f"run `make messages` and translate: {missing}"


def test_russian_plural_forms_are_complete() -> None:
    with RU_PO.open("rb") as f:
        russian = read_po(f)
    assert russian.num_plurals == 3
    for message in russian:
        if isinstance(message.id, tuple):
            assert len(message.string) == 3 and all(message.string), message.id
