"""Drift windows read from the warehouse, and the Markdown summary of a result."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import duckdb
import pandas as pd
import pytest

from journeyheal.drift import windows
from journeyheal.drift.detect import DriftResult, DriftStatus, FeatureDrift
from journeyheal.drift.statistics import ColumnKind, Method
from journeyheal.drift.summary import markdown_table

START = datetime(2026, 1, 1, 5, tzinfo=UTC)


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    connection.execute("SET TimeZone = 'UTC'")
    rows = pd.DataFrame(
        {
            "channel": ["web", "api", "web"],
            "partition_hour": [START, START + timedelta(hours=1), START + timedelta(hours=30)],
            "event_timestamp": [
                START + timedelta(minutes=10),
                START + timedelta(hours=1, minutes=50),
                START + timedelta(hours=30, minutes=5),
            ],
        }
    )
    connection.register("rows_frame", rows)
    connection.execute("CREATE TABLE journey_prefix_features AS SELECT * FROM rows_frame")
    return connection


def test_default_reference_is_the_first_hours_of_data(con: duckdb.DuckDBPyConnection) -> None:
    window = windows.reference_window(con, None, hours=24)

    assert window is not None
    assert (window.start, window.end) == (START, START + timedelta(hours=24))
    assert "champion model unknown" in window.source
    frame = windows.read_window(con, windows.FEATURES_TABLE, ["channel"], window)
    assert frame["channel"].tolist() == ["web", "api"]


def test_champion_window_wins(con: duckdb.DuckDBPyConnection) -> None:
    champion = (START - timedelta(days=3), START - timedelta(days=1))

    window = windows.reference_window(con, champion, hours=24)

    assert window is not None
    assert (window.start, window.end) == champion


def test_newest_event_time_ignores_later_rows(con: duckdb.DuckDBPyConnection) -> None:
    until = START + timedelta(hours=2)

    assert windows.newest_event_time(con, until) == START + timedelta(hours=1, minutes=50)
    assert windows.newest_event_time(con, START) is None


def test_missing_table_is_named() -> None:
    with pytest.raises(LookupError, match="'friction_scores' does not exist"):
        windows.read_window(
            duckdb.connect(),
            windows.SCORES_TABLE,
            ["risk"],
            windows.Window(START, START, "test"),
        )


def test_markdown_table_has_a_row_per_feature_and_prediction() -> None:
    result = DriftResult(
        DriftStatus.DRIFTED,
        "1 of 2 features drifted",
        reference_rows=500,
        current_rows=400,
        features=(
            FeatureDrift(
                "channel",
                DriftStatus.DRIFTED,
                ColumnKind.CATEGORICAL,
                Method.JENSEN_SHANNON,
                0.21,
                0.1,
                500,
                400,
            ),
            FeatureDrift("data_age_max_s", DriftStatus.NOT_ENOUGH_DATA, ColumnKind.NUMERICAL),
        ),
        prediction=FeatureDrift(
            "risk", DriftStatus.OK, ColumnKind.NUMERICAL, Method.WASSERSTEIN, 0.02, 0.1, 500, 400
        ),
    )

    lines = markdown_table(result).splitlines()

    assert lines[2] == "| channel | Jensen-Shannon distance | 0.2100 | 0.1 | drifted | 500 | 400 |"
    assert lines[3].startswith("| data_age_max_s | - | - | - | not_enough_data |")
    assert lines[4].startswith("| risk | Wasserstein distance (normed) | 0.0200 |")


def test_markdown_table_without_features_gives_the_reason() -> None:
    result = DriftResult(DriftStatus.NOT_ENOUGH_DATA, "reference has 3 rows", 3, 0)

    assert markdown_table(result) == "No feature compared: reference has 3 rows"
