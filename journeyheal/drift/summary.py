"""A drift result as a person reads it in the Dagster UI: one Markdown row per feature."""

from __future__ import annotations

from journeyheal.drift.detect import DriftResult, FeatureDrift
from journeyheal.drift.statistics import METHOD_LABELS

HEADER = (
    "| feature | method | score | threshold | status | reference values | current values |",
    "|---|---|---:|---:|---|---:|---:|",
)


def _row(feature: FeatureDrift) -> str:
    method = METHOD_LABELS[feature.method] if feature.method else "-"
    score = f"{feature.score:.4f}" if feature.score is not None else "-"
    threshold = f"{feature.threshold:g}" if feature.threshold is not None else "-"
    return (
        f"| {feature.column} | {method} | {score} | {threshold} | {feature.status.value} | "
        f"{feature.reference_values} | {feature.current_values} |"
    )


def markdown_table(result: DriftResult) -> str:
    """Every feature's drift, and the prediction's last; a note when nothing was compared."""
    rows = [*result.features, *([result.prediction] if result.prediction else [])]
    if not rows:
        return f"No feature compared: {result.reason}"
    return "\n".join([*HEADER, *(_row(feature) for feature in rows)])
