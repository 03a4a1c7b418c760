"""Feast at 10 million events a day: the hourly online update next to stock `feast materialize`,
a point-in-time join of 1 million entity rows, and online lookup latency.

Run:  .venv/bin/python bench/bench_feast.py            (full size, about 5-10 minutes)
      .venv/bin/python bench/bench_feast.py --quick    (small, to check the script)

Each measurement runs in its own process, so its wall time excludes imports and its peak
memory (the process's high-water RSS, imports included) is its own. Events are synthetic:
journeys of up to nine events over four steps calling a few dozen service endpoints.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

EVENTS_PER_DAY = 10_000_000
HOURS = 3
ENTITY_ROWS = 1_000_000
LOOKUPS = 1_000
BATCH_LOOKUP = 1_000
STOCK_TIMEOUT_S = 300
T0 = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
EVENTS_PER_JOURNEY = 8.5  # mean of the template below, abandonment included
TARGETS = {
    "online_update_s": 15.0,
    "online_update_peak_mb": 2048.0,
    "pit_s": 3.0,
    "lookup_p99_ms": 5.0,
}

EVENTS_SQL = """
CREATE OR REPLACE TABLE validated_journey_events AS
WITH journeys AS (
    SELECT
        'j' || i AS journey_id,
        'c' || (hash(i) % $customers) AS customer_id,
        CASE WHEN i % 3 = 0 THEN 'signup' ELSE 'checkout' END AS journey_type,
        CASE WHEN i % 4 = 0 THEN 'mobile_app' ELSE 'web' END AS channel,
        $start::TIMESTAMPTZ + to_microseconds((random() * $span_us)::BIGINT) AS started,
        20 + random() * 100 AS gap_s,
        CASE WHEN random() < 0.15 THEN (random() * 8)::INTEGER ELSE 8 END AS last_slot
    FROM range($journeys) AS t(i)
),
slots AS (
    SELECT * FROM (VALUES
        (0, 'step_view', 'landing'), (1, 'api_call', 'landing'), (2, 'step_view', 'details'),
        (3, 'api_call', 'details'), (4, 'backtrack', 'details'), (5, 'step_view', 'payment'),
        (6, 'api_call', 'payment'), (7, 'step_view', 'confirm'), (8, 'journey_complete', 'confirm')
    ) AS s(slot, event_type, step)
)
SELECT
    j.journey_id || '-' || s.slot AS event_id,
    j.journey_id, j.customer_id, j.journey_type, j.channel, s.step, s.event_type,
    CASE WHEN s.event_type = 'api_call'
        THEN 'svc' || (hash(j.journey_type || s.step) % 12) END AS service,
    CASE WHEN s.event_type = 'api_call' THEN 'ep' || (hash(j.journey_id) % 3) END AS endpoint,
    CASE WHEN s.event_type = 'api_call' THEN 50 + random() * 3000 END AS latency_ms,
    CASE WHEN s.event_type <> 'api_call' THEN NULL
        WHEN random() < 0.05 THEN 'error' WHEN random() < 0.03 THEN 'timeout'
        ELSE 'ok' END AS status,
    CASE WHEN s.event_type = 'api_call' THEN (random() < 0.1)::BIGINT END AS retry_count,
    CASE WHEN s.event_type = 'step_view' THEN random() * 60 END AS data_age_s,
    j.started + to_microseconds((s.slot * j.gap_s * 1000000)::BIGINT) AS event_time,
    1::BIGINT AS schema_version
FROM journeys AS j JOIN slots AS s ON s.slot <= j.last_slot
-- a journey that backtracks only sometimes
WHERE s.event_type <> 'backtrack' OR hash(j.journey_id) % 5 = 0
"""


def peak_mb() -> float:
    """This process's high-water resident memory, MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def partition_end(hours: int) -> datetime:
    return T0 + timedelta(hours=hours)


# --- stages, each run in its own process -------------------------------------------------


