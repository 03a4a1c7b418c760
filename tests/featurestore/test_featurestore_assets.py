"""The feature assets materialize on a temporary home, hour by hour, and re-run idempotently."""

from __future__ import annotations

import dagster as dg
import duckdb
import pandas as pd

from journeyheal.home import Home
from pipelines.features import assets
from pipelines.features.resources import FeastResource
from pipelines.resources import WarehouseResource
from tests.featurestore.events import random_journeys, seed_events

PARTITIONS = ("2026-03-02-10:00", "2026-03-02-11:00")
HOURLY = [*assets.FEATURE_TABLE_ASSETS, assets.online_features]


def resources(home: Home) -> dict[str, dg.ConfigurableResource]:
    return {
        "warehouse": WarehouseResource(path=str(home.warehouse)),
        "feast": FeastResource(root=str(home.root)),
    }


def warehouse_rows(home: Home, table: str) -> pd.DataFrame:
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        return con.execute(f"FROM {table} ORDER BY ALL").df()


def test_feature_assets_materialize_hourly_then_the_training_set(home: Home) -> None:
    with duckdb.connect(str(home.warehouse)) as con:
        seed_events(con, random_journeys(60, len(PARTITIONS), seed=9))

    registry = dg.materialize([assets.feast_registry], resources=resources(home))
    runs = [
        dg.materialize(HOURLY, resources=resources(home), partition_key=key) for key in PARTITIONS
    ]
    training = dg.materialize(
        [assets.friction_training_set],
        resources=resources(home),
        run_config={"ops": {"friction_training_set": {"config": {"as_of": "2026-03-02T12:00Z"}}}},
    )

    assert registry.success
    assert all(run.success for run in runs)
    assert training.success
    meta = registry.asset_materializations_for_node("feast_registry")[0].metadata
    assert "friction_model_v1" in meta["feature_services"].value  # type: ignore[operator]
    online = runs[-1].asset_materializations_for_node("online_features")[0].metadata
    assert online["rows_written"].value > 0  # type: ignore[operator]
    prefix = runs[0].asset_materializations_for_node("journey_prefix_features")[0].metadata
    schema = prefix["dagster/column_schema"].value
    assert {column.name: column.description for column in schema.columns}["error_count"] == (  # type: ignore[union-attr]
        "Api calls that returned an error so far."
    )
    table = warehouse_rows(home, "friction_training_set")
    rows = training.asset_materializations_for_node("friction_training_set")[0].metadata
    assert len(table) == rows["dagster/row_count"].value > 0
    assert table["snapshot_id"].is_unique


def test_rematerializing_a_partition_leaves_the_same_rows(home: Home) -> None:
    with duckdb.connect(str(home.warehouse)) as con:
        seed_events(con, random_journeys(40, 1, seed=11))

    tables = [asset.key.path[-1] for asset in assets.FEATURE_TABLE_ASSETS]
    first = dg.materialize(
        assets.FEATURE_TABLE_ASSETS, resources=resources(home), partition_key=PARTITIONS[0]
    )
    once = {table: warehouse_rows(home, table) for table in tables}
    second = dg.materialize(
        assets.FEATURE_TABLE_ASSETS, resources=resources(home), partition_key=PARTITIONS[0]
    )

    assert first.success
    assert second.success
    assert all(len(once[table]) > 0 for table in tables)
    for table in tables:
        pd.testing.assert_frame_equal(warehouse_rows(home, table), once[table])


def test_online_store_without_an_applied_registry_names_the_fix(home: Home) -> None:
    with duckdb.connect(str(home.warehouse)) as con:
        seed_events(con, random_journeys(10, 1, seed=3))

    for asset in assets.FEATURE_TABLE_ASSETS:
        dg.materialize([asset], resources=resources(home), partition_key=PARTITIONS[0])
    result = dg.materialize(
        [assets.online_features],
        resources=resources(home),
        partition_key=PARTITIONS[0],
        raise_on_error=False,
    )

    assert not result.success
    failure = result.get_step_failure_events()[0].step_failure_data.error
    assert failure is not None
    assert "materialize feast_registry" in str(failure)
