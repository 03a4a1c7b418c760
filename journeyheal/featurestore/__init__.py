"""Drives Feast: the repository for a home, training sets, and the online store."""

from journeyheal.featurestore.apply import AppliedRepository, apply_repository
from journeyheal.featurestore.config import feature_store, repo_config
from journeyheal.featurestore.definitions import (
    FEATURE_SERVICE,
    build_repository,
    model_feature_columns,
)
from journeyheal.featurestore.offline import historical_features
from journeyheal.featurestore.online import (
    OnlineUpdate,
    online_feature_values,
    online_features,
    online_features_for_journeys,
    update_online_store,
)
from journeyheal.featurestore.online_lag import OnlineLag, ViewLag, online_lag
from journeyheal.featurestore.partitions import PartitionResult, materialize_partition
from journeyheal.featurestore.settings import FeatureStoreSettings, OnlineStoreKind

__all__ = [
    "FEATURE_SERVICE",
    "AppliedRepository",
    "FeatureStoreSettings",
    "OnlineLag",
    "OnlineStoreKind",
    "OnlineUpdate",
    "PartitionResult",
    "ViewLag",
    "apply_repository",
    "build_repository",
    "feature_store",
    "historical_features",
    "materialize_partition",
    "model_feature_columns",
    "online_feature_values",
    "online_features",
    "online_features_for_journeys",
    "online_lag",
    "repo_config",
    "update_online_store",
]
