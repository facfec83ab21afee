"""Recheck statistics (§5)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from app.analytics.recheck import read_recheck, recheck_protocol, recheck_statistics, summarise


def _frame(school: list[int], recheck: list[int]) -> pd.DataFrame:
    n = len(school)
    return pd.DataFrame(
        {
            "school_login": "edu000001",
            "subject": "Математика",
            "grade": 4,
            "participant": [f"p{i}" for i in range(n)],
            "score_school": school,
            "score_recheck": recheck,
            "mark_school": [2 + s // 6 for s in school],
            "mark_recheck": [2 + s // 6 for s in recheck],
        }
    )


def test_wilcoxon_matches_scipy() -> None:
    rng = np.random.default_rng(2)
    school = rng.integers(5, 18, 30)
    recheck = school - rng.integers(0, 4, 30)
    summary = summarise(_frame(list(school), list(recheck)))
    expected = stats.wilcoxon(recheck - school)
    assert summary["wilcoxon_p"] == pytest.approx(expected.pvalue)
    assert summary["wilcoxon_statistic"] == pytest.approx(expected.statistic)
    assert summary["mean_shift"] == pytest.approx(float(np.mean(recheck - school)))


def test_share_confirmed_against_the_target() -> None:
    school = [6, 12, 12, 6, 6, 12, 12, 6, 6, 12]
    recheck = [5, 12, 12, 6, 6, 12, 12, 6, 6, 11]  # two marks lowered
    summary = summarise(_frame(school, recheck))
    assert summary["confirmed"] == 8
    assert summary["lowered"] == 2
    assert summary["share_confirmed"] == pytest.approx(0.8)
    assert summary["meets_target"] is False
    low, high = summary["share_confirmed_ci"]
    assert low < 0.8 < high
    assert "8 of 10" in summary["wording"]


def test_no_changes_do_not_call_the_test() -> None:
    summary = summarise(_frame([5, 7, 9], [5, 7, 9]))
    assert summary["wilcoxon_p"] is None
    assert summary["meets_target"] is True


def test_protocol_and_reader() -> None:
    header = (
        "Логин ОО;Предмет;Параллель;Код участника;Первичный балл ОО;Первичный балл перепроверка;"
        "Отметка ОО;Отметка перепроверка"
    )
    data = (
        header + "\nedu000001;Математика;4;p1;12;10;4;3\nedu000001;Математика;4;p2;9;9;3;3\n"
    ).encode()
    frame, problems = read_recheck(data)
    assert problems == []
    protocol = recheck_protocol(frame, "edu000001")
    assert [w["score_change"] for w in protocol["works"]] == [-2, 0]
    assert protocol["summary"]["confirmed"] == 1
    assert len(recheck_statistics(frame)) == 1
    _bad, problems = read_recheck(data.replace(b";4;3\n", b";4;8\n"))
    assert [(p.row, p.column) for p in problems] == [(2, "Отметка перепроверка")]
