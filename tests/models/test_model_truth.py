"""Ground truth joins each snapshot to the journey's latest truth row at or before it."""

from __future__ import annotations

import math

import pandas as pd

from journeyheal.home import Home
from models.truth import join_truth, read_truth


def stamp(text: str) -> pd.Timestamp:
    return pd.Timestamp(f"2026-01-01T{text}Z")


def test_snapshot_takes_the_latest_truth_not_after_it(home: Home) -> None:
    folder = home.truth / "2026-01-01" / "05"
    folder.mkdir(parents=True)
    pd.DataFrame(
        {
            "journey_id": ["a", "a", "b"],
            "step": ["cart", "pay", "cart"],
            "event_time": [stamp("05:00"), stamp("05:10"), stamp("05:30")],
            "p_abandon": [0.2, 0.6, 0.9],
        }
    ).to_parquet(folder / "truth.parquet")
    snapshots = pd.DataFrame(
        {
            "journey_id": ["a", "a", "a", "b"],
            "event_timestamp": [stamp("05:05"), stamp("05:10"), stamp("04:59"), stamp("05:20")],
        }
    )

    joined = join_truth(snapshots, read_truth(home))

    assert joined["journey_id"].tolist() == ["a", "a", "a", "b"]
    assert joined["p_abandon"].tolist()[:2] == [0.2, 0.6]
    # Before the journey's first truth row, and b before its truth: unknown.
    assert math.isnan(joined["p_abandon"].iloc[2])
    assert math.isnan(joined["p_abandon"].iloc[3])


def test_no_truth_files_give_an_empty_frame(home: Home) -> None:
    assert read_truth(home).empty
