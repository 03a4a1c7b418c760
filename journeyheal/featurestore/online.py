"""The online store: hourly updates of what serving needs, and lookups for journeys in flight.

Serving asks about journeys in flight. After the partition ending at `partition_end`, the update
writes the latest prefix of every journey in flight then, the history of their customers, and
the current rows of every service endpoint and step with recent traffic. Rows stream out of
DuckDB in bounded batches, so memory does not grow with the day's volume.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd

from journeyheal.featurestore.config import feature_store
from journeyheal.featurestore.definitions import FEATURE_SERVICE
from journeyheal.featurestore.settings import FeatureStoreSettings
from journeyheal.friction import DEFAULT_EVENTS, feature_views
from journeyheal.friction.catalog import (
    CUSTOMER_HISTORY,
    JOURNEY_PREFIX,
    SERVICE_HEALTH,
    STEP_FRICTION,
    FeatureView,
)
from journeyheal.friction.queries import quote_identifier
from journeyheal.home import Home

if TYPE_CHECKING:
    from feast import FeatureService, FeatureStore

IN_FLIGHT_TABLE = "featurestore_in_flight"
COMPLETE_EVENT = "journey_complete"
# Feast cannot look up a NULL key; this key matches no row, so its features come back NULL.
MISSING_KEY = ""
TIMESTAMP_SUFFIX = "__ts"

log = logging.getLogger(__name__)


@dataclass
class OnlineUpdate:
    """What one online update wrote: rows per feature view, batches and wall time."""

    partition_end: datetime
    rows: dict[str, int] = field(default_factory=dict)
    batches: int = 0
    seconds: float = 0.0

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def update_online_store(
    home: Home,
    con: duckdb.DuckDBPyConnection,
    partition_end: datetime,
    *,
    events: str = DEFAULT_EVENTS,
    settings: FeatureStoreSettings | None = None,
) -> OnlineUpdate:
    """Write the serving state as of `partition_end` from the warehouse feature tables."""
    if partition_end.tzinfo is None:
        msg = f"partition_end must be tz-aware (got {partition_end!r})"
        raise ValueError(msg)
    settings = settings or FeatureStoreSettings()
    store = feature_store(home, settings)
    views = feature_views(settings.friction)
    _require_registered(store, list(views))
    ttls = settings.view_ttls()
    started = time.perf_counter()
    update = OnlineUpdate(partition_end=partition_end)

    select_in_flight(con, views[JOURNEY_PREFIX], events, partition_end, ttls[JOURNEY_PREFIX])
    queries = {
        JOURNEY_PREFIX: f"FROM {IN_FLIGHT_TABLE}",
        CUSTOMER_HISTORY: _latest_sql(views[CUSTOMER_HISTORY], in_flight_keys=True),
        SERVICE_HEALTH: _latest_sql(views[SERVICE_HEALTH], in_flight_keys=False),
        STEP_FRICTION: _latest_sql(views[STEP_FRICTION], in_flight_keys=False),
    }
    for name, sql in queries.items():
        parameters = {} if name == JOURNEY_PREFIX else _window(partition_end, ttls[name])
        written, batches = _write_batches(store, con, name, sql, parameters, settings)
        update.rows[name] = written
        update.batches += batches

    con.execute(f"DROP TABLE {IN_FLIGHT_TABLE}")
    update.seconds = time.perf_counter() - started
    log.info("online update at %s: %s rows in %.1f s", partition_end, update.rows, update.seconds)
    return update


def _require_registered(store: FeatureStore, names: list[str]) -> None:
    """Fail with the fix when the registry lacks a view (the repository was never applied)."""
    registered = {view.name for view in store.list_feature_views()}
    missing = sorted(set(names) - registered)
    if missing:
        msg = (
            f"the Feast registry at {store.config.registry.path} has no feature view "
            f"{', '.join(missing)}: apply the repository first (materialize feast_registry, "
            "the feature_store_job, or run `feast -c features apply`)"
        )
        raise RuntimeError(msg)


def _window(partition_end: datetime, ttl: timedelta) -> dict[str, Any]:
    return {"valid_from": partition_end - ttl, "end": partition_end}


def select_in_flight(
    con: duckdb.DuckDBPyConnection,
    prefix: FeatureView,
    events: str,
    partition_end: datetime,
    idle_limit: timedelta,
) -> None:
    """IN_FLIGHT_TABLE: latest prefix row of each journey neither completed nor idle too long."""
    table = quote_identifier(prefix.table)
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {IN_FLIGHT_TABLE} AS
        WITH latest AS (
            SELECT * FROM {table}
            WHERE event_timestamp > $end - to_seconds($idle_s) AND event_timestamp <= $end
            QUALIFY row_number() OVER (PARTITION BY journey_id ORDER BY event_timestamp DESC) = 1
        )
        SELECT latest.* FROM latest
        ANTI JOIN (
            SELECT DISTINCT journey_id FROM {quote_identifier(events)}
            WHERE event_type = $complete AND event_time <= $end
        ) AS completed USING (journey_id)
        """,
        {"end": partition_end, "idle_s": idle_limit.total_seconds(), "complete": COMPLETE_EVENT},
    )


def _latest_sql(view: FeatureView, *, in_flight_keys: bool) -> str:
    """Latest row per entity within the view's TTL up to the end; of in-flight keys if asked."""
    keys = ", ".join(view.entity_columns)
    in_flight = (
        f"AND ({keys}) IN (SELECT DISTINCT {keys} FROM {IN_FLIGHT_TABLE})" if in_flight_keys else ""
    )
    return f"""
        SELECT * FROM {quote_identifier(view.table)}
        WHERE event_timestamp >= $valid_from AND event_timestamp <= $end {in_flight}
        QUALIFY row_number() OVER (PARTITION BY {keys} ORDER BY event_timestamp DESC) = 1
    """


