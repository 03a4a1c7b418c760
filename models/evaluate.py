"""Metrics of a candidate on the held-out window, next to the truth's where it is known."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from sklearn.metrics import (
    average_precision_score,
    brier_score_loss,
    precision_recall_curve,
    roc_auc_score,
)

from models.config import (
    LABEL_COLUMN,
    THRESHOLD_METRIC,
    TIMESTAMP_COLUMN,
    TRUTH_COLUMN,
    EvaluationParams,
)


@dataclass(frozen=True)
class EvaluationReport:
    """Flat metrics (MLflow-ready names) and the lead times behind the lead-time figures."""

    metrics: dict[str, float]
    lead_times_min: np.ndarray
    threshold: float


def classification_metrics(
    label: np.ndarray, risk: np.ndarray, threshold: float, prefix: str = ""
) -> dict[str, float]:
    """ROC-AUC, PR-AUC, Brier, and precision / recall at the operating threshold."""
    if len(np.unique(label)) < 2:
        msg = "evaluation window holds only one class; ROC-AUC is undefined"
        raise ValueError(msg)

    flagged = risk >= threshold
    true_positives = float(np.sum(flagged & (label == 1)))
    return {
        f"{prefix}roc_auc": float(roc_auc_score(label, risk)),
        f"{prefix}pr_auc": float(average_precision_score(label, risk)),
        f"{prefix}brier": float(brier_score_loss(label, risk)),
        f"{prefix}precision_at_threshold": true_positives / max(float(flagged.sum()), 1.0),
        f"{prefix}recall_at_threshold": true_positives / max(float(label.sum()), 1.0),
    }


def best_f1_threshold(label: np.ndarray, risk: np.ndarray) -> float:
    """The risk threshold with the highest F1 score on these labels (ties: the lowest)."""
    if len(np.unique(label)) < 2:
        msg = "choosing a threshold needs both classes in the window"
        raise ValueError(msg)
    precision, recall, thresholds = precision_recall_curve(label, risk)
    # The last precision/recall pair has no threshold: it is the "flag nothing" end.
    denominator = np.maximum(precision[:-1] + recall[:-1], np.finfo(np.float64).tiny)
    f1 = 2 * precision[:-1] * recall[:-1] / denominator
    return float(thresholds[int(np.argmax(f1))])


def resolve_threshold(
    params: EvaluationParams, validation: pd.DataFrame, risk: np.ndarray
) -> EvaluationParams:
    """The params with a threshold: the configured one, else the best F1 on validation."""
    if params.threshold is not None:
        return params
    label = validation[LABEL_COLUMN].to_numpy()
    return replace(params, threshold=best_f1_threshold(label, np.asarray(risk, np.float64)))


def step_bucket_names(edges: tuple[int, ...]) -> list[tuple[str, int, float]]:
    """(metric name, lowest step, highest step) of each step_index bucket."""
    buckets: list[tuple[str, int, float]] = []
    low = 0
    for edge in edges:
        name = f"auc_step_{edge}" if low + 1 >= edge else f"auc_step_{low + 1}_{edge}"
        buckets.append((name, low + 1 if low else 0, float(edge)))
        low = edge
    buckets.append((f"auc_step_{low + 1}_plus", low + 1, math.inf))
    return buckets


def auc_by_step(
    frame: pd.DataFrame, risk: np.ndarray, params: EvaluationParams
) -> dict[str, float]:
    """ROC-AUC per bucket of how far into the journey the prefix is; NaN if one class only."""
    if params.step_column not in frame.columns:
        return {}

    step = frame[params.step_column].to_numpy(dtype=np.float64)
    label = frame[LABEL_COLUMN].to_numpy()
    result: dict[str, float] = {}
    for name, low, high in step_bucket_names(params.step_bucket_edges):
        inside = (step >= low) & (step <= high)
        classes = np.unique(label[inside])
        result[name] = (
            float(roc_auc_score(label[inside], risk[inside])) if len(classes) == 2 else math.nan
        )
    return result


def lead_times(frame: pd.DataFrame, risk: np.ndarray, threshold: float) -> tuple[np.ndarray, float]:
    """Minutes from the first flagged snapshot to the customer leaving; share of them flagged.

    The customer leaves at the journey's last event; the label only declares it after the
    inactivity timeout, so minutes_to_outcome would add the whole timeout to every lead.
    """
    abandoned = frame[LABEL_COLUMN].to_numpy() == 1
    if not abandoned.any():
        return np.array([]), math.nan

    scored = frame.loc[abandoned, ["journey_id", TIMESTAMP_COLUMN]].assign(
        flagged=risk[abandoned] >= threshold,
        left=lambda rows: rows.groupby("journey_id")[TIMESTAMP_COLUMN].transform("max"),
    )
    journeys = scored["journey_id"].nunique()
    first = (
        scored[scored["flagged"]]
        .sort_values(TIMESTAMP_COLUMN)
        .drop_duplicates("journey_id", keep="first")
    )
    leads = (first["left"] - first[TIMESTAMP_COLUMN]).dt.total_seconds() / 60.0
    return leads.to_numpy(dtype=np.float64), len(first) / journeys


def truth_metrics(frame: pd.DataFrame, risk: np.ndarray, threshold: float) -> dict[str, float]:
    """The true probability's metrics (the best reachable) on rows where truth is known."""
    known = frame[TRUTH_COLUMN].notna().to_numpy()
    if not known.any():
        return {"truth_coverage": 0.0}

    label = frame[LABEL_COLUMN].to_numpy()[known]
    truth = frame[TRUTH_COLUMN].to_numpy(dtype=np.float64)[known]
    metrics = classification_metrics(label, truth, threshold, prefix="truth_")
    metrics["truth_coverage"] = float(known.mean())
    # Same rows on both sides of the ratio.
    model_auc = float(roc_auc_score(label, risk[known]))
    metrics["auc_ratio_to_best"] = model_auc / metrics["truth_roc_auc"]
    return metrics


def evaluate(frame: pd.DataFrame, risk: np.ndarray, params: EvaluationParams) -> EvaluationReport:
    """Every metric of one candidate's risks on the held-out frame."""
    risk = np.asarray(risk, dtype=np.float64)
    if len(risk) != len(frame):
        msg = f"{len(risk)} risks for {len(frame)} evaluation rows"
        raise ValueError(msg)
    label = frame[LABEL_COLUMN].to_numpy()
    threshold = params.threshold
    if threshold is None:
        msg = "no operating threshold: resolve it on the validation window first"
        raise ValueError(msg)

    metrics = classification_metrics(label, risk, threshold)
    metrics.update(auc_by_step(frame, risk, params))
    metrics["rows"] = float(len(frame))
    metrics["positive_rate"] = float(label.mean())
    metrics[THRESHOLD_METRIC] = threshold

    leads = np.array([])
    if TIMESTAMP_COLUMN in frame.columns:
        leads, detected = lead_times(frame, risk, threshold)
        metrics["detected_share"] = detected
        metrics["lead_time_median_min"] = float(np.median(leads)) if len(leads) else math.nan
        metrics["lead_time_mean_min"] = float(np.mean(leads)) if len(leads) else math.nan

    if TRUTH_COLUMN in frame.columns:
        metrics.update(truth_metrics(frame, risk, threshold))
    return EvaluationReport(metrics=metrics, lead_times_min=leads, threshold=threshold)
