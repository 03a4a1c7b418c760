"""One hourly partition of a feature table: computed from the warehouse, stored twice.

The partition of hour [start, end) holds the rows whose event_timestamp falls in that hour,
computed from every event up to then that the warehouse holds (each journey's earlier history
included), so its values equal those of an all-at-once computation over the same events. Rolling
window views take the windows ending in (start, end] instead: the window ending at the partition
end is the current health when the hour closes, which is what serving needs. The rows replace
the partition's rows in the warehouse table of the view and in its Parquet file.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from journeyheal.featurestore.paths import partition_file
from journeyheal.friction import (
    DEFAULT_EVENTS,
    FrictionConfig,
    compute_customer_history_features,
    compute_journey_prefix_features,
    compute_service_health_features,
    compute_step_friction_features,
    feature_views,
    write_parquet,
)
from journeyheal.friction.catalog import (
    CUSTOMER_HISTORY,
    JOURNEY_PREFIX,
    SERVICE_HEALTH,
    STEP_FRICTION,
    FeatureView,
)
from journeyheal.friction.queries import quote_identifier
from journeyheal.home import Home

STAGING_TABLE = "featurestore_partition_staging"
TYPED_TABLE = "featurestore_partition_typed"
SCOPE_TABLE = "featurestore_partition_scope"
DUCKDB_TYPES = {"string": "VARCHAR", "int64": "BIGINT", "float64": "DOUBLE"}
# Views of rolling windows on the grid: a partition holds the windows ending in (start, end].
WINDOW_VIEWS = (SERVICE_HEALTH, STEP_FRICTION)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PartitionResult:
    """What one partition wrote: its rows (warehouse and Parquet) and where the file is."""

    view: str
    table: str
    rows: int
    parquet: Path


def materialize_partition(
    con: duckdb.DuckDBPyConnection,
    home: Home,
    view_name: str,
    start: datetime,
    end: datetime,
    *,
    events: str = DEFAULT_EVENTS,
    config: FrictionConfig | None = None,
) -> PartitionResult:
    """Compute the partition [start, end) of `view_name`; replace it in warehouse and Parquet."""
    config = config or FrictionConfig()
    _require_window(start, end)
    views = feature_views(config)
    if view_name not in views:
        msg = f"unknown feature view {view_name!r}; the catalog has {sorted(views)}"
        raise KeyError(msg)
    view = views[view_name]

    _compute(con, view_name, events, start, end, config)
    _cast_to_catalog(con, view, start, end)
    rows = _replace_rows(con, view, start, end)

    parquet = write_parquet(con, TYPED_TABLE, partition_file(home, view.name, start))
    con.execute(f"DROP TABLE {quote_identifier(TYPED_TABLE)}")
    log.info("%s: %d rows for [%s, %s) -> %s", view.table, rows, start, end, parquet)
    return PartitionResult(view=view.name, table=view.table, rows=rows, parquet=parquet)


def late_hours(
    con: duckdb.DuckDBPyConnection, arrival_start: datetime, *, events: str = DEFAULT_EVENTS
) -> list[datetime]:
    """Earlier partitions that the late events of one arrival hour make stale, oldest first.

    A late event (event_time before the hour it arrived in) changes the rows at and after its
    time: every partition from the one holding its time up to the arrival hour must be computed
    again. The hour start is taken just before the event, so that a rolling window ending
    exactly at it, which belongs to the partition before, is redone as well.
    """
    (earliest,) = con.execute(
        f"SELECT min(event_time) FROM {quote_identifier(events)} "
        "WHERE partition_hour = $hour AND event_time < $hour",
        {"hour": arrival_start},
    ).fetchone() or (None,)
    if earliest is None:
        return []
    first = (earliest - timedelta(microseconds=1)).replace(minute=0, second=0, microsecond=0)
    count = int((arrival_start - first) / timedelta(hours=1))
    return [first + timedelta(hours=number) for number in range(count)]


def in_partition(view_name: str, column: str) -> str:
    """SQL condition: `column` falls in the partition ($start, $end) of the view."""
    if view_name in WINDOW_VIEWS:
        return f"{column} > $start AND {column} <= $end"
    return f"{column} >= $start AND {column} < $end"


def _require_window(start: datetime, end: datetime) -> None:
    if start.tzinfo is None or end.tzinfo is None:
        msg = f"partition bounds must be tz-aware (got {start!r}, {end!r})"
        raise ValueError(msg)
    if start >= end:
        msg = f"partition start {start} must be before its end {end}"
        raise ValueError(msg)


def _compute(
    con: duckdb.DuckDBPyConnection,
    view_name: str,
    events: str,
    start: datetime,
    end: datetime,
    config: FrictionConfig,
) -> None:
    """Fill STAGING_TABLE with the view's rows; it may hold rows outside the partition."""
    if view_name == JOURNEY_PREFIX:
        compute_journey_prefix_features(
            con, events, start, end, config=config, output=STAGING_TABLE
        )
        return

    if view_name == CUSTOMER_HISTORY:
        _scope_customers(con, events, start, end)
        compute_customer_history_features(con, SCOPE_TABLE, config=config, output=STAGING_TABLE)
        con.execute(f"DROP TABLE {SCOPE_TABLE}")
        return

    windows = {
        SERVICE_HEALTH: (config.health_long_window_s, compute_service_health_features),
        STEP_FRICTION: (config.step_window_s, compute_step_friction_features),
    }
    if view_name not in windows:
        msg = f"no partition computation for feature view {view_name!r}"
        raise KeyError(msg)
    window_s, compute = windows[view_name]
    _scope_journeys(con, events, start, end, window_s)
    compute(con, SCOPE_TABLE, config=config, output=STAGING_TABLE)
    con.execute(f"DROP TABLE {SCOPE_TABLE}")


