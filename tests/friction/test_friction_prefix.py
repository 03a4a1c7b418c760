"""Journey prefix features: every value by hand, incremental == all at once, no leakage."""

from __future__ import annotations

import math
from itertools import pairwise

import duckdb
import pytest

from journeyheal.friction import compute_journey_prefix_features, feature_views
from tests.friction.events import Ev, at, call, load_events, rewrite_future, rows

# j1: cart -> payment (two failed calls at the same instant) -> back to cart -> payment -> done.
J1 = [
    Ev("e01", "j1", 0, "step_view", "cart", data_age_s=10.0),
    call("e02", "j1", 10, "cart", 500.0),
    Ev("e03", "j1", 20, "step_submit", "cart"),
    Ev("e04", "j1", 30, "step_view", "payment", channel="mobile_app"),
    call(
        "e05",
        "j1",
        40,
        "payment",
        3000.0,
        "timeout",
        1,
        "payment-gateway",
        "authorize",
        channel="mobile_app",
    ),
    call(
        "e06",
        "j1",
        40,
        "payment",
        2500.0,
        "error",
        2,
        "payment-gateway",
        "authorize",
        channel="mobile_app",
    ),
    Ev("e07", "j1", 60, "backtrack", "payment", channel="mobile_app"),
    Ev("e08", "j1", 70, "step_view", "cart", channel="mobile_app", data_age_s=50.0),
    Ev("e09", "j1", 90, "step_view", "payment", channel="mobile_app"),
    Ev("e10", "j1", 120, "journey_complete", "payment", channel="mobile_app"),
]
J2 = [
    Ev("e11", "j2", 3600, "step_view", "cart"),
    call("e12", "j2", 3610, "cart", 100.0),
]
J3 = [Ev("e13", "j3", 5, "step_view", "identity", customer_id="c2", journey_type="onboarding")]
EVENTS = J1 + J2 + J3

# Expected j1 rows by event time, in the column order below.
FIELDS = (
    "step", "channel", "service", "endpoint", "elapsed_s", "steps_reached", "step_index",
    "error_count", "timeout_count", "retry_count", "backtrack_count", "repeated_step_count",
    "latency_last_ms", "latency_max_ms", "latency_mean_ms", "latency_over_tolerance_share",
    "data_age_max_s", "channel_switches", "time_since_last_event_s",
)  # fmt: skip
GW, AUTH = "payment-gateway", "authorize"
EXPECTED_J1 = {
    0: ("cart", "web", None, None, 0, 1, 1, 0, 0, 0, 0, 0, None, None, None, None, 10, 0, None),
    10: ("cart", "web", "pricing", "quote", 10, 1, 1, 0, 0, 0, 0, 0, 500, 500, 500, 0, 10, 0, 10),
    20: ("cart", "web", "pricing", "quote", 20, 1, 1, 0, 0, 0, 0, 0, 500, 500, 500, 0, 10, 0, 10),
    30: ("payment", "mobile_app", "pricing", "quote", 30, 2, 2, 0, 0, 0, 0, 0,
         500, 500, 500, 0, 10, 1, 10),
    40: ("payment", "mobile_app", GW, AUTH, 40, 2, 2, 1, 1, 3, 0, 0,
         2500, 3000, 2000, 2 / 3, 10, 1, 10),
    60: ("payment", "mobile_app", GW, AUTH, 60, 2, 2, 1, 1, 3, 1, 0,
         2500, 3000, 2000, 2 / 3, 10, 1, 20),
    70: ("cart", "mobile_app", GW, AUTH, 70, 2, 1, 1, 1, 3, 1, 1,
         2500, 3000, 2000, 2 / 3, 50, 1, 10),
    90: ("payment", "mobile_app", GW, AUTH, 90, 2, 2, 1, 1, 3, 1, 2,
         2500, 3000, 2000, 2 / 3, 50, 1, 20),
    120: ("payment", "mobile_app", GW, AUTH, 120, 2, 2, 1, 1, 3, 1, 2,
          2500, 3000, 2000, 2 / 3, 50, 1, 30),
}  # fmt: skip


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    load_events(connection, EVENTS)
    return connection


