"""The Dagster code location: gathers the domains and applies cross-cutting policy."""

import dagster as dg

from journeyheal.home import Home
from pipelines import jobs, schedules
from pipelines.drift import assets as drift_assets
from pipelines.drift.sensor import build_retrain_sensor
from pipelines.features import assets as feature_assets
from pipelines.ingest import assets as ingest_assets
from pipelines.ingest import checks as ingest_checks
from pipelines.model import assets as model_assets
from pipelines.model import scoring as scoring_assets
from pipelines.repairs import assets as repair_assets
from pipelines.resources import resources_for

ASSET_MODULES = [
    ingest_assets,
    feature_assets,
    model_assets,
    scoring_assets,
    drift_assets,
    repair_assets,
]
CHECK_MODULES = [ingest_checks, model_assets]


def build_definitions(home: Home) -> dg.Definitions:
    """All assets, checks, jobs, schedules and sensors, bound to one home."""
    return dg.Definitions(
        assets=dg.load_assets_from_modules(ASSET_MODULES),
        asset_checks=dg.load_asset_checks_from_modules(CHECK_MODULES),
        jobs=[
            jobs.feature_store_job,
            jobs.journey_hourly_job,
            jobs.friction_training_job,
            jobs.remediation_job,
        ],
        schedules=[schedules.journey_hourly_schedule, schedules.remediation_schedule],
        sensors=[build_retrain_sensor(jobs.friction_training_job)],
        resources=resources_for(home),
        # In-process: one process per step costs ~2 s here, and DuckDB takes one writer.
        executor=dg.in_process_executor,
    )


@dg.definitions
def defs() -> dg.Definitions:
    """Entry point for `dagster dev` and the webserver: the home named by JOURNEYHEAL_HOME."""
    return build_definitions(Home.from_env())
