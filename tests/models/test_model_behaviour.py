"""Behavioural checks: they pass for a sound model and catch the faults they target."""

from __future__ import annotations

import zlib

import numpy as np
import pandas as pd
import pytest

from models.behaviour import (
    check_calm,
    check_direction,
    check_identifier_invariance,
    run_behaviour_checks,
)
from models.config import BehaviourParams
from models.split import TimeSplit
from models.train import TrainingResult

PARAMS = BehaviourParams(sample_rows=200)


def test_trained_model_passes_every_check(split: TimeSplit, trained: TrainingResult) -> None:
    results = run_behaviour_checks(
        trained.model.predict, split.test, ["error_count", "timeout_count"], PARAMS
    )

    assert {result.name: result.passed for result in results} == {
        "more_friction_never_lowers_risk": True,
        "risk_ignores_identifiers": True,
        "calm_journey_scores_low": True,
    }


def test_direction_check_catches_a_model_that_rewards_errors(split: TimeSplit) -> None:
    def rewards_errors(frame: pd.DataFrame) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(frame["error_count"].to_numpy(dtype=float)))

    result = check_direction(rewards_errors, split.test.head(50), ["error_count"], PARAMS)

    assert not result.passed
    assert result.value > 0


def test_invariance_check_catches_a_model_reading_the_journey_id(split: TimeSplit) -> None:
    def reads_id(frame: pd.DataFrame) -> np.ndarray:
        return np.array([zlib.crc32(value.encode()) % 100 / 100 for value in frame["journey_id"]])

    result = check_identifier_invariance(reads_id, split.test.head(50), PARAMS)

    assert not result.passed


@pytest.mark.parametrize(("constant_risk", "passed"), [(0.05, True), (0.5, False)])
def test_calm_check_compares_with_the_bound(
    split: TimeSplit, constant_risk: float, passed: bool
) -> None:
    def constant(frame: pd.DataFrame) -> np.ndarray:
        return np.full(len(frame), constant_risk)

    assert check_calm(constant, split.test.head(50), PARAMS).passed is passed


def test_calm_journey_has_no_errors_and_low_latency(split: TimeSplit) -> None:
    seen: list[pd.DataFrame] = []

    def record(frame: pd.DataFrame) -> np.ndarray:
        seen.append(frame)
        return np.zeros(len(frame))

    check_calm(record, split.test.head(50), PARAMS)

    calm = seen[0].iloc[0]
    assert calm["error_count"] == 0
    assert calm["timeout_count"] == 0
    assert calm["latency_max_ms"] == PARAMS.calm_values["latency_max_ms"]


def test_checks_refuse_a_frame_without_the_columns_they_need(split: TimeSplit) -> None:
    frame = split.test.head(5).drop(columns=["journey_id", "customer_id", "snapshot_id"])
    with pytest.raises(ValueError, match="identifier"):
        check_identifier_invariance(lambda f: np.zeros(len(f)), frame, PARAMS)
