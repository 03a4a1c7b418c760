"""Landing files of one arrival hour into the warehouse, through the contract gate."""

from __future__ import annotations

from datetime import datetime

import dagster as dg

from journeyheal.contract import read_landing_partition
from pipelines.partitions import hourly_partitions
from pipelines.resources import HomeResource, WarehouseResource

GROUP = "ingest"


def partition_folder_parts(context: dg.AssetExecutionContext) -> tuple[datetime, str, int]:
    """The partition's start time, its landing day folder and hour."""
    window = context.partition_time_window
    return window.start, window.start.strftime("%Y-%m-%d"), window.start.hour


@dg.asset(
    partitions_def=hourly_partitions,
    group_name=GROUP,
    kinds={"duckdb"},
    description="Journey events as received in one arrival hour, every field as text, "
    "with the source file and row of each.",
)
def raw_journey_events(
    context: dg.AssetExecutionContext, home: HomeResource, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    start, day, hour = partition_folder_parts(context)
    folder = home.home.landing_hour(day, hour)

    with warehouse.connect() as con:
        read = read_landing_partition(con, folder, home.home.landing)
        con.execute("BEGIN")
        con.execute(
            "CREATE TABLE IF NOT EXISTS raw_journey_events AS "
            "SELECT *, NULL::TIMESTAMPTZ AS partition_hour FROM raw LIMIT 0"
        )
        con.execute("DELETE FROM raw_journey_events WHERE partition_hour = ?", [start])
        con.execute(
            "INSERT INTO raw_journey_events BY NAME SELECT *, ?::TIMESTAMPTZ AS partition_hour "
            "FROM raw",
            [start],
        )
        con.execute("COMMIT")

    for path, error in read.unreadable_files:
        context.log.error(f"unreadable landing file {path}: {error}")
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": read.rows,
            "files_read": len(read.files),
            "unreadable_files": dg.MetadataValue.json(
                [{"file": str(path), "error": error} for path, error in read.unreadable_files]
            ),
            "landing_folder": dg.MetadataValue.path(str(folder)),
        }
    )
