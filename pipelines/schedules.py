"""Schedules: ingest soon after each hour closes, remediation once the hour's features exist."""

import dagster as dg

from pipelines.jobs import journey_hourly_job, remediation_job

INGEST_MINUTE = 5
REMEDIATION_MINUTE = 15

journey_hourly_schedule = dg.build_schedule_from_partitioned_job(
    journey_hourly_job, minute_of_hour=INGEST_MINUTE
)

remediation_schedule = dg.build_schedule_from_partitioned_job(
    remediation_job, minute_of_hour=REMEDIATION_MINUTE
)
