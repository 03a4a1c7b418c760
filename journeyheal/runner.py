"""Run the pipeline's jobs for a range of hourly partitions on a home's Dagster instance."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from journeyheal.home import Home

INSTANCE_TEMPLATE = Path(__file__).resolve().parent.parent / "dagster.yaml"
HOUR = timedelta(hours=1)
PARTITION_FORMAT = "%Y-%m-%d-%H:%M"
# Assets' own log lines and warnings on the console; the engine's DEBUG events stay in the
# run's event log, where the Dagster UI shows them.
QUIET_RUN_CONFIG = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}


@dataclass
class RunSummary:
    """What one `journeyheal run` did, printable for a person."""

    partitions: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    jobs: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def __str__(self) -> str:
        span = f"{self.partitions[0]} .. {self.partitions[-1]}" if self.partitions else "none"
        lines = [
            f"ran {len(self.jobs)} job runs over {len(self.partitions)} hourly partitions "
            f"({span}) in {self.seconds:.1f} s",
        ]
        if self.failed:
            lines.append(f"FAILED: {', '.join(self.failed)}")
        return "\n".join(lines)


def prepare_instance_home(home: Home) -> Path:
    """DAGSTER_HOME inside the journeyheal home, with the project's dagster.yaml."""
    home.dagster.mkdir(parents=True, exist_ok=True)
    target = home.dagster / "dagster.yaml"
    if not target.exists():
        shutil.copyfile(INSTANCE_TEMPLATE, target)
    return home.dagster


def landed_hours(home: Home) -> list[datetime]:
    """Arrival hours that have a landing folder, oldest first."""
    from datetime import UTC

    hours = []
    for folder in sorted(home.landing.glob("*/*")):
        if folder.is_dir():
            day, hour = folder.parent.name, folder.name
            hours.append(datetime.strptime(f"{day} {hour}", "%Y-%m-%d %H").replace(tzinfo=UTC))
    return hours


def hours_between(first: datetime, last: datetime) -> list[datetime]:
    """Every hour from first to last inclusive."""
    if last < first:
        raise ValueError(f"--to {last:%Y-%m-%dT%H:%MZ} is before --from {first:%Y-%m-%dT%H:%MZ}")
    count = int((last - first) / HOUR) + 1
    return [first + i * HOUR for i in range(count)]


def run_pipeline(
    home: Home,
    first: datetime | None,
    last: datetime | None,
    echo: Callable[[str], None],
) -> RunSummary:
    """Set up the feature store, run the hourly ingest, train, then the hourly remediation."""
    from dagster import DagsterInstance

    from pipelines.definitions import build_definitions
    from pipelines.jobs import FEATURE_STORE_JOB, HOURLY_JOB, REMEDIATION_JOB, TRAINING_JOB

    started = time.perf_counter()
    os.environ["DAGSTER_HOME"] = str(prepare_instance_home(home))
    instance = DagsterInstance.get()
    defs = build_definitions(home)
    summary = RunSummary()

    def execute(job_name: str, key: str | None, label: str) -> bool:
        tick = time.perf_counter()
        job = defs.resolve_job_def(job_name)
        result = job.execute_in_process(
            run_config=QUIET_RUN_CONFIG,
            partition_key=key,
            instance=instance,
            raise_on_error=False,
        )
        summary.jobs.append(job_name)
        if not result.success:
            summary.failed.append(f"{job_name}[{key}]" if key else job_name)
        status = "ok" if result.success else "FAILED"
        echo(f"{label} {job_name} {key or ''} {status} ({time.perf_counter() - tick:.1f} s)")
        return result.success

    # Step 1: pick the partitions, by default every hour that has landed files.
    landed = landed_hours(home)
    if not landed and (first is None or last is None):
        raise ValueError(f"no landing folders under {home.landing}: run `journeyheal simulate`")
    hours = hours_between(
        (first or landed[0]).replace(minute=0, second=0, microsecond=0),
        (last or landed[-1]).replace(minute=0, second=0, microsecond=0),
    )
    keys = [hour.strftime(PARTITION_FORMAT) for hour in hours]
    summary.partitions = keys

    # Step 2: the Feast registry, then ingest and features hour by hour, oldest first.
    execute(FEATURE_STORE_JOB, None, "[setup]")
    for number, key in enumerate(keys, start=1):
        execute(HOURLY_JOB, key, f"[ingest {number}/{len(keys)}]")

    # Step 3: a challenger on the point-in-time training set; promoted only through its gate.
    execute(TRAINING_JOB, None, "[train]")

    # Step 4: scoring, drift watch and repair recommendations, hour by hour.
    for number, key in enumerate(keys, start=1):
        execute(REMEDIATION_JOB, key, f"[remediate {number}/{len(keys)}]")

    summary.seconds = time.perf_counter() - started
    return summary
