"""The drift statistics on cases whose answer is known."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.spatial import distance
from scipy.stats import wasserstein_distance

from journeyheal.drift.statistics import (
    ColumnKind,
    Method,
    choose_method,
    column_kind,
    jensen_shannon,
    normed_wasserstein,
    wasserstein,
)


def test_identical_samples_score_zero() -> None:
    values = np.array([1.0, 2.0, 3.0, 4.0])
    labels = np.array(["a", "b", "b", "c"], dtype=object)

    assert normed_wasserstein(values, values) == 0.0
    assert jensen_shannon(labels, labels) == 0.0


def test_wasserstein_is_in_units_of_the_reference_spread() -> None:
    reference = np.array([0.0, 2.0])  # standard deviation 1
    current = reference + 3.0

    assert normed_wasserstein(reference, current) == pytest.approx(3.0)


def test_jensen_shannon_of_disjoint_categories_is_its_maximum() -> None:
    reference = np.array(["web", "web"], dtype=object)
    current = np.array(["api", "api"], dtype=object)

    assert jensen_shannon(reference, current) == pytest.approx(math.sqrt(math.log(2)))


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        (pd.Series([1.0, 2.0]), ColumnKind.NUMERICAL),
        (pd.Series([1, 2]), ColumnKind.NUMERICAL),
        (pd.Series(["a", "b"]), ColumnKind.CATEGORICAL),
        (pd.Series([True, False]), ColumnKind.CATEGORICAL),
        (pd.Series(["a", "b"], dtype="category"), ColumnKind.CATEGORICAL),
    ],
)
def test_column_kind(values: pd.Series, kind: ColumnKind) -> None:
    assert column_kind(values) is kind


@pytest.mark.parametrize(
    ("kind", "distinct", "method"),
    [
        (ColumnKind.NUMERICAL, 6, Method.WASSERSTEIN),
        (ColumnKind.NUMERICAL, 5, Method.JENSEN_SHANNON),
        (ColumnKind.CATEGORICAL, 50, Method.JENSEN_SHANNON),
    ],
)
def test_choose_method(kind: ColumnKind, distinct: int, method: Method) -> None:
    assert choose_method(kind, distinct, max_categorical_numeric=5) is method


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_same_values_as_scipy_which_evidently_calls(seed: int) -> None:
    rng = np.random.default_rng(seed)
    reference, current = rng.lognormal(5, 1, 700), rng.lognormal(5.2, 0.8, 300)
    labels = np.array(["web", "api", "chat", "app"], dtype=object)
    reference_labels = rng.choice(labels, 500, p=[0.4, 0.3, 0.2, 0.1])
    current_labels = rng.choice(labels[:3], 400, p=[0.2, 0.5, 0.3])
    keys = ["web", "api", "chat", "app"]
    reference_shares = [np.mean(reference_labels == key) for key in keys]
    current_shares = [np.mean(current_labels == key) for key in keys]

    assert wasserstein(reference, current) == pytest.approx(
        wasserstein_distance(reference, current)
    )
    assert jensen_shannon(reference_labels, current_labels) == pytest.approx(
        distance.jensenshannon(reference_shares, current_shares)
    )
