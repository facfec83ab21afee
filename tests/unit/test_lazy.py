"""Start-up leaves the heavy libraries out until they are used (`app.lazy`)."""

from __future__ import annotations

import json
import os
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


def test_the_servers_master_compiles_every_page_template_before_it_forks() -> None:
    """gunicorn.conf.py's when_ready compiles the templates in the master, so that a worker
    (a fork of it, also one started after a recycle) never compiles one on a request."""
    files = {p.relative_to(ROOT / "templates").as_posix() for p in (ROOT / "templates").rglob("*")}
    templates = sorted(name for name in files if "." in name.rsplit("/", 1)[-1])
    probe = (
        "import json, runpy\n"
        "runpy.run_path('gunicorn.conf.py')['when_ready'](None)\n"
        "import wsgi\n"
        "print(json.dumps(sorted(name for _loader, name in wsgi.app.jinja_env.cache)))\n"
    )
    env = {**os.environ, "SECRET_KEY": "k" * 40, "DATABASE_URL": "sqlite://"}
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert len(templates) > 40
    assert json.loads(done.stdout.strip().splitlines()[-1]) == templates