def _write_batches(
    store: FeatureStore,
    con: duckdb.DuckDBPyConnection,
    view: str,
    sql: str,
    parameters: dict[str, Any],
    settings: FeatureStoreSettings,
) -> tuple[int, int]:
    """Stream the query's rows into the online store; returns rows and batches written."""
    reader = con.sql(sql, params=parameters).to_arrow_reader(settings.write_batch_rows)
    rows = batches = 0
    for batch in reader:
        if batch.num_rows == 0:
            continue
        store.write_to_online_store(view, batch.to_pandas())
        rows += batch.num_rows
        batches += 1
    return rows, batches


def online_feature_values(
    home: Home,
    entity_rows: list[dict[str, Any]],
    *,
    as_of: datetime | None = None,
    service_name: str = FEATURE_SERVICE,
    settings: FeatureStoreSettings | None = None,
) -> dict[str, list[Any]]:
    """Columns (entity keys, then the service's features) for rows carrying every join key.

    A value older than its view's TTL at `as_of` (default: now) comes back NULL, as the
    offline point-in-time join returns it. NULL keys match nothing. Plain lists, no DataFrame:
    this is the low-latency serving path.
    """
    settings = settings or FeatureStoreSettings()
    store = feature_store(home, settings)
    plan = serving_plan(store, service_name, settings)
    as_of = as_of or datetime.now(UTC)

    rows = [{key: MISSING_KEY if v is None else v for key, v in row.items()} for row in entity_rows]
    response = store.get_online_features(features=plan.service, entity_rows=rows)
    values = response.to_dict(include_event_timestamps=True)
    _expire(values, plan.ttls, as_of)

    keys = dict.fromkeys(key for row in entity_rows for key in row)
    columns = {key: [row.get(key) for row in entity_rows] for key in keys}
    columns |= {name: values[name] for name in plan.ttls}
    return columns


def online_features(
    home: Home,
    entity_rows: list[dict[str, Any]],
    *,
    as_of: datetime | None = None,
    service_name: str = FEATURE_SERVICE,
    settings: FeatureStoreSettings | None = None,
) -> pd.DataFrame:
    """`online_feature_values` as a DataFrame, one row per entity row."""
    return pd.DataFrame(
        online_feature_values(
            home, entity_rows, as_of=as_of, service_name=service_name, settings=settings
        )
    )


def online_features_for_journeys(
    home: Home,
    journey_ids: list[str],
    *,
    as_of: datetime | None = None,
    service_name: str = FEATURE_SERVICE,
    settings: FeatureStoreSettings | None = None,
) -> pd.DataFrame:
    """Features of journeys in flight: their keys from their online prefix, then the service."""
    settings = settings or FeatureStoreSettings()
    store = feature_store(home, settings)
    prefix = feature_views(settings.friction)[JOURNEY_PREFIX]
    plan = serving_plan(store, service_name, settings)
    keys = [column for column in plan.join_keys if column not in prefix.entity_columns]
    as_of = as_of or datetime.now(UTC)

    response = store.get_online_features(
        features=[f"{JOURNEY_PREFIX}:{key}" for key in keys],
        entity_rows=[{"journey_id": journey_id} for journey_id in journey_ids],
    )
    values = response.to_dict(include_event_timestamps=True)
    ttl = settings.view_ttls()[JOURNEY_PREFIX]
    _expire(values, dict.fromkeys(keys, ttl), as_of)

    entity_rows = [
        {"journey_id": journey_id, **{key: values[key][i] for key in keys}}
        for i, journey_id in enumerate(journey_ids)
    ]
    return online_features(
        home, entity_rows, as_of=as_of, service_name=service_name, settings=settings
    )


@dataclass(frozen=True)
class ServingPlan:
    """A FeatureService read once from the registry: its views' join keys and feature TTLs."""

    service: FeatureService
    join_keys: list[str]
    ttls: dict[str, timedelta]


@cache
def serving_plan(
    store: FeatureStore, service_name: str, settings: FeatureStoreSettings
) -> ServingPlan:
    """The plan of a service; cached, as the registry parses protos on every read (~20 ms)."""
    service = store.get_feature_service(service_name)
    view_ttls = settings.view_ttls()
    join_keys: list[str] = []
    ttls: dict[str, timedelta] = {}
    for projection in service.feature_view_projections:
        view = store.get_feature_view(projection.name)
        join_keys += [column.name for column in view.entity_columns if column.name not in join_keys]
        ttls |= dict.fromkeys(
            (feature.name for feature in projection.features), view_ttls[view.name]
        )
    return ServingPlan(service=service, join_keys=join_keys, ttls=ttls)


def is_expired(stamp: float, cutoff: float) -> bool:
    """An online row's epoch-second timestamp is surely older than the cutoff.

    Online timestamps are whole seconds, so a row is expired only a second past the cutoff.
    """
    return stamp + 1 <= cutoff


def _expire(values: dict[str, list[Any]], ttls: dict[str, timedelta], as_of: datetime) -> None:
    """Null, in place, each value whose row is older than its TTL at `as_of`."""
    for name, ttl in ttls.items():
        cutoff = (as_of - ttl).timestamp()
        stamps = values[name + TIMESTAMP_SUFFIX]
        values[name] = [
            None if is_expired(stamp, cutoff) else value
            for value, stamp in zip(values[name], stamps, strict=True)
        ]
