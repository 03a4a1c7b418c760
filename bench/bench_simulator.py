"""Benchmark the simulator: events per second and minute, and peak RSS.

Run: .venv/bin/python bench/bench_simulator.py [--hours 6] [--scale 10]
The default scenario's arrival rate is multiplied by --scale into a temporary copy.
"""

from __future__ import annotations

import argparse
import logging
import resource
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import yaml

from journeyheal.home import Home
from journeyheal.simulator import simulate

logger = logging.getLogger("bench_simulator")

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "payment_incident.yaml"
START = datetime(2025, 1, 6, tzinfo=UTC)
SECONDS_PER_MINUTE = 60
KIB_PER_MIB = 1024


def main() -> None:
    """Simulate a scaled-up default scenario into a temporary home and report throughput."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hours", type=int, default=6)
    parser.add_argument("--scale", type=float, default=10.0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    with tempfile.TemporaryDirectory() as folder:
        data = yaml.safe_load(SCENARIO.read_text(encoding="utf-8"))
        data["arrivals"]["base_per_hour"] *= args.scale
        data["customers"] = int(data["customers"] * args.scale)
        scenario = Path(folder) / "bench.yaml"
        scenario.write_text(yaml.safe_dump(data), encoding="utf-8")

        began = time.perf_counter()
        summary = simulate(Home(Path(folder) / "home"), scenario, START, args.hours)
        elapsed = time.perf_counter() - began

    per_second = summary.events_written / elapsed
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / KIB_PER_MIB
    logger.info(
        "hours=%d scale=%.1f journeys=%d events=%d seconds=%.2f events/s=%.0f "
        "events/min=%.0f peak_rss_mib=%.0f",
        summary.hours,
        args.scale,
        summary.journeys_started,
        summary.events_written,
        elapsed,
        per_second,
        per_second * SECONDS_PER_MINUTE,
        peak_mib,
    )


if __name__ == "__main__":
    main()
