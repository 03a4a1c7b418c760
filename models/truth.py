"""The simulator's ground truth joined to snapshots: the best reachable score per row."""

from __future__ import annotations

import pandas as pd

from journeyheal.home import Home
from models.config import TIMESTAMP_COLUMN, TRUTH_COLUMN

TRUTH_FILE = "truth.parquet"
TRUTH_TIME = "event_time"
TRUTH_COLUMNS = ["journey_id", TRUTH_TIME, TRUTH_COLUMN]


def read_truth(home: Home) -> pd.DataFrame:
    """Every truth row under home.truth (YYYY-MM-DD/HH/truth.parquet); empty if none."""
    files = sorted(home.truth.glob(f"*/*/{TRUTH_FILE}"))
    if not files:
        return pd.DataFrame(
            {
                "journey_id": pd.Series(dtype="string"),
                TRUTH_TIME: pd.Series(dtype="datetime64[ns, UTC]"),
                TRUTH_COLUMN: pd.Series(dtype="float64"),
            }
        )
    frames = []
    for path in files:
        frame = pd.read_parquet(path, columns=TRUTH_COLUMNS)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def join_truth(snapshots: pd.DataFrame, truth: pd.DataFrame) -> pd.DataFrame:
    """Snapshots with p_abandon of the journey's latest truth row at or before the snapshot."""
    if TRUTH_COLUMN in snapshots.columns:
        msg = f"snapshots already carry a {TRUTH_COLUMN!r} column"
        raise ValueError(msg)

    left = snapshots.assign(
        _order=range(len(snapshots)),
        _time=pd.to_datetime(snapshots[TIMESTAMP_COLUMN], utc=True),
    ).sort_values("_time")
    right = truth.assign(
        journey_id=truth["journey_id"].astype(snapshots["journey_id"].dtype),
        _time=pd.to_datetime(truth[TRUTH_TIME], utc=True),
    ).sort_values("_time")
    joined = pd.merge_asof(
        left,
        right[["journey_id", "_time", TRUTH_COLUMN]],
        on="_time",
        by="journey_id",
        direction="backward",
        allow_exact_matches=True,
    )
    return joined.sort_values("_order").drop(columns=["_order", "_time"]).reset_index(drop=True)
