"""Feature tables per arrival hour, the Feast registry, the online store and the training set."""

from datetime import datetime, timedelta
from typing import Literal

import dagster as dg
import duckdb
import pandas as pd

from journeyheal.featurestore import (
    FEATURE_SERVICE,
    apply_repository,
    historical_features,
    materialize_partition,
    update_online_store,
)
from journeyheal.featurestore.partitions import in_partition, late_hours
from journeyheal.featurestore.paths import registry_path
from journeyheal.friction import DEFAULT_EVENTS, compute_training_snapshots, feature_views
from journeyheal.friction.catalog import FeatureView
from journeyheal.friction.queries import quote_identifier
from pipelines.features.resources import FeastResource
from pipelines.partitions import hourly_partitions
from pipelines.resources import WarehouseResource

GROUP = "features"
VALIDATED_EVENTS = dg.AssetKey(DEFAULT_EVENTS)
REGISTRY = "feast_registry"
TRAINING_SET_TABLE = "friction_training_set"
SNAPSHOTS_TABLE = "friction_training_snapshots"
PREVIEW_ROWS = 5
HOUR = timedelta(hours=1)
COLUMN_TYPES = {"string": "string", "int64": "int64", "float64": "float64"}


def column_schema(view: FeatureView) -> dg.TableSchema:
    """The view's columns with the catalog's descriptions, for the Dagster UI."""
    keys = [
        dg.TableColumn(name, "string", description="entity key") for name in view.entity_columns
    ]
    timestamp = dg.TableColumn(
        view.timestamp_column, "timestamp", description="time from which the row holds (UTC)"
    )
    features = [
        dg.TableColumn(name, COLUMN_TYPES[feature.dtype], description=feature.description)
        for name, feature in view.features.items()
    ]
    return dg.TableSchema(columns=[*keys, timestamp, *features])


def markdown_preview(frame: pd.DataFrame) -> dg.MetadataValue:
    """A few rows as a Markdown table."""
    return dg.MetadataValue.md(frame.head(PREVIEW_ROWS).to_markdown(index=False))


def feature_table_asset(view: FeatureView) -> dg.AssetsDefinition:
    """The hourly asset of one catalog view: warehouse table of the same name plus Parquet."""

    @dg.asset(
        name=view.table,
        partitions_def=hourly_partitions,
        group_name=GROUP,
        deps=[VALIDATED_EVENTS],
        kinds={"duckdb", "parquet"},
        description=f"{view.description} Warehouse table {view.table}; one Parquet file per "
        "hour for Feast. Reads each journey's earlier history from the warehouse.",
        metadata={"dagster/column_schema": column_schema(view)},
    )
    def _feature_table(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource, feast: FeastResource
    ) -> dg.MaterializeResult:
        window = context.partition_time_window
        settings = feast.settings
        with warehouse.connect() as con:
            # Late arrivals first: the hours they fall in, computed before they came, again.
            redone = late_hours(con, window.start)
            for hour in redone:
                materialize_partition(
                    con, feast.home, view.name, hour, hour + HOUR, config=settings.friction
                )
            if redone:
                context.log.info(
                    f"late events: recomputed {view.table} for {len(redone)} earlier hours "
                    f"from {redone[0]:%Y-%m-%d %H}:00"
                )
            result = materialize_partition(
                con, feast.home, view.name, window.start, window.end, config=settings.friction
            )
            preview = con.execute(
                f"FROM {quote_identifier(view.table)} "
                f"WHERE {in_partition(view.name, view.timestamp_column)} "
                f"ORDER BY {view.timestamp_column} LIMIT {PREVIEW_ROWS}",
                {"start": window.start, "end": window.end},
            ).df()

        return dg.MaterializeResult(
            metadata={
                "dagster/row_count": result.rows,
                "dagster/column_schema": column_schema(view),
                "preview": markdown_preview(preview),
                "parquet_file": dg.MetadataValue.path(str(result.parquet)),
                "late_hours_recomputed": dg.MetadataValue.json(
                    [hour.isoformat() for hour in redone]
                ),
            }
        )

    return _feature_table


FEATURE_TABLE_ASSETS = [feature_table_asset(view) for view in feature_views().values()]
FEATURE_TABLE_KEYS = [asset.key for asset in FEATURE_TABLE_ASSETS]


