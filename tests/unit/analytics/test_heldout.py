"""Held-out quality of the signs: a generator of non-objectivity they were not tuned on, on a
seed no parameter was chosen on (the tuning seeds are `bench.signs_heldout.TUNING_SEEDS`)."""

from __future__ import annotations

import pytest

from app.analytics.mechanisms import generate_mechanisms
from bench.signs_heldout import TUNING_SEEDS
from bench.signs_quality import score_region

SEED = 10


@pytest.mark.parametrize("mechanism", ["wide_bunching", "copying"])
def test_held_out_mechanism_is_found_without_flagging_honest_schools(mechanism: str) -> None:
    assert SEED not in TUNING_SEEDS
    found = score_region(generate_mechanisms([mechanism], 150, SEED))
    assert found["planted"] == 15
    assert found["precision"] >= 0.9, found["false_alarms"]
    assert found["recall"] >= 0.8, found["missed_logins"]