def stage_prepare(home_root: Path, events_per_day: int, hours: int) -> dict[str, Any]:
    """Events for `hours` hours (plus one hour of history), feature partitions, feast apply."""
    import duckdb

    from journeyheal.featurestore import apply_repository, materialize_partition
    from journeyheal.friction import feature_views
    from journeyheal.home import Home

    home = Home(home_root).ensure()
    journeys = int(events_per_day / 24 * (hours + 1) / EVENTS_PER_JOURNEY)
    con = duckdb.connect(str(home.warehouse))
    con.execute("SET TimeZone = 'UTC'")
    started = time.perf_counter()
    con.execute(
        EVENTS_SQL,
        {
            "customers": max(journeys // 3, 1),
            "journeys": journeys,
            "start": T0 - timedelta(hours=1),
            "span_us": (hours + 1) * 3600 * 1_000_000,
        },
    )
    generated = time.perf_counter() - started
    events = con.execute("SELECT count(*) FROM validated_journey_events").fetchone()

    partitions = []
    for hour in range(-1, hours):
        started = time.perf_counter()
        for view in feature_views():
            start = T0 + timedelta(hours=hour)
            materialize_partition(con, home, view, start, start + timedelta(hours=1))
        partitions.append(time.perf_counter() - started)
    prefix_rows = con.execute("SELECT count(*) FROM journey_prefix_features").fetchone()
    con.close()

    apply_repository(home)
    return {
        "events": events[0] if events else 0,
        "journeys": journeys,
        "generate_s": generated,
        "partition_s_each_hour": partitions,
        "prefix_rows": prefix_rows[0] if prefix_rows else 0,
    }


def stage_online_update(home_root: Path, hours: int) -> dict[str, Any]:
    """journeyheal's hourly update: in-flight journeys and current rows, batched writes."""
    import duckdb

    from journeyheal.featurestore import feature_store, update_online_store
    from journeyheal.home import Home

    home = Home(home_root)
    feature_store(home).list_feature_views()  # load the registry outside the timing
    before = peak_mb()
    con = duckdb.connect(str(home.warehouse), read_only=True)
    con.execute("SET TimeZone = 'UTC'")
    started = time.perf_counter()
    update = update_online_store(home, con, partition_end(hours))
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "rows": update.rows,
        "batches": update.batches,
        "peak_mb_before": before,
        "peak_mb": peak_mb(),
    }


def stage_stock_materialize(home_root: Path, hours: int) -> dict[str, Any]:
    """Stock `feast materialize` of the last hour for every view (same source rows)."""
    from journeyheal.featurestore import feature_store
    from journeyheal.home import Home

    store = feature_store(Home(home_root))
    store.list_feature_views()
    end = partition_end(hours)
    started = time.perf_counter()
    store.materialize(start_date=end - timedelta(hours=1), end_date=end)
    return {"seconds": time.perf_counter() - started, "peak_mb": peak_mb()}


def stage_pit(home_root: Path, entity_rows: int, engine: str) -> dict[str, Any]:
    """Point-in-time join of `entity_rows` prefix snapshots through friction_model_v1."""
    import duckdb

    from journeyheal.featurestore import feature_store, historical_features
    from journeyheal.home import Home

    home = Home(home_root)
    con = duckdb.connect(str(home.warehouse), read_only=True)
    con.execute("SET TimeZone = 'UTC'")
    entity_df = con.execute(
        "SELECT journey_id || '@' || epoch_us(event_timestamp) AS snapshot_id, journey_id, "
        "customer_id, journey_type, step, service, endpoint, event_timestamp "
        f"FROM journey_prefix_features USING SAMPLE reservoir({int(entity_rows)} ROWS) "
        "REPEATABLE (7)"
    ).df()
    con.close()
    feature_store(home).list_feature_views()
    before = peak_mb()

    started = time.perf_counter()
    training = historical_features(home, entity_df, engine=engine)  # type: ignore[arg-type]
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "rows": len(training),
        "columns": training.shape[1],
        "peak_mb_before": before,
        "peak_mb": peak_mb(),
    }


def stage_lookup(home_root: Path, hours: int) -> dict[str, Any]:
    """Latency of online lookups of journeys in flight: one at a time, and a batch."""
    import duckdb

    from journeyheal.featurestore import (
        FEATURE_SERVICE,
        feature_store,
        online_feature_values,
        online_features,
        online_features_for_journeys,
    )
    from journeyheal.home import Home

    home = Home(home_root)
    end = partition_end(hours)
    con = duckdb.connect(str(home.warehouse), read_only=True)
    con.execute("SET TimeZone = 'UTC'")
    rows = con.execute(
        "SELECT journey_id, customer_id, journey_type, step, service, endpoint "
        "FROM journey_prefix_features WHERE event_timestamp > $end - INTERVAL 10 MINUTES "
        "AND event_timestamp <= $end AND service IS NOT NULL "
        "QUALIFY row_number() OVER (PARTITION BY journey_id ORDER BY event_timestamp DESC) = 1 "
        "LIMIT $n",
        {"end": end, "n": max(LOOKUPS, BATCH_LOOKUP)},
    ).df()
    con.close()
    entity_rows = rows.to_dict("records")
    store = feature_store(home)
    service = store.get_feature_service(FEATURE_SERVICE)

    def timed(call: Any) -> list[float]:
        call(0)  # warm-up: registry and connection
        samples = []
        for i in range(LOOKUPS):
            started = time.perf_counter()
            call(i % len(entity_rows))
            samples.append((time.perf_counter() - started) * 1000)
        return samples

    raw = timed(
        lambda i: store.get_online_features(
            features=service, entity_rows=[entity_rows[i]]
        ).to_dict()
    )
    keyed = timed(lambda i: online_feature_values(home, [entity_rows[i]], as_of=end))
    by_journey = timed(
        lambda i: online_features_for_journeys(home, [entity_rows[i]["journey_id"]], as_of=end)
    )

    batch = entity_rows[:BATCH_LOOKUP]
    started = time.perf_counter()
    online_features(home, batch, as_of=end)
    batch_ms = (time.perf_counter() - started) * 1000
    return {
        "raw_get_online_features": quantiles(raw),
        "online_feature_values_one_row": quantiles(keyed),
        "online_features_for_journeys": quantiles(by_journey),
        "batch_rows": len(batch),
        "batch_ms": batch_ms,
    }


def quantiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": statistics.median(ordered),
        "p99_ms": ordered[int(len(ordered) * 0.99) - 1],
    }


# --- driver ------------------------------------------------------------------------------


def run_stage(name: str, args: list[str], timeout: float | None = None) -> dict[str, Any]:
    """Run one stage in a fresh interpreter; its last output line is its JSON result."""
    command = [sys.executable, __file__, "--stage", name, *args]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, check=False, cwd=ROOT
        )
    except subprocess.TimeoutExpired:
        return {"error": f"stopped at the {timeout:.0f} s cap"}
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr else "failed"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="100x smaller, to check the script")
    parser.add_argument("--stage", help=argparse.SUPPRESS)
    parser.add_argument("--home", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--events-per-day", type=int, default=EVENTS_PER_DAY)
    parser.add_argument("--hours", type=int, default=HOURS)
    parser.add_argument("--entity-rows", type=int, default=ENTITY_ROWS)
    args = parser.parse_args()
    if args.quick:
        args.events_per_day //= 100
        args.entity_rows //= 100

    if args.stage:
        stages = {
            "prepare": lambda: stage_prepare(args.home, args.events_per_day, args.hours),
            "online-update": lambda: stage_online_update(args.home, args.hours),
            "stock-materialize": lambda: stage_stock_materialize(args.home, args.hours),
            "pit": lambda: stage_pit(args.home, args.entity_rows, "duckdb"),
            "pit-feast": lambda: stage_pit(args.home, args.entity_rows, "feast"),
            "lookup": lambda: stage_lookup(args.home, args.hours),
        }
        print(json.dumps(stages[args.stage](), default=str))
        return

    command = " ".join(["python bench/bench_feast.py", *sys.argv[1:]])
    with tempfile.TemporaryDirectory(prefix="bench_feast_") as folder:
        home = Path(folder) / "home"
        common = [
            "--home", str(home), "--hours", str(args.hours),
            "--events-per-day", str(args.events_per_day), "--entity-rows", str(args.entity_rows),
        ]  # fmt: skip
        results = {"prepare": run_stage("prepare", common)}
        results["online_update"] = run_stage("online-update", common)
        results["lookup"] = run_stage("lookup", common)
        results["stock_materialize"] = run_stage("stock-materialize", common, STOCK_TIMEOUT_S)
        results["pit"] = run_stage("pit", common)
        results["pit_feast"] = run_stage("pit-feast", common, STOCK_TIMEOUT_S)
    report(command, args, results)


def report(command: str, args: argparse.Namespace, results: dict[str, dict[str, Any]]) -> None:
    """Print the figures, each next to its target."""
    print(f"$ {command}")
    print(f"load: {args.events_per_day:,} events/day; hours simulated: {args.hours} (+1 history)")
    for name, result in results.items():
        print(f"{name}: {json.dumps(result, default=str)}")

    update, pit, lookup = results["online_update"], results["pit"], results["lookup"]
    if "error" not in update:
        print(
            f"hourly online update: {update['seconds']:.2f} s (target < "
            f"{TARGETS['online_update_s']:.0f} s), peak {update['peak_mb']:.0f} MB (target < "
            f"{TARGETS['online_update_peak_mb']:.0f} MB), rows {sum(update['rows'].values()):,}"
        )
    stock = results["stock_materialize"]
    print(f"stock feast materialize of the last hour (cap {STOCK_TIMEOUT_S} s): {stock}")
    if "error" not in pit:
        print(
            f"point-in-time join (DuckDB ASOF over the Feast sources): {pit['rows']:,} rows in "
            f"{pit['seconds']:.2f} s (target < {TARGETS['pit_s']:.0f} s), "
            f"peak {pit['peak_mb']:.0f} MB"
        )
    print(f"point-in-time join through Feast get_historical_features: {results['pit_feast']}")
    if "error" not in lookup:
        one = lookup["online_feature_values_one_row"]
        print(
            f"online lookup of one journey (keys known): p50 {one['p50_ms']:.2f} ms, "
            f"p99 {one['p99_ms']:.2f} ms "
            f"(target p99 < {TARGETS['lookup_p99_ms']:.0f} ms); batch of {lookup['batch_rows']}: "
            f"{lookup['batch_ms']:.1f} ms"
        )


if __name__ == "__main__":
    main()
