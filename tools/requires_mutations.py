"""Shows that the role × endpoint matrix can fail: removes each ``@requires(...)`` decorator of
the web views in turn (in a scratch copy of the tree) and runs the matrix against the mutant.

Run: .venv/bin/python tools/requires_mutations.py   (prints one line a decorator; exit 1 if any
mutant survives, i.e. the matrix still passes without that check)
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DECORATOR = re.compile(r"^@requires\(.*\)\s*$")


def main() -> int:
    survivors = 0
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "tree"
        shutil.copytree(
            ROOT, copy, ignore=shutil.ignore_patterns(".venv", ".git", "test-artifacts")
        )
        for view in sorted((copy / "app" / "web").rglob("*.py")):
            original = view.read_text()
            lines = original.splitlines(keepends=True)
            for index, line in enumerate(lines):
                if not DECORATOR.match(line):
                    continue
                view.write_text("".join(lines[:index] + lines[index + 1 :]))
                run = subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "pytest",
                        "-q",
                        "-x",
                        "-p",
                        "no:cacheprovider",
                        "tests/web/test_scope_matrix.py::test_role_endpoint_matrix",
                    ],
                    cwd=copy,
                    capture_output=True,
                    text=True,
                    check=False,
                )
                where = f"{view.relative_to(copy)}:{index + 1} {line.strip()}"
                if run.returncode == 0:
                    survivors += 1
                    print(f"SURVIVED  {where}")
                else:
                    failed = re.search(r"FAILED (\S+)", run.stdout)
                    print(f"caught    {where}  by {failed.group(1) if failed else '?'}")
                view.write_text(original)
    print(f"{survivors} mutant(s) survived")
    return 1 if survivors else 0


if __name__ == "__main__":
    raise SystemExit(main())
