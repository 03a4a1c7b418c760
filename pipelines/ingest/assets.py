"""Landing files of one arrival hour into the warehouse, through the contract gate.

raw_journey_events -> staged_journey_events (+ quarantined_journey_events) -> [blocking contract
check] -> validated_journey_events. The gate checks the staged rows; only when it passes are they
promoted, so a failing gate leaves the previous good data of the partition in place.
"""

from datetime import timedelta

import dagster as dg
import duckdb

from journeyheal.contract import GateConfig, read_landing_partition, validate_events
from journeyheal.contract.schema import FIELD_NAMES
from journeyheal.warehouse import partition_frame_sql, replace_partition, table_exists
from pipelines.partitions import hourly_partitions
from pipelines.resources import HomeResource, WarehouseResource

GROUP = "ingest"
RAW = "raw_journey_events"
STAGED = "staged_journey_events"
QUARANTINED = "quarantined_journey_events"
VALIDATED = "validated_journey_events"
PREVIEW_ROWS = 5


class ContractGateConfig(dg.Config):
    """How strict the contract gate is for this run."""

    allowed_lateness_hours: float = 6.0
    clock_skew_tolerance_minutes: float = 5.0
    max_quarantined_share: float = 0.05

    def gate(self) -> GateConfig:
        return GateConfig(
            allowed_lateness=timedelta(hours=self.allowed_lateness_hours),
            clock_skew_tolerance=timedelta(minutes=self.clock_skew_tolerance_minutes),
            max_quarantined_share=self.max_quarantined_share,
        )


def preview(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, object]) -> str:
    """A small Markdown table of the first rows a query returns."""
    frame = con.execute(f"{sql} LIMIT {PREVIEW_ROWS}", params).df()
    return frame.to_markdown(index=False) if not frame.empty else "(no rows)"


@dg.asset(
    partitions_def=hourly_partitions,
    group_name=GROUP,
    kinds={"duckdb"},
    description="Journey events as received in one arrival hour: every field as text, with the "
    "source file and row of each.",
)
def raw_journey_events(
    context: dg.AssetExecutionContext, home: HomeResource, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    start = context.partition_time_window.start
    folder = home.home.landing_hour(start.strftime("%Y-%m-%d"), start.hour)

    # Step 1: read the folder; a file that cannot be read is named, the others still read.
    with warehouse.connect() as con:
        read = read_landing_partition(con, folder, landing_root=home.home.landing)
        text_columns = ", ".join(f'"{name}"::VARCHAR AS "{name}"' for name in FIELD_NAMES)
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW raw_text AS "
            f"SELECT {text_columns}, source_file, source_row, extra, parse_error FROM raw"
        )
        rows = replace_partition(con, RAW, "raw_text", start)

    # Step 2: say what was read; unreadable files are errors a person must see.
    for path, error in read.unreadable_files:
        context.log.error(f"unreadable landing file {path}: {error}")
    context.log.info(f"read {rows} rows from {len(read.files_read)} files in {folder}")
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": rows,
            "files_read": dg.MetadataValue.json(list(read.files_read)),
            "unreadable_files": dg.MetadataValue.json(
                [{"file": path, "error": error} for path, error in read.unreadable_files]
            ),
            "landing_folder": dg.MetadataValue.path(str(folder)),
        }
    )


@dg.multi_asset(
    partitions_def=hourly_partitions,
    group_name=GROUP,
    specs=[
        dg.AssetSpec(
            STAGED,
            description="Events of one arrival hour that passed every contract rule, typed, "
            "awaiting the contract suite before promotion.",
            kinds={"duckdb"},
            deps=[RAW],
        ),
        dg.AssetSpec(
            QUARANTINED,
            description="Events that broke a contract rule, with a machine-readable reason and "
            "the offending field.",
            kinds={"duckdb"},
            deps=[RAW],
        ),
    ],
)
def contract_gate(
    context: dg.AssetExecutionContext, config: ContractGateConfig, warehouse: WarehouseResource
) -> tuple[dg.MaterializeResult, dg.MaterializeResult]:
    """Split the raw events into staged (typed) and quarantined, dropping duplicates."""
    window = context.partition_time_window
    gate = config.gate()

    with warehouse.connect() as con:
        # Step 1: the partition's raw rows, and the ids already accepted by nearby partitions.
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE raw AS {partition_frame_sql(RAW)}",
            {"hour": window.start},
        )
        accepted = None
        if table_exists(con, VALIDATED):
            horizon = window.start - gate.allowed_lateness - gate.clock_skew_tolerance
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE accepted_ids AS SELECT event_id FROM {VALIDATED} "
                "WHERE partition_hour <> $hour AND event_time >= $horizon",
                {"hour": window.start, "horizon": horizon},
            )
            accepted = "accepted_ids"

        # Step 2: the contract rules, in SQL; counts must add up to the input rows.
        counts = validate_events(
            con,
            "raw",
            partition_start=window.start,
            partition_end=window.end,
            accepted_ids=accepted,
            config=gate,
        )
        replace_partition(con, STAGED, "validated", window.start)
        replace_partition(con, QUARANTINED, "quarantined", window.start)
        quarantine_preview = preview(
            con, "SELECT reason, field, detail, source_file, source_row FROM quarantined", {}
        )

    context.log.info(
        f"contract gate: {counts.input_rows} in, {counts.validated} validated, "
        f"{counts.quarantined} quarantined, {counts.duplicates} duplicates"
    )
    balance = {
        "input_rows": counts.input_rows,
        "validated": counts.validated,
        "quarantined": counts.quarantined,
        "duplicates_dropped": counts.duplicates,
        "late_accepted": counts.late,
    }
    return (
        dg.MaterializeResult(
            asset_key=STAGED, metadata={"dagster/row_count": counts.validated, **balance}
        ),
        dg.MaterializeResult(
            asset_key=QUARANTINED,
            metadata={
                "dagster/row_count": counts.quarantined,
                "quarantined_share": counts.quarantined_share,
                "reasons": dg.MetadataValue.json(counts.reasons),
                "preview": dg.MetadataValue.md(quarantine_preview),
                **balance,
            },
        ),
    )


@dg.asset(
    partitions_def=hourly_partitions,
    group_name=GROUP,
    deps=[STAGED],
    kinds={"duckdb"},
    description="Journey events that passed the contract gate, typed; late events are kept "
    "(is_late) in the partition they arrived in.",
)
def validated_journey_events(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """Promote the staged rows of the partition, now that the blocking contract check passed."""
    start = context.partition_time_window.start
    with warehouse.connect() as con:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE promoted AS {partition_frame_sql(STAGED)}",
            {"hour": start},
        )
        rows = replace_partition(con, VALIDATED, "promoted", start)
        sample = preview(
            con,
            "SELECT journey_id, step, event_type, service, latency_ms, status, event_time "
            f"FROM {VALIDATED} WHERE partition_hour = $hour ORDER BY event_time",
            {"hour": start},
        )
    return dg.MaterializeResult(
        metadata={"dagster/row_count": rows, "preview": dg.MetadataValue.md(sample)}
    )
