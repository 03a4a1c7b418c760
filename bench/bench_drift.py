"""Drift check: time on a 1M-row window, agreement with full Evidently runs, false alarms.

Run: .venv/bin/python bench/bench_drift.py [--seeds 10] [--skip-million]. One line per figure.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from journeyheal.drift.config import DriftConfig, load_drift_config
from journeyheal.drift.detect import DriftStatus, detect_drift
from journeyheal.drift.episodes import episodes_to_retrain
from journeyheal.drift.report import column_drifts, run_evidently_drift
from journeyheal.drift.state import WindowStatus
from journeyheal.friction.prefix import compute_journey_prefix_features
from journeyheal.home import Home
from journeyheal.simulator import simulate

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
START = datetime(2026, 1, 5, tzinfo=UTC)
MILLION = 1_000_000
TIME_TARGET_S = 30.0
SYNTHETIC_AGREEMENT_ROWS = 100_000
REFERENCE_HOURS = 24
CALM_HOURS = 48
SHIFT_HOURS = 48
SHIFT_ONSET_HOUR = 36
CALM_SEEDS = 10
WINDOW_HOURS = (1, 3)
# a night hour (fewest rows, noisiest) and an evening peak hour
AGREEMENT_CALM_HOURS = (31, 43)


def synthetic(rows: int, seed: int, columns: Sequence[str], *, shifted: bool) -> pd.DataFrame:
    """Feature-shaped columns: counts, long-tailed latencies, categories; `shifted` moves four."""
    rng = np.random.default_rng(seed)
    frame = {}
    for position, column in enumerate(columns):
        moved = shifted and position % 5 == 0
        if column in {"journey_type", "channel", "step", "service"}:
            mix = [0.2, 0.6, 0.2] if moved else [0.5, 0.3, 0.2]
            frame[column] = rng.choice(["a", "b", "c"], rows, p=mix)
        elif column.endswith("_count") or column in {"steps_reached", "step_index"}:
            frame[column] = rng.poisson(1.5 if moved else 1.0, rows)
        else:
            frame[column] = rng.lognormal(6.3 if moved else 6.0, 0.6, rows)
    return pd.DataFrame(frame)


def time_million(config: DriftConfig) -> None:
    columns = list(config.columns)
    reference = synthetic(MILLION, 1, columns, shifted=False)
    current = synthetic(MILLION, 2, columns, shifted=True)

    started = time.perf_counter()
    result = detect_drift(reference, current, columns, config)
    elapsed = time.perf_counter() - started
    print(
        f"check on {MILLION:,} reference + {MILLION:,} current rows x {len(columns)} columns: "
        f"{elapsed:.2f} s (target < {TIME_TARGET_S:.0f} s), status {result.status.value}, "
        f"{len(result.drifted_columns)} drifted"
    )


def agreement(
    name: str,
    reference: pd.DataFrame,
    current: pd.DataFrame,
    columns: Sequence[str],
    config: DriftConfig,
) -> bool:
    """Sampled check against a full (unsampled) Evidently run: same drifted set, score gaps."""
    check = detect_drift(reference, current, columns, config)
    started = time.perf_counter()
    full = column_drifts(
        run_evidently_drift(reference, current, [f.column for f in check.compared], config)
    )
    evidently_s = time.perf_counter() - started

    ours = {f.column for f in check.compared if f.drifted}
    theirs = {column for column, drift in full.items() if drift.drifted}
    gaps = [
        abs((f.score or 0.0) - full[f.column].score) for f in check.compared if f.column in full
    ]
    same = ours == theirs
    print(
        f"agreement [{name}] {len(reference):,} vs {len(current):,} rows: "
        f"{'AGREE' if same else 'DISAGREE'}; check drifted {sorted(ours)}, "
        f"Evidently drifted {sorted(theirs)}; max score gap {max(gaps):.4f}, "
        f"median {statistics.median(gaps):.4f}; full Evidently run {evidently_s:.1f} s"
    )
    return same


def scenario_features(scenario: str, hours: int, seed: int, workdir: Path) -> pd.DataFrame:
    """Simulate a scenario and compute journey prefix features, with each row's arrival hour."""
    home = Home(workdir / f"{scenario}-{seed}").ensure()
    simulate(home, SCENARIOS / f"{scenario}.yaml", START, hours, seed, reset=True)

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    files = sorted(home.landing.glob("*/*/*.parquet"))
    con.execute(
        "CREATE TABLE validated_journey_events AS "
        "SELECT *, strptime(regexp_extract(filename, '(\\d{4}-\\d{2}-\\d{2}/\\d{2})/', 1), "
        "'%Y-%m-%d/%H')::TIMESTAMPTZ AS partition_hour "
        "FROM read_parquet(?, filename = true)",
        [[str(f) for f in files]],
    )
    compute_journey_prefix_features(con)
    # A prefix row arrives with its event: its arrival hour is that event's landing hour.
    frame = con.execute(
        "SELECT f.*, e.partition_hour FROM journey_prefix_features f "
        "JOIN (SELECT journey_id, event_time, max(partition_hour) AS partition_hour "
        "      FROM validated_journey_events GROUP BY ALL) e "
        "ON f.journey_id = e.journey_id AND f.event_timestamp = e.event_time"
    ).fetchdf()
    con.close()
    return frame


