"""The online-store probe: current after each hourly update, lagging when one was missed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from journeyheal.featurestore import online_lag, update_online_store
from tests.featurestore.events import HOUR, T0, random_journeys
from tests.featurestore.test_featurestore_retrieval import Built, build

HOURS = 3


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    result = build(tmp_path_factory.mktemp("lag"), random_journeys(150, HOURS, seed=11))
    yield result
    result.con.close()


def test_online_store_never_filled_has_every_key_missing(built: Built) -> None:
    lag = online_lag(built.home, built.con, T0 + HOUR)

    assert lag.journeys > 5
    assert not lag.current
    prefix = next(view for view in lag.views if view.view == "journey_prefix")
    assert prefix.missing == prefix.keys == lag.journeys
    assert "journey_prefix" in lag.reason
    assert "missing" in lag.reason


def test_updated_store_is_current_and_a_missed_hour_lags(built: Built) -> None:
    update_online_store(built.home, built.con, T0 + HOUR)
    after_update = online_lag(built.home, built.con, T0 + HOUR)
    assert after_update.journeys > 5
    assert after_update.current, after_update.reason
    assert {view.view for view in after_update.views} == {
        "journey_prefix",
        "service_health",
        "step_friction",
        "customer_history",
    }

    # the next hour's update did not run: this hour's journeys are missing, service and step
    # rows expired
    missed = online_lag(built.home, built.con, T0 + 2 * HOUR)
    assert not missed.current
    views = {view.view: view for view in missed.views}
    assert views["journey_prefix"].missing == missed.journeys > 5
    assert views["service_health"].expired == views["service_health"].keys > 0
    assert views["step_friction"].expired == views["step_friction"].keys > 0
    assert views["journey_prefix"].examples

    update_online_store(built.home, built.con, T0 + 2 * HOUR)
    assert online_lag(built.home, built.con, T0 + 2 * HOUR).current


def test_no_journey_in_flight_is_nothing_to_compare(built: Built) -> None:
    lag = online_lag(built.home, built.con, T0 + 40 * HOUR)

    assert lag.journeys == 0
    assert lag.current
    assert "no journey in flight" in lag.reason


def test_naive_time_is_refused(built: Built) -> None:
    with pytest.raises(ValueError, match="tz-aware"):
        online_lag(built.home, built.con, (T0 + HOUR).replace(tzinfo=None) + timedelta(0))
