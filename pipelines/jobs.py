"""Jobs: the hourly ingest-to-repair chain, and the model jobs."""

import dagster as dg

from pipelines.partitions import hourly_partitions

HOURLY_JOB = "journey_hourly_job"
HOURLY_JOBS = (HOURLY_JOB,)

journey_hourly_job = dg.define_asset_job(
    HOURLY_JOB,
    selection=dg.AssetSelection.groups("ingest"),
    partitions_def=hourly_partitions,
    description="One arrival hour: ingest, contract gate, features and repairs.",
)
