"""Service health and step friction: rolling windows (end - w, end] on the 5-minute grid."""

from __future__ import annotations

import duckdb
import pytest

from journeyheal.friction import (
    compute_service_health_features,
    compute_step_friction_features,
    feature_views,
)
from tests.friction.events import Ev, at, call, load_events, rewrite_future, rows

# pricing/quote calls at 60, 240, 300 (exactly on the 10:05 grid point), 410 and 420 s;
# staleness 40 s charged at 60 (view at 30, first call at 60), 80 s charged at 410.
HEALTH_EVENTS = [
    Ev("v1", "h1", 30, "step_view", "quote", data_age_s=40.0),
    call("c1", "h1", 60, "quote", 100.0),
    call("c2", "h1", 240, "quote", 300.0, "error", 1),
    call("c3", "h1", 300, "quote", 200.0, "timeout", 2),
    Ev("v2", "h2", 400, "step_view", "quote", data_age_s=80.0),
    call("c4", "h2", 410, "quote", 50.0),
    call("c5", "h1", 420, "quote", 1000.0),
    call("c6", "h2", 500, "pay", 10.0, service="gateway", endpoint="authorize"),
]
HEALTH_FIELDS = ("request_count", "latency_p50_ms", "latency_p95_ms", "error_rate",
                 "timeout_rate", "staleness_p95_s")  # fmt: skip
# window end (s) -> expected (5m values, 60m values) for pricing/quote
EXPECTED_HEALTH = {
    300: ((3, 200, 290, 1 / 3, 1 / 3, 40), (3, 200, 290, 1 / 3, 1 / 3, 40)),
    600: ((2, 525, 952.5, 0, 0, 80), (5, 200, 860, 0.2, 0.2, 78)),
    3600: ((0, None, None, None, None, None), (5, 200, 860, 0.2, 0.2, 78)),
    3900: ((0, None, None, None, None, None), (2, 525, 952.5, 0, 0, 80)),
}

# s1: cart viewed 60..240, failed call at 150; s2: cart viewed 120, ok call 180, backtrack
# 200, cart viewed again 360, completes at 400.
STEP_EVENTS = [
    Ev("a1", "s1", 60, "step_view", "cart"),
    call("a2", "s1", 150, "cart", 100.0, "error"),
    Ev("a3", "s1", 240, "step_view", "payment"),
    Ev("b1", "s2", 120, "step_view", "cart"),
    call("b2", "s2", 180, "cart", 100.0),
    Ev("b3", "s2", 200, "backtrack", "cart"),
    Ev("b4", "s2", 360, "step_view", "cart"),
    Ev("b5", "s2", 400, "journey_complete", "cart"),
]
STEP_FIELDS = ("step_views_60m", "backtrack_rate_60m", "call_failure_rate_60m",
               "median_time_on_step_s_60m")  # fmt: skip
EXPECTED_STEPS = {
    ("cart", 300): (2, 0.5, 0.5, 180),
    ("cart", 600): (3, 1 / 3, 0.5, 180),  # time on cart: 180, 240 and 40 s
    ("cart", 3900): (1, 0, None, 140),  # (300, 3900]: the view at 360, times 240 and 40
    ("payment", 300): (1, 0, None, None),
}


def _table(con: duckdb.DuckDBPyConnection, table: str, keys: tuple[str, ...]) -> dict:
    return {tuple(r[k] for k in keys): r for r in rows(con, f"FROM {table}")}


def _health(con: duckdb.DuckDBPyConnection, events: str) -> dict:
    table = compute_service_health_features(con, events, output=f"health_{events}")
    return _table(con, table, ("service", "endpoint", "event_timestamp"))


def _steps(con: duckdb.DuckDBPyConnection, events: str) -> dict:
    table = compute_step_friction_features(con, events, output=f"steps_{events}")
    return _table(con, table, ("journey_type", "step", "event_timestamp"))


def _check(row: dict, names: list[str], expected: tuple) -> None:
    for name, want in zip(names, expected, strict=True):
        if want is None:
            assert row[name] is None, name
        else:
            assert row[name] == pytest.approx(want), name


@pytest.mark.parametrize(
    ("view", "compute", "events"),
    [
        ("service_health", compute_service_health_features, HEALTH_EVENTS),
        ("step_friction", compute_step_friction_features, STEP_EVENTS),
    ],
)
def test_columns_follow_the_catalog(view: str, compute: object, events: list) -> None:
    con = duckdb.connect()
    load_events(con, events)
    table = compute(con, "events")  # type: ignore[operator]
    names = [column[0] for column in con.execute(f"SELECT * FROM {table} LIMIT 0").description]
    assert names == feature_views()[view].columns


@pytest.mark.parametrize("end", sorted(EXPECTED_HEALTH))
def test_service_health_by_hand(end: int) -> None:
    con = duckdb.connect()
    load_events(con, HEALTH_EVENTS)
    row = _health(con, "events")[("pricing", "quote", at(end))]

    short, long = EXPECTED_HEALTH[end]
    _check(row, [f"{name}_5m" for name in HEALTH_FIELDS], short)
    _check(row, [f"{name}_60m" for name in HEALTH_FIELDS], long)


def test_service_health_rows_only_where_the_long_window_has_traffic() -> None:
    con = duckdb.connect()
    load_events(con, HEALTH_EVENTS)
    found = _health(con, "events")

    pricing = sorted(key[2] for key in found if key[0] == "pricing")
    assert pricing == [at(seconds) for seconds in range(300, 3901, 300)]
    gateway = sorted(key[2] for key in found if key[0] == "gateway")
    assert gateway == [at(seconds) for seconds in range(600, 3901, 300)]


@pytest.mark.parametrize(("step", "end"), sorted(EXPECTED_STEPS))
def test_step_friction_by_hand(step: str, end: int) -> None:
    con = duckdb.connect()
    load_events(con, STEP_EVENTS)
    row = _steps(con, "events")[("checkout", step, at(end))]
    _check(row, list(STEP_FIELDS), EXPECTED_STEPS[(step, end)])


@pytest.mark.parametrize(
    ("compute", "events", "cut"),
    [
        (_health, HEALTH_EVENTS, 300),
        (_health, HEALTH_EVENTS, 405),
        (_health, HEALTH_EVENTS, 600),
        (_steps, STEP_EVENTS, 300),
        (_steps, STEP_EVENTS, 399),
        (_steps, STEP_EVENTS, 600),
    ],
)
def test_later_events_do_not_change_earlier_rows(compute: object, events: list, cut: int) -> None:
    con = duckdb.connect()
    load_events(con, events, "original")
    load_events(con, rewrite_future(events, cut), "rewritten")
    before = compute(con, "original")  # type: ignore[operator]
    after = compute(con, "rewritten")  # type: ignore[operator]

    earlier = [key for key in before if key[-1] <= at(cut)]
    assert earlier
    for key in earlier:
        assert before[key] == after[key], key
