"""The Markdown model card logged with every candidate."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from models.behaviour import CheckResult
from models.config import HEADLINE_METRICS

KNOWN_LIMITS = (
    "Trained on journeys whose outcome was known when the training set was built; journeys "
    "still in flight then are absent, so very long journeys are under-represented.",
    "Abandonment is inferred from inactivity (timeout), so a journey resumed after the "
    "timeout counts as abandoned.",
    "The champion it is compared with may have seen part of the held-out window in its own "
    "training, which flatters the champion.",
    "Calibration is fitted on the validation split; it drifts when the abandonment rate moves.",
    "Risk reflects friction signals only: it says nothing about why a customer left.",
)


@dataclass(frozen=True)
class CardFacts:
    """What the card says about the data and the run."""

    feature_service: str
    feature_service_version: str
    data_windows: Mapping[str, Mapping[str, str]]
    git_commit: str | None
    calibration: str
    best_iteration: int
    threshold: float


def _number(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:.4f}"


def model_card(
    facts: CardFacts,
    metrics: Mapping[str, float],
    champion_metrics: Mapping[str, float] | None,
    checks: list[CheckResult],
) -> str:
    """Markdown: data, metrics next to the champion's, behavioural checks, known limits."""
    lines = [
        "# journey-friction model card",
        "",
        "Predicts, from a journey prefix, the probability that the journey will be abandoned.",
        "",
        "## Data",
        "",
        f"- Feature service: `{facts.feature_service}` (version {facts.feature_service_version})",
        f"- Git commit: `{facts.git_commit or 'unknown'}`",
        f"- Calibration: {facts.calibration}; trees kept: {facts.best_iteration + 1}",
        f"- Operating threshold: {facts.threshold:.4f} (lead times run from the first "
        "snapshot at or above it to the customer's last event)",
        "",
        "| split | first snapshot | last snapshot | rows | journeys |",
        "|---|---|---|---|---|",
    ]
    for name, window in facts.data_windows.items():
        lines.append(
            f"| {name} | {window['start']} | {window['end']} | {window['rows']} | "
            f"{window['journeys']} |"
        )

    lines += ["", "## Metrics on the held-out window", "", "| metric | this model | champion |"]
    lines.append("|---|---|---|")
    for name in HEADLINE_METRICS:
        champion = None if champion_metrics is None else champion_metrics.get(name)
        lines.append(f"| {name} | {_number(metrics.get(name))} | {_number(champion)} |")
    if champion_metrics is None:
        lines += ["", "No champion existed when this model was trained."]

    lines += ["", "## Behavioural checks", "", "| check | passed | detail |", "|---|---|---|"]
    lines += [f"| {check.name} | {check.passed} | {check.detail} |" for check in checks]
    lines += ["", "## Known limits", ""]
    lines += [f"- {limit}" for limit in KNOWN_LIMITS]
    return "\n".join(lines) + "\n"
