"""Evidently runs: the HTML drift report a person reads, and a full run to compare against."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from journeyheal.drift.config import DriftConfig
from journeyheal.drift.statistics import ColumnKind, column_kind

if TYPE_CHECKING:
    from evidently.core.report import Snapshot

log = logging.getLogger(__name__)

VALUE_DRIFT_METRIC = "evidently:metric_v2:ValueDrift"
# Evidently's p-value tests flag drift below the threshold; distances flag it at or above.
P_VALUE_MARKER = "p_value"


@dataclass(frozen=True)
class EvidentlyColumnDrift:
    """One column's drift as an Evidently run scored it."""

    column: str
    method: str
    score: float
    threshold: float

    @property
    def drifted(self) -> bool:
        if P_VALUE_MARKER in self.method:
            return self.score < self.threshold
        return self.score >= self.threshold


def sample_rows(frame: pd.DataFrame, size: int, seed: int) -> pd.DataFrame:
    """At most `size` rows drawn without replacement with a fixed seed; small frames as they are."""
    if len(frame) <= size:
        return frame
    return frame.sample(n=size, random_state=seed)


def _datasets(
    reference: pd.DataFrame, current: pd.DataFrame, columns: Sequence[str]
) -> tuple[Any, Any]:
    """Evidently datasets with every column's role stated, as the drift check reads it."""
    from evidently import DataDefinition, Dataset

    kinds = {column: column_kind(reference[column]) for column in columns}
    definition = DataDefinition(
        numerical_columns=[c for c, kind in kinds.items() if kind is ColumnKind.NUMERICAL],
        categorical_columns=[c for c, kind in kinds.items() if kind is ColumnKind.CATEGORICAL],
    )
    return (
        Dataset.from_pandas(reference[list(columns)], data_definition=definition),
        Dataset.from_pandas(current[list(columns)], data_definition=definition),
    )


def run_evidently_drift(
    reference: pd.DataFrame,
    current: pd.DataFrame,
    columns: Sequence[str],
    config: DriftConfig,
    *,
    summary: bool = False,
) -> Snapshot:
    """An Evidently run of the drift preset (and the data summary if asked) on the frames given."""
    from evidently import Report
    from evidently.presets import DataDriftPreset, DataSummaryPreset

    reference_data, current_data = _datasets(reference, current, columns)
    metrics: list[Any] = [
        DataDriftPreset(
            columns=list(columns),
            drift_share=config.drift_share,
            num_threshold=config.numerical_threshold,
            cat_threshold=config.categorical_threshold,
        )
    ]
    if summary:
        metrics.append(DataSummaryPreset(columns=list(columns)))
    return Report(metrics).run(current_data=current_data, reference_data=reference_data)


def column_drifts(snapshot: Snapshot) -> dict[str, EvidentlyColumnDrift]:
    """Each column's method, score and threshold, read from an Evidently snapshot."""
    drifts = {}
    for metric in snapshot.dict()["metrics"]:
        settings = metric["config"]
        if settings.get("type") != VALUE_DRIFT_METRIC:
            continue
        drifts[settings["column"]] = EvidentlyColumnDrift(
            column=settings["column"],
            method=settings["method"],
            score=float(metric["value"]),
            threshold=float(settings["threshold"]),
        )
    return drifts


def write_report(
    reference: pd.DataFrame,
    current: pd.DataFrame,
    path: Path,
    columns: Sequence[str] | None = None,
    config: DriftConfig | None = None,
) -> Path:
    """Save Evidently's drift and data summary report as one HTML file; returns its path."""
    from journeyheal.drift.config import load_drift_config

    config = config or load_drift_config()
    columns = list(columns or config.columns)
    empty = [c for c in columns if reference[c].dropna().empty or current[c].dropna().empty]
    if empty:
        # Evidently raises on a column without values; say which instead.
        msg = f"cannot report drift: columns {empty} have no values in one of the windows"
        raise ValueError(msg)

    # Evidently needs minutes on a million rows; the report reads the seeded samples the check
    # is sized on, so a person sees the same picture the check saw.
    snapshot = run_evidently_drift(
        sample_rows(reference, config.sample_size, config.seed),
        sample_rows(current, config.sample_size, config.seed + 1),
        columns,
        config,
        summary=True,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    snapshot.save_html(str(path))
    log.info("drift report written to %s", path)
    return path