@dg.asset(
    name=REGISTRY,
    group_name=GROUP,
    kinds={"feast"},
    description="Feast registry of the home: entities, feature views built from the friction "
    f"catalog, and the FeatureService {FEATURE_SERVICE} (the friction model's inputs).",
)
def feast_registry(feast: FeastResource) -> dg.MaterializeResult:
    applied = apply_repository(feast.home, feast.settings)
    return dg.MaterializeResult(
        metadata={
            "feature_views": dg.MetadataValue.json(applied.feature_views),
            "feature_services": dg.MetadataValue.json(applied.feature_services),
            "entities": dg.MetadataValue.json(applied.entities),
            "registry": dg.MetadataValue.path(str(registry_path(feast.home))),
        }
    )


@dg.asset(
    partitions_def=hourly_partitions,
    group_name=GROUP,
    deps=[*FEATURE_TABLE_KEYS, dg.AssetKey(REGISTRY)],
    kinds={"feast"},
    description="Online store as the hour closes: latest prefix of every journey in flight, "
    "its customer's history, current service health and step friction; written in batches.",
)
def online_features(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, feast: FeastResource
) -> dg.MaterializeResult:
    partition_end = context.partition_time_window.end
    with warehouse.connect() as con:
        update = update_online_store(feast.home, con, partition_end, settings=feast.settings)

    return dg.MaterializeResult(
        metadata={
            "rows_written": update.total_rows,
            "rows_by_view": dg.MetadataValue.json(update.rows),
            "batches": update.batches,
            "seconds": round(update.seconds, 3),
            "as_of": partition_end.isoformat(),
        }
    )


class TrainingSetConfig(dg.Config):
    """Cut time (ISO with offset; default: latest event) and point-in-time engine of the set."""

    as_of: str | None = None
    engine: Literal["feast", "duckdb"] = "feast"


@dg.asset(
    name=TRAINING_SET_TABLE,
    group_name=GROUP,
    deps=[VALIDATED_EVENTS, *FEATURE_TABLE_KEYS, dg.AssetKey(REGISTRY)],
    kinds={"feast", "duckdb"},
    description="Labelled snapshots of ended journeys with the features of "
    f"{FEATURE_SERVICE} as of each snapshot (point in time, DuckDB offline store).",
)
def friction_training_set(
    context: dg.AssetExecutionContext,
    config: TrainingSetConfig,
    warehouse: WarehouseResource,
    feast: FeastResource,
) -> dg.MaterializeResult:
    with warehouse.connect() as con:
        as_of = _training_as_of(con, config)
        compute_training_snapshots(
            con, as_of, config=feast.settings.friction, output=SNAPSHOTS_TABLE
        )
        entity_df = con.execute(
            f"FROM {SNAPSHOTS_TABLE} ORDER BY event_timestamp, snapshot_id"
        ).df()
        con.execute(f"DROP TABLE {SNAPSHOTS_TABLE}")

        training = historical_features(
            feast.home, entity_df, FEATURE_SERVICE, feast.settings, engine=config.engine
        )
        if len(training) != len(entity_df):
            msg = f"training set has {len(training)} rows for {len(entity_df)} snapshots"
            raise RuntimeError(msg)
        con.register("training_frame", training)
        con.execute(f"CREATE OR REPLACE TABLE {TRAINING_SET_TABLE} AS FROM training_frame")
        con.unregister("training_frame")

    context.log.info(f"training set as of {as_of}: {len(training)} snapshots")
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": len(training),
            "as_of": as_of.isoformat(),
            "engine": config.engine,
            "abandoned_share": float(training["label"].mean()) if len(training) else 0.0,
            "journeys": int(training["journey_id"].nunique()),
            "preview": markdown_preview(training),
        }
    )


def _training_as_of(con: duckdb.DuckDBPyConnection, config: TrainingSetConfig) -> datetime:
    """The cut time: the configured one, or the latest validated event time."""
    if config.as_of is not None:
        as_of = datetime.fromisoformat(config.as_of)
        if as_of.tzinfo is None:
            msg = f"friction_training_set config as_of={config.as_of!r} needs a UTC offset"
            raise ValueError(msg)
        return as_of
    row = con.execute(f"SELECT max(event_time) FROM {DEFAULT_EVENTS}").fetchone()
    if row is None or row[0] is None:
        msg = f"no events in {DEFAULT_EVENTS}: nothing to cut a training set from"
        raise ValueError(msg)
    return row[0]
