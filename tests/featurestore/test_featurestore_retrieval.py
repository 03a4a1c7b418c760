"""Point-in-time training sets and the online store, on a few random journeys over 3 hours."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from journeyheal.featurestore import (
    FeatureStoreSettings,
    apply_repository,
    historical_features,
    model_feature_columns,
    online_features_for_journeys,
    update_online_store,
)
from journeyheal.friction import compute_training_snapshots
from journeyheal.home import Home
from tests.featurestore.events import (
    HOUR,
    T0,
    Ev,
    materialize_hours,
    random_journeys,
    seed_events,
)

HOURS = 3
JOURNEYS = 150
CUT = T0 + timedelta(minutes=100)


@dataclass(frozen=True)
class Built:
    home: Home
    con: duckdb.DuckDBPyConnection


def build(root: Path, events: list[Ev]) -> Built:
    """A home whose warehouse, Parquet sources and registry hold these events' features."""
    home = Home(root).ensure()
    con = duckdb.connect(str(home.warehouse))
    con.execute("SET TimeZone = 'UTC'")
    seed_events(con, events)
    materialize_hours(con, home, HOURS + 1)
    apply_repository(home)
    return Built(home, con)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    result = build(tmp_path_factory.mktemp("retrieval"), random_journeys(JOURNEYS, HOURS, seed=5))
    yield result
    result.con.close()


def snapshots(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    compute_training_snapshots(con, T0 + (HOURS + 1) * HOUR)
    return con.execute("FROM training_snapshots ORDER BY snapshot_id DESC").df()


def test_every_snapshot_comes_back_in_order_with_its_features(built: Built) -> None:
    entity_df = snapshots(built.con)

    training = historical_features(built.home, entity_df)

    assert len(training) == len(entity_df) > 100
    assert list(training["snapshot_id"]) == list(entity_df["snapshot_id"])
    assert list(training.columns) == [*entity_df.columns, *model_feature_columns()]
    # the journey's own prefix is always there: a snapshot sits on one of its prefix rows
    assert training["steps_reached"].notna().all()


def test_features_of_a_snapshot_ignore_events_after_its_time(built: Built, tmp_path: Path) -> None:
    entity_df = snapshots(built.con)
    events = random_journeys(JOURNEYS, HOURS, seed=5)
    # after the cut: every call fails slowly, and new journeys of the same customers start
    changed = [
        replace(ev, status="error", latency_ms=9000.0) if ev.time > CUT and ev.service else ev
        for ev in events
    ]
    extra = [
        replace(ev, journey_id="late-" + ev.journey_id, at=ev.at + 100 * 60)
        for ev in events[:200]
        if T0 + timedelta(seconds=ev.at + 100 * 60) > CUT
    ]
    other = build(tmp_path / "changed", changed + extra)

    before = historical_features(built.home, entity_df)
    after = historical_features(other.home, entity_df)
    other.con.close()

    assert len(after) == len(entity_df)
    earlier = entity_df["event_timestamp"] < CUT
    assert earlier.sum() > 50
    pd.testing.assert_frame_equal(after[earlier], before[earlier])
    # the change is real: snapshots after the cut do see it
    assert not after[~earlier].equals(before[~earlier])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda df: df.drop(columns=["service"]), "lacks columns"),
        (lambda df: pd.concat([df, df.head(1)]), "unique"),
        (lambda df: df.assign(event_timestamp=df["event_timestamp"].dt.tz_localize(None)), "tz"),
    ],
)
def test_bad_entity_rows_are_refused(built: Built, change: object, message: str) -> None:
    entity_df = snapshots(built.con).head(5)
    with pytest.raises(ValueError, match=message):
        historical_features(built.home, change(entity_df))  # type: ignore[operator]


@pytest.mark.parametrize("hours_done", [1, 2])
def test_online_features_of_journeys_in_flight_equal_offline_ones(
    built: Built, hours_done: int
) -> None:
    end = T0 + hours_done * HOUR
    settings = FeatureStoreSettings(write_batch_rows=7)
    update = update_online_store(built.home, built.con, end, settings=settings)
    in_flight = in_flight_keys(built.con, end)
    assert update.rows["journey_prefix"] == len(in_flight) > 5
    assert update.batches >= -(-len(in_flight) // 7)

    online = online_features_for_journeys(
        built.home, list(in_flight["journey_id"]), as_of=end, settings=settings
    )
    offline = historical_features(
        built.home, in_flight.assign(snapshot_id=in_flight["journey_id"], event_timestamp=end)
    )

    columns = model_feature_columns()
    online = online.set_index("journey_id")[columns].sort_index()
    offline = offline.set_index("journey_id")[columns].sort_index()
    assert online.notna().to_numpy().sum() > len(in_flight) * len(columns) / 2
    pd.testing.assert_frame_equal(
        online.astype(float, errors="ignore"),
        offline.astype(float, errors="ignore"),
        check_dtype=False,
    )


def in_flight_keys(con: duckdb.DuckDBPyConnection, end: object) -> pd.DataFrame:
    """Journeys in flight at `end` with their join keys, straight from the events."""
    return con.execute(
        """
        WITH last AS (
            SELECT journey_id, max(event_time) AS last_time,
                   bool_or(event_type = 'journey_complete') AS completed
            FROM validated_journey_events WHERE event_time <= $end GROUP BY journey_id
        )
        SELECT p.journey_id, p.customer_id, p.journey_type, p.step, p.service, p.endpoint
        FROM journey_prefix_features AS p JOIN last USING (journey_id)
        WHERE NOT completed AND last_time > $end - INTERVAL 30 MINUTES
          AND p.event_timestamp = last.last_time
        ORDER BY p.journey_id
        """,
        {"end": end},
    ).df()


def test_duckdb_asof_engine_equals_feast(built: Built) -> None:
    entity_df = snapshots(built.con)
    # a NULL key, a time before any row and a time far past every TTL
    extra = entity_df.head(3).assign(
        snapshot_id=["null-key", "too-early", "too-late"],
        service=[None, *entity_df["service"].head(2)],
        event_timestamp=[
            entity_df["event_timestamp"].iloc[0],
            pd.Timestamp(T0 - HOUR),
            pd.Timestamp(T0 + 40 * HOUR),
        ],
    )
    entity_df = pd.concat([entity_df, extra], ignore_index=True)

    feast = historical_features(built.home, entity_df, engine="feast")
    duck = historical_features(built.home, entity_df, engine="duckdb")

    assert duck.loc[duck["snapshot_id"] == "too-late", "steps_reached"].isna().all()
    assert duck.loc[duck["snapshot_id"] == "null-key", "error_rate_60m"].isna().all()
    pd.testing.assert_frame_equal(
        duck.astype(object).where(duck.notna(), None),
        feast.astype(object).where(feast.notna(), None),
        check_dtype=False,
    )
