"""Time the journey prefix features against a plain DuckDB query over the same Parquet files.

Usage: .venv/bin/python bench/bench_features.py [--events 10000000] [--files 24]
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import resource
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from journeyheal.friction import compute_journey_prefix_features

log = logging.getLogger("bench_features")

EVENTS_PER_JOURNEY = 10
STEPS = np.array(["cart", "address", "payment", "review", "confirm"])
EVENT_TYPES = np.array(["step_view", "api_call", "step_submit", "backtrack", "journey_complete"])
CHANNELS = np.array(["web", "mobile_app", "api", "contact_center", "chat"])
STATUSES = np.array(["ok", "error", "timeout"])
START = datetime(2024, 5, 1, tzinfo=UTC)
MEMORY_LIMIT = "3GB"
MICROS_PER_HOUR = 3_600_000_000

# The same features written the plain way, straight from the files: peer-inclusive RANGE frames
# and distinct counts, one row per (journey, timestamp) by DISTINCT ON.
PLAIN_QUERY = """
CREATE OR REPLACE TABLE plain_prefix AS
WITH flagged AS (
    SELECT *,
        channel <> lag(channel) OVER (PARTITION BY journey_id ORDER BY event_time, event_id)
            AS switched,
        event_type = 'step_view' AND row_number() OVER (
            PARTITION BY journey_id, step, event_type ORDER BY event_time, event_id) > 1
            AS repeated
    FROM read_parquet('{files}')
)
SELECT DISTINCT ON (journey_id, event_time)
    journey_id, event_time AS event_timestamp, customer_id, journey_type, channel, step,
    last_value(service IGNORE NULLS) OVER w AS service,
    last_value(endpoint IGNORE NULLS) OVER w AS endpoint,
    epoch(event_time - min(event_time) OVER w) AS elapsed_s,
    count(DISTINCT step) OVER w AS steps_reached,
    count(DISTINCT step) OVER w AS step_index,
    count(*) FILTER (WHERE status = 'error') OVER w AS error_count,
    count(*) FILTER (WHERE status = 'timeout') OVER w AS timeout_count,
    coalesce(sum(retry_count) OVER w, 0) AS retry_count,
    count(*) FILTER (WHERE event_type = 'backtrack') OVER w AS backtrack_count,
    count(*) FILTER (WHERE repeated) OVER w AS repeated_step_count,
    last_value(latency_ms IGNORE NULLS) OVER w AS latency_last_ms,
    max(latency_ms) OVER w AS latency_max_ms,
    avg(latency_ms) OVER w AS latency_mean_ms,
    avg((latency_ms > 2000)::DOUBLE) OVER w AS latency_over_tolerance_share,
    max(data_age_s) OVER w AS data_age_max_s,
    count(*) FILTER (WHERE switched) OVER w AS channel_switches,
    epoch(event_time - max(event_time) OVER (
        PARTITION BY journey_id ORDER BY event_time
        RANGE BETWEEN UNBOUNDED PRECEDING AND INTERVAL 1 MICROSECOND PRECEDING))
        AS time_since_last_event_s
