"""Validated journey events for the feature store tests: by hand, or a few random journeys."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import duckdb
import pandas as pd

from journeyheal.home import Home
from tests.friction.events import COLUMNS

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
EVENTS_TABLE = "validated_journey_events"

STEPS = ("cart", "address", "payment", "confirm")
SERVICES = {"cart": ("basket", "get"), "payment": ("payments", "authorize")}


@dataclass(frozen=True)
class Ev:
    """One event `at` seconds after T0; an api_call when it names a service."""

    journey_id: str
    at: float
    event_type: str
    step: str
    customer_id: str = "c1"
    channel: str = "web"
    service: str | None = None
    endpoint: str | None = None
    latency_ms: float | None = None
    status: str | None = None
    data_age_s: float | None = None
    # seconds after T0 when it reached the landing folder; None: in its own hour
    arrived: float | None = None

    @property
    def time(self) -> datetime:
        return T0 + timedelta(seconds=self.at)

    @property
    def arrival_hour(self) -> datetime:
        arrival = self.time if self.arrived is None else T0 + timedelta(seconds=self.arrived)
        return arrival.replace(minute=0, second=0, microsecond=0)


def frame(events: list[Ev]) -> pd.DataFrame:
    """Events as rows of validated_journey_events (arrival hour = the event's hour)."""
    rows = []
    for number, ev in enumerate(events):
        rows.append(
            {
                "event_id": f"e{number:06d}",
                "journey_id": ev.journey_id,
                "customer_id": ev.customer_id,
                "journey_type": "checkout",
                "channel": ev.channel,
                "step": ev.step,
                "event_type": ev.event_type,
                "service": ev.service,
                "endpoint": ev.endpoint,
                "latency_ms": ev.latency_ms,
                "status": ev.status,
                "retry_count": 0 if ev.service else None,
                "data_age_s": ev.data_age_s,
                "event_time": ev.time,
                "schema_version": 1,
                "source_file": "test",
                "source_row": number,
                "extra": None,
                "is_late": ev.arrival_hour > ev.time,
                "partition_hour": ev.arrival_hour,
            }
        )
    return pd.DataFrame(rows, columns=list(COLUMNS))


def seed_events(con: duckdb.DuckDBPyConnection, events: list[Ev]) -> None:
    """Replace the warehouse's validated events with these."""
    columns = ", ".join(f"{name} {dtype}" for name, dtype in COLUMNS.items())
    con.execute(f"CREATE OR REPLACE TABLE {EVENTS_TABLE} ({columns})")
    rows = frame(events)  # noqa: F841 - read by DuckDB's replacement scan
    con.execute(f"INSERT INTO {EVENTS_TABLE} SELECT * FROM rows")


def random_journeys(count: int, hours: int, seed: int) -> list[Ev]:
    """`count` checkout journeys starting over `hours` hours: calls, errors, backtracks, ends."""
    rng = random.Random(seed)
    events: list[Ev] = []
    for number in range(count):
        journey, customer = f"j{number:04d}", f"c{rng.randrange(count // 2 + 1):04d}"
        at = rng.uniform(0, hours * 3600 - 600)
        channel = rng.choice(("web", "mobile_app"))
        for index, step in enumerate(STEPS):
            events.append(Ev(journey, at, "step_view", step, customer, channel, data_age_s=5.0))
            at += rng.uniform(5, 240)
            if step in SERVICES:
                service, endpoint = SERVICES[step]
                status = rng.choice(("ok", "ok", "ok", "error", "timeout"))
                latency = rng.uniform(50, 4000)
                events.append(
                    Ev(
                        journey,
                        at,
                        "api_call",
                        step,
                        customer,
                        channel,
                        service,
                        endpoint,
                        latency,
                        status,
                    )
                )
                at += rng.uniform(1, 60)
            if index and rng.random() < 0.15:
                events.append(Ev(journey, at, "backtrack", step, customer, channel))
                at += rng.uniform(1, 30)
            if rng.random() < 0.1:
                break  # abandoned: no more events
        else:
            events.append(Ev(journey, at, "journey_complete", STEPS[-1], customer, channel))
    return events


def materialize_hours(con: duckdb.DuckDBPyConnection, home: Home, hours: int) -> None:
    """Every feature view's hourly partitions from T0 for `hours` hours, in order."""
    from journeyheal.featurestore import materialize_partition
    from journeyheal.friction import feature_views

    for hour in range(hours):
        for view in feature_views():
            materialize_partition(con, home, view, T0 + hour * HOUR, T0 + (hour + 1) * HOUR)
