"""Training: time split, AUC near the truth's, class weight, calibration, refused features."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from models.calibration import Calibration, fit_calibration
from models.config import TrainingParams
from models.friction_model import FrictionModel
from models.split import TimeSplit, split_by_journey_start
from models.synthetic import SYNTHETIC_FEATURES
from models.train import TrainingResult, train_friction_model


def test_split_keeps_each_journey_in_one_part_and_later_journeys_later() -> None:
    # Two snapshots per journey; journey k starts at minute k.
    frame = pd.DataFrame(
        {
            "journey_id": [f"j{k}" for k in range(10) for _ in range(2)],
            "event_timestamp": pd.to_datetime(
                [f"2026-01-01T00:{k:02d}:{s:02d}Z" for k in range(10) for s in (0, 30)]
            ),
        }
    )

    split = split_by_journey_start(frame, 0.6, 0.2)

    parts = [set(part["journey_id"]) for part in (split.train, split.validation, split.test)]
    assert parts == [{f"j{k}" for k in range(6)}, {"j6", "j7"}, {"j8", "j9"}]
    assert split.train["event_timestamp"].max() < split.validation["event_timestamp"].min()


@pytest.mark.parametrize(("train_share", "validation_share"), [(0.0, 0.2), (0.6, 0.4), (0.7, 0)])
def test_split_refuses_shares_without_room_for_every_part(
    train_share: float, validation_share: float
) -> None:
    frame = pd.DataFrame(
        {"journey_id": ["a", "b", "c"], "event_timestamp": pd.to_datetime(["2026-01-01"] * 3)}
    )
    with pytest.raises(ValueError, match="share"):
        split_by_journey_start(frame, train_share, validation_share)


def test_model_auc_is_close_to_the_truth_auc(split: TimeSplit, trained: TrainingResult) -> None:
    model_auc = roc_auc_score(split.test["label"], trained.model.predict(split.test))
    truth_auc = roc_auc_score(split.test["label"], split.test["p_abandon"])
    assert model_auc > 0.97 * truth_auc


def test_class_weight_is_negatives_over_positives(
    split: TimeSplit, trained: TrainingResult
) -> None:
    positives = split.train["label"].sum()

    assert trained.scale_pos_weight == pytest.approx((len(split.train) - positives) / positives)


@pytest.mark.parametrize("method", ["platt", "isotonic"])
def test_calibrated_mean_risk_matches_the_abandonment_rate(
    split: TimeSplit, fast_training: TrainingParams, method: str
) -> None:
    params = replace(fast_training, calibration=method)

    result = train_friction_model(split.train, split.validation, SYNTHETIC_FEATURES, params)

    # The class weight inflates raw probabilities; calibration must bring them back.
    assert result.model.predict(split.test).mean() == pytest.approx(
        split.test["label"].mean(), abs=0.03
    )


@pytest.mark.parametrize("forbidden", ["journey_id", "customer_id", "label", "p_abandon"])
def test_identifiers_and_outcomes_are_refused_as_features(
    split: TimeSplit, fast_training: TrainingParams, forbidden: str
) -> None:
    with pytest.raises(ValueError, match=forbidden):
        train_friction_model(
            split.train, split.validation, [*SYNTHETIC_FEATURES, forbidden], fast_training
        )


def test_saved_model_predicts_the_same(
    split: TimeSplit, trained: TrainingResult, tmp_path: Path
) -> None:
    loaded = FrictionModel.load(trained.model.save(tmp_path / "m"))

    np.testing.assert_allclose(loaded.predict(split.test), trained.model.predict(split.test))


def test_text_features_are_encoded_with_training_categories(
    snapshots: pd.DataFrame, fast_training: TrainingParams
) -> None:
    frame = snapshots.assign(channel=np.where(snapshots["error_count"] > 0, "web", "app"))
    split = split_by_journey_start(frame, 0.6, 0.2)

    model = train_friction_model(
        split.train, split.validation, [*SYNTHETIC_FEATURES, "channel"], fast_training
    ).model

    assert model.categories == {"channel": ["app", "web"]}
    unseen = split.test.head(3).assign(channel="kiosk")
    assert np.isfinite(model.predict(unseen)).all()


@pytest.mark.parametrize(
    ("method", "margin", "label"),
    [("platt", [-2.0, -1.0, 0.0, 1.0, 2.0, 3.0], [0, 0, 1, 0, 1, 1])],
)
def test_calibration_round_trips_as_plain_numbers(
    method: str, margin: list[float], label: list[int]
) -> None:
    fitted = fit_calibration(np.array(margin), np.array(label), method)  # type: ignore[arg-type]

    restored = Calibration.from_dict(fitted.to_dict())

    np.testing.assert_allclose(restored.apply(np.array(margin)), fitted.apply(np.array(margin)))
    assert fitted.slope > 0


def test_isotonic_calibration_never_decreases_with_the_margin() -> None:
    margin = np.array([-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0, 4.0])
    label = np.array([0, 1, 0, 0, 1, 0, 1, 1])

    fitted = fit_calibration(margin, label, "isotonic")

    assert np.all(np.diff(fitted.apply(np.linspace(-5, 5, 50))) >= 0)


def test_unknown_calibration_method_is_refused() -> None:
    with pytest.raises(ValueError, match="calibration method"):
        Calibration.from_dict({"method": "beta"})
