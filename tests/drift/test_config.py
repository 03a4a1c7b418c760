"""The drift settings file: the shipped one loads, a bad one names the file and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from journeyheal.drift.config import DriftConfigError, load_drift_config
from journeyheal.friction.catalog import JOURNEY_PREFIX, feature_views


def test_shipped_settings_name_real_features() -> None:
    config = load_drift_config()

    assert set(config.columns) <= set(feature_views()[JOURNEY_PREFIX].features)
    assert config.min_rows < config.sample_size


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("columns: [channel]\nmin_rows: 1\n", "min_rows"),
        ("columns: []\n", "columns"),
        ("columns: [channel]\nsample_sise: 10\n", "sample_sise"),
        ("- channel\n", "mapping"),
    ],
)
def test_bad_settings_name_file_and_field(tmp_path: Path, text: str, field: str) -> None:
    path = tmp_path / "drift.yaml"
    path.write_text(text, encoding="utf-8")

    with pytest.raises(DriftConfigError, match=field) as raised:
        load_drift_config(path)
    assert str(path) in str(raised.value)
