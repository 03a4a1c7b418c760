"""Hand-made events and landing files for the contract tests."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

PARTITION_START = datetime(2024, 5, 1, 10, tzinfo=UTC)
PARTITION_END = PARTITION_START + timedelta(hours=1)

Event = dict[str, Any]


def good_event(event_id: str = "e1", **changes: Any) -> Event:
    """One valid api_call event inside the 10:00 partition; keyword arguments override fields."""
    event: Event = {
        "event_id": event_id,
        "journey_id": "j1",
        "customer_id": "c1",
        "journey_type": "loan_application",
        "channel": "web",
        "step": "identity",
        "event_type": "api_call",
        "service": "kyc",
        "endpoint": "/verify",
        "latency_ms": 120.5,
        "status": "ok",
        "retry_count": 0,
        "data_age_s": None,
        "event_time": "2024-05-01T10:15:00Z",
        "schema_version": 1,
    }
    event.update(changes)
    return event


def write_jsonl(path: Path, events: list[Event]) -> Path:
    path.write_text("".join(json.dumps(event) + "\n" for event in events))
    return path


def write_csv(path: Path, events: list[Event]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(events[0]))
        writer.writeheader()
        writer.writerows(events)
    return path


def write_parquet(path: Path, events: list[Event]) -> Path:
    """Events with the simulator's Arrow types: tz-aware event_time, typed numbers."""
    table = pa.Table.from_pylist(events)
    index = table.schema.get_field_index("event_time")
    if index >= 0:  # a file may leave the column out, to test the contract
        times = [datetime.fromisoformat(e["event_time"]) for e in events]
        table = table.set_column(index, "event_time", pa.array(times, pa.timestamp("us", tz="UTC")))
    pq.write_table(table, path)
    return path
