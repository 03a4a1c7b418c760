"""The contract gate's blocking check: the Great Expectations suite on the staged events."""

import dagster as dg

from journeyheal.contract.suite import run_contract_suite
from journeyheal.warehouse import partition_frame_sql
from pipelines.ingest.assets import QUARANTINED, RAW, STAGED, ContractGateConfig
from pipelines.partitions import hourly_partitions
from pipelines.resources import WarehouseResource


@dg.asset_check(
    asset=STAGED,
    name="staged_events_meet_contract",
    blocking=True,
    partitions_def=hourly_partitions,
    description="The contract suite (row count, types, enums, ranges, unique ids, null-spike "
    "caps) passes on the staged events and the quarantined share is under its cap; otherwise "
    "nothing downstream is computed from this partition.",
)
def staged_events_meet_contract(
    context: dg.AssetCheckExecutionContext, config: ContractGateConfig, warehouse: WarehouseResource
) -> dg.AssetCheckResult:
    start = context.partition_time_window.start
    hour = {"hour": start}

    # Step 1: the staged rows and the partition's balance of quarantined against input rows.
    with warehouse.connect() as con:
        staged = con.execute(partition_frame_sql(STAGED), hour).df()
        ((input_rows,),) = con.execute(
            f"SELECT count(*) FROM {RAW} WHERE partition_hour = $hour", hour
        ).fetchall()
        ((quarantined,),) = con.execute(
            f"SELECT count(*) FROM {QUARANTINED} WHERE partition_hour = $hour", hour
        ).fetchall()

    # Step 2: the Great Expectations suite; we read result.success ourselves.
    outcome = run_contract_suite(staged)
    share = quarantined / input_rows if input_rows else 0.0
    cap = config.max_quarantined_share
    failed = [
        {"expectation": item.type, "column": item.column, "observed": str(item.observed)}
        for item in outcome.failed
    ]
    passed = outcome.success and share <= cap
    if not passed:
        context.log.error(f"contract gate failed for {start:%Y-%m-%d %H:00}: {failed}, {share=}")
    return dg.AssetCheckResult(
        passed=passed,
        metadata={
            "staged_rows": len(staged),
            "quarantined_share": share,
            "max_quarantined_share": cap,
            "expectations_evaluated": len(outcome.expectations),
            "failed_expectations": dg.MetadataValue.json(failed),
        },
    )