def _scope_journeys(
    con: duckdb.DuckDBPyConnection, events: str, start: datetime, end: datetime, window_s: int
) -> None:
    """Events up to `end` of the journeys active in the windows that end in (start, end]."""
    # Whole journeys, not just the window: a measurement may pair with the journey's earlier
    # events (the call that served a step, the view a step's time is counted from).
    source = quote_identifier(events)
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {SCOPE_TABLE} AS
        SELECT * FROM {source}
        WHERE event_time <= $end AND journey_id IN (
            SELECT DISTINCT journey_id FROM {source}
            WHERE event_time > $start - to_seconds($window_s) AND event_time <= $end
        )
        """,
        {"start": start, "end": end, "window_s": window_s},
    )


def _scope_customers(
    con: duckdb.DuckDBPyConnection, events: str, start: datetime, end: datetime
) -> None:
    """Events before `end` of the customers with a journey starting in [start, end)."""
    source = quote_identifier(events)
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {SCOPE_TABLE} AS
        SELECT * FROM {source}
        WHERE event_time < $end AND customer_id IN (
            SELECT customer_id FROM (
                SELECT journey_id, min(customer_id) AS customer_id, min(event_time) AS started
                FROM {source} WHERE event_time < $end GROUP BY journey_id
            ) WHERE started >= $start
        )
        """,
        {"start": start, "end": end},
    )


def _cast_to_catalog(
    con: duckdb.DuckDBPyConnection, view: FeatureView, start: datetime, end: datetime
) -> None:
    """TYPED_TABLE: the staged rows in [start, end), columns in catalog order and dtypes."""
    dtypes = dict.fromkeys(view.entity_columns, "VARCHAR")
    dtypes[view.timestamp_column] = "TIMESTAMPTZ"
    dtypes |= {name: DUCKDB_TYPES[feature.dtype] for name, feature in view.features.items()}
    columns = ", ".join(
        f"CAST({quote_identifier(name)} AS {dtype}) AS {quote_identifier(name)}"
        for name, dtype in dtypes.items()
    )
    timestamp = quote_identifier(view.timestamp_column)
    keys = ", ".join(quote_identifier(column) for column in view.entity_columns)
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {TYPED_TABLE} AS
        SELECT {columns} FROM {STAGING_TABLE}
        WHERE {in_partition(view.name, timestamp)}
        ORDER BY {timestamp}, {keys}
        """,
        {"start": start, "end": end},
    )
    con.execute(f"DROP TABLE {STAGING_TABLE}")


def _replace_rows(
    con: duckdb.DuckDBPyConnection, view: FeatureView, start: datetime, end: datetime
) -> int:
    """Swap the partition's rows of the warehouse table in one transaction; returns the count."""
    table = quote_identifier(view.table)
    timestamp = quote_identifier(view.timestamp_column)
    con.execute("BEGIN")
    try:
        con.execute(f"CREATE TABLE IF NOT EXISTS {table} AS FROM {TYPED_TABLE} LIMIT 0")
        con.execute(
            f"DELETE FROM {table} WHERE {in_partition(view.name, timestamp)}",
            {"start": start, "end": end},
        )
        con.execute(f"INSERT INTO {table} BY NAME FROM {TYPED_TABLE}")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    count = con.execute(f"SELECT count(*) FROM {TYPED_TABLE}").fetchone()
    return int(count[0]) if count else 0
