"""Test specifications (§2): parsing and the checks that refuse a wrong one."""

from __future__ import annotations

import json

import pytest

from app.analytics.spec import SpecError, parse_specs, specs_to_json
from tests.unit.analytics.helpers import SPEC_JSON


def test_valid_specs_parse_with_levels_and_scale() -> None:
    specs = parse_specs(SPEC_JSON)
    assert [s.code for s in specs] == ["РУ", "МА"]
    assert specs[0].thresholds == (2, 4, 6)
    assert [t.level for t in specs[0].tasks] == ["Б", "П"]
    assert list(specs[0].mark_for([0, 1, 2, 3, 4, 5, 6, 7])) == [2, 2, 3, 3, 4, 4, 5, 5]


def test_round_trip_through_json() -> None:
    specs = parse_specs(SPEC_JSON)
    assert parse_specs(specs_to_json(specs)) == specs


def _one(**changes: object) -> str:
    obj = json.loads(SPEC_JSON)[0]
    obj.update(changes)
    return json.dumps([obj], ensure_ascii=False)


def test_maxima_that_do_not_add_up_are_refused() -> None:
    with pytest.raises(SpecError) as caught:
        parse_specs(_one(max_score=9))
    assert any("add up to 7" in p.message for p in caught.value.problems)


def test_thresholds_must_increase() -> None:
    with pytest.raises(SpecError) as caught:
        parse_specs(_one(marks={"3": 4, "4": 4, "5": 6}))
    assert caught.value.problems[0].column == "marks"


def test_unknown_level_and_duplicate_specs_are_reported() -> None:
    bad_level = _one(
        tasks=[{"id": "1", "max": 3, "level": "Z"}, {"id": "2", "max": 4, "level": "П"}]
    )
    with pytest.raises(SpecError):
        parse_specs(bad_level)
    twice = json.dumps([json.loads(SPEC_JSON)[0]] * 2, ensure_ascii=False)
    with pytest.raises(SpecError) as caught:
        parse_specs(twice)
    assert caught.value.problems[0].row == 2


def test_not_json_is_refused() -> None:
    with pytest.raises(SpecError):
        parse_specs(b"{not json")
