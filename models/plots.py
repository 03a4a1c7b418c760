"""PNG figures of a candidate: ROC, PR, calibration, lead times, importance, contributions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from sklearn.calibration import calibration_curve
from sklearn.metrics import precision_recall_curve, roc_curve

from models.friction_model import FrictionModel

FIGURE_SIZE = (5.0, 4.0)
DPI = 90
CALIBRATION_BINS = 10
LEAD_TIME_BINS = 30
TOP_FEATURES = 20


def _save(figure: Figure, path: Path) -> Path:
    figure.tight_layout()
    figure.savefig(path, dpi=DPI)
    return path


def roc_plot(label: np.ndarray, risk: np.ndarray, path: Path) -> Path:
    """ROC curve with the chance diagonal."""
    false_positive, true_positive, _ = roc_curve(label, risk)
    figure = Figure(figsize=FIGURE_SIZE)
    axes = figure.add_subplot()
    axes.plot(false_positive, true_positive, label="model")
    axes.plot([0, 1], [0, 1], linestyle="--", color="grey", label="chance")
    axes.set(xlabel="false positive rate", ylabel="true positive rate", title="ROC")
    axes.legend()
    return _save(figure, path)


def pr_plot(label: np.ndarray, risk: np.ndarray, path: Path) -> Path:
    """Precision-recall curve with the base rate."""
    precision, recall, _ = precision_recall_curve(label, risk)
    figure = Figure(figsize=FIGURE_SIZE)
    axes = figure.add_subplot()
    axes.plot(recall, precision, label="model")
    axes.axhline(float(np.mean(label)), linestyle="--", color="grey", label="base rate")
    axes.set(xlabel="recall", ylabel="precision", title="Precision-recall")
    axes.legend()
    return _save(figure, path)


def calibration_plot(label: np.ndarray, risk: np.ndarray, path: Path) -> Path:
    """Observed abandonment rate against predicted risk, by quantile bin."""
    observed, predicted = calibration_curve(
        label, risk, n_bins=CALIBRATION_BINS, strategy="quantile"
    )
    figure = Figure(figsize=FIGURE_SIZE)
    axes = figure.add_subplot()
    axes.plot(predicted, observed, marker="o", label="model")
    axes.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfect")
    axes.set(xlabel="predicted risk", ylabel="observed abandonment", title="Calibration")
    axes.legend()
    return _save(figure, path)


def lead_time_plot(lead_times_min: np.ndarray, path: Path) -> Path:
    """Histogram of minutes between the first alert and the abandonment."""
    figure = Figure(figsize=FIGURE_SIZE)
    axes = figure.add_subplot()
    if len(lead_times_min):
        axes.hist(lead_times_min, bins=LEAD_TIME_BINS)
    else:
        axes.text(0.5, 0.5, "no abandonment flagged", ha="center", transform=axes.transAxes)
    axes.set(xlabel="minutes before abandonment", ylabel="journeys", title="Detection lead time")
    return _save(figure, path)


def importance_plot(model: FrictionModel, path: Path) -> Path:
    """Total gain of each feature, largest first."""
    gains = model.booster.get_score(importance_type="total_gain")
    ranked = sorted(gains.items(), key=lambda item: item[1], reverse=True)[:TOP_FEATURES]
    figure = Figure(figsize=FIGURE_SIZE)
    axes = figure.add_subplot()
    axes.barh([name for name, _ in ranked][::-1], [gain for _, gain in ranked][::-1])
    axes.set(xlabel="total gain", title="Feature importance")
    return _save(figure, path)


def contributions_plot(model: FrictionModel, contributions: np.ndarray, path: Path) -> Path:
    """Mean absolute and mean signed contribution (log-odds) of each feature."""
    mean_abs = np.abs(contributions).mean(axis=0)
    mean_signed = contributions.mean(axis=0)
    order = np.argsort(mean_abs)[-TOP_FEATURES:]
    names = [model.features[index] for index in order]
    positions = np.arange(len(order))
    figure = Figure(figsize=FIGURE_SIZE)
    axes = figure.add_subplot()
    axes.barh(positions, mean_abs[order], label="mean |contribution|")
    axes.barh(positions, mean_signed[order], height=0.4, label="mean contribution")
    axes.set_yticks(positions, names)
    axes.set(xlabel="log-odds", title="Per-feature contributions")
    axes.legend()
    return _save(figure, path)
