"""Time reading and validating N synthetic events written as hourly Parquet files."""

from __future__ import annotations

import argparse
import logging
import resource
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from journeyheal.contract import GateConfig, read_landing_partition, validate_events
from journeyheal.contract.schema import CHANNELS, EVENT_TYPES, STATUSES

DEFAULT_EVENTS = 10_000_000
DEFAULT_EVENTS_PER_HOUR = 250_000
START = datetime(2024, 5, 1, tzinfo=UTC)
HOUR = timedelta(hours=1)
API_CALL = EVENT_TYPES.index("api_call")
MICROS_PER_HOUR = 3_600_000_000
SEED = 7

logger = logging.getLogger("bench_validation")


def _hour_table(rng: np.random.Generator, hour: int, size: int) -> pa.Table:
    """One hour of events with the simulator's Arrow types; a sliver of them broken."""
    ids = np.arange(hour * size, (hour + 1) * size)
    event_type = rng.integers(0, len(EVENT_TYPES), size)
    is_api = event_type == API_CALL
    latency = np.where(is_api, rng.gamma(2.0, 80.0, size), np.nan)
    latency[rng.random(size) < 0.001] = -1.0  # out of range: quarantined
    start_us = int((START + hour * HOUR).timestamp() * 1_000_000)
    times = start_us + rng.integers(0, MICROS_PER_HOUR, size)

    def text(values: np.ndarray) -> pa.Array:
        return pa.array(values.astype(str))

    def masked(values: np.ndarray, keep: np.ndarray) -> pa.Array:
        return pa.array(values, mask=~keep)

    return pa.table(
        {
            "event_id": text(np.char.add("e", ids.astype(str))),
            "journey_id": text(np.char.add("j", (ids // 8).astype(str))),
            "customer_id": text(np.char.add("c", (ids // 20).astype(str))),
            "journey_type": pa.array(["loan_application"] * size),
            "channel": text(np.array(CHANNELS)[rng.integers(0, len(CHANNELS), size)]),
            "step": text(
                np.array(["start", "identity", "offer", "sign"])[rng.integers(0, 4, size)]
            ),
            "event_type": text(np.array(EVENT_TYPES)[event_type]),
            "service": masked(np.full(size, "credit-score"), is_api),
            "endpoint": masked(np.full(size, "/score"), is_api),
            "latency_ms": masked(latency, is_api),
            "status": masked(np.array(STATUSES)[rng.integers(0, len(STATUSES), size)], is_api),
            "retry_count": masked(rng.integers(0, 3, size), is_api),
            "data_age_s": pa.array(rng.random(size) * 60, mask=rng.random(size) > 0.05),
            "event_time": pa.array(times, pa.timestamp("us", tz="UTC")),
            "schema_version": pa.array(np.ones(size, dtype=np.int32)),
        }
    )


def generate(landing: Path, events: int, per_hour: int) -> int:
    """Write the events as one Parquet file per arrival hour; returns the number of hours."""
    rng = np.random.default_rng(SEED)
    hours = -(-events // per_hour)
    for hour in range(hours):
        size = min(per_hour, events - hour * per_hour)
        moment = START + hour * HOUR
        folder = landing / moment.strftime("%Y-%m-%d") / f"{moment.hour:02d}"
        folder.mkdir(parents=True)
        pq.write_table(_hour_table(rng, hour, size), folder / "events.parquet")
    return hours


def run(landing: Path, hours: int) -> tuple[float, float, int]:
    """Read and validate every hour; returns gate seconds, plain-query seconds and rows."""
    con = duckdb.connect()
    config = GateConfig()
    con.execute("CREATE TEMP TABLE accepted (event_id VARCHAR)")

    started = time.perf_counter()
    validated = 0
    for hour in range(hours):
        moment = START + hour * HOUR
        folder = landing / moment.strftime("%Y-%m-%d") / f"{moment.hour:02d}"
        read_landing_partition(con, folder)
        counts = validate_events(
            con,
            "raw",
            partition_start=moment,
            partition_end=moment + HOUR,
            accepted_ids="accepted",
            config=config,
        )
        con.execute("INSERT INTO accepted SELECT event_id FROM validated")
        validated += counts.validated
    gate_seconds = time.perf_counter() - started

    # Baseline: one plain DuckDB aggregate over the same files.
    started = time.perf_counter()
    con.execute(
        f"SELECT event_type, count(*), avg(latency_ms) "
        f"FROM read_parquet('{landing}/*/*/*.parquet') GROUP BY ALL"
    ).fetchall()
    plain_seconds = time.perf_counter() - started
    return gate_seconds, plain_seconds, validated


def main() -> None:
    """Generate, run and print timings."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=DEFAULT_EVENTS)
    parser.add_argument("--events-per-hour", type=int, default=DEFAULT_EVENTS_PER_HOUR)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(message)s")

    with tempfile.TemporaryDirectory() as tmp:
        landing = Path(tmp) / "landing"
        started = time.perf_counter()
        hours = generate(landing, args.events, args.events_per_hour)
        generated = time.perf_counter() - started
        gate, plain, validated = run(landing, hours)

    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines = [
        f"events: {args.events} in {hours} hourly Parquet files (generated in {generated:.1f} s)",
        f"read + validate: {gate:.2f} s, {args.events / gate:,.0f} rows/s, validated {validated}",
        f"plain DuckDB aggregate over the same files: {plain:.2f} s (ratio {gate / plain:.1f}x)",
        f"peak RSS: {peak_mib:,.0f} MiB",
    ]
    # A benchmark script reports on stdout.
    print("\n".join(lines))


if __name__ == "__main__":
    main()
