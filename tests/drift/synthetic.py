"""Hand-made journey feature windows: a calm mix, and a channel-mix plus latency shift."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from journeyheal.drift.config import DriftConfig

CHANNELS = ("web", "mobile_app", "api", "contact_center")
CALM_MIX = (0.5, 0.3, 0.15, 0.05)
SHIFTED_MIX = (0.2, 0.6, 0.15, 0.05)
CALM_LATENCY_LOG_MEDIAN = 5.5
SHIFTED_LATENCY_LOG_MEDIAN = 6.2
COLUMNS = ("channel", "latency_max_ms", "error_count", "elapsed_s", "steps_reached")


def window(rows: int, seed: int, *, shifted: bool = False) -> pd.DataFrame:
    """One window of feature rows; `shifted` moves the channel mix and the latency."""
    rng = np.random.default_rng(seed)
    latency_median = SHIFTED_LATENCY_LOG_MEDIAN if shifted else CALM_LATENCY_LOG_MEDIAN
    return pd.DataFrame(
        {
            "channel": rng.choice(CHANNELS, rows, p=SHIFTED_MIX if shifted else CALM_MIX),
            "latency_max_ms": rng.lognormal(latency_median, 0.5, rows),
            "error_count": rng.poisson(0.2, rows),
            "elapsed_s": rng.exponential(240.0, rows),
            "steps_reached": rng.integers(1, 9, rows),
        }
    )


def config(**changes: object) -> DriftConfig:
    """Settings for the synthetic windows; fields given override the defaults."""
    settings: dict[str, object] = {"columns": COLUMNS, "min_rows": 50, "sample_size": 5_000}
    return DriftConfig.model_validate(settings | changes)


def feature_table(
    hours: Sequence[datetime], rows_per_hour: int, seed: int, *, shifted: bool = False
) -> pd.DataFrame:
    """journey_prefix_features rows with every configured drift column, per arrival hour."""
    rng = np.random.default_rng(seed)
    frames = []
    for hour in hours:
        frame = window(rows_per_hour, int(rng.integers(1 << 31)), shifted=shifted)
        count = len(frame)
        frame["journey_type"] = rng.choice(["checkout", "onboarding"], count)
        frame["step"] = rng.choice(["cart", "address", "payment", "confirm"], count)
        frame["service"] = rng.choice(["payments", "inventory", None], count)
        for column in EXTRA_COUNTS:
            frame[column] = rng.poisson(0.4, count)
        frame["step_index"] = rng.integers(1, 5, count)
        frame["latency_last_ms"] = frame["latency_max_ms"] * rng.uniform(0.3, 1.0, count)
        frame["latency_mean_ms"] = frame["latency_max_ms"] * rng.uniform(0.5, 1.0, count)
        frame["latency_over_tolerance_share"] = rng.uniform(0, 1, count)
        frame["data_age_max_s"] = np.where(
            rng.random(count) < 0.5, rng.exponential(90, count), None
        )
        frame["time_since_last_event_s"] = rng.exponential(20, count)
        frame["risk"] = rng.beta(2, 8, count)
        frame["partition_hour"] = hour
        minutes = rng.uniform(0, 59.5, count)
        frame["event_timestamp"] = [hour + timedelta(minutes=float(m)) for m in minutes]
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


EXTRA_COUNTS = (
    "timeout_count",
    "retry_count",
    "backtrack_count",
    "repeated_step_count",
    "channel_switches",
)
