"""Customer history features: strictly from what was knowable before each journey start."""

from __future__ import annotations

import duckdb
import pytest

from journeyheal.friction import compute_customer_history_features, feature_views
from tests.friction.events import Ev, at, load_events, rewrite_future, rows


def _view(event_id: str, journey: str, seconds: float, customer: str = "c1") -> Ev:
    return Ev(event_id, journey, seconds, "step_view", "cart", customer_id=customer)


def _complete(event_id: str, journey: str, seconds: float) -> Ev:
    return Ev(event_id, journey, seconds, "journey_complete", "cart")


# Inactivity timeout 1800 s. j2 idles from 300 to 5000 (abandoned in [2100, 5000)) then resumes
# and completes at 5100; j3, j4 and j5 are single events, abandoned 1800 s after them.
EVENTS = [
    _view("a", "j1", 0),
    _complete("b", "j1", 100),
    _view("c", "j2", 200),
    _view("d", "j2", 300),
    _view("e", "j2", 5000),
    _complete("f", "j2", 5100),
    _view("g", "j3", 100),
    _view("h", "j4", 2099),
    _view("i", "j5", 2100),
    _view("k", "j6", 5050),
    _view("m", "j7", 6000),
    _view("n", "j9", 50, customer="c2"),
]
# (customer, start) -> (prior_journeys, prior_abandonments, prior_completions)
EXPECTED = {
    ("c1", 0): (0, 0, 0),
    ("c1", 100): (1, 0, 0),  # j1 completes at 100: not strictly before
    ("c1", 200): (2, 0, 1),
    ("c1", 2099): (3, 1, 1),  # j3 abandoned since 1900; j2 not until 2100
    ("c1", 2100): (4, 2, 1),  # j2 abandonment knowable exactly now
    ("c1", 5050): (5, 3, 1),  # j2 resumed at 5000: no longer abandoned; j4, j5 are
    ("c1", 6000): (6, 3, 2),
    ("c2", 50): (0, 0, 0),
}


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    load_events(connection, EVENTS)
    return connection


def _history(con: duckdb.DuckDBPyConnection, events: str = "events") -> dict:
    table = compute_customer_history_features(con, events, output=f"history_{events}")
    return {(r["customer_id"], r["event_timestamp"]): r for r in rows(con, f"FROM {table}")}


def test_columns_follow_the_catalog(con: duckdb.DuckDBPyConnection) -> None:
    table = compute_customer_history_features(con, "events")
    names = [column[0] for column in con.execute(f"SELECT * FROM {table} LIMIT 0").description]
    assert names == feature_views()["customer_history"].columns


def test_counts_by_hand(con: duckdb.DuckDBPyConnection) -> None:
    found = _history(con)

    assert found.keys() == {(customer, at(s)) for customer, s in EXPECTED}
    for (customer, seconds), counts in EXPECTED.items():
        row = found[(customer, at(seconds))]
        actual = (row["prior_journeys"], row["prior_abandonments"], row["prior_completions"])
        assert actual == counts, (customer, seconds)


@pytest.mark.parametrize(("seconds", "rate"), [(0, None), (2100, 0.5), (6000, 0.5)])
def test_abandonment_rate(con: duckdb.DuckDBPyConnection, seconds: int, rate: object) -> None:
    assert _history(con)[("c1", at(seconds))]["prior_abandonment_rate"] == rate


@pytest.mark.parametrize("cut", [100, 2099, 2100, 5050])
def test_later_events_do_not_change_earlier_rows(cut: float) -> None:
    con = duckdb.connect()
    load_events(con, EVENTS, "original")
    load_events(con, rewrite_future(EVENTS, cut), "rewritten")
    before, after = _history(con, "original"), _history(con, "rewritten")

    earlier = [key for key in before if key[1] <= at(cut)]
    assert len(earlier) >= 3
    for key in earlier:
        assert before[key] == after[key], key
