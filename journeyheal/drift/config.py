"""Typed drift settings, read from a YAML file whose errors name the file and the field."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

DEFAULT_CONFIG_PATH = Path(__file__).resolve().parent / "drift.yaml"


class DriftConfigError(ValueError):
    """A drift settings file that cannot be read or does not validate."""


class DriftConfig(BaseModel):
    """What the drift check compares, how, and when persistent drift calls for retraining."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    columns: tuple[str, ...] = Field(min_length=1)
    prediction_column: str = "risk"
    min_rows: int = Field(1000, ge=2)
    sample_size: int = Field(20_000, ge=2)
    seed: int = 0
    max_categorical_numeric_values: int = Field(5, ge=1)
    numerical_threshold: float = Field(0.1, gt=0)
    categorical_threshold: float = Field(0.1, gt=0)
    drift_share: float = Field(0.05, gt=0, le=1)
    current_window_hours: int = Field(3, ge=1)
    default_reference_hours: int = Field(24, ge=1)
    freshness_limit_minutes: float = Field(30, gt=0)
    persistent_windows: int = Field(3, ge=1)


def load_drift_config(path: Path = DEFAULT_CONFIG_PATH) -> DriftConfig:
    """Read and validate one drift settings file."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        msg = f"cannot read drift settings {path}: {error}"
        raise DriftConfigError(msg) from error

    if not isinstance(raw, dict):
        msg = f"drift settings {path} must be a mapping of field names to values"
        raise DriftConfigError(msg)
    try:
        return DriftConfig.model_validate(raw)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in issue['loc'])}: {issue['msg']}"
            for issue in error.errors()
        )
        msg = f"invalid drift settings {path}: {problems}"
        raise DriftConfigError(msg) from error
