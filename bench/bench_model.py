"""Friction model speed: training on 1M prefixes × 30 features, scoring 1M journeys.

Targets: training < 20 s; the model step of scoring >= 500,000 journeys/s (inplace_predict).
Run: .venv/bin/python bench/bench_model.py [--rows 1000000] [--threads 2] [--rounds 100]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from dataclasses import replace

from models.config import TrainingParams
from models.split import split_by_journey_start
from models.synthetic import SYNTHETIC_FEATURES, synthetic_snapshots
from models.train import train_friction_model

TOTAL_FEATURES = 30
TRAINING_TARGET_S = 20.0
SCORING_TARGET_PER_S = 500_000
SCORING_REPEATS = 3
KIB_PER_GIB = 1024**2


def peak_rss_gib() -> float:
    """Peak resident memory of this process (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / KIB_PER_GIB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--threads", type=int, default=TrainingParams.nthread)
    parser.add_argument(
        "--rounds", type=int, help="boost exactly this many rounds (early stopping never fires)"
    )
    args = parser.parse_args()

    noise = TOTAL_FEATURES - len(SYNTHETIC_FEATURES)
    frame = synthetic_snapshots(args.rows, seed=1, noise_features=noise)
    features = [*SYNTHETIC_FEATURES, *(f"noise_{i}" for i in range(noise))]
    params = replace(TrainingParams(), nthread=args.threads)
    if args.rounds:
        params = replace(params, num_boost_round=args.rounds, early_stopping_rounds=args.rounds)

    # Training: the split, both quantised matrices, boosting with early stopping, calibration.
    started = time.perf_counter()
    split = split_by_journey_start(frame, params.train_share, params.validation_share)
    result = train_friction_model(split.train, split.validation, features, params)
    training_s = time.perf_counter() - started

    # Scoring: the model step only (features in hand), calibrated risk for every row.
    scoring_s = []
    for _ in range(SCORING_REPEATS):
        started = time.perf_counter()
        result.model.predict(frame)
        scoring_s.append(time.perf_counter() - started)
    rate = args.rows / min(scoring_s)

    print(f"command: {' '.join([sys.executable, *sys.argv])}")
    print(
        f"training: {args.rows:,} prefixes × {len(features)} features, {args.threads} threads, "
        f"{result.best_iteration + 1} trees kept: {training_s:.1f} s "
        f"(target < {TRAINING_TARGET_S:.0f} s)"
    )
    print(
        f"scoring (model step, inplace_predict + calibration): {args.rows:,} journeys in "
        f"{min(scoring_s):.2f} s = {rate:,.0f} journeys/s (target >= {SCORING_TARGET_PER_S:,})"
    )
    print(f"peak RSS: {peak_rss_gib():.2f} GiB")
    # Shared machines: a load above the core count slows both figures.
    print(f"load average (1/5/15 min) at the end: {os.getloadavg()}, cores: {os.cpu_count()}")


if __name__ == "__main__":
    main()
