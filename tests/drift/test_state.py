"""The drift state in the home: feature health and the window history."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from journeyheal.drift.detect import DriftStatus
from journeyheal.drift.state import (
    DriftStateError,
    WindowStatus,
    current_feature_health,
    health_path,
    read_history,
    record_window,
    write_feature_health,
)
from journeyheal.home import Home
from journeyheal.repairs.health import FeatureHealth

HOUR_1 = datetime(2026, 1, 1, 1, tzinfo=UTC)
HOUR_2 = datetime(2026, 1, 1, 2, tzinfo=UTC)


def test_health_before_any_check_is_not_trusted(home: Home) -> None:
    health = current_feature_health(home)

    assert not health.trusted
    assert "no feature health recorded" in health.reason


def test_health_round_trip_newest_wins(home: Home) -> None:
    write_feature_health(home, FeatureHealth(True, True, "channel drifted"), HOUR_1)
    write_feature_health(home, FeatureHealth(True, False, "no drift"), HOUR_2)

    assert current_feature_health(home) == FeatureHealth(True, False, "no drift")


@pytest.mark.parametrize("text", ["{not json", '{"fresh": true}'])
def test_unreadable_health_file_is_an_error(home: Home, text: str) -> None:
    health_path(home).write_text(text, encoding="utf-8")

    with pytest.raises(DriftStateError, match=r"feature_health\.json"):
        current_feature_health(home)


def test_history_is_sorted_and_a_rerun_replaces_its_window(home: Home) -> None:
    record_window(home, WindowStatus(HOUR_2, DriftStatus.DRIFTED))
    record_window(home, WindowStatus(HOUR_1, DriftStatus.OK))
    record_window(home, WindowStatus(HOUR_2, DriftStatus.NOT_ENOUGH_DATA))

    assert read_history(home) == [
        WindowStatus(HOUR_1, DriftStatus.OK),
        WindowStatus(HOUR_2, DriftStatus.NOT_ENOUGH_DATA),
    ]
