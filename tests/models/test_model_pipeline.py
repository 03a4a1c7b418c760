"""Dagster: friction_model, its blocking check and champion_model; friction_scores' guards."""

from __future__ import annotations

from datetime import UTC, datetime

import dagster as dg
import duckdb
import numpy as np
import pandas as pd
import pytest

from journeyheal.audit.store import AuditStore
from journeyheal.home import Home
from models.contract import FeatureContract
from models.synthetic import SYNTHETIC_FEATURES, synthetic_snapshots
from models.tracking import TrackingSettings, tracking
from pipelines.features.resources import FeastResource
from pipelines.model import assets, scoring
from pipelines.model.resources import MlflowResource
from pipelines.repairs.resources import AuditStoreResource
from pipelines.resources import WarehouseResource

MODEL_CONFIG = {
    "num_boost_round": 40,
    "early_stopping_rounds": 10,
    "max_depth": 3,
    "nthread": 1,
    "behaviour_sample_rows": 200,
}
MODEL_ASSETS = [
    assets.friction_model,
    assets.challenger_outperforms_champion,
    assets.champion_model,
]


def resources(home: Home) -> dict[str, dg.ConfigurableResource]:
    return {
        "warehouse": WarehouseResource(path=str(home.warehouse), threads=1),
        "feast": FeastResource(root=str(home.root)),
        "mlflow": MlflowResource(root=str(home.root)),
        "audit": AuditStoreResource(url=f"sqlite:///{home.audit_db}"),
    }


def seed_training_set(home: Home, frame: pd.DataFrame) -> None:
    with duckdb.connect(str(home.warehouse)) as con:
        con.register("frame", frame.drop(columns=["p_abandon"]))
        con.execute("CREATE OR REPLACE TABLE friction_training_set AS FROM frame")


def run_config(**overrides: object) -> dg.RunConfig:
    config = {**MODEL_CONFIG, **overrides}
    judging = {k: v for k, v in config.items() if k == "behaviour_sample_rows"}
    return dg.RunConfig(
        ops={
            "friction_model": {"config": config},
            "friction_model_challenger_outperforms_champion": {"config": judging},
        }
    )


@pytest.fixture
def synthetic_contract(monkeypatch: pytest.MonkeyPatch) -> None:
    """Feast's FeatureService stands in for the synthetic columns (no feature repo in a test)."""

    def contract(home: Home, service: str, settings: object = None) -> FeatureContract:
        return FeatureContract(service=service, version="1", features=SYNTHETIC_FEATURES)

    monkeypatch.setattr(assets, "feature_contract", contract)


def champion(home: Home) -> str | None:
    from models.tracking import version_by_alias

    with tracking(TrackingSettings.for_home(home, environ={})) as client:
        return version_by_alias(client, "champion")


