"""Friction features in DuckDB SQL, journey outcomes and training labels, and their catalog."""

from journeyheal.friction.catalog import Feature, FeatureView, feature_views, window_label
from journeyheal.friction.config import FrictionConfig
from journeyheal.friction.export import write_parquet
from journeyheal.friction.history import compute_customer_history_features
from journeyheal.friction.outcomes import compute_journey_outcomes, compute_training_snapshots
from journeyheal.friction.prefix import DEFAULT_EVENTS, compute_journey_prefix_features
from journeyheal.friction.windows import (
    compute_service_health_features,
    compute_step_friction_features,
)

__all__ = [
    "DEFAULT_EVENTS",
    "Feature",
    "FeatureView",
    "FrictionConfig",
    "compute_customer_history_features",
    "compute_journey_outcomes",
    "compute_journey_prefix_features",
    "compute_service_health_features",
    "compute_step_friction_features",
    "compute_training_snapshots",
    "feature_views",
    "window_label",
    "write_parquet",
]
