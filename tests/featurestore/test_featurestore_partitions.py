"""Hourly partitions of the feature tables: equal to all at once, idempotent, in both stores."""

from __future__ import annotations

from datetime import timedelta

import duckdb
import pandas as pd
import pytest

from journeyheal.featurestore import materialize_partition
from journeyheal.featurestore.partitions import WINDOW_VIEWS
from journeyheal.featurestore.paths import partition_file
from journeyheal.friction import (
    compute_customer_history_features,
    compute_journey_prefix_features,
    compute_service_health_features,
    compute_step_friction_features,
    feature_views,
)
from journeyheal.home import Home
from tests.featurestore.events import HOUR, T0, Ev, random_journeys, seed_events

HOURS = 3
ALL_AT_ONCE = {
    "journey_prefix": compute_journey_prefix_features,
    "service_health": compute_service_health_features,
    "step_friction": compute_step_friction_features,
    "customer_history": compute_customer_history_features,
}


@pytest.fixture
def con(home: Home) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(str(home.warehouse))
    connection.execute("SET TimeZone = 'UTC'")
    seed_events(connection, random_journeys(120, HOURS, seed=3))
    return connection


def table_rows(con: duckdb.DuckDBPyConnection, table: str, keys: list[str]) -> pd.DataFrame:
    frame = con.execute(f"FROM {table}").df()
    return frame.sort_values(keys).reset_index(drop=True)


@pytest.mark.parametrize("view_name", list(ALL_AT_ONCE))
def test_hour_by_hour_equals_all_at_once(
    home: Home, con: duckdb.DuckDBPyConnection, view_name: str
) -> None:
    view = feature_views()[view_name]
    keys = [*view.entity_columns, view.timestamp_column]
    for hour in range(HOURS):
        materialize_partition(con, home, view_name, T0 + hour * HOUR, T0 + (hour + 1) * HOUR)

    ALL_AT_ONCE[view_name](con, output="expected")
    start, end = T0, T0 + HOURS * HOUR
    window = (
        "> ? AND event_timestamp <= ?"
        if view_name in WINDOW_VIEWS
        else ">= ? AND event_timestamp < ?"
    )
    expected = con.execute(
        f"SELECT {', '.join(view.columns)} FROM expected WHERE event_timestamp {window}",
        [start, end],
    ).df()
    got = table_rows(con, view.table, keys)

    assert len(got) > 0
    assert list(got.columns) == view.columns
    pd.testing.assert_frame_equal(
        got, expected.sort_values(keys).reset_index(drop=True), check_dtype=False
    )


@pytest.mark.parametrize("view_name", list(ALL_AT_ONCE))
def test_materializing_a_partition_twice_leaves_the_same_rows(
    home: Home, con: duckdb.DuckDBPyConnection, view_name: str
) -> None:
    view = feature_views()[view_name]
    keys = [*view.entity_columns, view.timestamp_column]
    first = materialize_partition(con, home, view_name, T0 + HOUR, T0 + 2 * HOUR)
    once = table_rows(con, view.table, keys)

    second = materialize_partition(con, home, view_name, T0 + HOUR, T0 + 2 * HOUR)

    pd.testing.assert_frame_equal(table_rows(con, view.table, keys), once)
    assert first.rows == second.rows == len(once) > 0
    parquet = pd.read_parquet(second.parquet).sort_values(keys).reset_index(drop=True)
    pd.testing.assert_frame_equal(parquet, once, check_dtype=False)
    assert second.parquet == partition_file(home, view_name, T0 + HOUR)


def test_partition_rows_use_earlier_history_from_the_warehouse(home: Home) -> None:
    con = duckdb.connect(str(home.warehouse))
    con.execute("SET TimeZone = 'UTC'")
    # the journey started the hour before; its 11:10 prefix must count the 10:50 error
    seed_events(
        con,
        [
            Ev("j1", 50 * 60, "api_call", "pay", service="payments", endpoint="auth",
               latency_ms=100.0, status="error"),
            Ev("j1", 70 * 60, "step_view", "confirm"),
        ],
    )  # fmt: skip

    materialize_partition(con, home, "journey_prefix", T0 + HOUR, T0 + 2 * HOUR)

    rows = con.execute("SELECT error_count, steps_reached FROM journey_prefix_features").fetchall()
    assert rows == [(1, 2)]


def test_partition_bounds_must_be_aware_and_ordered(home: Home) -> None:
    con = duckdb.connect(str(home.warehouse))
    with pytest.raises(ValueError, match="tz-aware"):
        materialize_partition(con, home, "journey_prefix", T0.replace(tzinfo=None), T0 + HOUR)
    with pytest.raises(ValueError, match="before its end"):
        materialize_partition(con, home, "journey_prefix", T0 + HOUR, T0 + timedelta(minutes=5))
