"""Arrow schemas of the files the simulator writes, and deterministic Parquet writing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from journeyheal.simulator.conditions import HourConditions
from journeyheal.simulator.engine import EVENT_TYPES, journey_ids
from journeyheal.simulator.scenario import CHANNELS
from journeyheal.simulator.state import Columns
from journeyheal.simulator.step import STATUSES
from journeyheal.simulator.tables import NO_INDEX, Tables

SCHEMA_VERSION = 1
COMPRESSION = "zstd"
COMPRESSION_LEVEL = 3
TIMESTAMP = pa.timestamp("us", tz="UTC")

EVENT_SCHEMA = pa.schema(
    [
        ("event_id", pa.string()),
        ("journey_id", pa.string()),
        ("customer_id", pa.string()),
        ("journey_type", pa.string()),
        ("channel", pa.string()),
        ("step", pa.string()),
        ("event_type", pa.string()),
        ("service", pa.string()),
        ("endpoint", pa.string()),
        ("latency_ms", pa.float64()),
        ("status", pa.string()),
        ("retry_count", pa.int64()),
        ("data_age_s", pa.float64()),
        ("event_time", TIMESTAMP),
        ("schema_version", pa.int64()),
    ]
)
TRUTH_SCHEMA = pa.schema(
    [
        ("journey_id", pa.string()),
        ("step", pa.string()),
        ("step_index", pa.int64()),
        ("event_time", TIMESTAMP),
        ("hazard", pa.float64()),
        ("p_abandon", pa.float64()),
        ("faults", pa.string()),
        ("flags", pa.string()),
    ]
)
JOURNEY_SCHEMA = pa.schema(
    [
        ("journey_id", pa.string()),
        ("customer_id", pa.string()),
        ("journey_type", pa.string()),
        ("channel", pa.string()),
        ("start_time", TIMESTAMP),
        ("end_time", TIMESTAMP),
        ("outcome", pa.string()),
        ("abandon_step", pa.string()),
    ]
)


def _names(names: list[str] | tuple[str, ...], index: np.ndarray) -> pa.Array:
    """Strings looked up by index; NO_INDEX becomes null."""
    indices = pa.array(index, type=pa.int64(), mask=index == NO_INDEX)
    return pc.take(pa.array(list(names), type=pa.string()), indices)


def _nullable(values: np.ndarray, null: np.ndarray) -> pa.Array:
    return pa.array(values, mask=null)


def _times(values: np.ndarray) -> pa.Array:
    return pa.array(values, type=pa.int64()).cast(TIMESTAMP)


def _customer_ids(numbers: np.ndarray) -> list[str]:
    return [f"c{number:06d}" for number in numbers.tolist()]


def event_table(tables: Tables, seed: int, events: Columns) -> pa.Table:
    """Events in the journey event contract v1."""
    event_ids = [
        f"{seed}-{hour}-{seq}"
        for hour, seq in zip(events["gen_hour"].tolist(), events["seq"].tolist(), strict=True)
    ]
    n = len(event_ids)
    columns = [
        pa.array(event_ids, type=pa.string()),
        pa.array(journey_ids(events["journey"]), type=pa.string()),
        pa.array(_customer_ids(events["customer"]), type=pa.string()),
        _names(tables.type_names, events["jtype"]),
        _names(CHANNELS, events["channel"]),
        _names(tables.step_names, events["step"]),
        _names(EVENT_TYPES, events["etype"]),
        _names(tables.services, events["service"]),
        _names(tables.endpoints, events["endpoint"]),
        _nullable(events["latency_ms"], np.isnan(events["latency_ms"])),
        _names(STATUSES, events["status"]),
        _nullable(events["retry"], events["retry"] == NO_INDEX),
        _nullable(events["data_age_s"], np.isnan(events["data_age_s"])),
        _times(events["time_us"]),
        pa.array(np.full(n, SCHEMA_VERSION), type=pa.int64()),
    ]
    return pa.Table.from_arrays(columns, schema=EVENT_SCHEMA)


def truth_table(tables: Tables, cond: HourConditions, truth: Columns) -> pa.Table:
    """One row per journey step reached this hour, with the true hazards."""
    columns = [
        pa.array(journey_ids(truth["journey"]), type=pa.string()),
        _names(tables.step_names, truth["step"]),
        pa.array(tables.step_index[truth["step"]], type=pa.int64()),
        _times(truth["time_us"]),
        pa.array(truth["hazard"], type=pa.float64()),
        pa.array(truth["p_abandon"], type=pa.float64()),
        _names(cond.step_faults, truth["step"]),
        _names(cond.combo_flags, truth["combo"]),
    ]
    return pa.Table.from_arrays(columns, schema=TRUTH_SCHEMA)


def journey_table(tables: Tables, ends: Columns) -> pa.Table:
    """One row per journey that ended this hour."""
    outcome = np.where(ends["abandoned"], 1, 0)
    columns = [
        pa.array(journey_ids(ends["journey"]), type=pa.string()),
        pa.array(_customer_ids(ends["customer"]), type=pa.string()),
        _names(tables.type_names, ends["jtype"]),
        _names(CHANNELS, ends["channel"]),
        _times(ends["start_us"]),
        _times(ends["end_us"]),
        _names(("completed", "abandoned"), outcome),
        _names(tables.step_names, ends["abandon_step"]),
    ]
    return pa.Table.from_arrays(columns, schema=JOURNEY_SCHEMA)


def write_parquet(table: pa.Table, path: Path) -> Path:
    """Write with fixed settings and no wall-clock metadata, via a temporary file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    pq.write_table(
        table,
        tmp,
        compression=COMPRESSION,
        compression_level=COMPRESSION_LEVEL,
        write_statistics=True,
        store_schema=True,
    )
    tmp.replace(path)
    return path
