"""Hourly drift report of the friction features, with drift and freshness checks."""

from datetime import datetime, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd

from journeyheal.drift import state, windows
from journeyheal.drift.config import DEFAULT_CONFIG_PATH, DriftConfig, load_drift_config
from journeyheal.drift.detect import DriftResult, DriftStatus, detect_drift
from journeyheal.drift.health import Freshness, judge_freshness, judge_health
from journeyheal.drift.report import write_report
from journeyheal.drift.summary import markdown_table
from journeyheal.featurestore.online_lag import DEFAULT_SAMPLE, OnlineLag, online_lag
from journeyheal.home import Home
from journeyheal.repairs.health import FeatureHealth
from journeyheal.warehouse import replace_partition
from pipelines.features.resources import FeastResource
from pipelines.partitions import hourly_partitions
from pipelines.resources import HomeResource, WarehouseResource

GROUP = "drift"
ASSET = "feature_drift_report"
DRIFT_CHECK = "features_have_not_drifted"
FRESHNESS_CHECK = "scoring_features_are_fresh"
ONLINE_CHECK = "online_features_are_current"
HEALTH_TABLE = "feature_health"
REPORTS_FOLDER = "drift"
# Features without any value are broken upstream: the contract gate must catch them, not drift.
CONTRACT_GATE = "contract gate (journeyheal.contract: raw -> validated_journey_events)"


class DriftSettings(dg.Config):
    """Run configuration: which drift settings file the check reads, how many journeys in
    flight the online-store probe looks up (0: no probe, for a warehouse without a Feast
    repository; the online check then fails as not probed, at warning severity)."""

    settings_file: str = str(DEFAULT_CONFIG_PATH)
    online_probe_journeys: int = DEFAULT_SAMPLE


