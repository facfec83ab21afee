"""State exam results (§7): refused whole with row and column, and sign 1 against them; sign 5
in both directions (a fall reveals last year's inflated grade 4)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from app.analytics.exams import exam_confirmation, read_exam_results
from app.analytics.signs import compute_signs, specialised_from_directory
from tests.unit.analytics.test_signs import frame, region  # noqa: F401 - module fixtures

HEADER = "Год;Экзамен;Предмет;Логин ОО;Код участника;Первичный балл;Тестовый балл;Отметка"


def test_a_good_file_is_read() -> None:
    data = "\n".join(
        [
            HEADER,
            "2024;ОГЭ;Математика;edu000001;a1;20;;4",
            "2024;ЕГЭ;Русский язык;EDU000001;a1;40;81;",
        ]
    ).encode("utf-8")
    frame_, problems = read_exam_results(data)
    assert not problems
    assert list(frame_["exam"]) == ["ОГЭ", "ЕГЭ"]
    assert frame_["school_login"].tolist() == ["edu000001", "edu000001"]
    assert frame_["mark"].tolist()[0] == 4 and frame_["test_score"].tolist()[1] == 81


def test_a_bad_file_is_refused_whole_naming_row_and_column() -> None:
    data = "\n".join(
        [
            HEADER,
            "2024;ОГЭ;Математика;edu000001;a1;20;;4",
            "2024;ОГЭ;Математика;edu000001;a1;21;;4",  # the same participant again
            "2024;ЕГЭ;Математика;edu000002;b1;20;;4",  # ЕГЭ with a mark, no test score
            "2024;ГИА;Математика;school;;-1;;",
        ]
    ).encode("cp1251")
    frame_, problems = read_exam_results(data)
    assert frame_.empty
    where = {(p.row, p.column) for p in problems}
    assert (3, "Код участника") in where
    assert {(4, "Тестовый балл"), (4, "Отметка")} <= where
    assert {(5, "Экзамен"), (5, "Логин ОО"), (5, "Код участника"), (5, "Первичный балл")} <= where


def _exams(logins: list[str], mean_mark: float, rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for login in logins:
        for i in range(15):
            mark = int(np.clip(round(rng.normal(mean_mark, 0.6)), 2, 5))
            rows.append(("ОГЭ", "Математика", login, f"{login}-{i}", mark))
    frame_ = pd.DataFrame(rows, columns=["exam", "subject", "school_login", "participant", "mark"])
    frame_["year"], frame_["score"] = 2025, 10
    frame_["test_score"] = pd.array([pd.NA] * len(frame_), dtype="Int16")
    frame_["mark"] = frame_["mark"].astype("Int16")
    return frame_


def test_sign_one_counts_when_the_exams_do_not_confirm(region, frame) -> None:  # noqa: F811
    loose = {"above_region": {"margin": 0.0, "fdr": 0.5}}
    special = specialised_from_directory(region.directory)
    first = compute_signs(
        frame, region.specs, rules=["above_region"], params=loose, specialised=special
    )
    fired = first.results[(first.results["status"] == "fired") & (first.results["code"] == "МА")]
    assert len(fired) >= 2
    weak, strong = [str(s) for s in fired["school_login"].unique()[:2]]
    rng = np.random.default_rng(1)
    others = [str(s) for s in frame["school_login"].unique() if str(s) not in (weak, strong)][:20]
    exams = pd.concat(
        [_exams([weak], 3.0, rng), _exams([strong], 4.6, rng), _exams(others, 3.8, rng)]
    )
    external = exam_confirmation(exams, {"Математика": "МА"})
    verdict = external.set_index("school_login")["confirmed"]
    assert not verdict[weak] and verdict[strong]
    again = compute_signs(
        frame,
        region.specs,
        rules=["above_region"],
        params=loose,
        specialised=special,
        external=external,
    )
    marked = again.markers[again.markers["marker"] == 1]
    math = marked[marked["code"] == "МА"]
    assert weak in set(math["school_login"].astype(str))  # refuted by the exams: it counts
    assert strong not in set(math["school_login"].astype(str))  # confirmed: not a marker
    status = again.results.set_index(["school_login", "code"])["status"]
    assert set(status.loc[(strong, "МА")]) <= {"confirmed_externally", "not_fired"}


def test_a_fall_next_year_reveals_an_inflated_grade_four(region, frame) -> None:  # noqa: F811
    first_year = int(frame["year"].min())
    grade4 = frame[(frame["year"] == first_year) & (frame["grade"] == 4) & (frame["code"] == "РУ")]
    sizes = grade4.groupby("school_login", observed=True).size()
    later = frame[(frame["year"] == first_year + 1) & (frame["grade"] == 5)]
    candidates = [s for s in sizes[sizes >= 30].index if (later["school_login"] == s).sum() >= 30]
    school = str(candidates[0])
    inflated = frame.copy()
    mine = (
        (inflated["year"] == first_year)
        & (inflated["grade"] == 4)
        & (inflated["code"] == "РУ")
        & (inflated["school_login"] == school)
    )
    inflated.loc[mine, "score"] = np.minimum(inflated.loc[mine, "score"] + 9, 38)
    result = compute_signs(inflated, region.specs, year=first_year, rules=["cohort_change"])
    detail = result.details["cohort_change"].set_index(["school_login", "code", "grade"])
    row = detail.loc[(school, "РУ", 4)]
    assert row["direction_tested"] == "fall" and row["status"] == "fired"
    evidence = result.evidence(school)[0]
    assert evidence["numbers"]["direction_tested"] == "fall"
    # without the next year's results grade 4 is not tested at all
    alone = compute_signs(
        inflated[inflated["year"] == first_year],
        region.specs,
        year=first_year,
        rules=["cohort_change"],
    )
    assert not (alone.details["cohort_change"]["grade"] == 4).any()
