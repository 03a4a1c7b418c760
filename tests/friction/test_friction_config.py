"""FrictionConfig validation and the SQL loader's guards."""

from __future__ import annotations

import duckdb
import pytest
from pydantic import ValidationError

from journeyheal.friction import FrictionConfig, feature_views, window_label
from journeyheal.friction.queries import quote_identifier, render, run_query


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"grid_s": 300, "step_window_s": 400}, "step_window_s=400"),
        ({"health_short_window_s": 7200}, "must not exceed"),
        ({"inactivity_timeout_s": 0}, "inactivity_timeout_s"),
        ({"latency_tolerance": 5}, "latency_tolerance"),
    ],
)
def test_bad_config_names_the_field(fields: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        FrictionConfig(**fields)


def test_sql_parameters_count_grid_buckets() -> None:
    parameters = FrictionConfig(grid_s=60, health_short_window_s=120).sql_parameters()
    assert (parameters["short_buckets"], parameters["long_buckets"]) == (2, 60)


@pytest.mark.parametrize(("seconds", "label"), [(300, "5m"), (3600, "60m"), (90, "90s")])
def test_window_label(seconds: int, label: str) -> None:
    assert window_label(seconds) == label


def test_column_names_follow_configured_windows() -> None:
    config = FrictionConfig(grid_s=60, health_short_window_s=120, step_window_s=900)
    views = feature_views(config)
    assert "latency_p95_ms_2m" in views["service_health"].features
    assert "step_views_15m" in views["step_friction"].features


@pytest.mark.parametrize("name", ["events; DROP TABLE x", "a.b", "", 'x"y'])
def test_table_names_must_be_plain(name: str) -> None:
    with pytest.raises(ValueError, match="plain identifier"):
        quote_identifier(name)


def test_render_refuses_odd_labels() -> None:
    with pytest.raises(ValueError, match="column label"):
        render("step_friction_features", {"events": "e", "output": "o"}, {"step": "5m; --"})


def test_run_query_wants_every_parameter() -> None:
    with pytest.raises(KeyError, match="as_of"):
        run_query(duckdb.connect(), "journey_outcomes", {"events": "e", "output": "o"}, {})


def test_unknown_query_is_named() -> None:
    with pytest.raises(FileNotFoundError, match="no_such_query"):
        run_query(duckdb.connect(), "no_such_query", {}, {})
