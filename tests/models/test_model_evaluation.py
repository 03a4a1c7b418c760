"""Evaluation on hand-made windows: metrics, step buckets, lead time, truth ratio."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from models.config import EvaluationParams
from models.evaluate import best_f1_threshold, evaluate, resolve_threshold, step_bucket_names

T0 = pd.Timestamp("2026-01-01T00:00:00Z")


def window() -> pd.DataFrame:
    """Journey a (abandoned, 3 snapshots), b (abandoned, 2), c and d (completed)."""
    return pd.DataFrame(
        {
            "journey_id": ["a", "a", "a", "b", "b", "c", "c", "d"],
            "event_timestamp": [T0 + pd.Timedelta(minutes=m) for m in (0, 5, 9, 1, 4, 2, 3, 6)],
            "step_index": [1, 2, 3, 1, 2, 1, 2, 7],
            "label": [1, 1, 1, 1, 1, 0, 0, 0],
            "minutes_to_outcome": [40.0, 35.0, 31.0, 20.0, 17.0, 9.0, 8.0, 3.0],
        }
    )


def test_precision_recall_and_auc_at_the_threshold() -> None:
    risk = np.array([0.2, 0.7, 0.9, 0.6, 0.8, 0.1, 0.65, 0.3])

    metrics = evaluate(window(), risk, EvaluationParams(threshold=0.5)).metrics

    # Flagged: rows 1, 2, 3, 4, 6 -> 4 true positives of 5 flagged, 4 of 5 positives found.
    assert metrics["precision_at_threshold"] == pytest.approx(4 / 5)
    assert metrics["recall_at_threshold"] == pytest.approx(4 / 5)
    # Pairs (positive, negative) ordered right: 12 of 15 (0.2 only beats 0.1; 0.6 not 0.65).
    assert metrics["roc_auc"] == pytest.approx(12 / 15)
    assert metrics["brier"] == pytest.approx(np.mean((risk - window()["label"]) ** 2))


def test_lead_time_counts_from_the_first_flagged_snapshot() -> None:
    risk = np.array([0.2, 0.7, 0.9, 0.1, 0.2, 0.1, 0.1, 0.1])

    report = evaluate(window(), risk, EvaluationParams(threshold=0.5))

    # a first flagged at minute 5, its customer's last event at minute 9; b never flagged.
    assert report.lead_times_min.tolist() == [4.0]
    assert report.metrics["detected_share"] == pytest.approx(0.5)
    assert report.metrics["lead_time_median_min"] == pytest.approx(4.0)


@pytest.mark.parametrize(
    ("edges", "names"),
    [
        ((1, 3, 6), ["auc_step_1", "auc_step_2_3", "auc_step_4_6", "auc_step_7_plus"]),
        ((2,), ["auc_step_1_2", "auc_step_3_plus"]),
    ],
)
def test_step_bucket_names(edges: tuple[int, ...], names: list[str]) -> None:
    assert [name for name, _, _ in step_bucket_names(edges)] == names


def test_auc_by_step_is_nan_where_a_bucket_holds_one_class() -> None:
    risk = np.array([0.9, 0.7, 0.9, 0.6, 0.8, 0.1, 0.65, 0.3])

    metrics = evaluate(
        window(), risk, EvaluationParams(threshold=0.5, step_bucket_edges=(1, 3, 6))
    ).metrics

    # Step 1: a, b abandoned (0.9, 0.6) vs c (0.1): perfectly ordered.
    assert metrics["auc_step_1"] == pytest.approx(1.0)
    assert math.isnan(metrics["auc_step_4_6"])
    assert math.isnan(metrics["auc_step_7_plus"])


def test_truth_metrics_and_ratio_to_the_best_reachable() -> None:
    frame = window().assign(p_abandon=[0.9, 0.9, 0.9, 0.8, 0.8, 0.1, 0.1, 0.2])
    risk = np.array([0.2, 0.7, 0.9, 0.6, 0.8, 0.1, 0.65, 0.3])

    metrics = evaluate(frame, risk, EvaluationParams(threshold=0.5)).metrics

    assert metrics["truth_roc_auc"] == pytest.approx(1.0)
    assert metrics["auc_ratio_to_best"] == pytest.approx(12 / 15)
    assert metrics["truth_coverage"] == pytest.approx(1.0)


def test_a_window_with_one_class_is_refused() -> None:
    frame = window().assign(label=1)
    with pytest.raises(ValueError, match="one class"):
        evaluate(frame, np.full(len(frame), 0.5), EvaluationParams(threshold=0.5))


def test_the_default_threshold_is_the_best_f1_on_validation() -> None:
    label = np.array([0, 0, 0, 0, 1, 1, 0, 1])
    risk = np.array([0.01, 0.02, 0.03, 0.05, 0.08, 0.09, 0.10, 0.12])

    # At 0.08 three of four flagged are abandoned and all three are caught: F1 6/7, the best.
    assert best_f1_threshold(label, risk) == pytest.approx(0.08)
    frame = pd.DataFrame({"label": label})
    assert resolve_threshold(EvaluationParams(), frame, risk).threshold == pytest.approx(0.08)
    assert resolve_threshold(EvaluationParams(threshold=0.3), frame, risk).threshold == 0.3


def test_evaluation_refuses_an_unresolved_threshold() -> None:
    with pytest.raises(ValueError, match="threshold"):
        evaluate(window(), np.full(8, 0.5), EvaluationParams())
