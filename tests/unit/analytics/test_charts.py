"""Charts render as PNG, with Cyrillic text and no warnings."""

from __future__ import annotations

import pandas as pd

from app.analytics import charts
from tests.unit.analytics.helpers import specs

PNG = b"\x89PNG\r\n\x1a\n"


def test_histogram_and_task_profile() -> None:
    spec = specs()[0]
    png = charts.score_histogram_png(
        [1, 2, 2, 4, 6, 6, 7],
        spec,
        region_scores=[0, 1, 2, 3, 4, 5, 6, 7],
        title="Школа № 1, русский язык",
    )
    assert png.startswith(PNG)
    profile = pd.DataFrame(
        {"task": ["1", "2"], "level": ["Б", "П"], "school": [0.5, 0.9], "region": [0.7, 0.4]}
    )
    assert charts.task_profile_png(profile, title="Профиль заданий").startswith(PNG)


def test_tables_and_recheck() -> None:
    table = [[1, 0, 0, 0], [2, 5, 1, 0], [0, 3, 6, 1], [0, 0, 2, 4]]
    assert charts.contingency_png(table, x_label="Четверть", y_label="ВПР").startswith(PNG)
    rows = pd.DataFrame(
        {
            "label": ["4А", "4Б"],
            "lowered": [0.2, 0.1],
            "confirmed": [0.7, 0.8],
            "raised": [0.1, 0.1],
        }
    )
    assert charts.agreement_png(rows, title="Согласованность").startswith(PNG)
    assert charts.recheck_scatter_png([5, 8, 12], [5, 7, 10]).startswith(PNG)


def test_task_profile_from_frame() -> None:
    from app.analytics.vpr import read_vpr
    from tests.unit.analytics.helpers import csv_text

    frame = read_vpr(csv_text().encode(), specs()).frame
    profile = charts.task_profile(frame, specs()[0], "edu123456")
    assert list(profile["task"]) == ["1", "2"]
    assert profile.loc[0, "school"] == 1.0