def _by_key(con: duckdb.DuckDBPyConnection, table: str) -> dict[tuple[str, object], dict]:
    found = rows(con, f"SELECT * FROM {table}")
    return {(row["journey_id"], row["event_timestamp"]): row for row in found}


def _same(left: object, right: object) -> bool:
    if isinstance(left, float) and isinstance(right, float):
        return math.isclose(left, right, rel_tol=1e-12)
    return left == right


def test_columns_follow_the_catalog(con: duckdb.DuckDBPyConnection) -> None:
    table = compute_journey_prefix_features(con, "events")
    names = [column[0] for column in con.execute(f"SELECT * FROM {table} LIMIT 0").description]
    assert names == feature_views()["journey_prefix"].columns


@pytest.mark.parametrize("seconds", sorted(EXPECTED_J1))
def test_each_feature_by_hand(con: duckdb.DuckDBPyConnection, seconds: int) -> None:
    table = compute_journey_prefix_features(con, "events")
    row = _by_key(con, table)[("j1", at(seconds))]

    actual = tuple(row[field] for field in FIELDS)
    for field, got, want in zip(FIELDS, actual, EXPECTED_J1[seconds], strict=True):
        if want is None:
            assert got is None, field
        else:
            assert got == pytest.approx(want), field
    assert (row["customer_id"], row["journey_type"]) == ("c1", "checkout")


def test_one_row_per_journey_and_timestamp(con: duckdb.DuckDBPyConnection) -> None:
    table = compute_journey_prefix_features(con, "events")
    keys = rows(con, f"SELECT journey_id, count(*) AS n FROM {table} GROUP BY ALL ORDER BY 1")
    # j1 has ten events but two share t=40
    assert keys == [{"journey_id": "j1", "n": 9}, {"journey_id": "j2", "n": 2},
                    {"journey_id": "j3", "n": 1}]  # fmt: skip


@pytest.mark.parametrize(
    "cuts",
    [
        (0, 40, 7200),
        (0, 35, 41, 65, 3605, 7200),
        (-10, 10, 20, 30, 40, 60, 70, 90, 120, 3600, 3610, 3611),
    ],
)
def test_incremental_equals_all_at_once(con: duckdb.DuckDBPyConnection, cuts: tuple) -> None:
    whole = _by_key(con, compute_journey_prefix_features(con, "events", output="whole"))

    pieces: dict = {}
    for start, end in pairwise(cuts):
        table = compute_journey_prefix_features(con, "events", at(start), at(end), output="part")
        part = _by_key(con, table)
        assert all(at(start) <= key[1] < at(end) for key in part)
        pieces |= part

    assert pieces.keys() == whole.keys()
    for key, row in whole.items():
        assert all(_same(row[c], pieces[key][c]) for c in row), key


@pytest.mark.parametrize("cut", [0, 10, 40, 65, 90, 3600])
def test_later_events_do_not_change_earlier_rows(cut: float) -> None:
    con = duckdb.connect()
    load_events(con, EVENTS, "original")
    load_events(con, rewrite_future(EVENTS, cut), "rewritten")
    before = _by_key(con, compute_journey_prefix_features(con, "original", output="a"))
    after = _by_key(con, compute_journey_prefix_features(con, "rewritten", output="b"))

    earlier = [key for key in before if key[1] <= at(cut)]
    assert earlier
    for key in earlier:
        assert all(_same(before[key][c], after[key][c]) for c in before[key]), key


@pytest.mark.parametrize(
    ("out_start", "out_end"),
    [(at(0), None), (None, at(0)), (at(10), at(10)), (at(10).replace(tzinfo=None), at(20))],
)
def test_bad_output_range_is_refused(
    con: duckdb.DuckDBPyConnection, out_start: object, out_end: object
) -> None:
    with pytest.raises(ValueError, match="out_"):
        compute_journey_prefix_features(con, "events", out_start, out_end)  # type: ignore[arg-type]
