"""Contract gate plus journey prefix features on N simulated events, against one plain query.

Usage: .venv/bin/python bench/bench_ingest_features.py [--events 10000000] [--hours 40]
       [--repeats 3]

Generates typed Parquet landing files (one arrival-hour folder per hour, the simulator's Arrow
schema) in a child process, then runs side by side, each run in its own child process:
(a) a plain DuckDB query computing the journey-prefix features straight from the Parquet files;
(b) ours: read + validate every hour folder, keep the validated rows, compute
    journey_prefix_features from them.
Prints seconds per stage, the ratio ours/plain, the peak RSS of each child and the load average.
"""

from __future__ import annotations

import argparse
import logging
import os
import resource
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from multiprocessing import get_context
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_features import PLAIN_QUERY, connect

from journeyheal.contract import GateConfig, read_landing_partition, validate_events
from journeyheal.contract.schema import CHANNELS, EVENT_TYPES, STATUSES
from journeyheal.contract.sql import literal
from journeyheal.friction import FrictionConfig, compute_journey_prefix_features
from journeyheal.friction.queries import load_sql
from journeyheal.simulator.output import EVENT_SCHEMA

log = logging.getLogger("bench_ingest_features")

START = datetime(2024, 5, 1, tzinfo=UTC)
HOUR = timedelta(hours=1)
MICROS_PER_SECOND = 1_000_000
MICROS_PER_HOUR = 3600 * MICROS_PER_SECOND
MEAN_EVENTS_PER_JOURNEY = 10
MAX_GAP_S = 40  # whole seconds between events of a journey; 0 makes ties
LATE_SHARE = 0.01  # events arriving in the next hour's folder
DUPLICATE_SHARE = 0.001  # events delivered twice (again in the next hour's folder)
BROKEN_SHARE = 0.001  # api calls with a negative latency: quarantined as out_of_range
STEPS = np.array(["cart", "address", "payment", "review", "confirm"])
# kinds drawn below: view, call, submit, backtrack, complete; as indexes of EVENT_TYPES
KIND_TO_EVENT_TYPE = np.array(
    [
        EVENT_TYPES.index(name)
        for name in ("step_view", "api_call", "step_submit", "backtrack", "journey_complete")
    ]
)
KIB_PER_GIB = 1024**2
VALIDATED = "validated_journey_events"


def _labels(prefix: str, numbers: np.ndarray, width: int = 0) -> pa.Array:
    """Strings like "j00000042" built in Arrow (numpy string ops are far slower)."""
    text = pc.cast(pa.array(numbers), pa.string())
    if width:
        text = pc.utf8_lpad(text, width, "0")
    return pc.binary_join_element_wise(prefix, text, "")


def _pick(values: tuple[str, ...] | np.ndarray, index: np.ndarray, keep: np.ndarray) -> pa.Array:
    """values[index] as Arrow strings, null where keep is false."""
    return pc.take(pa.array(list(values), pa.string()), pa.array(index, mask=~keep))


