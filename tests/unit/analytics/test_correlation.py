"""Correlation analysis for the information certificate (§4)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from app.analytics.correlation import (
    correlate,
    correlation_table,
    quadratic_kappa,
    read_student_marks,
)


def test_perfect_agreement_has_kappa_one_and_all_confirmed() -> None:
    marks = [2, 3, 4, 5, 3, 4, 4, 5, 2, 3, 5, 4]
    result = correlate(marks, marks)
    assert result["kappa"] == pytest.approx(1.0)
    assert result["confirmed"] == 1.0
    assert result["lowered"] == 0.0
    assert result["spearman"] == pytest.approx(1.0)


def test_statistics_match_scipy_and_intervals_contain_the_estimate() -> None:
    rng = np.random.default_rng(3)
    x = rng.integers(2, 6, 40)
    y = np.clip(x + rng.integers(-1, 2, 40), 2, 5)
    result = correlate(x, y)
    rho, p = stats.spearmanr(x, y)
    tau, _ = stats.kendalltau(x, y)
    assert result["spearman"] == pytest.approx(rho)
    assert result["spearman_p"] == pytest.approx(p)
    assert result["kendall_tau_b"] == pytest.approx(tau)
    low, high = result["spearman_ci"]
    assert low < rho < high
    assert sum(map(sum, result["contingency"])) == 40
    assert result["lowered"] + result["confirmed"] + result["raised"] == pytest.approx(1.0)


def test_below_minimum_says_not_enough_data() -> None:
    result = correlate([3, 4, 5, 4], [3, 4, 4, 5])
    assert result["status"] == "not_enough_data"
    assert "Not enough data" in result["wording"]
    assert result["spearman"] is None  # every result has every key


def test_constant_marks_do_not_warn() -> None:
    result = correlate([4] * 12, [3, 4, 5, 4, 3, 4, 5, 4, 3, 4, 5, 4])
    assert result["status"] == "constant"
    assert "do not vary" in result["wording"]


def test_kappa_penalises_distant_disagreement_more() -> None:
    x = [2, 3, 4, 5] * 5
    near = [min(v + 1, 5) for v in x]
    far = [5 if v < 4 else 2 for v in x]
    assert quadratic_kappa(x, near) > quadratic_kappa(x, far)


def test_table_groups_by_school_subject_class_and_reads_the_file() -> None:
    lines = ["Год;Логин ОО;Класс;Код участника;Предмет;Четверть 1;Промежуточная аттестация;ВПР;ЕГЭ"]
    rng = np.random.default_rng(5)
    for i in range(14):
        q1 = int(rng.integers(3, 6))
        lines.append(f"2024;edu000001;9А;p{i};Математика;{q1};{q1};{max(2, q1 - 1)};{40 + 5 * q1}")
    frame, problems = read_student_marks("\n".join(lines).encode("cp1251"))
    assert problems == []
    table = correlation_table(frame)
    assert set(table["compared_with"]) == {"attestation", "vpr", "ege"}
    ege = table[table["compared_with"] == "ege"].iloc[0]
    assert pd.isna(ege.get("kappa"))
    assert pd.isna(ege.get("lowered"))
    vpr = table[table["compared_with"] == "vpr"].iloc[0]
    assert vpr["lowered"] > 0.5


def test_bad_mark_is_reported_with_row_and_column() -> None:
    data = "Год;Логин ОО;Класс;Код участника;Предмет;Промежуточная аттестация\n2024;edu1;9А;p1;Физика;7\n"
    _frame, problems = read_student_marks(data.encode())
    assert [(p.row, p.column) for p in problems] == [(2, "Промежуточная аттестация")]
