"""Build tiny validated-event tables by hand for the friction tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import duckdb
import pandas as pd

T0 = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)

COLUMNS = {
    "event_id": "VARCHAR",
    "journey_id": "VARCHAR",
    "customer_id": "VARCHAR",
    "journey_type": "VARCHAR",
    "channel": "VARCHAR",
    "step": "VARCHAR",
    "event_type": "VARCHAR",
    "service": "VARCHAR",
    "endpoint": "VARCHAR",
    "latency_ms": "DOUBLE",
    "status": "VARCHAR",
    "retry_count": "BIGINT",
    "data_age_s": "DOUBLE",
    "event_time": "TIMESTAMPTZ",
    "schema_version": "BIGINT",
    "source_file": "VARCHAR",
    "source_row": "BIGINT",
    "extra": "VARCHAR",
    "is_late": "BOOLEAN",
    "partition_hour": "TIMESTAMPTZ",
}


@dataclass(frozen=True)
class Ev:
    """One event, `at` seconds after T0."""

    event_id: str
    journey_id: str
    at: float
    event_type: str
    step: str
    customer_id: str = "c1"
    journey_type: str = "checkout"
    channel: str = "web"
    service: str | None = None
    endpoint: str | None = None
    latency_ms: float | None = None
    status: str | None = None
    retry_count: int | None = None
    data_age_s: float | None = None


def call(
    event_id: str,
    journey_id: str,
    at: float,
    step: str,
    latency_ms: float,
    status: str = "ok",
    retry_count: int = 0,
    service: str = "pricing",
    endpoint: str = "quote",
    **kwargs: str,
) -> Ev:
    """An api_call event."""
    return Ev(
        event_id,
        journey_id,
        at,
        "api_call",
        step,
        service=service,
        endpoint=endpoint,
        latency_ms=latency_ms,
        status=status,
        retry_count=retry_count,
        **kwargs,
    )


def at(seconds: float) -> datetime:
    """T0 plus `seconds`."""
    return T0 + timedelta(seconds=seconds)


def load_events(con: duckdb.DuckDBPyConnection, events: list[Ev], name: str = "events") -> str:
    """Create table `name` with the validated contract columns holding `events`."""
    rows = []
    for n, ev in enumerate(events, start=1):
        event_time = at(ev.at)
        rows.append(
            {
                **{key: getattr(ev, key) for key in COLUMNS if hasattr(ev, key)},
                "event_time": event_time,
                "schema_version": 1,
                "source_file": "hand.parquet",
                "source_row": n,
                "extra": None,
                "is_late": False,
                "partition_hour": event_time.replace(minute=0, second=0, microsecond=0),
            }
        )
    frame = pd.DataFrame(rows, columns=list(COLUMNS))  # noqa: F841 (read by DuckDB below)
    casts = ", ".join(f"CAST({column} AS {dtype}) AS {column}" for column, dtype in COLUMNS.items())
    con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT {casts} FROM frame")
    return name


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, object]]:
    """Result of `sql` as a list of dicts."""
    result = con.execute(sql)
    names = [column[0] for column in result.description]
    return [dict(zip(names, row, strict=True)) for row in result.fetchall()]


def rewrite_future(events: list[Ev], cut: float) -> list[Ev]:
    """Events up to `cut` unchanged; every later one altered, and new later events added."""
    kept = [ev for ev in events if ev.at <= cut]
    later = [
        Ev(
            ev.event_id, ev.journey_id, ev.at, ev.event_type, f"{ev.step}-x", ev.customer_id,
            ev.journey_type, "chat", "other-svc", "other-ep",
            None if ev.latency_ms is None else ev.latency_ms * 7 + 1, "timeout", 9, 999.0,
        )
        for ev in events
        if ev.at > cut
    ]  # fmt: skip
    journeys = sorted({(ev.journey_id, ev.customer_id, ev.step) for ev in kept})
    added = [
        event
        for n, (journey, customer, step) in enumerate(journeys)
        for event in (
            call(f"n{n}a", journey, cut + 1, step, 9999.0, "error", 5, customer_id=customer),
            Ev(f"n{n}b", journey, cut + 0.5, "backtrack", step, customer_id=customer),
            Ev(f"n{n}c", journey, cut + 2, "journey_complete", step, customer_id=customer),
            Ev(f"n{n}d", f"new-{journey}", cut + 1, "step_view", step, customer_id=customer),
        )
    ]
    return kept + later + added
