"""The drift check's verdicts: too little data, broken data, drift and no drift."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from journeyheal.drift.detect import DriftStatus, detect_drift
from journeyheal.drift.statistics import Method
from tests.drift.synthetic import COLUMNS, config, window

ROWS = 4_000


@pytest.mark.parametrize(
    ("reference_rows", "current_rows"),
    [(0, 0), (ROWS, 0), (0, ROWS), (5, 5), (ROWS, 5), (49, ROWS)],
)
def test_too_few_rows_is_not_enough_data(reference_rows: int, current_rows: int) -> None:
    result = detect_drift(
        window(reference_rows, 1), window(current_rows, 2, shifted=True), COLUMNS, config()
    )

    assert result.status is DriftStatus.NOT_ENOUGH_DATA
    assert result.drift_share is None
    assert result.drifted_columns == ()


@pytest.mark.parametrize("side", ["reference", "current", "both"])
@pytest.mark.parametrize("bad_value", [np.nan, np.inf])
def test_column_without_values_is_a_data_quality_failure(side: str, bad_value: float) -> None:
    reference, current = window(ROWS, 1), window(ROWS, 2)
    for name, frame in (("reference", reference), ("current", current)):
        if side in (name, "both"):
            frame["latency_max_ms"] = bad_value

    result = detect_drift(reference, current, COLUMNS, config())

    assert result.status is DriftStatus.DATA_QUALITY_FAILURE
    assert result.offending_columns == ("latency_max_ms",)
    assert "contract gate" in result.reason


def test_sparse_column_is_left_out_not_called_stable() -> None:
    reference, current = window(ROWS, 1), window(ROWS, 2)
    current.loc[current.index[10:], "elapsed_s"] = np.nan

    result = detect_drift(reference, current, COLUMNS, config())
    by_column = {f.column: f for f in result.features}

    assert by_column["elapsed_s"].status is DriftStatus.NOT_ENOUGH_DATA
    assert by_column["elapsed_s"].score is None
    assert len(result.compared) == len(COLUMNS) - 1
    assert result.status is DriftStatus.OK


def test_every_column_too_sparse_is_not_enough_data() -> None:
    reference, current = window(ROWS, 1), window(ROWS, 2)
    current.loc[current.index[10:], list(COLUMNS)] = None

    result = detect_drift(reference, current, COLUMNS, config())

    assert result.status is DriftStatus.NOT_ENOUGH_DATA


def test_channel_mix_and_latency_shift_is_flagged() -> None:
    result = detect_drift(window(ROWS, 1), window(ROWS, 2, shifted=True), COLUMNS, config())

    assert result.status is DriftStatus.DRIFTED
    assert set(result.drifted_columns) == {"channel", "latency_max_ms"}
    assert result.drift_share == pytest.approx(2 / len(COLUMNS))


@pytest.mark.parametrize("seed", [2, 3, 4])
def test_unshifted_window_is_not_flagged(seed: int) -> None:
    result = detect_drift(window(ROWS, 1), window(ROWS, seed), COLUMNS, config())

    assert result.status is DriftStatus.OK
    assert result.drifted_columns == ()
    assert result.drift_share == 0.0


def test_drift_share_below_the_bar_is_ok() -> None:
    result = detect_drift(
        window(ROWS, 1), window(ROWS, 2, shifted=True), COLUMNS, config(drift_share=0.5)
    )

    assert result.status is DriftStatus.OK
    assert set(result.drifted_columns) == {"channel", "latency_max_ms"}


def test_prediction_drift_alone_marks_the_window_drifted() -> None:
    rng = np.random.default_rng(5)
    reference_scores = pd.Series(rng.beta(2, 8, ROWS))
    current_scores = pd.Series(rng.beta(5, 5, ROWS))

    result = detect_drift(
        window(ROWS, 1), window(ROWS, 2), COLUMNS, config(), reference_scores, current_scores
    )

    assert result.prediction is not None
    assert result.prediction.method is Method.WASSERSTEIN
    assert result.prediction_drifted
    assert result.drifted_columns == ()
    assert result.status is DriftStatus.DRIFTED


@pytest.mark.parametrize(
    ("column", "method"),
    [
        ("channel", Method.JENSEN_SHANNON),
        ("latency_max_ms", Method.WASSERSTEIN),
        ("steps_reached", Method.WASSERSTEIN),
        ("few_values", Method.JENSEN_SHANNON),
    ],
)
def test_method_follows_evidentlys_large_sample_default(column: str, method: Method) -> None:
    reference, current = window(ROWS, 1), window(ROWS, 2)
    reference["few_values"] = np.arange(ROWS) % 3
    current["few_values"] = np.arange(ROWS) % 3

    result = detect_drift(reference, current, [*COLUMNS, "few_values"], config())

    assert {f.column: f.method for f in result.features}[column] is method


def test_same_seed_same_scores_and_sample_caps_the_work() -> None:
    reference, current = window(30_000, 1), window(30_000, 2, shifted=True)
    settings = config(sample_size=2_000)

    first = detect_drift(reference, current, COLUMNS, settings)
    second = detect_drift(reference, current, COLUMNS, settings)

    assert [f.score for f in first.features] == [f.score for f in second.features]
    assert set(first.drifted_columns) == {"channel", "latency_max_ms"}


def test_missing_column_is_named() -> None:
    current = window(ROWS, 2).drop(columns=["channel"])

    with pytest.raises(KeyError, match="current window lacks drift columns \\['channel'\\]"):
        detect_drift(window(ROWS, 1), current, COLUMNS, config())