def record_health(con: duckdb.DuckDBPyConnection, health: FeatureHealth, hour: datetime) -> None:
    """The partition's feature health as a warehouse row, which the repair engine reads."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE health_row AS "
        "SELECT $fresh::BOOLEAN AS fresh, $drifted::BOOLEAN AS drifted, $reason::VARCHAR AS reason",
        {"fresh": health.fresh, "drifted": health.drifted, "reason": health.reason},
    )
    replace_partition(con, HEALTH_TABLE, "health_row", hour)


def report_path(home: Home, window_start_label: str) -> Path:
    """Where the HTML report of one current window goes."""
    return home.reports / REPORTS_FOLDER / f"feature_drift_{window_start_label}.html"


def _maybe_write_report(
    reference: pd.DataFrame,
    current: pd.DataFrame,
    result: DriftResult,
    path: Path,
    config: DriftConfig,
) -> Path | None:
    """The Evidently report when the check compared something; its columns are the compared."""
    compared = [feature.column for feature in result.compared]
    if not compared:
        return None
    return write_report(reference, current, path, compared, config)


def _drift_check(result: DriftResult, path: Path | None) -> dg.AssetCheckResult:
    severity = (
        dg.AssetCheckSeverity.ERROR
        if result.status is DriftStatus.DATA_QUALITY_FAILURE
        else dg.AssetCheckSeverity.WARN
    )
    metadata: dict[str, dg.RawMetadataValue] = {
        "status": result.status.value,
        "reason": result.reason,
        "drifted_features": dg.MetadataValue.json(list(result.drifted_columns)),
    }
    if result.offending_columns:
        metadata["route_to"] = CONTRACT_GATE
        metadata["offending_columns"] = dg.MetadataValue.json(list(result.offending_columns))
    if path is not None:
        metadata["report_path"] = dg.MetadataValue.path(str(path))
    return dg.AssetCheckResult(
        check_name=DRIFT_CHECK,
        passed=result.status is DriftStatus.OK,
        severity=severity,
        description=result.reason,
        metadata=metadata,
    )


def _freshness_check(freshness: Freshness) -> dg.AssetCheckResult:
    age = freshness.age.total_seconds() / 60 if freshness.age is not None else None
    return dg.AssetCheckResult(
        check_name=FRESHNESS_CHECK,
        passed=freshness.fresh,
        severity=dg.AssetCheckSeverity.ERROR,
        description=freshness.reason,
        metadata={
            "age_minutes": dg.MetadataValue.float(age) if age is not None else "no rows",
            "limit_minutes": dg.MetadataValue.float(freshness.limit.total_seconds() / 60),
        },
    )


def _online_check(lag: OnlineLag | None) -> dg.AssetCheckResult:
    if lag is None:
        return dg.AssetCheckResult(
            check_name=ONLINE_CHECK,
            passed=False,
            severity=dg.AssetCheckSeverity.WARN,
            description="online store not probed (online_probe_journeys is 0)",
        )
    views = {
        view.view: {
            "keys": view.keys,
            "missing": view.missing,
            "expired": view.expired,
            "examples": list(view.examples),
        }
        for view in lag.views
    }
    return dg.AssetCheckResult(
        check_name=ONLINE_CHECK,
        passed=lag.current,
        severity=dg.AssetCheckSeverity.ERROR,
        description=lag.reason,
        metadata={
            "journeys_probed": lag.journeys,
            "views": dg.MetadataValue.json(views),
        },
    )


@dg.asset(
    name=ASSET,
    partitions_def=hourly_partitions,
    group_name=GROUP,
    kinds={"evidently", "duckdb"},
    deps=[windows.FEATURES_TABLE, windows.SCORES_TABLE],
    check_specs=[
        dg.AssetCheckSpec(
            DRIFT_CHECK,
            asset=ASSET,
            description="The friction features and scores of this window are distributed "
            "like the reference window's (Evidently methods and thresholds).",
        ),
        dg.AssetCheckSpec(
            FRESHNESS_CHECK,
            asset=ASSET,
            description="The newest journey prefix features (the table scheduled scoring "
            "reads through Feast's point-in-time join, and the online store is filled from) "
            "are younger than the freshness limit at the end of this hour.",
        ),
        dg.AssetCheckSpec(
            ONLINE_CHECK,
            asset=ASSET,
            description="The online store holds a row younger than its view's TTL for every "
            "key of the journeys in flight at the end of this hour that the warehouse has a "
            "recent row for, in every view of the FeatureService (Feast applies no TTL on "
            "online reads, so a missed update would serve old rows).",
        ),
    ],
    description="Drift of the friction features and scores of this hour against the champion "
    "model's training window, with an Evidently HTML report; writes the feature health the "
    "repairs read.",
)
def feature_drift_report(
    context: dg.AssetExecutionContext,
    config: DriftSettings,
    home: HomeResource,
    warehouse: WarehouseResource,
    feast: FeastResource,
) -> dg.MaterializeResult:
    drift = load_drift_config(Path(config.settings_file))
    the_home = home.home
    partition = context.partition_time_window
    current_window = windows.Window(
        partition.end - timedelta(hours=drift.current_window_hours),
        partition.end,
        f"last {drift.current_window_hours} h up to the partition end",
    )

    with warehouse.connect() as con:
        reference_window = windows.reference_window(
            con,
            windows.champion_reference_window(the_home),
            drift.default_reference_hours,
        )
        if reference_window is None:
            msg = f"{windows.FEATURES_TABLE} holds no rows: no reference window to compare with"
            raise dg.Failure(msg)

        columns = list(drift.columns)
        reference = windows.read_window(con, windows.FEATURES_TABLE, columns, reference_window)
        current = windows.read_window(con, windows.FEATURES_TABLE, columns, current_window)
        score = [drift.prediction_column]
        reference_scores = windows.read_window(con, windows.SCORES_TABLE, score, reference_window)
        current_scores = windows.read_window(con, windows.SCORES_TABLE, score, current_window)
        newest = windows.newest_event_time(con, partition.end)
        lag = (
            online_lag(
                feast.home,
                con,
                partition.end,
                sample=config.online_probe_journeys,
                settings=feast.settings,
            )
            if config.online_probe_journeys > 0
            else None
        )

    result = detect_drift(
        reference,
        current,
        columns,
        drift,
        reference_scores[drift.prediction_column],
        current_scores[drift.prediction_column],
    )
    if result.status is DriftStatus.DATA_QUALITY_FAILURE:
        context.log.error(
            f"features without values {list(result.offending_columns)}: for the {CONTRACT_GATE}"
        )
    path = _maybe_write_report(
        reference,
        current,
        result,
        report_path(the_home, partition.start.strftime("%Y-%m-%dT%H")),
        drift,
    )

    freshness = judge_freshness(
        newest, partition.end, timedelta(minutes=drift.freshness_limit_minutes)
    )
    health = judge_health(result, freshness, state.current_feature_health(the_home), lag)
    state.write_feature_health(the_home, health, current_window.start)
    with warehouse.connect() as con:
        record_health(con, health, partition.start)
    state.record_window(the_home, state.WindowStatus(partition.start, result.status))

    share = result.drift_share
    prediction = result.prediction
    return dg.MaterializeResult(
        metadata={
            "status": result.status.value,
            "reason": result.reason,
            "share_of_drifted_features": dg.MetadataValue.float(share)
            if share is not None
            else "not judged",
            "features": dg.MetadataValue.md(markdown_table(result)),
            "prediction_drift": dg.MetadataValue.float(prediction.score)
            if prediction is not None and prediction.score is not None
            else "not judged",
            "prediction_drifted": result.prediction_drifted,
            "report_path": dg.MetadataValue.path(str(path)) if path else "no report: no data",
            "reference_window": f"{reference_window.start} to {reference_window.end}",
            "reference_source": reference_window.source,
            "current_window": f"{current_window.start} to {current_window.end}",
            "reference_rows": result.reference_rows,
            "current_rows": result.current_rows,
            "sample_size": drift.sample_size,
            "online_store": lag.reason if lag else "not probed",
            "feature_health": dg.MetadataValue.json(
                {"fresh": health.fresh, "drifted": health.drifted, "reason": health.reason}
            ),
        },
        check_results=[
            _drift_check(result, path),
            _freshness_check(freshness),
            _online_check(lag),
        ],
    )