@pytest.mark.usefixtures("synthetic_contract")
def test_first_model_is_promoted_and_a_shuffled_one_leaves_the_champion(
    home: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    frame = synthetic_snapshots(3000, seed=4)
    seed_training_set(home, frame)

    first = dg.materialize(MODEL_ASSETS, resources=resources(home), run_config=run_config())

    assert first.success
    model_meta = first.asset_materializations_for_node("friction_model")[0].metadata
    assert model_meta["model_version"].value == "1"
    assert model_meta["roc_auc"].value > 0.7
    check = first.get_asset_check_evaluations()[0]
    assert check.passed
    assert check.metadata["verdict"].value == "promoted"
    assert champion(home) == "1"

    # Labels shuffled everywhere: the new challenger learns nothing and must be refused.
    shuffled = frame.assign(label=np.random.default_rng(1).permutation(frame["label"].to_numpy()))
    seed_training_set(home, shuffled)
    second = dg.materialize(
        MODEL_ASSETS, resources=resources(home), run_config=run_config(), raise_on_error=False
    )

    check = second.get_asset_check_evaluations()[0]
    assert not check.passed
    assert check.metadata["verdict"].value == "refused"
    assert check.metadata["champion_version"].value == "1"
    assert "champion_model" not in {
        event.asset_key.to_user_string()
        for event in second.get_asset_materialization_events()
        if event.asset_key
    }
    assert champion(home) == "1"

    # The same data again: an equal model passes every check but is no better by the margin.
    seed_training_set(home, frame)
    third = dg.materialize(
        MODEL_ASSETS, resources=resources(home), run_config=run_config(), raise_on_error=False
    )
    check = third.get_asset_check_evaluations()[0]
    assert not check.passed
    assert all(c["passed"] for c in check.metadata["behaviour_checks"].value.values())
    assert check.description.startswith("not better than champion 1 by a margin")
    assert champion(home) == "1"

    # Every verdict is in the audit trail too, one record per judgement, with its reason.
    store = AuditStore.sqlite_file(home.audit_db)
    verdicts = {
        record.model_version: (record.verdict, record.reason, record.inputs["champion_version"])
        for record in store.records(kinds=["model_promotion"])
    }
    store.dispose()
    assert len(verdicts) == 3
    assert verdicts["1"][0::2] == ("promoted", None)
    assert verdicts["2"][0] == "refused"
    assert "behavioural checks failed" in verdicts["2"][1]
    assert verdicts["3"] == ("refused", check.description, "1")


def failed_scoring_message(home: Home) -> str:
    """Score the 05:00 partition, which must fail; the step failure's message."""
    result = dg.materialize(
        [scoring.friction_scores],
        resources=resources(home),
        partition_key="2026-01-01-05:00",
        raise_on_error=False,
    )
    assert not result.success
    failure = next(event for event in result.all_events if event.is_step_failure)
    return str(failure.event_specific_data)


def test_scores_fail_clearly_and_write_nothing_without_a_champion(
    home: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)

    message = failed_scoring_message(home)

    assert "cannot load models:/journey-friction@champion" in message
    with duckdb.connect(str(home.warehouse)) as con:
        tables = {row[0] for row in con.execute("SHOW TABLES").fetchall()}
    assert scoring.SCORES_TABLE not in tables


T_END = datetime(2026, 1, 1, 6, tzinfo=UTC)


@pytest.mark.usefixtures("synthetic_contract")
def test_scores_fail_clearly_and_keep_the_last_good_ones_without_a_feature_store(
    home: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    seed_training_set(home, synthetic_snapshots(3000, seed=4))
    assert dg.materialize(MODEL_ASSETS, resources=resources(home), run_config=run_config()).success

    # A journey in flight at 06:00, and the partition's scores from an earlier good run; the
    # home has no Feast registry (never applied), so its features cannot be read.
    start = datetime(2026, 1, 1, 5, tzinfo=UTC)
    in_flight = pd.DataFrame(
        {
            "journey_id": ["a"],
            "customer_id": ["ca"],
            "journey_type": "checkout",
            "channel": "web",
            "step": "pay",
            "service": "payments",
            "endpoint": "/pay",
            "event_timestamp": pd.to_datetime(["2026-01-01T05:50Z"]),
        }
    )
    earlier = pd.DataFrame({"journey_id": ["a"], "risk": [0.3], "model_version": "1"})
    with duckdb.connect(str(home.warehouse)) as con:
        con.register("p", in_flight)
        con.execute(f"CREATE TABLE {scoring.PREFIX_TABLE} AS FROM p")
        con.execute(
            f"CREATE TABLE {scoring.EVENTS_TABLE} "
            "(journey_id VARCHAR, event_type VARCHAR, event_time TIMESTAMPTZ)"
        )
        scoring.replace_partition(con, earlier, start)

    message = failed_scoring_message(home)

    assert "cannot read friction_model_v1 from the feature store" in message
    assert "no scores written for 2026-01-01 05:00" in message
    with duckdb.connect(str(home.warehouse)) as con:
        kept = con.execute(f"SELECT journey_id, risk FROM {scoring.SCORES_TABLE}").fetchall()
    assert kept == [("a", 0.3)]


def test_in_flight_journeys_are_the_latest_prefix_not_completed_nor_idle() -> None:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    prefix = pd.DataFrame(
        {
            "journey_id": ["a", "a", "b", "c", "d"],
            "customer_id": ["ca", "ca", "cb", "cc", "cd"],
            "journey_type": "checkout",
            "channel": ["web", "app", "web", "web", "web"],
            "step": ["cart", "pay", "cart", "cart", "cart"],
            "service": "payments",
            "endpoint": "/pay",
            # a: latest at 05:50; b: idle since 05:00 (> 30 min); c: completed; d: future.
            "event_timestamp": pd.to_datetime(
                [
                    "2026-01-01T05:40Z",
                    "2026-01-01T05:50Z",
                    "2026-01-01T05:00Z",
                    "2026-01-01T05:45Z",
                    "2026-01-01T06:10Z",
                ]
            ),
        }
    )
    events = pd.DataFrame(
        {
            "journey_id": ["c"],
            "event_type": ["journey_complete"],
            "event_time": pd.to_datetime(["2026-01-01T05:46Z"]),
        }
    )
    con.register("p", prefix)
    con.register("e", events)
    con.execute(f"CREATE TABLE {scoring.PREFIX_TABLE} AS FROM p")
    con.execute(f"CREATE TABLE {scoring.EVENTS_TABLE} AS FROM e")

    entities = scoring.in_flight_entities(con, T_END, idle_s=30 * 60)

    assert entities["journey_id"].tolist() == ["a"]
    assert entities["step"].tolist() == ["pay"]
    assert entities["channel"].tolist() == ["app"]
    assert entities["event_timestamp"].iloc[0] == pd.Timestamp(T_END)


def test_replacing_a_partition_twice_leaves_one_copy() -> None:
    con = duckdb.connect()
    scores = pd.DataFrame({"journey_id": ["a", "b"], "risk": [0.1, 0.9], "model_version": "3"})
    start = datetime(2026, 1, 1, 5, tzinfo=UTC)

    scoring.replace_partition(con, scores, start)
    scoring.replace_partition(con, scores, start)

    assert con.execute(f"SELECT count(*) FROM {scoring.SCORES_TABLE}").fetchone() == (2,)
