"""The evidence in words, in Russian: which of the school's works the school route combined."""

from __future__ import annotations

from typing import Any

import pytest
from babel.support import Translations

from app import translatable
from app.analytics import explain


@pytest.fixture
def russian(monkeypatch: pytest.MonkeyPatch) -> None:
    catalogue = Translations.load("app/translations", ["ru"])

    def gettext(msgid: str, **params: Any) -> str:
        text = catalogue.gettext(msgid)
        return text % params if params else text

    def ngettext(singular: str, plural: str, num: int, **params: Any) -> str:
        return catalogue.ngettext(singular, plural, num) % {"num": num, **params}

    monkeypatch.setattr(translatable, "_gettext", gettext)
    monkeypatch.setattr(translatable, "_ngettext", ngettext)


def _evidence(tested: int) -> dict[str, Any]:
    return {
        "rule": "boundary_peaks",
        "p_value": 0.0123,
        "q_value": 0.4,  # the work alone is not enough: the school route made the marker
        "school_q_value": 0.0456,
        "school_unit": "strongest",
        "school_works_combined": min(3, tested),
        "school_works_tested": tested,
        "threshold": {"fdr": 0.1},
    }


@pytest.mark.parametrize(
    ("tested", "words"),
    [
        (4, "3 самые заметные из 4 работ"),
        (21, "3 самые заметные из 21 работы"),
        (3, "все 3 проверенные работы"),
        (2, "обе проверенные работы"),
        (1, "единственная проверенная работа"),
    ],
)
def test_the_school_route_names_the_works_it_combined(russian, tested, words) -> None:
    sentence = explain.test_sentence(_evidence(tested))
    assert f"по совокупности работ школы ({words}): q = 0,046" in sentence
    assert "p = 0,012" in sentence and "strongest" not in sentence


def test_identical_answers_are_explained_in_russian(russian) -> None:
    evidence = {
        "rule": "identical_answers",
        "numbers": {"identical_pairs": 21, "excess_ratio": 3.456, "threshold_ratio": 1.6487},
        "reference": {"expected_identical_pairs": 6.25},
    }
    finding = explain.FINDINGS["identical_answers"](evidence)
    assert "у 21 пары участников одного класса" in finding
    assert "ожидается 6,2" in finding and "в 3,5 раза" in finding and "в 1,65 раза" in finding
    assert not any(word in finding for word in ("pairs", "identical", "threshold"))
