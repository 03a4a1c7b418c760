"""MLflow registry on a SQLite store: challenger alias, promotion and refusal, loading, scoring."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from journeyheal.home import Home
from models.candidate import Candidate, train_candidate
from models.config import BehaviourParams, EvaluationParams, PromotionParams, TrainingParams
from models.promotion import PromotionDecision, compare_challenger, record_decision
from models.registry import RunFacts
from models.split import split_by_journey_start
from models.synthetic import SYNTHETIC_FEATURES, synthetic_snapshots
from models.tracking import MODEL_NAME, TrackingSettings, tracking

FACTS = RunFacts(feature_service="friction_model_v1", feature_service_version="1", git_commit="abc")
EVALUATION = EvaluationParams()
BEHAVIOUR = BehaviourParams(sample_rows=200)
PROMOTION = PromotionParams()
MONOTONE = ["error_count", "timeout_count"]
# The first champion sees no latency: a later model with every feature beats it clearly.
WEAK_FEATURES = ["step_index", "elapsed_s", "error_count", "timeout_count"]


@dataclass(frozen=True)
class History:
    """Three candidates in turn: weak first model, shuffled-label model, full model."""

    settings: TrackingSettings
    first: Candidate
    shuffled: Candidate
    better: Candidate
    decisions: list[PromotionDecision]
    window: pd.DataFrame


def shuffle_training_labels(frame: pd.DataFrame, training: TrainingParams) -> pd.DataFrame:
    """Labels permuted among the train and validation journeys; the test window untouched."""
    split = split_by_journey_start(frame, training.train_share, training.validation_share)
    earlier = ~frame["journey_id"].isin(split.test["journey_id"])
    labels = frame["label"].to_numpy().copy()
    labels[earlier.to_numpy()] = np.random.default_rng(5).permutation(labels[earlier.to_numpy()])
    return frame.assign(label=labels)


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> History:
    home = Home(tmp_path_factory.mktemp("registry") / "home").ensure()
    settings = TrackingSettings.for_home(home, environ={})
    training = TrainingParams(num_boost_round=60, early_stopping_rounds=10, max_depth=3, nthread=1)
    frame = synthetic_snapshots(4000, seed=8)
    decisions: list[PromotionDecision] = []

    def judge(candidate: Candidate) -> None:
        decision = compare_challenger(
            settings, candidate.split.test, MONOTONE, EVALUATION, BEHAVIOUR, PROMOTION
        )
        record_decision(settings, decision, on_decision=decisions.append)

    def candidate(data: pd.DataFrame, features: list[str]) -> Candidate:
        return train_candidate(data, features, settings, FACTS, training, EVALUATION, BEHAVIOUR)

    first = candidate(frame, WEAK_FEATURES)
    judge(first)
    shuffled = candidate(shuffle_training_labels(frame, training), SYNTHETIC_FEATURES)
    judge(shuffled)
    better = candidate(frame, SYNTHETIC_FEATURES)
    judge(better)
    return History(settings, first, shuffled, better, decisions, better.split.test)


def version_tags(settings: TrackingSettings, version: str) -> dict[str, str]:
    with tracking(settings) as client:
        return dict(client.get_model_version(MODEL_NAME, version).tags)


def test_each_candidate_gets_a_new_version(history: History) -> None:
    versions = [
        c.registered.model_version for c in (history.first, history.shuffled, history.better)
    ]
    assert versions == ["1", "2", "3"]


def test_first_model_becomes_champion_when_its_checks_pass(history: History) -> None:
    first = history.decisions[0]
    assert first.promote
    assert "no champion" in first.reason
    assert version_tags(history.settings, "1")["promotion.verdict"] == "promoted"


def test_shuffled_label_challenger_is_refused_with_its_reason(history: History) -> None:
    refused = history.decisions[1]
    assert not refused.promote
    tags = version_tags(history.settings, "2")
    assert tags["promotion.verdict"] == "refused"
    assert tags["promotion.reason"] == refused.reason
    assert tags["promotion.compared_with"] == "1"


def test_better_challenger_is_promoted(history: History) -> None:
    promoted = history.decisions[2]
    assert promoted.promote, promoted.reason
    assert promoted.champion_metrics is not None
    assert (
        promoted.challenger_metrics["roc_auc"]
        >= promoted.champion_metrics["roc_auc"] + PROMOTION.min_roc_auc_gain
    )
    with tracking(history.settings) as client:
        assert str(client.get_model_version_by_alias(MODEL_NAME, "champion").version) == "3"
        assert str(client.get_model_version_by_alias(MODEL_NAME, "challenger").version) == "3"


def test_champion_loads_with_pyfunc_and_predicts_calibrated_risk(history: History) -> None:
    import mlflow.pyfunc

    with tracking(history.settings):
        model = mlflow.pyfunc.load_model(f"models:/{MODEL_NAME}@champion")

    risk = np.asarray(model.predict(history.window))
    expected = history.better.training.model.predict(history.window)
    np.testing.assert_allclose(risk, expected, rtol=1e-6)
    assert ((risk >= 0) & (risk <= 1)).all()
    assert model.metadata.get_input_schema().input_names() == SYNTHETIC_FEATURES


def test_champion_predicts_on_features_with_missing_counts(history: History) -> None:
    """A journey without a row in some view has NaN counts: the signature must take them."""
    import mlflow.pyfunc

    with tracking(history.settings):
        model = mlflow.pyfunc.load_model(f"models:/{MODEL_NAME}@champion")
    window = history.window.head(20)
    missing = window.astype({"error_count": "float64", "retry_count": "float64"})
    missing.loc[missing.index[:5], ["error_count", "retry_count"]] = np.nan
    nullable = window.astype({"timeout_count": "Int64"})
    nullable.loc[nullable.index[:5], "timeout_count"] = pd.NA

    for frame in (window, missing, nullable):
        risk = np.asarray(model.predict(frame))
        assert len(risk) == len(frame)
        assert np.isfinite(risk).all()
    expected = history.better.training.model.predict(missing)
    np.testing.assert_allclose(np.asarray(model.predict(missing)), expected, rtol=1e-6)


def test_run_logs_card_figures_and_provenance(history: History) -> None:
    with tracking(history.settings) as client:
        run_id = history.better.registered.run_id
        files = {item.path for item in client.list_artifacts(run_id)}
        plots = {Path(item.path).name for item in client.list_artifacts(run_id, "plots")}
        run = client.get_run(run_id)
        card = Path(client.download_artifacts(run_id, "model_card.md")).read_text()

    assert {"model_card.md", "plots"} <= files
    assert plots == {
        "roc.png",
        "precision_recall.png",
        "calibration.png",
        "lead_time.png",
        "feature_importance.png",
        "contributions.png",
    }
    assert run.data.tags["feature_service"] == "friction_model_v1"
    assert run.data.tags["git_commit"] == "abc"
    assert "train" in run.data.tags["data_window"]
    assert run.data.metrics["roc_auc"] > 0.7
    # The threshold was chosen on validation, so it flags some of the test window's journeys.
    assert 0 < run.data.metrics["operating_threshold"] < 1
    assert run.data.metrics["recall_at_threshold"] > 0
    # The card shows this model's metrics next to the champion's at training time.
    assert "| roc_auc |" in card
    assert "Known limits" in card


def test_score_journeys_gives_risk_version_and_top_signals(history: History) -> None:
    from models.scoring import score_journeys

    frame = history.window.head(20)

    scored = score_journeys(f"models:/{MODEL_NAME}@champion", frame, history.settings)

    assert len(scored) == len(frame)
    assert (scored["model_version"] == "3").all()
    assert scored["journey_id"].tolist() == frame["journey_id"].tolist()
    np.testing.assert_allclose(
        scored["risk"], history.better.training.model.predict(frame), rtol=1e-6
    )
    assert set(scored["signal_1_feature"]) <= set(SYNTHETIC_FEATURES)
    assert (scored["signal_1_contribution"] >= scored["signal_2_contribution"]).all()


def test_score_journeys_fails_clearly_without_such_a_model(history: History) -> None:
    from mlflow.exceptions import MlflowException

    from models.scoring import score_journeys

    with pytest.raises(MlflowException):
        score_journeys(f"models:/{MODEL_NAME}@nobody", history.window.head(3), history.settings)


def test_only_a_challenger_registered_is_no_champion_to_fall_back_on(
    tmp_path: Path, snapshots: pd.DataFrame
) -> None:
    """Scoring asks for the champion; a registered but unjudged challenger is never used."""
    from mlflow.exceptions import MlflowException

    from models.scoring import score_journeys

    settings = TrackingSettings.for_home(Home(tmp_path / "home").ensure(), environ={})
    training = TrainingParams(num_boost_round=20, early_stopping_rounds=5, max_depth=2, nthread=1)
    candidate = train_candidate(
        snapshots, WEAK_FEATURES, settings, FACTS, training, EVALUATION, BEHAVIOUR
    )
    with tracking(settings) as client:
        aliases = client.get_registered_model(MODEL_NAME).aliases
    assert {alias: str(version) for alias, version in aliases.items()} == {
        "challenger": str(candidate.registered.model_version)
    }

    with pytest.raises(MlflowException, match="champion"):
        score_journeys(f"models:/{MODEL_NAME}@champion", snapshots.head(3), settings)
