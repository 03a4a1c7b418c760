"""Journey outcomes with the inactivity timeout, and the labelled training snapshots."""

from __future__ import annotations

from datetime import timedelta

import duckdb
import pytest

from journeyheal.friction import (
    FrictionConfig,
    compute_journey_outcomes,
    compute_training_snapshots,
    feature_views,
)
from tests.friction.events import Ev, at, call, load_events, rows

TIMEOUT_S = 1800
EVENTS = [
    Ev("a1", "done", 0, "step_view", "cart"),
    call("a2", "done", 10, "cart", 400.0, service="pricing", endpoint="quote"),
    Ev("a3", "done", 60, "step_submit", "cart"),
    Ev("a4", "done", 60, "journey_complete", "cart"),
    Ev("b1", "quiet", 100, "step_view", "cart", customer_id="c2"),
    Ev("b2", "quiet", 200, "step_view", "payment", customer_id="c2"),
]
ONE_US = timedelta(microseconds=1)


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    load_events(connection, EVENTS)
    return connection


def _outcomes(con: duckdb.DuckDBPyConnection, as_of_seconds: float, shift=timedelta(0)) -> dict:
    table = compute_journey_outcomes(con, at(as_of_seconds) + shift, "events")
    return {row["journey_id"]: row for row in rows(con, f"SELECT * FROM {table}")}


@pytest.mark.parametrize(
    ("as_of", "shift", "expected"),
    [
        # idle for one microsecond less than the timeout: still in flight
        (200 + TIMEOUT_S, -ONE_US, ("in_flight", None)),
        # idle for exactly the timeout: abandoned, as of last event + timeout
        (200 + TIMEOUT_S, timedelta(0), ("abandoned", at(200 + TIMEOUT_S))),
        (200 + 10 * TIMEOUT_S, timedelta(0), ("abandoned", at(200 + TIMEOUT_S))),
        # events after as_of are not seen: at t=150 the journey idles since 100
        (150, timedelta(0), ("in_flight", None)),
    ],
)
def test_abandonment_at_the_timeout_boundary(
    con: duckdb.DuckDBPyConnection, as_of: float, shift: timedelta, expected: tuple
) -> None:
    quiet = _outcomes(con, as_of, shift)["quiet"]
    assert (quiet["outcome"], quiet["outcome_time"]) == expected


def test_events_after_as_of_are_ignored(con: duckdb.DuckDBPyConnection) -> None:
    # with a 60 s timeout, at t=160 the quiet journey had idled since t=100; t=200 is unseen
    table = compute_journey_outcomes(
        con, at(160), "events", config=FrictionConfig(inactivity_timeout_s=60)
    )
    early = rows(con, f"SELECT * FROM {table} WHERE journey_id = 'quiet'")[0]
    assert (early["outcome"], early["last_event_time"]) == ("abandoned", at(100))


@pytest.mark.parametrize(
    ("as_of", "outcome", "outcome_time"),
    [(59, "in_flight", None), (60, "completed", at(60)), (99999, "completed", at(60))],
)
def test_completion(
    con: duckdb.DuckDBPyConnection, as_of: float, outcome: str, outcome_time: object
) -> None:
    done = _outcomes(con, as_of)["done"]
    assert (done["outcome"], done["outcome_time"]) == (outcome, outcome_time)
    assert (done["first_event_time"], done["customer_id"]) == (at(0), "c1")


def test_configured_timeout_is_used(con: duckdb.DuckDBPyConnection) -> None:
    config = FrictionConfig(inactivity_timeout_s=60)
    table = compute_journey_outcomes(con, at(260), "events", config=config)
    found = rows(con, f"SELECT outcome, outcome_time FROM {table} WHERE journey_id = 'quiet'")
    assert found == [{"outcome": "abandoned", "outcome_time": at(260)}]


def test_naive_as_of_is_refused(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(ValueError, match="tz-aware"):
        compute_journey_outcomes(con, at(0).replace(tzinfo=None), "events")


def _snapshots(con: duckdb.DuckDBPyConnection, as_of_seconds: float) -> list[dict]:
    table = compute_training_snapshots(con, at(as_of_seconds), "events")
    return rows(con, f"SELECT * FROM {table} ORDER BY journey_id, event_timestamp")


def test_snapshots_are_labelled_and_stop_before_the_outcome(
    con: duckdb.DuckDBPyConnection,
) -> None:
    found = _snapshots(con, 10_000)

    summary = [
        (r["journey_id"], r["event_timestamp"], r["label"], r["minutes_to_outcome"]) for r in found
    ]
    assert summary == [
        # the t=60 submit shares the completion's instant: at the outcome, so excluded
        ("done", at(0), 0, pytest.approx(1.0)),
        ("done", at(10), 0, pytest.approx(50 / 60)),
        ("quiet", at(100), 1, pytest.approx((200 + TIMEOUT_S - 100) / 60)),
        ("quiet", at(200), 1, pytest.approx(TIMEOUT_S / 60)),
    ]


def test_snapshots_carry_join_keys_and_no_features(con: duckdb.DuckDBPyConnection) -> None:
    found = _snapshots(con, 10_000)

    assert [r["snapshot_id"] for r in found] == [
        f"{r['journey_id']}@{int(r['event_timestamp'].timestamp() * 1_000_000)}" for r in found
    ]
    keys = [(r["customer_id"], r["journey_type"], r["step"], r["service"]) for r in found]
    assert keys == [
        ("c1", "checkout", "cart", None),
        ("c1", "checkout", "cart", "pricing"),
        ("c2", "checkout", "cart", None),
        ("c2", "checkout", "payment", None),
    ]
    features = {name for view in feature_views().values() for name in view.features} - {
        "customer_id",
        "journey_type",
        "step",
        "service",
        "endpoint",
    }
    assert not features & set(found[0])


@pytest.mark.parametrize(
    ("as_of", "journeys"),
    [(59, set()), (60, {"done"}), (1999, {"done"}), (2000, {"done", "quiet"})],
)
def test_only_journeys_with_a_known_outcome(
    con: duckdb.DuckDBPyConnection, as_of: float, journeys: set
) -> None:
    assert {r["journey_id"] for r in _snapshots(con, as_of)} == journeys
