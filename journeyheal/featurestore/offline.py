"""Point-in-time training sets from the DuckDB offline store, every entity row accounted for."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Literal

import pandas as pd

from journeyheal.featurestore.asof import asof_join, view_reads
from journeyheal.featurestore.config import feature_store
from journeyheal.featurestore.definitions import FEATURE_SERVICE
from journeyheal.featurestore.settings import FeatureStoreSettings
from journeyheal.home import Home

if TYPE_CHECKING:
    from feast import FeatureService, FeatureStore

SNAPSHOT_ID = "snapshot_id"
EVENT_TIMESTAMP = "event_timestamp"
Engine = Literal["feast", "duckdb"]

log = logging.getLogger(__name__)


def historical_features(
    home: Home,
    entity_df: pd.DataFrame,
    service_name: str = FEATURE_SERVICE,
    settings: FeatureStoreSettings | None = None,
    engine: Engine = "feast",
) -> pd.DataFrame:
    """The entity rows with the service's features as of each row's event_timestamp.

    Each row needs a unique snapshot_id, a tz-aware event_timestamp and every join key of the
    service's views (NULL keys get NULL features). Rows come back in the order given; a row
    lost or duplicated in the join raises instead of passing silently. engine="feast" runs
    Feast's get_historical_features; engine="duckdb" runs the same join from the same registry
    objects as one DuckDB ASOF query (journeyheal.featurestore.asof), much faster at scale.
    """
    store = feature_store(home, settings)
    service = store.get_feature_service(service_name)
    _check_entity_df(entity_df, _join_keys(store, service), service_name)

    log.info("point-in-time join (%s) of %d rows on %s", engine, len(entity_df), service_name)
    entities = entity_df.reset_index(drop=True)
    if engine == "duckdb":
        # one output row per entity row, in order, checked inside
        features = asof_join(entities, view_reads(store, service))
        # entity columns put in front one by one: a concat would copy every column to
        # consolidate pandas' blocks, a third of a second at a million rows
        for position, column in enumerate(entities.columns):
            features.insert(position, column, entities[column])
        return features

    joined = store.get_historical_features(entity_df=entities, features=service).to_df()
    _check_every_row_back(entities, joined)
    feature_columns = [column for column in joined.columns if column not in entities.columns]
    ordered = joined.set_index(SNAPSHOT_ID).loc[entities[SNAPSHOT_ID], feature_columns]
    return pd.concat([entities, ordered.reset_index(drop=True)], axis=1)


def _join_keys(store: FeatureStore, service: FeatureService) -> list[str]:
    """Join keys of every view the service reads, in first-seen order."""
    keys: list[str] = []
    for projection in service.feature_view_projections:
        view = store.get_feature_view(projection.name)
        keys += [column.name for column in view.entity_columns if column.name not in keys]
    return keys


def _check_entity_df(entity_df: pd.DataFrame, join_keys: list[str], service_name: str) -> None:
    """Refuse an entity frame the join could not answer row for row."""
    missing = [c for c in (SNAPSHOT_ID, EVENT_TIMESTAMP, *join_keys) if c not in entity_df]
    if missing:
        msg = f"entity_df for {service_name} lacks columns {missing} (has {list(entity_df)})"
        raise ValueError(msg)

    ids = entity_df[SNAPSHOT_ID]
    if ids.isna().any() or ids.duplicated().any():
        msg = f"entity_df.{SNAPSHOT_ID} must be unique and non-null"
        raise ValueError(msg)

    timestamps = entity_df[EVENT_TIMESTAMP]
    if not isinstance(timestamps.dtype, pd.DatetimeTZDtype) or timestamps.isna().any():
        msg = f"entity_df.{EVENT_TIMESTAMP} must be tz-aware timestamps without nulls"
        raise ValueError(msg)


def _check_every_row_back(entity_df: pd.DataFrame, joined: pd.DataFrame) -> None:
    """Exactly the given snapshot ids come back, once each."""
    asked = set(entity_df[SNAPSHOT_ID])
    got = joined[SNAPSHOT_ID]
    lost = asked - set(got)
    if len(joined) != len(entity_df) or lost or got.duplicated().any():
        msg = (
            f"point-in-time join returned {len(joined)} rows for {len(entity_df)} entity rows "
            f"({len(lost)} snapshot ids lost, e.g. {sorted(lost)[:3]}, "
            f"{int(got.duplicated().sum())} duplicated)"
        )
        raise RuntimeError(msg)