FROM flagged
WINDOW w AS (PARTITION BY journey_id ORDER BY event_time
             RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
ORDER BY journey_id, event_time, event_id DESC
"""


def _labels(prefix: str, numbers: np.ndarray) -> pa.Array:
    """Strings like "j123" built in Arrow (numpy string ops are far slower)."""
    return pc.binary_join_element_wise(prefix, pc.cast(pa.array(numbers), pa.string()), "")


def generate(folder: Path, n_events: int, n_files: int, seed: int = 0) -> list[Path]:
    """Write n_events synthetic contract events as n_files Parquet files (one per hour)."""
    rng = np.random.default_rng(seed)
    n_journeys = n_events // EVENTS_PER_JOURNEY
    journey = np.repeat(np.arange(n_journeys), EVENTS_PER_JOURNEY)
    position = np.tile(np.arange(EVENTS_PER_JOURNEY), n_journeys)

    # journeys start uniformly over the hours; events ~20 s apart, with some ties
    start_us = rng.integers(0, n_files * MICROS_PER_HOUR, n_journeys)
    gaps = rng.integers(0, 40_000_000, n_journeys * EVENTS_PER_JOURNEY) // 1_000_000 * 1_000_000
    gaps[position == 0] = 0
    offsets = np.cumsum(gaps.reshape(n_journeys, EVENTS_PER_JOURNEY), axis=1).ravel()
    event_us = start_us[journey] + offsets

    kind = rng.choice(4, size=journey.size, p=[0.4, 0.35, 0.2, 0.05])
    kind[position == EVENTS_PER_JOURNEY - 1] = 4
    is_call = kind == 1
    is_view = kind == 0
    step = STEPS[np.minimum(position // 2, STEPS.size - 1)]
    channel = CHANNELS[(journey + (rng.random(journey.size) < 0.02)) % CHANNELS.size]

    table = pa.table(
        {
            "event_id": _labels("e", np.arange(journey.size)),
            "journey_id": _labels("j", journey),
            "customer_id": _labels("c", journey % 100_000),
            "journey_type": pa.array(np.full(journey.size, "checkout")),
            "channel": pa.array(channel),
            "step": pa.array(step),
            "event_type": pa.array(EVENT_TYPES[kind]),
            "service": pa.array(np.where(is_call, "svc-" + step, None)),
            "endpoint": pa.array(np.where(is_call, "call", None)),
            "latency_ms": pa.array(rng.lognormal(6, 1, journey.size), mask=~is_call),
            "status": pa.array(
                np.where(is_call, STATUSES[rng.choice(3, journey.size, p=[0.9, 0.07, 0.03])], None)
            ),
            "retry_count": pa.array(rng.integers(0, 3, journey.size), mask=~is_call),
            "data_age_s": pa.array(rng.exponential(60, journey.size), mask=~is_view),
            "event_time": pa.array(event_us, pa.timestamp("us", tz="UTC")).cast(
                pa.timestamp("us", tz="UTC")
            ),
            "schema_version": pa.array(np.ones(journey.size, dtype=np.int64)),
        }
    )
    base = int(START.timestamp() * 1_000_000)
    table = table.set_column(
        table.schema.get_field_index("event_time"),
        "event_time",
        pa.array(event_us + base, pa.timestamp("us", tz="UTC")),
    )

    # one file per arrival hour, as landing/ holds them
    hour = (event_us // MICROS_PER_HOUR).clip(0, n_files - 1)
    paths = []
    for h in range(n_files):
        path = folder / f"events_{h:02d}.parquet"
        pq.write_table(table.filter(pa.array(hour == h)), path, compression="zstd")
        paths.append(path)
    return paths


def connect() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the benchmark's resource settings."""
    con = duckdb.connect()
    con.execute("SET threads = 2")
    con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    con.execute("SET preserve_insertion_order = false")
    return con


def peak_rss_gb() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def main() -> None:
    """Generate, then time both ways; print seconds, the ratio and peak RSS."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--files", type=int, default=24)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        # generate in a child process so that peak RSS below is the queries' alone
        with multiprocessing.get_context("spawn").Pool(1) as pool:
            pool.apply(generate, (folder, args.events, args.files))
        log.info("generated %d events in %.1f s", args.events, time.perf_counter() - started)
        files = str(folder / "*.parquet")

        con = connect()
        started = time.perf_counter()
        con.execute(PLAIN_QUERY.format(files=files))
        plain_s = time.perf_counter() - started
        plain_rows = con.execute("SELECT count(*) FROM plain_prefix").fetchone()
        con.close()

        con = connect()
        started = time.perf_counter()
        con.execute(f"CREATE VIEW events AS SELECT * FROM read_parquet('{files}')")
        table = compute_journey_prefix_features(con, "events")
        module_s = time.perf_counter() - started
        module_rows = con.execute(f"SELECT count(*) FROM {table}").fetchone()
        con.close()

    log.info("plain query:      %.2f s (%s rows)", plain_s, plain_rows[0] if plain_rows else "?")
    log.info("friction module:  %.2f s (%s rows)", module_s, module_rows[0] if module_rows else "?")
    log.info("ratio module/plain: %.2f", module_s / plain_s)
    log.info("peak RSS: %.2f GB", peak_rss_gb())


if __name__ == "__main__":
    main()
