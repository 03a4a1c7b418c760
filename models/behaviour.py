"""Behavioural checks every candidate must pass: direction, identifier invariance, calm."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from models.config import IDENTIFIER_COLUMNS, BehaviourParams

Scorer = Callable[[pd.DataFrame], np.ndarray]


@dataclass(frozen=True)
class CheckResult:
    """Outcome of one behavioural check, with the figure it was judged on."""

    name: str
    passed: bool
    value: float
    detail: str


def sample_rows(frame: pd.DataFrame, params: BehaviourParams) -> pd.DataFrame:
    """A reproducible sample of reference rows."""
    if frame.empty:
        msg = "behavioural checks need at least one reference row"
        raise ValueError(msg)
    count = min(params.sample_rows, len(frame))
    return frame.sample(n=count, random_state=params.seed).reset_index(drop=True)


def check_direction(
    score: Scorer, frame: pd.DataFrame, features: list[str], params: BehaviourParams
) -> CheckResult:
    """More errors or timeouts in an otherwise identical prefix never lower the risk."""
    present = [name for name in features if name in frame.columns]
    if not present:
        msg = f"none of the monotone features {features} is in the reference frame"
        raise ValueError(msg)

    base = score(frame)
    worst_drop, violations = 0.0, 0
    for name in present:
        for increment in params.direction_increments:
            # Integer increments keep the column's dtype (the model signature may say long).
            bumped = frame.assign(**{name: frame[name] + increment})
            drop = base - score(bumped)
            violations += int(np.sum(drop > params.tolerance))
            worst_drop = max(worst_drop, float(drop.max()))
    return CheckResult(
        name="more_friction_never_lowers_risk",
        passed=violations == 0,
        value=worst_drop,
        detail=f"{violations} rows lowered their risk when {present} rose; "
        f"largest drop {worst_drop:.3g}",
    )


def check_identifier_invariance(
    score: Scorer, frame: pd.DataFrame, params: BehaviourParams
) -> CheckResult:
    """Shuffling journey and customer identifiers leaves every risk unchanged."""
    present = [name for name in IDENTIFIER_COLUMNS if name in frame.columns]
    if not present:
        msg = f"the reference frame has none of the identifier columns {IDENTIFIER_COLUMNS}"
        raise ValueError(msg)

    rng = np.random.default_rng(params.seed)
    shuffled = frame.assign(**{name: rng.permutation(frame[name].to_numpy()) for name in present})
    change = float(np.max(np.abs(score(frame) - score(shuffled))))
    return CheckResult(
        name="risk_ignores_identifiers",
        passed=change <= params.tolerance,
        value=change,
        detail=f"largest risk change after permuting {present}: {change:.3g}",
    )


def calm_prototype(frame: pd.DataFrame, params: BehaviourParams) -> pd.DataFrame:
    """A typical journey (medians, most frequent text) made calm by the configured values."""
    row: dict[str, object] = {}
    for name in frame.columns:
        column = frame[name]
        if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
            row[name] = column.median()
        else:
            row[name] = column.mode(dropna=True).iloc[0] if column.notna().any() else None
    row.update({name: value for name, value in params.calm_values.items() if name in frame.columns})
    return pd.DataFrame([row]).astype(frame.dtypes.to_dict(), errors="ignore")


def check_calm(score: Scorer, frame: pd.DataFrame, params: BehaviourParams) -> CheckResult:
    """A calm journey (no errors, fast answers) scores below the configured bound."""
    applied = [name for name in params.calm_values if name in frame.columns]
    if not applied:
        msg = f"none of the calm feature values {sorted(params.calm_values)} is a model input"
        raise ValueError(msg)

    risk = float(score(calm_prototype(frame, params))[0])
    return CheckResult(
        name="calm_journey_scores_low",
        passed=risk < params.calm_max_risk,
        value=risk,
        detail=f"calm journey risk {risk:.3f} (bound {params.calm_max_risk}); calm values "
        f"set for {applied}",
    )


def run_behaviour_checks(
    score: Scorer,
    reference: pd.DataFrame,
    monotone_features: list[str],
    params: BehaviourParams,
) -> list[CheckResult]:
    """All three checks on a sample of the reference (held-out) rows."""
    sample = sample_rows(reference, params)
    return [
        check_direction(score, sample, monotone_features, params),
        check_identifier_invariance(score, sample, params),
        check_calm(score, sample, params),
    ]
