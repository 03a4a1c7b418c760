"""Hourly scoring: every journey in flight at the partition end, scored by the champion."""

from datetime import datetime
from typing import Literal

import dagster as dg
import duckdb
import pandas as pd

from journeyheal import warehouse
from models.tracking import CHAMPION_ALIAS, MODEL_NAME
from pipelines.features.resources import FeastResource
from pipelines.model.assets import champion_model
from pipelines.model.resources import MlflowResource
from pipelines.partitions import hourly_partitions
from pipelines.resources import WarehouseResource

GROUP = "scoring"
SCORES_TABLE = "friction_scores"
PREFIX_TABLE = "journey_prefix_features"
EVENTS_TABLE = "validated_journey_events"
COMPLETE_EVENT = "journey_complete"
CHAMPION_URI = f"models:/{MODEL_NAME}@{CHAMPION_ALIAS}"
# Join keys the FeatureService's views need, carried from each journey's latest prefix row.
ENTITY_KEYS = ("journey_id", "customer_id", "journey_type", "step", "service", "endpoint")
# Where each journey stands, kept beside its score so repairs can group journeys by scope.
SCOPE_COLUMNS = ("journey_type", "channel", "step", "service", "endpoint")

IN_FLIGHT_SQL = f"""
WITH latest AS (
    SELECT {", ".join(ENTITY_KEYS)}, channel FROM {PREFIX_TABLE}
    WHERE event_timestamp <= $end AND event_timestamp > $end - to_seconds($idle_s)
    QUALIFY row_number() OVER (PARTITION BY journey_id ORDER BY event_timestamp DESC) = 1
)
SELECT row_number() OVER (ORDER BY journey_id) AS snapshot_id, latest.*,
       $end::TIMESTAMPTZ AS event_timestamp
FROM latest
ANTI JOIN (
    SELECT DISTINCT journey_id FROM {EVENTS_TABLE}
    WHERE event_type = '{COMPLETE_EVENT}' AND event_time <= $end
) AS completed USING (journey_id)
ORDER BY journey_id
"""


def in_flight_entities(
    con: duckdb.DuckDBPyConnection, end: datetime, idle_s: float
) -> pd.DataFrame:
    """One entity row per journey neither completed nor idle past the timeout at `end`."""
    return con.execute(IN_FLIGHT_SQL, {"end": end, "idle_s": idle_s}).df()


def replace_partition(
    con: duckdb.DuckDBPyConnection, scores: pd.DataFrame, partition_start: datetime
) -> None:
    """Swap the partition's scores for these in one transaction: all or nothing."""
    con.register("scores_frame", scores)
    try:
        warehouse.replace_partition(con, SCORES_TABLE, "scores_frame", partition_start)
    finally:
        con.unregister("scores_frame")


def clear_partition(con: duckdb.DuckDBPyConnection, partition_start: datetime) -> None:
    """No journey in flight: the partition holds no rows (earlier ones removed)."""
    tables = {row[0] for row in con.execute("SHOW TABLES").fetchall()}
    if SCORES_TABLE in tables:
        con.execute(f"DELETE FROM {SCORES_TABLE} WHERE partition_hour = ?", [partition_start])


class ScoringConfig(dg.Config):
    """Point-in-time engine of the features scored: Feast's get_historical_features, or the
    same join from the same registry run as one DuckDB ASOF join per view (tested equal; about
    5x faster at a million journeys, bench/bench_feast.py)."""

    engine: Literal["feast", "duckdb"] = "feast"


@dg.asset(
    partitions_def=hourly_partitions,
    group_name=GROUP,
    deps=[dg.AssetKey(PREFIX_TABLE), champion_model],
    kinds={"xgboost", "duckdb"},
    description=f"Risk of every journey in flight at the end of the hour, scored by "
    f"{CHAMPION_URI} with the top three contributing signals; never another model.",
)
def friction_scores(
    context: dg.AssetExecutionContext,
    config: ScoringConfig,
    warehouse: WarehouseResource,
    feast: FeastResource,
    mlflow: MlflowResource,
) -> dg.MaterializeResult:
    from journeyheal.featurestore import historical_features
    from models.scoring import load_friction_model, score_frame
    from models.tracking import tracking

    start, end = context.partition_time_window.start, context.partition_time_window.end

    # Load first: if the champion cannot be loaded, fail before touching anything.
    try:
        with tracking(mlflow.settings) as client:
            loaded = load_friction_model(CHAMPION_URI)
            run_id = client.get_model_version(MODEL_NAME, loaded.version).tags["run_id"]
            service = client.get_run(run_id).data.tags["feature_service"]
    except Exception as error:
        msg = f"cannot load {CHAMPION_URI}; no scores written for {start:%Y-%m-%d %H}:00: {error}"
        raise dg.Failure(msg) from error

    with warehouse.connect() as con:
        entities = in_flight_entities(con, end, feast.settings.friction.inactivity_timeout_s)
        if entities.empty:
            clear_partition(con, start)
            scores = pd.DataFrame({"risk": pd.Series(dtype="float64")})
        else:
            keys = entities.drop(columns=["channel"])
            try:
                features = historical_features(
                    feast.home, keys, service, feast.settings, engine=config.engine
                )
            except Exception as error:
                msg = (
                    f"cannot read {service} from the feature store; no scores written for "
                    f"{start:%Y-%m-%d %H}:00: {error}"
                )
                raise dg.Failure(msg) from error
            scope = entities.loc[:, ["journey_id", *SCOPE_COLUMNS]]
            scores = score_frame(loaded, features).merge(scope, on="journey_id", validate="1:1")
            replace_partition(con, scores, start)

    context.log.info(f"scored {len(scores)} journeys in flight at {end} with v{loaded.version}")
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": len(scores),
            "model_version": loaded.version,
            "feature_service": service,
            "point_in_time_engine": config.engine,
            "mean_risk": float(scores["risk"].mean()) if len(scores) else 0.0,
            "scored_at (event_timestamp)": end.isoformat(),
        }
    )
