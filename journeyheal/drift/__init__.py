"""Drift watch: is the data the model now scores still like the data it was trained on."""

from journeyheal.drift.config import DriftConfig, load_drift_config
from journeyheal.drift.detect import DriftResult, DriftStatus, FeatureDrift, detect_drift
from journeyheal.drift.report import write_report
from journeyheal.drift.state import current_feature_health

__all__ = [
    "DriftConfig",
    "DriftResult",
    "DriftStatus",
    "FeatureDrift",
    "current_feature_health",
    "detect_drift",
    "load_drift_config",
    "write_report",
]
