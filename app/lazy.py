"""The heavy libraries (pandas, numpy, scipy, matplotlib, pyarrow, openpyxl, docxtpl) are
imported when first used, not when the application starts.

Every view module is imported when the application is built, and with them the analytics they
call: eagerly, that costs about two seconds of every ``flask`` command (``flask audit verify``
included) for libraries most commands never touch. A module binds a library as usual for the type
checker and as a stand-in at run time::

    if TYPE_CHECKING:
        import pandas as pd
    else:
        pd = lazy.module("pandas")

The stand-in imports the library on its first attribute look-up (under the import system's own
lock, so threads are safe) and then copies the library's names onto itself, so later look-ups
cost what a module attribute costs. gunicorn's master calls :func:`load_all` before it forks, so
the workers share the loaded libraries and no request pays for the import.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

# what start-up leaves out: bound through module() or imported inside the functions that use them
HEAVY = (
    "numpy",
    "pandas",
    "pyarrow",
    "pyarrow.compute",
    "pyarrow.csv",
    "scipy.special",
    "scipy.stats",
    "matplotlib",
    "openpyxl",
    "docxtpl",
)

_stand_ins: dict[str, LazyModule] = {}


class LazyModule(types.ModuleType):
    """A module object that imports the module of its name on first use."""

    def __getattr__(self, attr: str) -> Any:
        real = importlib.import_module(self.__name__)
        self.__dict__.update(real.__dict__)
        return getattr(real, attr)


def module(name: str) -> Any:
    """The module ``name`` if already imported, else a stand-in that imports it when used."""
    if name in sys.modules:
        return sys.modules[name]
    return _stand_ins.setdefault(name, LazyModule(name))


def load_all() -> None:
    """Import every heavy library now (a server's master process, before it forks)."""
    for name in HEAVY:
        importlib.import_module(name)
    import matplotlib

    matplotlib.use("Agg")  # as app.analytics.charts sets it, before pyplot is imported
    importlib.import_module("matplotlib.pyplot")
