"""The feature assets materialize on a temporary home, hour by hour, and re-run idempotently."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd

from journeyheal.featurestore.paths import partition_file
from journeyheal.home import Home
from pipelines.features import assets
from pipelines.features.resources import FeastResource
from pipelines.resources import WarehouseResource
from tests.featurestore.events import T0, Ev, random_journeys, seed_events

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


def test_late_events_reach_the_features_of_their_own_hour(home: Home, tmp_path: Path) -> None:
    """A 10:50 error arriving in the 11:00 folder: hour 10's rows are redone with it, and the
    result equals a computation that had every event from the start."""
    on_time = [Ev("j1", 600, "step_view", "cart"), Ev("j2", 900, "step_view", "cart")]
    late = Ev(
        "j1", 3000, "api_call", "cart", service="basket", endpoint="get", latency_ms=9.0,
        status="error", arrived=3900,
    )  # fmt: skip
    later = [Ev("j1", 4200, "step_view", "payment")]
    tables = [asset.key.path[-1] for asset in assets.FEATURE_TABLE_ASSETS]

    with duckdb.connect(str(home.warehouse)) as con:
        seed_events(con, on_time)
    dg.materialize(
        assets.FEATURE_TABLE_ASSETS, resources=resources(home), partition_key=PARTITIONS[0]
    )
    with duckdb.connect(str(home.warehouse)) as con:
        seed_events(con, [*on_time, late, *later])
    second = dg.materialize(
        assets.FEATURE_TABLE_ASSETS, resources=resources(home), partition_key=PARTITIONS[1]
    )

    prefix = warehouse_rows(home, "journey_prefix_features").query("journey_id == 'j1'")
    assert prefix["error_count"].tolist() == [0, 1, 1]
    meta = second.asset_materializations_for_node("journey_prefix_features")[0].metadata
    assert meta["late_hours_recomputed"].value == ["2026-03-02T10:00:00+00:00"]
    parquet = pd.read_parquet(partition_file(home, "journey_prefix", T0))
    assert len(parquet.query("journey_id == 'j1'")) == 2

    # The same events, all known before either hour ran.
    fresh = Home(tmp_path / "fresh").ensure()
    with duckdb.connect(str(fresh.warehouse)) as con:
        seed_events(con, [*on_time, replace(late, arrived=None), *later])
    for key in PARTITIONS:
        dg.materialize(assets.FEATURE_TABLE_ASSETS, resources=resources(fresh), partition_key=key)
    for table in tables:
        pd.testing.assert_frame_equal(warehouse_rows(home, table), warehouse_rows(fresh, table))
