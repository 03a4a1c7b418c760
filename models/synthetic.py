"""Synthetic journey-prefix snapshots with a known abandonment probability (tests, benchmark)."""

from __future__ import annotations

import numpy as np
import pandas as pd

SYNTHETIC_FEATURES = [
    "step_index",
    "elapsed_s",
    "error_count",
    "timeout_count",
    "retry_count",
    "backtrack_count",
    "latency_mean_ms",
    "latency_max_ms",
]
START = pd.Timestamp("2026-01-01T00:00:00Z")
MAX_STEP = 8
# The known log-odds of abandonment; latency enters as log(latency_max / 1 s).
INTERCEPT = -2.2
WEIGHTS = {"error_count": 0.8, "timeout_count": 1.0, "backtrack_count": 0.3}
LATENCY_WEIGHT = 1.2
LATENCY_SCALE_MS = 1000.0


def true_logit(frame: pd.DataFrame) -> np.ndarray:
    """The generating log-odds of each row."""
    logit = np.full(len(frame), INTERCEPT)
    for name, weight in WEIGHTS.items():
        logit += weight * frame[name].to_numpy(dtype=np.float64)
    latency = frame["latency_max_ms"].to_numpy(dtype=np.float64) / LATENCY_SCALE_MS
    return logit + LATENCY_WEIGHT * np.log(latency)


def synthetic_snapshots(rows: int, seed: int = 0, noise_features: int = 0) -> pd.DataFrame:
    """One prefix snapshot per journey, journeys starting one second apart, labels drawn."""
    rng = np.random.default_rng(seed)
    step = rng.integers(1, MAX_STEP + 1, rows)
    errors = rng.poisson(0.15 * step)
    latency_mean = rng.lognormal(np.log(400.0), 0.5, rows)
    frame = pd.DataFrame(
        {
            "snapshot_id": np.arange(rows, dtype=np.int64),
            "journey_id": np.char.add("j", np.arange(rows).astype(str)),
            "customer_id": np.char.add("c", (np.arange(rows) % max(rows // 3, 1)).astype(str)),
            "event_timestamp": START + pd.to_timedelta(np.arange(rows), unit="s"),
            "step_index": step,
            "elapsed_s": step * rng.exponential(40.0, rows),
            "error_count": errors,
            "timeout_count": rng.poisson(0.05 * step),
            "retry_count": errors + rng.poisson(0.1, rows),
            "backtrack_count": rng.poisson(0.1 * step),
            "latency_mean_ms": latency_mean,
            "latency_max_ms": latency_mean * (1.0 + rng.exponential(0.8, rows)),
        }
    )
    for index in range(noise_features):
        frame[f"noise_{index}"] = rng.normal(size=rows)

    frame["p_abandon"] = 1.0 / (1.0 + np.exp(-true_logit(frame)))
    frame["label"] = (rng.random(rows) < frame["p_abandon"]).astype(np.int64)
    frame["minutes_to_outcome"] = rng.exponential(10.0, rows)
    return frame