def _events(n_events: int, hours: int, seed: int) -> tuple[pa.Table, np.ndarray]:
    """The events with the simulator's schema, and the arrival hour of each."""
    rng = np.random.default_rng(seed)
    lengths = 1 + rng.poisson(MEAN_EVENTS_PER_JOURNEY - 1, n_events // MEAN_EVENTS_PER_JOURNEY + 1)
    lengths = lengths[: np.searchsorted(np.cumsum(lengths), n_events) + 1]
    lengths[-1] -= lengths.sum() - n_events
    journey = np.repeat(np.arange(lengths.size), lengths)
    first = np.repeat(np.cumsum(lengths) - lengths, lengths)
    position = np.arange(n_events) - first
    is_last = position == lengths[journey] - 1

    # Journeys start uniformly over the hours; whole-second gaps give some timestamp ties.
    gaps = rng.integers(0, MAX_GAP_S, n_events) * MICROS_PER_SECOND
    gaps[position == 0] = 0
    span = hours * MICROS_PER_HOUR - 600 * MICROS_PER_SECOND
    start = rng.integers(0, span, lengths.size)
    offset = np.cumsum(gaps) - np.repeat(np.cumsum(gaps)[first[position == 0]], lengths)
    event_us = np.minimum(start[journey] + offset, hours * MICROS_PER_HOUR - 1)

    kind = rng.choice(4, size=n_events, p=[0.4, 0.35, 0.2, 0.05])
    kind[is_last] = 4
    is_call, is_view = kind == 1, kind == 0
    step = np.minimum(position // 2, STEPS.size - 1)
    channel = (journey + (rng.random(n_events) < 0.02)) % len(CHANNELS)
    latency = rng.lognormal(6, 1, n_events)
    latency[rng.random(n_events) < BROKEN_SHARE] = -1.0
    status = rng.choice(len(STATUSES), n_events, p=[0.9, 0.07, 0.03])
    service = np.array([f"svc-{name}" for name in STEPS])

    base_us = int(START.timestamp() * MICROS_PER_SECOND)
    columns = [
        _labels("7-", np.arange(n_events)),
        _labels("j", journey, 8),
        _labels("c", journey % 200_000, 6),
        pa.array(np.where(journey % 3 == 0, "onboarding", "checkout")),
        _pick(CHANNELS, channel, np.ones(n_events, bool)),
        _pick(tuple(STEPS), step, np.ones(n_events, bool)),
        _pick(EVENT_TYPES, KIND_TO_EVENT_TYPE[kind], np.ones(n_events, bool)),
        _pick(tuple(service), step, is_call),
        _pick(("call",), np.zeros(n_events, np.int64), is_call),
        pa.array(latency, mask=~is_call),
        _pick(STATUSES, status, is_call),
        pa.array(rng.integers(0, 3, n_events), mask=~is_call),
        pa.array(rng.exponential(60, n_events), mask=~is_view),
        pa.array(event_us + base_us, pa.int64()).cast(EVENT_SCHEMA.field("event_time").type),
        pa.array(np.ones(n_events, np.int64)),
    ]
    table = pa.Table.from_arrays(columns, schema=EVENT_SCHEMA)

    arrival = event_us // MICROS_PER_HOUR + (rng.random(n_events) < LATE_SHARE)
    return table, np.minimum(arrival, hours - 1)


def folder_of(landing: Path, hour: int) -> Path:
    """The arrival-hour folder of landing/ for hour number `hour`."""
    moment = START + hour * HOUR
    return landing / moment.strftime("%Y-%m-%d") / f"{moment.hour:02d}"


def generate(landing: Path, n_events: int, hours: int, seed: int = 7) -> int:
    """Write the events, one Parquet file per arrival hour; returns the rows written."""
    table, arrival = _events(n_events, hours, seed)

    # A few events are delivered again in the next hour's folder.
    rng = np.random.default_rng(seed + 1)
    again = np.flatnonzero(rng.random(table.num_rows) < DUPLICATE_SHARE)
    table = pa.concat_tables([table, table.take(again)])
    arrival = np.concatenate([arrival, np.minimum(arrival[again] + 1, hours - 1)])

    order = np.lexsort((table.column("event_time").to_numpy(), arrival))
    table, arrival = table.take(order), arrival[order]
    bounds = np.searchsorted(arrival, np.arange(hours + 1))
    for hour in range(hours):
        folder = folder_of(landing, hour)
        folder.mkdir(parents=True)
        part = table.slice(bounds[hour], bounds[hour + 1] - bounds[hour])
        pq.write_table(part, folder / "events.parquet", compression="zstd")
    return table.num_rows


@dataclass
class Run:
    """Seconds per stage, rows out and peak RSS of one child run."""

    stages: dict[str, float] = field(default_factory=dict)
    rows: int = 0
    peak_rss_gib: float = 0.0
    load: float = 0.0

    @property
    def total(self) -> float:
        """Seconds of all stages."""
        return sum(self.stages.values())


def _finish(run: Run) -> Run:
    run.peak_rss_gib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / KIB_PER_GIB
    run.load = os.getloadavg()[0]
    return run


def plain(landing: Path, database: Path, legacy: bool) -> Run:
    """(a) One plain query computing the prefix features straight from every Parquet file.

    By default it is the feature SQL itself over read_parquet (no gate, nothing kept); with
    `legacy`, bench_features.PLAIN_QUERY (peer-inclusive RANGE frames and distinct counts).
    """
    con = connect_to(database)
    files = literal(f"{landing}/*/*/*.parquet")
    if legacy:
        sql = PLAIN_QUERY.format(files=f"{landing}/*/*/*.parquet")
        parameters: dict[str, object] = {}
    else:
        slots = {"events": f"read_parquet({files})", "output": "plain_prefix"}
        sql = load_sql("journey_prefix_features").format_map(slots)
        parameters = {"latency_tolerance_ms": FrictionConfig().latency_tolerance_ms}
        parameters["out_start"] = None
    run = Run()
    started = time.perf_counter()
    con.execute(sql, parameters)
    run.stages["plain query"] = time.perf_counter() - started
    ((run.rows,),) = con.execute("SELECT count(*) FROM plain_prefix").fetchall()
    con.close()
    return _finish(run)


def ours(landing: Path, hours: int, database: Path) -> Run:
    """(b) Read + validate each hour folder, keep the validated rows, then prefix features."""
    con = connect_to(database)
    config = GateConfig()
    run = Run(stages=dict.fromkeys(("read", "accepted ids", "validate", "keep validated"), 0.0))
    horizon = config.allowed_lateness + config.clock_skew_tolerance

    for hour in range(hours):
        moment = START + hour * HOUR
        started = time.perf_counter()
        read_landing_partition(con, folder_of(landing, hour), landing_root=landing)
        run.stages["read"] += time.perf_counter() - started

        # Ids accepted by nearby partitions, as the ingest pipeline passes them.
        started = time.perf_counter()
        accepted = None
        if hour:
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE accepted_ids AS SELECT event_id FROM {VALIDATED} "
                "WHERE event_time >= $horizon",
                {"horizon": moment - horizon},
            )
            accepted = "accepted_ids"
        run.stages["accepted ids"] += time.perf_counter() - started

        started = time.perf_counter()
        validate_events(
            con,
            "raw",
            partition_start=moment,
            partition_end=moment + HOUR,
            accepted_ids=accepted,
            config=config,
        )
        run.stages["validate"] += time.perf_counter() - started

        started = time.perf_counter()
        select = "SELECT *, $hour::TIMESTAMPTZ AS partition_hour FROM validated"
        if hour:
            con.execute(f"INSERT INTO {VALIDATED} {select}", {"hour": moment})
        else:
            con.execute(f"CREATE TABLE {VALIDATED} AS {select}", {"hour": moment})
        run.stages["keep validated"] += time.perf_counter() - started

    started = time.perf_counter()
    table = compute_journey_prefix_features(con, VALIDATED)
    run.stages["prefix features"] = time.perf_counter() - started
    ((run.rows,),) = con.execute(f"SELECT count(*) FROM {table}").fetchall()
    con.close()
    return _finish(run)


def connect_to(database: Path) -> duckdb.DuckDBPyConnection:
    """The benchmark connection: in memory unless a database file is given."""
    if database.name == ":memory:":
        con = connect()
        con.execute("SET enable_progress_bar = false")
        return con
    database.unlink(missing_ok=True)
    con = duckdb.connect(str(database))
    settings = (
        "threads = 2",
        "memory_limit = '3GB'",
        "preserve_insertion_order = false",
        "enable_progress_bar = false",
    )
    for setting in settings:
        con.execute(f"SET {setting}")
    return con


def in_child(function, *args) -> Run:
    """Run one measurement in a fresh process, so that its peak RSS is its own."""
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


def _median_run(runs: list[Run]) -> Run:
    return sorted(runs, key=lambda run: run.total)[len(runs) // 2]


def _describe(name: str, runs: list[Run]) -> list[str]:
    best = _median_run(runs)
    totals = ", ".join(f"{run.total:.2f}" for run in runs)
    lines = [
        f"{name}: median {best.total:.2f} s of [{totals}] s, {best.rows:,} rows, "
        f"peak RSS {max(run.peak_rss_gib for run in runs):.2f} GiB, "
        f"load {', '.join(f'{run.load:.1f}' for run in runs)}"
    ]
    lines += [f"    {stage}: {seconds:.2f} s" for stage, seconds in best.stages.items()]
    return lines


def main() -> None:
    """Generate, run (a) and (b) side by side, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--hours", type=int, default=40)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--memory", action="store_true", help="in-memory DuckDB, not a file")
    parser.add_argument("--only", choices=("plain", "ours"), action="append")
    parser.add_argument(
        "--legacy-plain", action="store_true", help="plain = bench_features.PLAIN_QUERY (slow)"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    only = args.only or ["plain", "ours"]

    with tempfile.TemporaryDirectory() as tmp:
        landing = Path(tmp) / "landing"
        database = Path(":memory:") if args.memory else Path(tmp) / "bench.duckdb"
        started = time.perf_counter()
        written = in_child_generate(landing, args.events, args.hours)
        log.info("generated %d rows in %.1f s", written, time.perf_counter() - started)

        results: dict[str, list[Run]] = {}
        for _ in range(args.repeats):
            if "plain" in only:
                run = in_child(plain, landing, database, args.legacy_plain)
                results.setdefault("(a) plain query", []).append(run)
            if "ours" in only:
                run = in_child(ours, landing, args.hours, database)
                results.setdefault("(b) ours: gate + features", []).append(run)

    lines = [f"command: {' '.join([sys.executable, *sys.argv])}"]
    lines += [f"events: {args.events:,} ({written:,} rows with re-deliveries), {args.hours} files"]
    for name, runs in results.items():
        lines += _describe(name, runs)
    if "(a) plain query" in results:
        plain_s = _median_run(results["(a) plain query"]).total
        lines += [
            f"ratio {name.split(':')[0]}/plain: {_median_run(runs).total / plain_s:.2f}"
            for name, runs in results.items()
            if name != "(a) plain query"
        ]
    log.info("\n".join(lines))


def in_child_generate(landing: Path, events: int, hours: int) -> int:
    """Generate in a child process so that no run inherits its memory."""
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        return pool.submit(generate, landing, events, hours).result()


if __name__ == "__main__":
    main()
