"""The point-in-time join of a FeatureService as one DuckDB ASOF query over its Parquet sources.

Same semantics as Feast's offline retrieval (per view: the latest row at or before the entity
row's time, NULL when older than the view's TTL or when a key is NULL), read from the same
registry objects, but one vectorised query: Feast's own path takes tens of seconds for a
million entity rows here, this one a few.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

import duckdb
import pandas as pd

from journeyheal.friction.queries import quote_identifier

if TYPE_CHECKING:
    from feast import FeatureService, FeatureStore

ENTITIES = "asof_entities"
ROW_NUMBER = "__asof_row"
EVENT_TIMESTAMP = "event_timestamp"


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
    # Only the keys and the time go through the joins: carrying every entity column through
    # each ASOF join costs more than the joins themselves.
    slim = entity_df[[*keys, EVENT_TIMESTAMP]].assign(**{ROW_NUMBER: range(len(entity_df))})
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.register(ENTITIES, slim)
        features = con.execute(_sql(reads)).df()
    finally:
        con.close()

    numbers = features.pop(ROW_NUMBER)
    if len(features) != len(entity_df) or not numbers.is_monotonic_increasing:
        msg = f"ASOF join returned {len(features)} rows for {len(entity_df)} entity rows"
        raise RuntimeError(msg)
    return features


def _sql(reads: list[ViewRead]) -> str:
    """One SELECT with an ASOF LEFT JOIN per view, in entity row order."""
    selected = [f"e.{ROW_NUMBER}"]
    joins = []
    for number, read in enumerate(reads):
        alias, stamp = f"v{number}", f"__ts_{number}"
        columns = [*read.join_keys, *read.features]
        source = (
            f"SELECT {', '.join(quote_identifier(c) for c in columns)}, "
            f"{quote_identifier(read.timestamp)} AS {stamp} "
            f"FROM read_parquet('{read.path.replace(chr(39), chr(39) * 2)}')"
        )
        keys = " AND ".join(
            f"e.{quote_identifier(k)} = {alias}.{quote_identifier(k)}" for k in read.join_keys
        )
        joins.append(
            f"ASOF LEFT JOIN ({source}) AS {alias} "
            f"ON {keys} AND e.{EVENT_TIMESTAMP} >= {alias}.{stamp}"
        )
        fresh = (
            f"{alias}.{stamp} >= e.{EVENT_TIMESTAMP} - "
            f"INTERVAL {int(read.ttl.total_seconds())} SECOND"
            if read.ttl
            else "TRUE"
        )
        selected += [
            f"CASE WHEN {fresh} THEN {alias}.{quote_identifier(f)} END AS {quote_identifier(f)}"
            for f in read.features
        ]
    return (
        f"SELECT {', '.join(selected)} FROM {ENTITIES} AS e "
        f"{' '.join(joins)} ORDER BY e.{ROW_NUMBER}"
    )
