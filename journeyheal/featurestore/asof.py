"""The point-in-time join of a FeatureService in DuckDB: one slim ASOF join per view.

Same semantics as Feast's offline retrieval (per view: the latest row at or before the entity
row's time, NULL when older than the view's TTL or when a key is NULL), read from the same
registry objects. Each view's ASOF join carries only the row numbers, keys and times; the
features are then gathered by the matched row number with Arrow's `take`. Carrying every
feature through a chain of joins, as one big query does, costs more than the joins themselves.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from journeyheal.friction.queries import quote_identifier

if TYPE_CHECKING:
    from feast import FeatureService, FeatureStore

ENTITIES = "asof_entities"
ENTITY_KEYS = "asof_entity_keys"
VIEW = "asof_view"
ROW_NUMBER = "__asof_row"
VIEW_ROW = "__view_row"
VIEW_TIME = "__view_us"
ENTITY_TIME = "__entity_us"
EVENT_TIMESTAMP = "event_timestamp"
NO_MATCH = -1
THREADS = 2
# Arrow integers to pandas' nullable integers: a feature with no row in time is NULL.
NULLABLE_INTEGERS = {
    pa.int8(): pd.Int8Dtype(),
    pa.int16(): pd.Int16Dtype(),
    pa.int32(): pd.Int32Dtype(),
    pa.int64(): pd.Int64Dtype(),
}


@dataclass(frozen=True)
class ViewRead:
    """What the join reads of one view: its Parquet glob, keys, timestamp, features and TTL."""

    name: str
    path: str
    join_keys: list[str]
    timestamp: str
    features: list[str]
    ttl: timedelta | None


def view_reads(store: FeatureStore, service: FeatureService) -> list[ViewRead]:
    """The views a FeatureService reads, as registered."""
    reads = []
    for projection in service.feature_view_projections:
        view = store.get_feature_view(projection.name)
        reads.append(
            ViewRead(
                name=view.name,
                path=view.batch_source.path,  # type: ignore[union-attr]
                join_keys=[column.name for column in view.entity_columns],
                timestamp=view.batch_source.timestamp_field,  # type: ignore[union-attr]
                features=[feature.name for feature in projection.features],
                ttl=view.ttl or None,
            )
        )
    return reads


def asof_join(entity_df: pd.DataFrame, reads: list[ViewRead]) -> pd.DataFrame:
    """Every view's features as of each entity row's event_timestamp, one row per entity row
    in the same order (only the features: the caller holds the entity columns)."""
    keys = list(dict.fromkeys(key for read in reads for key in read.join_keys))
    entity_us = _micros(entity_df[EVENT_TIMESTAMP])

    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        # Join keys are strings in every view. DuckDB's scan of the pandas columns turns them
        # into Arrow three to four times faster than pyarrow's own conversion.
        key_frame = entity_df[keys]
        con.register(ENTITY_KEYS, key_frame)
        cast = ", ".join(
            f"CAST({quote_identifier(key)} AS VARCHAR) AS {quote_identifier(key)}" for key in keys
        )
        entities = con.sql(f"SELECT {cast} FROM {ENTITY_KEYS}").to_arrow_table()
        con.unregister(ENTITY_KEYS)
        entities = entities.append_column(ROW_NUMBER, pa.array(np.arange(len(entity_df))))
        entities = entities.append_column(ENTITY_TIME, pa.array(entity_us))

        columns: dict[str, pa.ChunkedArray] = {}
        # One thread per view: one view's gather runs while the next one's join does.
        with ThreadPoolExecutor(max_workers=THREADS) as pool:
            parts = pool.map(lambda read: _view_features(con.cursor(), read, entities), reads)
            for part in parts:
                columns |= part
    finally:
        con.close()

    names = [feature for read in reads for feature in read.features]
    if len(set(names)) != len(names):
        msg = f"the views of the service share feature names: {sorted(names)}"
        raise ValueError(msg)
    table = pa.table({name: columns[name] for name in names})
    return table.to_pandas(types_mapper=NULLABLE_INTEGERS.get)


def _view_features(
    con: duckdb.DuckDBPyConnection, read: ViewRead, entities: pa.Table
) -> dict[str, pa.ChunkedArray]:
    """One view's features for every entity row: match row numbers, check the TTL, gather."""
    con.register(ENTITIES, entities)
    keys = [quote_identifier(key) for key in read.join_keys]
    features = ", ".join(quote_identifier(feature) for feature in read.features)
    path = read.path.replace("'", "''")
    # a relation, not a cursor result: DuckDB copies the rows once more for the DB-API path
    view = con.sql(
        f"SELECT {', '.join(keys)}, {features}, "
        f"epoch_us({quote_identifier(read.timestamp)}) AS {VIEW_TIME} "
        f"FROM read_parquet('{path}')"
    ).to_arrow_table()
    # one chunk: `take` on a chunked column concatenates its chunks again for every call
    view = view.combine_chunks()
    view = view.append_column(VIEW_ROW, pa.array(np.arange(view.num_rows)))

    # The latest view row at or before each entity row, by key; NULL keys never match.
    on = " AND ".join(f"e.{key} = v.{key}" for key in keys)
    con.register(VIEW, view.select([*read.join_keys, VIEW_TIME, VIEW_ROW]))
    try:
        matched = con.execute(
            f"SELECT e.{ROW_NUMBER}, v.{VIEW_ROW} "
            f"FROM {ENTITIES} AS e "
            f"ASOF JOIN {VIEW} AS v ON {on} AND e.{ENTITY_TIME} >= v.{VIEW_TIME}"
        ).fetchnumpy()
    finally:
        con.unregister(VIEW)

    entity_us = entities.column(ENTITY_TIME).to_numpy()
    rows = np.full(len(entity_us), NO_MATCH, dtype=np.int64)
    rows[matched[ROW_NUMBER]] = matched[VIEW_ROW]
    found = rows != NO_MATCH
    if read.ttl:
        view_us = view.column(VIEW_TIME).to_numpy()[np.where(found, rows, 0)]
        found &= view_us >= entity_us - int(read.ttl / timedelta(microseconds=1))

    take = pa.array(rows, mask=~found)
    return {feature: view.column(feature).take(take) for feature in read.features}


def _micros(timestamps: pd.Series) -> np.ndarray:
    """Microseconds since the epoch of tz-aware timestamps, as int64."""
    return timestamps.dt.tz_convert("UTC").astype("datetime64[us, UTC]").to_numpy(np.int64)
