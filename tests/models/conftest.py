"""Fixtures of the model tests: synthetic snapshots with a known abandonment probability."""

from __future__ import annotations

import pandas as pd
import pytest

from models.config import TrainingParams
from models.split import TimeSplit, split_by_journey_start
from models.synthetic import SYNTHETIC_FEATURES, synthetic_snapshots
from models.train import TrainingResult, train_friction_model


@pytest.fixture(scope="session")
def snapshots() -> pd.DataFrame:
    """4,000 synthetic prefixes, one per journey, in time order."""
    return synthetic_snapshots(4000, seed=3)


@pytest.fixture(scope="session")
def fast_training() -> TrainingParams:
    """Small, shallow, one thread (the test machine is shared): a fraction of a second each."""
    return TrainingParams(num_boost_round=80, early_stopping_rounds=10, max_depth=3, nthread=1)


@pytest.fixture(scope="session")
def split(snapshots: pd.DataFrame) -> TimeSplit:
    """The synthetic snapshots split 60/20/20 by journey start."""
    return split_by_journey_start(snapshots, 0.6, 0.2)


@pytest.fixture(scope="session")
def trained(split: TimeSplit, fast_training: TrainingParams) -> TrainingResult:
    """One model trained on the synthetic split, shared by the tests that only read it."""
    return train_friction_model(split.train, split.validation, SYNTHETIC_FEATURES, fast_training)
