"""Drift statistics computed as Evidently computes them (via SciPy), in plain NumPy."""

from __future__ import annotations

from enum import StrEnum

import numpy as np
import pandas as pd

# Evidently floors the reference spread so a constant reference column does not divide by zero.
MIN_NORM = 0.001


class ColumnKind(StrEnum):
    """How a column's values are compared: as numbers or as categories."""

    NUMERICAL = "numerical"
    CATEGORICAL = "categorical"


class Method(StrEnum):
    """Drift methods, named as Evidently's registry names them."""

    WASSERSTEIN = "wasserstein"
    JENSEN_SHANNON = "jensenshannon"


METHOD_LABELS = {
    Method.WASSERSTEIN: "Wasserstein distance (normed)",
    Method.JENSEN_SHANNON: "Jensen-Shannon distance",
}


def column_kind(values: pd.Series) -> ColumnKind:
    """Numbers are numerical; text, categories and booleans are categorical."""
    if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
        return ColumnKind.CATEGORICAL
    return ColumnKind.NUMERICAL


def choose_method(kind: ColumnKind, distinct_values: int, max_categorical_numeric: int) -> Method:
    """Evidently's default above 1000 reference rows: few-valued numbers are categories."""
    if kind is ColumnKind.NUMERICAL and distinct_values > max_categorical_numeric:
        return Method.WASSERSTEIN
    return Method.JENSEN_SHANNON


def wasserstein(reference: np.ndarray, current: np.ndarray) -> float:
    """First Wasserstein distance: the area between the two empirical distribution functions."""
    reference, current = np.sort(reference), np.sort(current)
    points = np.sort(np.concatenate([reference, current]))
    widths = np.diff(points)
    reference_cdf = np.searchsorted(reference, points[:-1], side="right") / len(reference)
    current_cdf = np.searchsorted(current, points[:-1], side="right") / len(current)
    return float(np.sum(np.abs(reference_cdf - current_cdf) * widths))


def normed_wasserstein(reference: np.ndarray, current: np.ndarray) -> float:
    """Earth mover's distance between the two samples, in units of the reference's spread."""
    norm = max(float(np.std(reference)), MIN_NORM)
    return wasserstein(reference, current) / norm


def _kullback_leibler(shares: np.ndarray, middle: np.ndarray) -> float:
    """Kullback-Leibler divergence (natural log); empty categories add nothing."""
    present = shares > 0
    return float(np.sum(shares[present] * np.log(shares[present] / middle[present])))


def jensen_shannon(reference: np.ndarray, current: np.ndarray) -> float:
    """Jensen-Shannon distance (natural log) between the two samples' value frequencies."""
    reference_counts = pd.Series(reference).value_counts()
    current_counts = pd.Series(current).value_counts()
    keys = reference_counts.index.union(current_counts.index)

    reference_share = reference_counts.reindex(keys, fill_value=0).to_numpy() / len(reference)
    current_share = current_counts.reindex(keys, fill_value=0).to_numpy() / len(current)
    middle = (reference_share + current_share) / 2
    divergence = (
        _kullback_leibler(reference_share, middle) + _kullback_leibler(current_share, middle)
    ) / 2
    # Rounding can leave a hair below zero for identical distributions.
    return float(np.sqrt(max(divergence, 0.0)))


def drift_score(method: Method, reference: np.ndarray, current: np.ndarray) -> float:
    """Score of one method on two samples without missing values."""
    if method is Method.WASSERSTEIN:
        return normed_wasserstein(reference.astype(float), current.astype(float))
    return jensen_shannon(reference, current)
