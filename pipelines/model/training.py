"""Reading the training set from the warehouse, with the simulator's truth where it exists."""

from __future__ import annotations

import duckdb
import pandas as pd

from journeyheal.home import Home
from models.split import split_by_journey_start
from models.truth import join_truth, read_truth

TRAINING_SET_TABLE = "friction_training_set"


def read_training_frame(con: duckdb.DuckDBPyConnection, home: Home) -> pd.DataFrame:
    """The whole training set, with p_abandon joined where the simulator left truth."""
    tables = {row[0] for row in con.execute("SHOW TABLES").fetchall()}
    if TRAINING_SET_TABLE not in tables:
        msg = f"warehouse has no table {TRAINING_SET_TABLE!r}: materialize it first"
        raise LookupError(msg)

    frame = con.execute(f"FROM {TRAINING_SET_TABLE} ORDER BY event_timestamp, snapshot_id").df()
    if frame.empty:
        msg = f"warehouse table {TRAINING_SET_TABLE!r} is empty: nothing to train on"
        raise ValueError(msg)

    truth = read_truth(home)
    return frame if truth.empty else join_truth(frame, truth)


def holdout_window(
    frame: pd.DataFrame, train_share: float, validation_share: float
) -> pd.DataFrame:
    """The latest journeys: the test split every candidate is judged on."""
    return split_by_journey_start(frame, train_share, validation_share).test
