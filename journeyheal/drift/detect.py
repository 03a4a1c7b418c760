"""The drift check: per-feature drift scores on seeded samples, and the window's verdict."""

from __future__ import annotations

import logging
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import pandas as pd

from journeyheal.drift.config import DriftConfig
from journeyheal.drift.statistics import (
    ColumnKind,
    Method,
    choose_method,
    column_kind,
    drift_score,
)

log = logging.getLogger(__name__)


class DriftStatus(StrEnum):
    """Verdict of one window, and of one feature within it."""

    OK = "ok"
    DRIFTED = "drifted"
    NOT_ENOUGH_DATA = "not_enough_data"
    DATA_QUALITY_FAILURE = "data_quality_failure"


@dataclass(frozen=True)
class FeatureDrift:
    """Drift of one column; score and method are None when the column was not compared."""

    column: str
    status: DriftStatus
    kind: ColumnKind
    method: Method | None = None
    score: float | None = None
    threshold: float | None = None
    reference_values: int = 0
    current_values: int = 0

    @property
    def drifted(self) -> bool:
        return self.status is DriftStatus.DRIFTED


@dataclass(frozen=True)
class DriftResult:
    """Verdict of one current window against the reference window."""

    status: DriftStatus
    reason: str
    reference_rows: int
    current_rows: int
    features: tuple[FeatureDrift, ...] = ()
    prediction: FeatureDrift | None = None
    offending_columns: tuple[str, ...] = field(default=())

    @property
    def compared(self) -> tuple[FeatureDrift, ...]:
        """Features that had enough values on both sides to be compared."""
        return tuple(f for f in self.features if f.status in (DriftStatus.OK, DriftStatus.DRIFTED))

    @property
    def drifted_columns(self) -> tuple[str, ...]:
        return tuple(f.column for f in self.features if f.drifted)

    @property
    def drift_share(self) -> float | None:
        """Share of compared features that drifted; None when none could be compared."""
        if not self.compared:
            return None
        return len(self.drifted_columns) / len(self.compared)

    @property
    def prediction_drifted(self) -> bool:
        return self.prediction is not None and self.prediction.drifted


def _usable_values(values: pd.Series) -> pd.Series:
    """Values a drift statistic can use: Evidently, too, drops missing and infinite values."""
    if column_kind(values) is ColumnKind.NUMERICAL:
        values = values.replace([np.inf, -np.inf], np.nan)
    return values.dropna()


def _seeded_sample(values: pd.Series, size: int, seed: int, column: str) -> np.ndarray:
    """At most `size` values drawn without replacement; the same seed gives the same rows."""
    array = values.to_numpy()
    if len(array) <= size:
        return array
    # One stream per column name: a column's sample does not depend on which others are checked.
    rng = np.random.default_rng([seed, zlib.crc32(column.encode())])
    return array[rng.choice(len(array), size=size, replace=False)]


def compare_column(
    column: str, reference: pd.Series, current: pd.Series, config: DriftConfig
) -> FeatureDrift:
    """Drift of one column between the two windows, on seeded samples of its usable values."""
    kind = column_kind(reference if len(reference.dropna()) else current)
    reference_values = _usable_values(reference)
    current_values = _usable_values(current)
    counts = {"reference_values": len(reference_values), "current_values": len(current_values)}

    if reference_values.empty or current_values.empty:
        return FeatureDrift(column, DriftStatus.DATA_QUALITY_FAILURE, kind, **counts)
    if min(len(reference_values), len(current_values)) < config.min_rows:
        return FeatureDrift(column, DriftStatus.NOT_ENOUGH_DATA, kind, **counts)

    # The method is chosen on the whole windows, as a full Evidently run would choose it.
    distinct = pd.concat([reference_values, current_values], ignore_index=True).nunique()
    method = choose_method(kind, distinct, config.max_categorical_numeric_values)
    threshold = (
        config.numerical_threshold if method is Method.WASSERSTEIN else config.categorical_threshold
    )

    score = drift_score(
        method,
        _seeded_sample(reference_values, config.sample_size, config.seed, column),
        _seeded_sample(current_values, config.sample_size, config.seed + 1, column),
    )
    status = DriftStatus.DRIFTED if score >= threshold else DriftStatus.OK
    return FeatureDrift(column, status, kind, method, score, threshold, **counts)


def _check_columns(frame: pd.DataFrame, columns: Sequence[str], name: str) -> None:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        msg = f"{name} window lacks drift columns {missing} (it has {list(frame.columns)})"
        raise KeyError(msg)


def _verdict(
    features: tuple[FeatureDrift, ...],
    prediction: FeatureDrift | None,
    config: DriftConfig,
) -> tuple[DriftStatus, str, tuple[str, ...]]:
    """Window status, a one-line reason and the columns at fault."""
    checked = (*features, *([prediction] if prediction else []))
    all_null = tuple(f.column for f in checked if f.status is DriftStatus.DATA_QUALITY_FAILURE)
    if all_null:
        return (
            DriftStatus.DATA_QUALITY_FAILURE,
            f"no usable values in {list(all_null)}: a data quality problem for the contract gate",
            all_null,
        )

    compared = [f for f in features if f.status in (DriftStatus.OK, DriftStatus.DRIFTED)]
    if not compared:
        return DriftStatus.NOT_ENOUGH_DATA, "no feature has enough values to compare", ()

    drifted = [f.column for f in compared if f.drifted]
    share = len(drifted) / len(compared)
    prediction_drifted = prediction is not None and prediction.drifted
    summary = f"{len(drifted)} of {len(compared)} features drifted ({share:.0%})"
    if prediction_drifted:
        summary += f"; prediction {prediction.column} drifted"
    if share >= config.drift_share or prediction_drifted:
        return DriftStatus.DRIFTED, f"{summary}: {drifted}", ()
    return DriftStatus.OK, summary, ()


def detect_drift(
    reference: pd.DataFrame,
    current: pd.DataFrame,
    columns: Sequence[str],
    config: DriftConfig,
    reference_scores: pd.Series | None = None,
    current_scores: pd.Series | None = None,
) -> DriftResult:
    """Compare the current window with the reference; too few rows is never "no drift"."""
    _check_columns(reference, columns, "reference")
    _check_columns(current, columns, "current")
    rows = {"reference_rows": len(reference), "current_rows": len(current)}

    if min(len(reference), len(current)) < config.min_rows:
        reason = (
            f"reference has {len(reference)} rows and current {len(current)}; "
            f"at least {config.min_rows} each are needed"
        )
        log.info("drift check skipped: %s", reason)
        return DriftResult(DriftStatus.NOT_ENOUGH_DATA, reason, **rows)

    features = tuple(
        compare_column(column, reference[column], current[column], config) for column in columns
    )
    prediction = None
    if reference_scores is not None and current_scores is not None:
        prediction = compare_column(
            config.prediction_column, reference_scores, current_scores, config
        )

    status, reason, offending = _verdict(features, prediction, config)
    log.info("drift check: %s (%s)", status.value, reason)
    return DriftResult(
        status,
        reason,
        features=features,
        prediction=prediction,
        offending_columns=offending,
        **rows,
    )
