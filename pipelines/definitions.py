"""The Dagster code location: gathers the domains and applies cross-cutting policy."""

from __future__ import annotations

import dagster as dg

from journeyheal.home import Home
from pipelines import jobs
from pipelines.ingest import assets as ingest_assets
from pipelines.ingest import checks as ingest_checks
from pipelines.repairs import assets as repair_assets
from pipelines.resources import resources_for


def build_definitions(home: Home) -> dg.Definitions:
    """All assets, checks, jobs, schedules and sensors, bound to one home."""
    return dg.Definitions(
        assets=dg.load_assets_from_modules([ingest_assets, repair_assets]),
        asset_checks=dg.load_asset_checks_from_modules([ingest_checks]),
        jobs=[jobs.journey_hourly_job, repair_assets.remediation_job],
        schedules=[repair_assets.remediation_schedule],
        resources=resources_for(home),
        # In-process: one process per run costs ~2 s a step here, and DuckDB takes one writer.
        executor=dg.in_process_executor,
    )


@dg.definitions
def defs() -> dg.Definitions:
    """Entry point for `dagster dev` and the webserver: the home named by JOURNEYHEAL_HOME."""
    return build_definitions(Home.from_env())
