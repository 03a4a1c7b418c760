"""End to end: the payment-incident scenario through every job of the demo.

One simulated day, ingested hour by hour and trained on as `make run` does; then remediation
for the incident's first hour only (the rest of the day adds minutes and no new assertion).
The stores are read back with their own clients.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from journeyheal.audit.store import AuditStore
from journeyheal.home import Home
from journeyheal.runner import PARTITION_FORMAT
from journeyheal.simulator.run import simulate

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "payment_incident.yaml"
START = datetime(2026, 11, 2, tzinfo=UTC)
HOURS = 24
INCIDENT_HOUR = datetime(2026, 11, 2, 4, tzinfo=UTC)


def run_job(home: Home, name: str, hour: datetime | None = None) -> None:
    from dagster import DagsterInstance

    from pipelines.definitions import build_definitions

    job = build_definitions(home).resolve_job_def(name)
    result = job.execute_in_process(
        partition_key=hour.strftime(PARTITION_FORMAT) if hour else None,
        instance=DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
    assert result.success, f"{name} [{hour}] failed"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Home:
    """The day's pipeline up to the incident's first remediation, shared by this module."""
    from pipelines.jobs import FEATURE_STORE_JOB, HOURLY_JOB, REMEDIATION_JOB, TRAINING_JOB

    home = Home(tmp_path_factory.mktemp("e2e") / "home").ensure()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JOURNEYHEAL_HOME", str(home.root))
        patch.setenv("DAGSTER_HOME", str(home.root / "dagster"))
        patch.delenv("MLFLOW_TRACKING_URI", raising=False)
        patch.delenv("JOURNEYHEAL_AUDIT_URL", raising=False)
        simulate(home, SCENARIO, START, HOURS, seed=7, reset=True)
        run_job(home, FEATURE_STORE_JOB)
        for number in range(HOURS):
            run_job(home, HOURLY_JOB, START + timedelta(hours=number))
        run_job(home, TRAINING_JOB)
        run_job(home, REMEDIATION_JOB, INCIDENT_HOUR)
    return home


def recommendations(home: Home, hour: datetime) -> pd.DataFrame:
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        return con.execute(
            "SELECT id, rule_id, scope, verdict, expected_benefit, explanation "
            "FROM repair_recommendations WHERE partition_hour = ? "
            "ORDER BY expected_benefit DESC",
            [hour],
        ).df()


def test_first_incident_hour_recommends_fallback_routing_for_the_provider(demo: Home) -> None:
    made = recommendations(demo, INCIDENT_HOUR)

    top = made.iloc[0]
    assert top["rule_id"] == "payment-fallback-routing"
    assert json.loads(top["scope"]) == {"service": "payment-gateway"}
    signals = [signal["feature"] for signal in json.loads(top["explanation"])["signals"]]
    assert any("latency" in name or "timeout" in name for name in signals), signals


def test_audit_holds_one_decision_per_recommendation_and_a_rerun_adds_none(
    demo: Home,
) -> None:
    from pipelines.jobs import REMEDIATION_JOB

    store = AuditStore.sqlite_file(demo.audit_db)
    before = store.records(kinds=["decision"])
    with duckdb.connect(str(demo.warehouse), read_only=True) as con:
        (made,) = con.execute("SELECT count(*) FROM repair_recommendations").fetchone()
    assert len(before) == made
    assert len({record.repair_id for record in before}) == made

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JOURNEYHEAL_HOME", str(demo.root))
        run_job(demo, REMEDIATION_JOB, INCIDENT_HOUR)
    assert len(store.records(kinds=["decision"])) == len(before)
    store.dispose()


def test_mlflow_client_finds_the_champion_with_its_signature_card_and_plots(
    demo: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mlflow
    from mlflow import MlflowClient

    uri = f"sqlite:///{demo.root / 'mlflow' / 'mlflow.db'}"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    client = MlflowClient(tracking_uri=uri)

    champion = client.get_model_version_by_alias("journey-friction", "champion")
    run = client.get_run(champion.run_id)
    assert {"roc_auc", "pr_auc", "brier"} <= set(run.data.metrics)
    assert run.data.tags["feature_service"] == "friction_model_v1"
    assert run.data.tags["feature_service_version"]
    assert set(json.loads(run.data.tags["data_window"])) >= {"train", "validation", "test"}
    artifacts = {item.path for item in client.list_artifacts(champion.run_id)}
    assert any(path.endswith(".md") for path in artifacts), artifacts
    plots = {Path(item.path).name for item in client.list_artifacts(champion.run_id, "plots")}
    assert len([name for name in plots if name.endswith(".png")]) >= 6, plots

    model = mlflow.pyfunc.load_model("models:/journey-friction@champion")
    inputs = model.metadata.get_input_schema().input_names()
    assert inputs
    assert model.metadata.saved_input_example_info is not None
    with duckdb.connect(str(demo.warehouse), read_only=True) as con:
        frame = con.execute("SELECT * FROM friction_training_set LIMIT 50").df()
    risk = model.predict(frame[inputs])
    assert len(risk) == 50
    assert ((risk >= 0) & (risk <= 1)).all()


def test_online_store_probe_found_the_incident_hour_current(demo: Home) -> None:
    with duckdb.connect(str(demo.warehouse), read_only=True) as con:
        ((fresh, reason),) = con.execute(
            "SELECT fresh, reason FROM feature_health WHERE partition_hour = ?", [INCIDENT_HOUR]
        ).fetchall()
    assert fresh, reason
    assert "journeys in flight are current" in reason


def test_scores_from_the_duckdb_join_equal_those_from_feast(demo: Home) -> None:
    import dagster as dg

    from pipelines.model.scoring import ScoringConfig, friction_scores
    from pipelines.resources import resources_for

    key = INCIDENT_HOUR.strftime(PARTITION_FORMAT)
    query = (
        "SELECT journey_id, risk, model_version FROM friction_scores "
        "WHERE partition_hour = ? ORDER BY journey_id"
    )
    with duckdb.connect(str(demo.warehouse), read_only=True) as con:
        by_feast = con.execute(query, [INCIDENT_HOUR]).df()

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JOURNEYHEAL_HOME", str(demo.root))
        result = dg.materialize(
            [friction_scores],
            partition_key=key,
            resources=resources_for(demo),
            instance=dg.DagsterInstance.ephemeral(),
            run_config=dg.RunConfig({"friction_scores": ScoringConfig(engine="duckdb")}),
        )
    assert result.success
    with duckdb.connect(str(demo.warehouse), read_only=True) as con:
        by_duckdb = con.execute(query, [INCIDENT_HOUR]).df()

    assert len(by_feast) > 20
    pd.testing.assert_frame_equal(by_duckdb, by_feast)
