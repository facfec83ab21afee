"""Start-up leaves the heavy libraries out until they are used (`app.lazy`)."""

from __future__ import annotations

import json
import subprocess
import sys

from app import lazy
from app.config import ROOT


def test_building_the_application_imports_none_of_the_heavy_libraries() -> None:
    probe = (
        "import json, os, sys\n"
        "os.environ['SECRET_KEY'] = 'k' * 40\n"
        "from app import create_app, lazy\n"
        "create_app({'SQLALCHEMY_DATABASE_URI': 'sqlite://'})\n"
        "print(json.dumps(sorted(n for n in lazy.HEAVY if n in sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def test_a_stand_in_imports_its_module_on_first_use_and_then_holds_its_names() -> None:
    stand_in = lazy.LazyModule("colorsys")
    sys.modules.pop("colorsys", None)
    assert "colorsys" not in sys.modules
    assert stand_in.rgb_to_hsv(1.0, 0.0, 0.0) == (0.0, 1.0, 1.0)
    assert "colorsys" in sys.modules
    assert "hsv_to_rgb" in vars(stand_in)  # later look-ups do not go through the import again
    assert lazy.module("colorsys") is sys.modules["colorsys"]  # an imported module is itself


def test_the_analytics_work_through_their_stand_ins() -> None:
    from app.analytics.combine import benjamini_hochberg

    q = benjamini_hochberg(lazy.module("numpy").array([0.01, 0.04, 0.03]))
    assert [round(float(v), 3) for v in q] == [0.03, 0.04, 0.04]
