"""The drift asset, its checks and the retraining sensor, on a warehouse made by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import dagster as dg
import duckdb
import pandas as pd
import pytest
import yaml

from journeyheal.drift.detect import DriftStatus
from journeyheal.drift.state import (
    WindowStatus,
    current_feature_health,
    read_history,
    record_window,
)
from journeyheal.home import Home
from pipelines.drift.assets import (
    ASSET,
    DRIFT_CHECK,
    FRESHNESS_CHECK,
    DriftSettings,
    feature_drift_report,
)
from pipelines.drift.sensor import TRAINING_JOB, build_retrain_sensor
from pipelines.resources import HomeResource, resources_for
from tests.drift.synthetic import COLUMNS, feature_table

START = datetime(2026, 1, 1, tzinfo=UTC)
REFERENCE_HOURS = [START + timedelta(hours=h) for h in range(24)]
ROWS_PER_HOUR = 400
CALM_HOUR = START + timedelta(hours=24)
SHIFTED_HOUR = START + timedelta(hours=25)
EMPTY_HOUR = START + timedelta(hours=30)


def partition_key(hour: datetime) -> str:
    return hour.strftime("%Y-%m-%d-%H:%M")


def write_tables(home: Home, features: pd.DataFrame) -> Home:
    """The two upstream tables in the home's warehouse, scores from the features' rows."""
    scores = features[["risk", "partition_hour"]]
    with duckdb.connect(str(home.warehouse)) as con:
        con.register("features_frame", features)
        con.register("scores_frame", scores)
        con.execute("CREATE TABLE journey_prefix_features AS SELECT * FROM features_frame")
        con.execute("CREATE TABLE friction_scores AS SELECT * FROM scores_frame")
    return home


@pytest.fixture
def warehouse_home(home: Home) -> Home:
    """24 reference hours, then one calm hour and one with the channel and latency shift."""
    features = pd.concat(
        [
            feature_table(REFERENCE_HOURS, ROWS_PER_HOUR, 1),
            feature_table([CALM_HOUR], ROWS_PER_HOUR, 2),
            feature_table([SHIFTED_HOUR], ROWS_PER_HOUR, 3, shifted=True),
        ],
        ignore_index=True,
    )
    return write_tables(home, features)


def materialize(home: Home, hour: datetime) -> dg.ExecuteInProcessResult:
    # Five columns keep Evidently's HTML report quick; the shipped file lists all features.
    settings = home.root / "drift.yaml"
    settings.write_text(
        yaml.safe_dump(
            {
                "columns": list(COLUMNS),
                "min_rows": 200,
                "sample_size": 5_000,
                "current_window_hours": 1,
            }
        ),
        encoding="utf-8",
    )
    return dg.materialize(
        [feature_drift_report],
        partition_key=partition_key(hour),
        resources=resources_for(home),
        instance=dg.DagsterInstance.ephemeral(),
        # no Feast repository in this hand-made home: the online probe has nothing to read
        run_config=dg.RunConfig(
            {ASSET: DriftSettings(settings_file=str(settings), online_probe_journeys=0)}
        ),
    )


def checks(result: dg.ExecuteInProcessResult) -> dict[str, dg.AssetCheckEvaluation]:
    return {c.check_name: c for c in result.get_asset_check_evaluations()}


def metadata(result: dg.ExecuteInProcessResult) -> dict[str, object]:
    (event,) = result.get_asset_materialization_events()
    return {k: v.value for k, v in event.materialization.metadata.items()}


def test_shifted_hour_is_reported_drifted(warehouse_home: Home) -> None:
    result = materialize(warehouse_home, SHIFTED_HOUR)

    meta = metadata(result)
    assert meta["status"] == "drifted"
    assert "channel" in str(meta["features"])
    assert "Wasserstein distance (normed)" in str(meta["features"])
    assert "champion model unknown" in str(meta["reference_source"])
    assert meta["current_rows"] == ROWS_PER_HOUR
    report = warehouse_home.reports / "drift" / "feature_drift_2026-01-02T01.html"
    assert meta["report_path"] == str(report)
    assert report.is_file()

    found = checks(result)
    assert not found[DRIFT_CHECK].passed
    assert found[DRIFT_CHECK].severity is dg.AssetCheckSeverity.WARN
    assert found[FRESHNESS_CHECK].passed

    health = current_feature_health(warehouse_home)
    assert health.fresh
    assert health.drifted
    assert read_history(warehouse_home) == [WindowStatus(SHIFTED_HOUR, DriftStatus.DRIFTED)]


def test_calm_hour_passes_and_an_empty_stale_hour_keeps_the_verdict(
    warehouse_home: Home,
) -> None:
    calm = materialize(warehouse_home, CALM_HOUR)
    assert metadata(calm)["status"] == "ok"
    assert checks(calm)[DRIFT_CHECK].passed
    assert current_feature_health(warehouse_home).trusted

    empty = materialize(warehouse_home, EMPTY_HOUR)

    assert metadata(empty)["status"] == "not_enough_data"
    found = checks(empty)
    assert not found[DRIFT_CHECK].passed
    assert not found[FRESHNESS_CHECK].passed
    health = current_feature_health(warehouse_home)
    assert not health.fresh
    assert not health.drifted
    assert "last verdict kept" in health.reason


def test_feature_without_values_fails_the_check_and_names_it(home: Home) -> None:
    broken = feature_table([CALM_HOUR], ROWS_PER_HOUR, 2)
    broken["elapsed_s"] = float("nan")
    write_tables(home, pd.concat([feature_table(REFERENCE_HOURS, ROWS_PER_HOUR, 1), broken]))

    result = materialize(home, CALM_HOUR)

    assert metadata(result)["status"] == "data_quality_failure"
    check = checks(result)[DRIFT_CHECK]
    assert not check.passed
    assert check.severity is dg.AssetCheckSeverity.ERROR
    assert check.metadata["offending_columns"].value == ["elapsed_s"]
    assert "contract gate" in str(check.metadata["route_to"].value)
    assert current_feature_health(home).drifted


def run_keys(home: Home) -> list[str]:
    sensor = build_retrain_sensor(TRAINING_JOB)
    context = dg.build_sensor_context(resources={"home": HomeResource(root=str(home.root))})
    result = sensor(context)
    assert isinstance(result, dg.SensorResult)
    return [request.run_key for request in result.run_requests or []]


def test_sensor_requests_one_run_per_persistent_episode(home: Home) -> None:
    for hour in range(2):
        record_window(home, WindowStatus(START + timedelta(hours=hour), DriftStatus.DRIFTED))
    assert run_keys(home) == []

    record_window(home, WindowStatus(START + timedelta(hours=2), DriftStatus.DRIFTED))
    first = run_keys(home)
    record_window(home, WindowStatus(START + timedelta(hours=3), DriftStatus.DRIFTED))

    assert first == [f"retrain-drift-episode-{START.isoformat()}"]
    assert run_keys(home) == first


def test_sensor_and_asset_load_with_a_training_job(home: Home) -> None:
    @dg.op
    def train() -> None:
        """Stands in for the lead's training job."""

    job = dg.JobDefinition(graph_def=dg.GraphDefinition(name=TRAINING_JOB, node_defs=[train]))
    definitions = dg.Definitions(
        assets=[feature_drift_report],
        jobs=[job],
        sensors=[build_retrain_sensor(job)],
        resources=resources_for(home),
    )

    repository = definitions.get_repository_def()
    assert repository.get_sensor_def("retrain_on_persistent_drift").job_name == TRAINING_JOB