def hours_of(frame: pd.DataFrame, first: int, last: int) -> pd.DataFrame:
    """Rows that arrived from hour `first` (included) to `last` (excluded) after START."""
    start, end = START + timedelta(hours=first), START + timedelta(hours=last)
    return frame[(frame["partition_hour"] >= start) & (frame["partition_hour"] < end)]


def scenario_runs(config: DriftConfig, seeds: int, workdir: Path) -> None:
    columns = list(config.columns)

    shift = scenario_features("channel_shift", SHIFT_HOURS, 7, workdir)
    reference = hours_of(shift, 0, REFERENCE_HOURS)
    for hour in (SHIFT_ONSET_HOUR - 2, SHIFT_ONSET_HOUR + 4, SHIFT_HOURS - 1):
        current = hours_of(shift, hour, hour + 1)
        result = detect_drift(reference, current, columns, config)
        print(
            f"channel_shift hour {hour} (onset {SHIFT_ONSET_HOUR}): {result.status.value}, "
            f"share {result.drift_share:.2f}, drifted {list(result.drifted_columns)}"
        )
        agreement(f"channel_shift hour {hour}", reference, current, columns, config)

    # Windows are keyed by their last hour's start, as the asset keys them by its partition.
    for span in WINDOW_HOURS:
        history = [
            WindowStatus(
                START + timedelta(hours=end - 1),
                detect_drift(reference, hours_of(shift, end - span, end), columns, config).status,
            )
            for end in range(REFERENCE_HOURS + span, SHIFT_HOURS + 1)
        ]
        drifted = [
            int((w.window_start - START).total_seconds() // 3600) + 1
            for w in history
            if w.status is DriftStatus.DRIFTED
        ]
        episodes = episodes_to_retrain(history, config.persistent_windows)
        print(
            f"channel_shift, current window {span} h: windows ending at hours {drifted} drifted; "
            f"{len(episodes)} retraining(s), keys {[e.run_key for e in episodes]}"
        )

    calm_runs(config, seeds, workdir)


def calm_runs(config: DriftConfig, seeds: int, workdir: Path) -> None:
    """Share of calm windows called drifted, and calm episodes that would start a retraining."""
    columns = list(config.columns)
    alarms = dict.fromkeys(WINDOW_HOURS, 0)
    windows = dict.fromkeys(WINDOW_HOURS, 0)
    retrainings = dict.fromkeys(WINDOW_HOURS, 0)
    for seed in range(seeds):
        calm = scenario_features("calm_week", CALM_HOURS, 100 + seed, workdir)
        reference = hours_of(calm, 0, REFERENCE_HOURS)
        if seed == 0:
            for hour in AGREEMENT_CALM_HOURS:
                current = hours_of(calm, hour, hour + 1)
                agreement(f"calm_week hour {hour}", reference, current, columns, config)
        for span in WINDOW_HOURS:
            history = []
            for end in range(REFERENCE_HOURS + span, CALM_HOURS + 1):
                current = hours_of(calm, end - span, end)
                status = detect_drift(reference, current, columns, config).status
                windows[span] += 1
                alarms[span] += status is DriftStatus.DRIFTED
                history.append(WindowStatus(START + timedelta(hours=end - 1), status))
            retrainings[span] += len(episodes_to_retrain(history, config.persistent_windows))
    for span in WINDOW_HOURS:
        print(
            f"calm_week, current window {span} h: {alarms[span]} of {windows[span]} hourly "
            f"checks drifted ({alarms[span] / windows[span]:.1%}); {retrainings[span]} "
            f"retrainings ({config.persistent_windows} drifted windows in a row) over {seeds} seeds"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=CALM_SEEDS)
    parser.add_argument("--skip-million", action="store_true")
    arguments = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    config = load_drift_config()
    print(f"sample size {config.sample_size:,} values per column and window, seed {config.seed}")

    if not arguments.skip_million:
        time_million(config)
    columns = list(config.columns)
    agreement(
        "synthetic",
        synthetic(SYNTHETIC_AGREEMENT_ROWS, 3, columns, shifted=False),
        synthetic(SYNTHETIC_AGREEMENT_ROWS, 4, columns, shifted=True),
        columns,
        config,
    )
    with tempfile.TemporaryDirectory(prefix="bench_drift_") as workdir:
        scenario_runs(config, arguments.seeds, Path(workdir))


if __name__ == "__main__":
    main()
