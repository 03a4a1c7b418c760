"""Jobs: the feature store set-up, the hourly ingest chain, training, and hourly remediation."""

import dagster as dg

from pipelines.partitions import hourly_partitions

FEATURE_STORE_JOB = "feature_store_job"
HOURLY_JOB = "journey_hourly_job"
TRAINING_JOB = "friction_training_job"
REMEDIATION_JOB = "remediation_job"

# Assets of the features group that are not hourly: the Feast registry and the training set.
UNPARTITIONED_FEATURE_ASSETS = ("feast_registry", "friction_training_set")

feature_store_job = dg.define_asset_job(
    FEATURE_STORE_JOB,
    selection=dg.AssetSelection.assets("feast_registry"),
    description="Apply the Feast feature repository (entities, views, FeatureService).",
)

journey_hourly_job = dg.define_asset_job(
    HOURLY_JOB,
    selection=dg.AssetSelection.groups("ingest")
    | (
        dg.AssetSelection.groups("features")
        - dg.AssetSelection.assets(*UNPARTITIONED_FEATURE_ASSETS)
    ),
    partitions_def=hourly_partitions,
    description="One arrival hour: landing files, contract gate, friction features, online store.",
)

friction_training_job = dg.define_asset_job(
    TRAINING_JOB,
    selection=dg.AssetSelection.assets("friction_training_set", "friction_model", "champion_model"),
    description="Point-in-time training set, a challenger model, and its promotion gate.",
)

remediation_job = dg.define_asset_job(
    REMEDIATION_JOB,
    selection=dg.AssetSelection.groups("scoring", "drift", "repairs"),
    partitions_def=hourly_partitions,
    description="One hour: score in-flight journeys with the champion, watch drift and "
    "freshness, and recommend repairs under the policy.",
)
